/**
 * One load test: the driver process (ACS callers + light Voice Live) and the
 * bot process, a ramp of concurrent-call steps each held and measured, or a
 * soak (steady calls that end and are replaced, sampled over time). Always
 * bounded: every wait has a deadline and both processes are stopped at the end.
 */
import { availableParallelism } from "node:os";
import { startBotProcess, type BotProcess, type BotSample } from "./bot-process.js";
import { freePort } from "../free-port.js";
import { startDriver, type DriverClient } from "./driver-client.js";
import type { CallCounts, DriverInit, DriverWindow } from "./driver-protocol.js";
import type { LoadLeg } from "./marks.js";
import { judge, type StepResult } from "./report.js";

export interface LoadTestOptions {
  readonly steps: readonly number[];
  readonly holdS: number;
  readonly settleS: number;
  readonly leg: LoadLeg;
  /** WORKERS for the bot ("1" = one process). */
  readonly workers: string;
  /** CPUs for the bot and for the driver (taskset lists), or undefined for no pinning. */
  readonly botCpus: string | undefined;
  readonly driverCpus: string | undefined;
  /** nice value for both processes (e.g. -10 on a shared host), or undefined. */
  readonly nice: number | undefined;
  readonly rampPerSecond: number;
  readonly responseMs: number;
  readonly headStartMs: number;
  /** Audio per Voice Live delta (20 = one event per frame). */
  readonly deltaMs: number;
  /** Extra settings for the bot (e.g. VOICELIVE_APPEND_MS). */
  readonly botEnv: Readonly<Record<string, string>>;
  /** Another checkout of the bot to run (its src/main.ts), e.g. to measure a change against main. */
  readonly botDir: string | undefined;
  /** Directory for the bot's CPU profile (written when it exits), or undefined. */
  readonly profileDir: string | undefined;
  /** Run the bot's sources through tsx rather than compiled as the container runs it. */
  readonly fromSources?: boolean;
  /** Run the floor relay (src/loadtest/floor-bot.ts) instead of the bot. */
  readonly floor?: boolean;
  readonly soak: { readonly calls: number; readonly durationS: number; readonly callS: number; readonly sampleS: number } | undefined;
  readonly log: (line: string) => void;
}

export interface SoakSample {
  readonly atS: number;
  readonly calls: number;
  readonly rssMB: number;
  readonly heapUsedMB: number | undefined;
}

export interface SoakResult {
  readonly calls: number;
  readonly durationS: number;
  readonly callsStarted: number;
  readonly callsEnded: number;
  readonly failedCalls: number;
  readonly samples: readonly SoakSample[];
  /** Last two minutes against minutes 1–3 (warm-up excluded), percent: RSS by its mean, the heap by its floor (live data). */
  readonly rssGrowthPercent: number;
  readonly heapGrowthPercent: number | undefined;
  readonly whole: StepResult;
  readonly flat: boolean;
}

export interface LoadTestResult {
  readonly startedAt: string;
  readonly options: Omit<LoadTestOptions, "log">;
  readonly host: { readonly cpus: number; readonly node: string; readonly loadAverage: readonly number[] };
  readonly idleRssMB: number;
  readonly steps: readonly StepResult[];
  readonly soak: SoakResult | undefined;
  readonly prewarm: Readonly<Record<string, number>>;
  /** Share of calls whose media socket found its pre-warmed Voice Live session in the same process (WORKERS > 1: about 1/N). */
  readonly prewarmHitRate: number | undefined;
  /** Voice Live sessions opened per call: 1 when every pre-warm is used, more when media lands on another worker. */
  readonly voiceLiveSessionsPerCall: number | undefined;
  readonly voiceLiveSessions: DriverWindow["voiceLive"] | undefined;
  /** The last lines the bot logged (LOG_LEVEL=warn): anything it complained about under load. */
  readonly botLogTail: string;
}

const MB = 1024 * 1024;

export async function runLoadTest(options: LoadTestOptions): Promise<LoadTestResult> {
  const startedAt = new Date().toISOString();
  const { log } = options;
  const driver = startDriver({ cpus: options.driverCpus, nice: options.nice });
  let bot: BotProcess | undefined;
  try {
    const init = await driver.request<DriverInit>({ cmd: "init", leg: options.leg, responseMs: options.responseMs, headStartMs: options.headStartMs, deltaMs: options.deltaMs }, 30_000);
    const port = await freePort();
    bot = await startBotProcess({ port, cpus: options.botCpus, nice: options.nice, botDir: options.botDir, profileDir: options.profileDir, fromSources: options.fromSources, floor: options.floor, env: botEnvironment(options, init, port) });
    await driver.request({ cmd: "bot", baseUrl: bot.baseUrl });
    log(`${options.floor ? "floor relay (not the bot)" : "bot"} ready on ${bot.baseUrl} (pid ${bot.pid}${options.botCpus ? `, CPUs ${options.botCpus}` : ""}, WORKERS=${options.workers}); driver${options.driverCpus ? ` on CPUs ${options.driverCpus}` : ""}`);
    await sleep(1000);
    const idle = bot.sample();
    const steps: StepResult[] = [];
    let soak: SoakResult | undefined;
    let last: DriverWindow | undefined;
    if (options.soak) {
      ({ soak, last } = await runSoak(options, driver, bot, idle));
    } else {
      for (const calls of options.steps) {
        const step = await runStep(options, driver, bot, idle, calls);
        steps.push(step.result);
        last = step.window;
        log(`${calls} calls: CPU ${step.result.botCpuPercent.toFixed(0)} %, ${step.result.usPerFramePair.toFixed(1)} µs/pair, relay p99 ${step.result.relayMs.p99} ms, underruns ${step.result.underruns}, ${step.result.pass ? "PASS" : "FAIL"}`);
      }
    }
    const metrics = await bot.metrics().catch(() => undefined);
    return {
      startedAt,
      options: { ...options, log: undefined } as Omit<LoadTestOptions, "log">,
      host: { cpus: availableParallelism(), node: process.version, loadAverage: (await import("node:os")).loadavg() },
      idleRssMB: round(idle.rssBytes / MB),
      steps,
      soak,
      prewarm: metrics?.prewarm ?? {},
      prewarmHitRate: hitRate(metrics?.prewarm),
      voiceLiveSessionsPerCall: last && last.calls.started > 0 ? round(last.voiceLive.sessionsOpened / last.calls.started) : undefined,
      voiceLiveSessions: last?.voiceLive,
      botLogTail: bot.output(),
    };
  } catch (error) {
    if (bot) log(`bot output (last lines):\n${bot.output()}`);
    throw error;
  } finally {
    await driver.request({ cmd: "stop" }, 30_000).catch(() => undefined);
    await driver.kill(5000);
    await bot?.stop();
  }
}

function botEnvironment(options: LoadTestOptions, init: DriverInit, port: number): Record<string, string> {
  return {
    PORT: String(port),
    HOST: "127.0.0.1",
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    ACS_CONNECTION_STRING: init.acsConnectionString,
    ACS_RESOURCE_ID: init.resourceId,
    ACS_JWKS_URL: init.jwksUrl,
    ACS_AUDIO_FORMAT: options.leg === "pcm16k" ? "pcm16KMono" : "pcm24KMono",
    VOICELIVE_ENDPOINT: init.voiceLiveUrl,
    VOICELIVE_API_KEY: "load-test",
    LOG_LEVEL: "warn",
    WORKERS: options.workers,
    ...options.botEnv,
  };
}

async function ramp(options: LoadTestOptions, driver: DriverClient, calls: number, churnCallMs?: number): Promise<CallCounts> {
  const timeoutMs = 30_000 + (calls / options.rampPerSecond) * 2000;
  return driver.request<CallCounts>({ cmd: "calls", target: calls, perSecond: options.rampPerSecond, timeoutMs, churnCallMs }, timeoutMs + 10_000);
}

async function measure(driver: DriverClient, bot: BotProcess, windowMs: number, during?: () => Promise<void>) {
  await bot.metrics().catch(() => undefined); // resets the bot's event-loop histogram
  await driver.request({ cmd: "window-start" });
  const start = bot.sample();
  if (during) await during();
  else await sleep(windowMs);
  const window = await driver.request<DriverWindow>({ cmd: "window-end" });
  const end = bot.sample();
  const metrics = await bot.metrics().catch(() => undefined);
  return { window, start, end, metrics };
}

function stepResult(calls: number, idle: BotSample, m: Awaited<ReturnType<typeof measure>>): StepResult {
  const { window, start, end, metrics } = m;
  const cpuMs = end.cpuMs - start.cpuMs;
  const wallMs = end.atMs - start.atMs;
  const pairs = Math.max(1, window.stats.framesSent);
  return judge({
    calls,
    flowing: window.calls.flowing,
    windowS: round(wallMs / 1000),
    botCpuPercent: round((cpuMs / wallMs) * 100),
    botSystemCpuPercent: round(((end.systemCpuMs - start.systemCpuMs) / wallMs) * 100),
    usPerFramePair: round((cpuMs * 1000) / pairs),
    rssMB: round(end.rssBytes / MB),
    rssPerCallKB: round((end.rssBytes - idle.rssBytes) / Math.max(1, calls) / 1024),
    heapUsedMB: metrics?.heapUsedBytes === undefined ? undefined : round(metrics.heapUsedBytes / MB),
    relayMs: { p50: window.stats.relay.p50Ms, p99: window.stats.relay.p99Ms, max: window.stats.relay.maxMs },
    outboundGapP99Ms: window.stats.outboundGaps.p99Ms,
    outboundGapMaxMs: window.stats.outboundGaps.maxMs,
    underruns: window.stats.underruns,
    lostFrames: { inbound: window.stats.lostInbound, outbound: window.stats.lostOutbound },
    misroutedFrames: window.stats.misrouted,
    eventLoopLagMs: { p99: round(metrics?.eventLoopLagP99Ms), max: round(metrics?.eventLoopLagMaxMs) },
    driver: { ...window.driver, eventLoopP99Ms: round(window.driver.eventLoopP99Ms)!, eventLoopMaxMs: round(window.driver.eventLoopMaxMs)!, sendLateMaxMs: round(window.driver.sendLateMaxMs)!, cpuPercent: round(window.driver.cpuPercent)! },
    failedCalls: window.calls.failed,
  });
}

async function runStep(options: LoadTestOptions, driver: DriverClient, bot: BotProcess, idle: BotSample, calls: number) {
  const counts = await ramp(options, driver, calls);
  if (counts.flowing < calls) options.log(`warning: ${counts.flowing} of ${calls} calls flowing after the ramp${counts.lastError ? ` (last error: ${counts.lastError})` : ""}`);
  await sleep(options.settleS * 1000);
  const measured = await measure(driver, bot, options.holdS * 1000);
  return { result: stepResult(calls, idle, measured), window: measured.window };
}

async function runSoak(options: LoadTestOptions, driver: DriverClient, bot: BotProcess, idle: BotSample) {
  const soak = options.soak!;
  const counts = await ramp(options, driver, soak.calls, soak.callS * 1000);
  options.log(`soak: ${counts.flowing} of ${soak.calls} calls flowing; calls last ~${soak.callS} s and are replaced; ${soak.durationS} s`);
  const samples: SoakSample[] = [];
  const t0 = performance.now();
  const measured = await measure(driver, bot, soak.durationS * 1000, async () => {
    while (performance.now() - t0 < soak.durationS * 1000) {
      await sleep(soak.sampleS * 1000);
      const sample = bot.sample();
      const metrics = await bot.metrics().catch(() => undefined);
      const atS = round((performance.now() - t0) / 1000)!;
      samples.push({ atS, calls: soak.calls, rssMB: round(sample.rssBytes / MB)!, heapUsedMB: metrics?.heapUsedBytes === undefined ? undefined : round(metrics.heapUsedBytes / MB) });
      options.log(`soak ${atS} s: RSS ${samples.at(-1)!.rssMB} MB, heap ${samples.at(-1)!.heapUsedMB ?? "–"} MB`);
    }
  });
  const whole = stepResult(soak.calls, idle, measured);
  const growth = (pick: (s: SoakSample) => number | undefined, of: (values: number[]) => number): number | undefined => {
    const after = samples.filter((s) => s.atS >= 60 && s.atS < 180).map(pick);
    const lastTwo = samples.filter((s) => s.atS > soak.durationS - 120).map(pick);
    if (after.length === 0 || lastTwo.length === 0 || after.some((v) => v === undefined) || lastTwo.some((v) => v === undefined)) return undefined;
    const before = of(after as number[]);
    return round(((of(lastTwo as number[]) - before) / before) * 100);
  };
  const mean = (values: number[]): number => values.reduce((sum, v) => sum + v, 0) / values.length;
  const rssGrowthPercent = growth((s) => s.rssMB, mean) ?? 0;
  // The heap is sampled anywhere on GC's sawtooth: what is live is its floor, the lowest sample of a window.
  const heapGrowthPercent = growth((s) => s.heapUsedMB, (values) => Math.min(...values));
  const lost = whole.lostFrames.inbound + whole.lostFrames.outbound;
  const result: SoakResult = {
    calls: soak.calls,
    durationS: soak.durationS,
    callsStarted: measured.window.calls.started,
    callsEnded: measured.window.calls.ended,
    failedCalls: measured.window.calls.failed,
    samples,
    rssGrowthPercent,
    heapGrowthPercent,
    whole,
    flat: Math.abs(rssGrowthPercent) <= 10 && (heapGrowthPercent === undefined || Math.abs(heapGrowthPercent) <= 10) && lost === 0,
  };
  return { soak: result, last: measured.window };
}

function hitRate(prewarm: Readonly<Record<string, number>> | undefined): number | undefined {
  if (!prewarm) return undefined;
  const hits = prewarm.claimed ?? 0;
  const misses = (prewarm.other_worker ?? 0) + (prewarm.unclaimed ?? 0);
  return hits + misses === 0 ? undefined : round(hits / (hits + misses));
}

function round(value: number): number;
function round(value: number | undefined): number | undefined;
function round(value: number | undefined): number | undefined {
  return value === undefined ? undefined : Math.round(value * 100) / 100;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

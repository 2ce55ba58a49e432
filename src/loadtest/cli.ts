/**
 * `npm run loadtest` — how many calls one bot process carries. Starts the bot
 * as its own process (pinned to one CPU when there are two or more), ACS
 * callers and a light Voice Live in a driver process (on another CPU), ramps
 * concurrent calls, holds each step, prints a table and writes JSON. Loopback
 * only; stops by itself. See README "How many calls per replica".
 */
import { mkdir, writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { dirname, resolve } from "node:path";
import { parseCliArgs } from "../cli-args.js";
import { summariseProfiles } from "./profile-summary.js";
import { formatTable, GOALS } from "./report.js";
import { runLoadTest, type LoadTestOptions } from "./run.js";

const USAGE = `npm run loadtest -- [options]
  --steps 100,200,300   concurrent calls per step (default 100,200,300)
  --hold 15             seconds each step is measured (default 15), after --settle 3
  --leg pcm16k|pcm24k   ACS media format (default pcm16k)
  --workers 1|N|auto    the bot's WORKERS (default 1)
  --bot-cpus 0          taskset CPU list for the bot (default: CPU 0 with one worker on a 2+ CPU host)
  --driver-cpus 1       taskset CPU list for the driver (default: the CPUs the bot does not use)
  --no-pin              no taskset at all
  --nice=-10            run bot and driver at this nice value (negative needs root): on a shared host,
                        measures the bot rather than its neighbours
  --env KEY=VALUE       extra bot setting (repeatable), e.g. --env VOICELIVE_APPEND_MS=40
  --ramp 50             calls started per second (default 50)
  --delta-ms 20         audio per Voice Live delta (default 20: one event per frame, the most events; 100 ≈ the emulator)
  --soak                soak instead of steps: --soak-calls 200, --soak-minutes 10, calls of ~--call-s 60
  --json out/loadtest/report.json   where the JSON goes
  --bot-dir DIR         run the bot from another checkout (needs its node_modules), to compare
  --floor               run the floor instead of the bot: the same four WebSocket messages per call per 20 ms
                        over the same libraries and nothing else (src/loadtest/floor-bot.ts), to see what
                        the bot's own work costs above what Node, ws and the kernel cost on this machine
  --from-sources        run src/main.ts through tsx instead of compiling it first as the container does
                        (quicker to start; costs ~30 % more CPU per frame pair)
  --profile DIR         write the bot's V8 CPU profile into DIR and print where its time went
  --quiet               only the table`;

async function main(): Promise<void> {
  const parsed = parseCliArgs(
    {
      options: {
        steps: { type: "string", default: "100,200,300" },
        hold: { type: "string", default: "15" },
        settle: { type: "string", default: "3" },
        leg: { type: "string", default: "pcm16k" },
        workers: { type: "string", default: "1" },
        "bot-cpus": { type: "string" },
        "driver-cpus": { type: "string" },
        "no-pin": { type: "boolean", default: false },
        env: { type: "string", multiple: true, default: [] },
        ramp: { type: "string", default: "50" },
        "response-ms": { type: "string", default: "6000" },
        "head-start-ms": { type: "string", default: "200" },
        "delta-ms": { type: "string", default: "20" },
        soak: { type: "boolean", default: false },
        "soak-calls": { type: "string", default: "200" },
        "soak-minutes": { type: "string", default: "10" },
        "call-s": { type: "string", default: "60" },
        json: { type: "string", default: "out/loadtest/report.json" },
        quiet: { type: "boolean", default: false },
        profile: { type: "string" },
        nice: { type: "string" },
        "bot-dir": { type: "string" },
        "from-sources": { type: "boolean", default: false },
        floor: { type: "boolean", default: false },
        help: { type: "boolean", default: false },
      },
    },
    `${USAGE}\n`,
  );
  if (typeof parsed === "number") {
    process.exitCode = parsed;
    return;
  }
  const { values } = parsed;
  const number = (name: string, text: string, min: number): number => {
    const value = Number(text);
    if (!Number.isFinite(value) || value < min) throw new UsageError(`--${name} must be a number ≥ ${min}, got "${text}"`);
    return value;
  };
  const steps = values.steps.split(",").map((s) => number("steps", s.trim(), 1));
  if (steps.some((s) => s > 1000)) throw new UsageError("--steps: at most 1000 concurrent calls");
  if (values.leg !== "pcm16k" && values.leg !== "pcm24k") throw new UsageError(`--leg must be pcm16k or pcm24k, got "${values.leg}"`);
  const botEnv: Record<string, string> = {};
  for (const pair of values.env) {
    const at = pair.indexOf("=");
    if (at <= 0) throw new UsageError(`--env wants KEY=VALUE, got "${pair}"`);
    botEnv[pair.slice(0, at)] = pair.slice(at + 1);
  }
  const cpus = availableParallelism();
  const pin = !values["no-pin"] && cpus >= 2;
  const singleProcess = values.workers === "1";
  const botCpus = pin ? (values["bot-cpus"] ?? (singleProcess ? "0" : undefined)) : undefined;
  const driverCpus = pin ? (values["driver-cpus"] ?? (botCpus === "0" ? `1-${cpus - 1}` : undefined)) : undefined;
  const options: LoadTestOptions = {
    steps,
    holdS: number("hold", values.hold, 1),
    settleS: number("settle", values.settle, 0),
    leg: values.leg,
    workers: values.workers,
    botCpus,
    driverCpus,
    nice: values.nice === undefined ? undefined : number("nice", values.nice, -20),
    rampPerSecond: number("ramp", values.ramp, 1),
    responseMs: number("response-ms", values["response-ms"], 100),
    headStartMs: number("head-start-ms", values["head-start-ms"], 0),
    deltaMs: number("delta-ms", values["delta-ms"], 20),
    botEnv,
    botDir: values["bot-dir"] === undefined ? undefined : resolve(values["bot-dir"]),
    profileDir: values.profile === undefined ? undefined : resolve(values.profile),
    fromSources: values["from-sources"],
    floor: values.floor,
    soak: values.soak
      ? { calls: number("soak-calls", values["soak-calls"], 1), durationS: number("soak-minutes", values["soak-minutes"], 1) * 60, callS: number("call-s", values["call-s"], 5), sampleS: 10 }
      : undefined,
    log: values.quiet ? () => undefined : (line) => process.stderr.write(`${line}\n`),
  };
  const result = await runLoadTest(options);
  const path = resolve(values.json);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(result, null, 2)}\n`);
  const goals = `Goals per step: relay p99 < ${GOALS.relayP99Ms} ms, ${GOALS.underruns} underruns, ${GOALS.lostFrames} lost frames, ≤ ${GOALS.rssPerCallKB} KB RSS per call, ≤ ${GOALS.usPerFramePair} µs per frame pair.`;
  const lines = [`Load test${options.floor ? " of the FLOOR relay (src/loadtest/floor-bot.ts), not the bot" : ""}, ${options.leg} leg, ${options.deltaMs} ms Voice Live deltas, WORKERS=${options.workers}, bot CPUs ${options.botCpus ?? "any"}, driver CPUs ${options.driverCpus ?? "any"}${options.nice ? `, nice ${options.nice}` : ""}, load average before ${result.host.loadAverage.map((l) => l.toFixed(1)).join(" ")}`];
  if (result.soak) {
    const soak = result.soak;
    lines.push(formatTable([soak.whole]));
    lines.push(`Soak: ${soak.calls} calls for ${soak.durationS / 60} min, ${soak.callsStarted} calls started, ${soak.failedCalls} failed; RSS ${soak.rssGrowthPercent} %, heap floor ${soak.heapGrowthPercent ?? "–"} % (last 2 min vs minutes 1–3); ${soak.flat ? "FLAT" : "NOT FLAT"}`);
  } else {
    lines.push(formatTable(result.steps));
  }
  const sessions = result.voiceLiveSessions;
  if (sessions) {
    lines.push(
      `Voice Live sessions opened ${sessions.sessionsOpened} (${result.voiceLiveSessionsPerCall ?? "–"} per call), never used ${sessions.sessionsUnused}; ` +
        `pre-warm hit rate ${result.prewarmHitRate ?? "–"} ${JSON.stringify(result.prewarm)}`,
    );
  }
  lines.push(goals, `JSON: ${path}`);
  if (options.profileDir) lines.push("", await summariseProfiles(options.profileDir));
  process.stdout.write(`${lines.join("\n")}\n`);
}

class UsageError extends Error {}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    process.stderr.write(`${error.message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  process.stderr.write(`load test failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

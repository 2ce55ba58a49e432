/**
 * The load test's driver process: ACS (REST stub, token issuer, Event Grid,
 * media callers) and a light Voice Live, both in this one process so a frame's
 * journey caller → bot → Voice Live is timed on one clock. Commanded by the
 * orchestrator over IPC (driver-protocol.ts); never runs on its own.
 */
import { randomUUID } from "node:crypto";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { startAcsRestStub, type AcsRestStub } from "../acs-sim/acs-rest-stub.js";
import { startTokenIssuer, type TokenIssuer } from "../acs-sim/token-issuer.js";
import { AcsCall } from "./acs-calls.js";
import type { CallCounts, DriverCommand, DriverInit, DriverReply, DriverRequest, DriverWindow } from "./driver-protocol.js";
import { legRateHz, type LoadLeg } from "./marks.js";
import { FrameScheduler } from "./scheduler.js";
import { startVoiceLivePeer, type VoiceLivePeer } from "./voicelive-peer.js";
import { WindowStats } from "./window-stats.js";

const MAX_CALLS = 1024;

const scheduler = new FrameScheduler();
const stats = new WindowStats();
const loop = monitorEventLoopDelay({ resolution: 1 });
loop.enable();
const calls = new Map<number, AcsCall>();
const byContext = new Map<string, AcsCall>();
/** FIFO, so a freed index (and its marks) is reused as late as possible. */
const freeIndexes: number[] = Array.from({ length: MAX_CALLS }, (_, i) => i);
const endAt = new Map<AcsCall, number>();
const counts = { started: 0, ended: 0, failed: 0, lastError: undefined as string | undefined };
let leg: LoadLeg = "pcm16k";
/** Per call index: the PCM16 rate its Voice Live session answers at. */
const answerRates = new Map<number, number>();
let stub: AcsRestStub | undefined;
let issuer: TokenIssuer | undefined;
let peer: VoiceLivePeer | undefined;
let botBaseUrl = "";
let churnCallMs: number | undefined;
let churnTimer: ReturnType<typeof setInterval> | undefined;
let window = { startMs: performance.now(), cpu: process.cpuUsage() };
const topic = `/subscriptions/${randomUUID()}/resourcegroups/loadtest/providers/microsoft.communication/communicationservices/loadtest`;

function callCounts(): CallCounts {
  let flowing = 0;
  for (const call of calls.values()) if (call.flowing) flowing += 1;
  return { active: calls.size, flowing, started: counts.started, ended: counts.ended, failed: counts.failed, lastError: counts.lastError };
}

function startCall(): void {
  const index = freeIndexes.shift();
  if (index === undefined) throw new Error(`at most ${MAX_CALLS} concurrent calls`);
  const call = new AcsCall(index, { botBaseUrl, leg, scheduler, stats, topic, mintToken: (expiresInS) => issuer!.mint({ expiresInS }), voiceLiveRateHz: (callIndex) => answerRates.get(callIndex) });
  calls.set(index, call);
  byContext.set(call.ids.incomingCallContext, call);
  counts.started += 1;
  if (churnCallMs !== undefined) endAt.set(call, performance.now() + churnCallMs * (0.75 + Math.random() * 0.5));
  call.ring().catch((error: unknown) => fail(call, error));
}

function fail(call: AcsCall, error: unknown): void {
  counts.failed += 1;
  counts.lastError = error instanceof Error ? error.message : String(error);
  void endCall(call);
}

function endCall(call: AcsCall): Promise<void> {
  if (calls.get(call.index) !== call) return Promise.resolve();
  calls.delete(call.index);
  answerRates.delete(call.index);
  byContext.delete(call.ids.incomingCallContext);
  endAt.delete(call);
  freeIndexes.push(call.index);
  counts.ended += 1;
  return call.hangUp();
}

async function rampTo(target: number, perSecond: number, timeoutMs: number): Promise<CallCounts> {
  const deadline = performance.now() + timeoutMs;
  while (calls.size > target) void endCall([...calls.values()].at(-1)!);
  const batchMs = 50;
  const perBatch = Math.max(1, Math.round((perSecond * batchMs) / 1000));
  while (calls.size < target && performance.now() < deadline) {
    for (let i = 0; i < perBatch && calls.size < target; i++) startCall();
    await sleep(batchMs);
  }
  // Every call answered, media open, audio flowing both ways (or the deadline).
  while (performance.now() < deadline && callCounts().flowing < Math.min(target, calls.size)) await sleep(100);
  return callCounts();
}

function setChurn(callMs: number | undefined): void {
  churnCallMs = callMs;
  if (churnTimer !== undefined) clearInterval(churnTimer);
  churnTimer = undefined;
  endAt.clear();
  if (callMs === undefined) return;
  const nowMs = performance.now();
  for (const call of calls.values()) endAt.set(call, nowMs + Math.random() * callMs);
  churnTimer = setInterval(() => {
    const now = performance.now();
    for (const [call, atMs] of [...endAt]) {
      if (atMs > now) continue;
      void endCall(call);
      startCall();
    }
  }, 250);
}

function windowResult(): DriverWindow {
  const cpu = process.cpuUsage(window.cpu);
  const windowMs = performance.now() - window.startMs;
  return {
    stats: stats.summary(),
    calls: callCounts(),
    voiceLive: { sessionsOpened: peer!.sessionsOpened, sessionsOpen: peer!.sessionsOpen, sessionsUnused: peer!.sessionsUnused },
    driver: {
      eventLoopP99Ms: loop.percentile(99) / 1e6,
      eventLoopMaxMs: loop.max / 1e6,
      sendLateMaxMs: scheduler.maxLateMs,
      cpuPercent: ((cpu.user + cpu.system) / 1000 / windowMs) * 100,
    },
    windowMs,
  };
}

async function handle(command: DriverCommand): Promise<unknown> {
  switch (command.cmd) {
    case "init": {
      leg = command.leg;
      const resourceId = randomUUID();
      stub = await startAcsRestStub();
      issuer = await startTokenIssuer({ audience: resourceId });
      peer = await startVoiceLivePeer({
        scheduler,
        stats,
        legRateHz: legRateHz(leg),
        responseMs: command.responseMs,
        headStartMs: command.headStartMs,
        deltaMs: command.deltaMs,
        onCallerFrame: (callIndex, seq, atMs) => calls.get(callIndex)?.relayed(seq, atMs),
        onAnswerRate: (callIndex, rateHz) => answerRates.set(callIndex, rateHz),
      });
      stub.onRequest((request, operation) => {
        if (operation !== "answer") return;
        const body = request.body as { incomingCallContext?: string; mediaStreamingOptions?: { transportUrl?: string } };
        const call = byContext.get(body.incomingCallContext ?? "");
        const transportUrl = body.mediaStreamingOptions?.transportUrl;
        if (!call || call.state !== "ringing" || !transportUrl || !request.callConnectionId) return;
        call.connect(transportUrl, request.callConnectionId).catch((error: unknown) => fail(call, error));
      });
      const init: DriverInit = { voiceLiveUrl: peer.url, acsConnectionString: stub.connectionString, resourceId, jwksUrl: issuer.jwksUrl };
      return init;
    }
    case "bot":
      botBaseUrl = command.baseUrl;
      return undefined;
    case "calls": {
      setChurn(undefined);
      const result = await rampTo(command.target, command.perSecond, command.timeoutMs);
      setChurn(command.churnCallMs);
      return result;
    }
    case "window-start":
      stats.reset();
      loop.reset();
      scheduler.maxLateMs = 0;
      window = { startMs: performance.now(), cpu: process.cpuUsage() };
      return undefined;
    case "window-end":
      return windowResult();
    case "stop": {
      setChurn(undefined);
      await Promise.all([...calls.values()].map((call) => endCall(call)));
      scheduler.stop();
      await peer?.close();
      await stub?.close();
      await issuer?.close();
      // Exit on our own once the reply is out (a CPU profile is written on a clean exit).
      setTimeout(() => process.exit(0), 100);
      return undefined;
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

if (!process.send) {
  process.stderr.write("the load driver runs under `npm run loadtest`, not on its own\n");
  process.exit(2);
}
process.on("message", (request: DriverRequest) => {
  handle(request).then(
    (result) => process.send!({ id: request.id, ok: true, result } satisfies DriverReply),
    (error: unknown) => process.send!({ id: request.id, ok: false, error: error instanceof Error ? error.stack ?? error.message : String(error) } satisfies DriverReply),
  );
});
// The orchestrator went away: nothing left to drive.
process.on("disconnect", () => process.exit(0));

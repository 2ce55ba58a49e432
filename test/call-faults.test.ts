/**
 * One call's failure ends at most that call, and nothing the bot asks of a peer
 * can hang: a handler that throws ends its own call politely, every ACS and
 * Voice Live request has a deadline, a pre-warmed session is freed as soon as
 * its call is gone, and an ended call's media URL opens nothing.
 */
import { createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { TokenCredential } from "@azure/identity";
import { speechDurationMs, synthesizeSpeech } from "../src/emulator/index.js";
import type { CallSessionExtension } from "../src/media/call-session.js";
import { callbackEvent, incomingCallEvent, postJson, startHarness, type Harness } from "./support/bot-harness.js";
import { eventually, startCallHarness, type CallHarness } from "./support/call-harness.js";

const APOLOGY = "Sorry, we hit a problem on our side. Goodbye.";

let h: CallHarness | undefined;
let bh: Harness | undefined;
let blackHole: Server | undefined;
const blackHoleSockets = new Set<Socket>();
afterEach(async () => {
  await h?.close();
  await bh?.close();
  for (const socket of blackHoleSockets) socket.destroy();
  await new Promise<void>((resolve) => (blackHole ? blackHole.close(() => resolve()) : resolve()));
  h = undefined;
  bh = undefined;
  blackHole = undefined;
});

function counter(text: string, name: string, label = ""): number {
  let total = 0;
  for (const line of text.split("\n")) {
    if ((line.startsWith(`${name}{`) || line.startsWith(`${name} `)) && line.includes(label)) total += Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return total;
}

/** Accepts TCP connections and never answers: a peer that hangs. */
async function startBlackHole(): Promise<string> {
  blackHole = createServer((socket) => {
    // Reads and ignores whatever comes: the handshake is never answered.
    socket.resume();
    blackHoleSockets.add(socket);
  });
  await new Promise<void>((resolve) => blackHole!.listen(0, "127.0.0.1", () => resolve()));
  return `http://127.0.0.1:${(blackHole.address() as AddressInfo).port}`;
}

describe("a fault in one call", () => {
  it("ends that call with an apology and a hang-up; the other call goes on", async () => {
    const faultyNumber = "+12065550199";
    // An add-on with a bug that only this caller's turn trips.
    const faulty = (call: { context: { callerNumber: string | undefined } }): CallSessionExtension[] =>
      call.context.callerNumber === faultyNumber
        ? [{ onVoiceLiveEvent: (event) => { if (event.type === "input_audio_buffer.speech_stopped") throw new TypeError("bug in an add-on"); } }]
        : [];
    h = await startCallHarness({ env: { ERROR_TEXT: APOLOGY }, bot: { extensions: faulty } });
    const victim = await h.call({ from: faultyNumber });
    const other = await h.call({ from: "+12065550111" });
    const [victimMedia, otherMedia] = await Promise.all([victim.mediaConnected, other.mediaConnected]);
    await Promise.all([victimMedia, otherMedia].map((m) => m.waitForBotQuiet({ quietMs: 300, timeoutMs: 30_000 })));

    const question = "Can you tell me my balance please?";
    const askedAt = victimMedia.mediaNowMs();
    victimMedia.play(synthesizeSpeech(question).samples, 24000);
    otherMedia.play(synthesizeSpeech(question).samples, 24000);
    const end = await victim.waitForEnd(20_000);
    expect(end.reason).toBe("botHungUp");
    // The victim heard the apology before the hang-up.
    const apology = victimMedia.heardRuns().find((run) => run.startMs > askedAt + speechDurationMs(question));
    expect(apology, "the apology was heard").toBeDefined();
    const victimConnection = h.emulator.connections().find((c) => c.id !== undefined && h!.emulator.events.list({ connectionId: c.id }).some((e) => JSON.stringify(e.event).includes(APOLOGY)));
    expect(victimConnection, "the apology was asked of Voice Live").toBeDefined();

    // The other caller is answered and still connected.
    await otherMedia.waitForBotAudio({ afterMs: askedAt + speechDurationMs(question), timeoutMs: 15_000 });
    expect(other.state).toBe("connected");
    const metrics = await h.bot.metrics.registry.metrics();
    expect(counter(metrics, "bot_call_faults_total", 'where="extension"')).toBe(1);
  }, 60_000);
});

describe("deadlines on every outbound request", () => {
  it("gives up a hung ACS answer at its deadline, releases the call, and frees its pre-warmed session within a second", async () => {
    const logLines: Array<{ msg: string; time: number }> = [];
    const logger = pino({ level: "info" }, { write: (line: string) => void logLines.push(JSON.parse(line) as { msg: string; time: number }) });
    h = await startCallHarness({ logger, env: { ACS_REQUEST_TIMEOUT_MS: "1000" } });
    h.sim.restStub.delay("answer", 30_000);
    await h.call();
    await eventually("the answer to fail", () => logLines.find((l) => l.msg === "call failed: answering it did not succeed"), 10_000);
    const failedAt = logLines.find((l) => l.msg === "call failed: answering it did not succeed")!.time;
    const warm = await eventually("the pre-warmed session to close", () => h!.emulator.connections().find((c) => c.closedAt !== null), 5000);
    const closeMs = Date.parse(warm.closedAt!) - failedAt;
    console.log(`hung answer: pre-warmed Voice Live closed ${closeMs} ms after the answer was given up`);
    expect(closeMs).toBeLessThan(1000);
    expect(h.bot.calls.registry.size).toBe(0);
    const metrics = await h.bot.metrics.registry.metrics();
    expect(counter(metrics, "bot_request_deadlines_exceeded_total", 'request="acs_answer"')).toBe(1);
    expect(counter(metrics, "bot_prewarm_sessions_total", 'outcome="answer_failed"')).toBe(1);
  }, 30_000);

  it("frees the pre-warmed session within a second when ACS refuses the answer (5xx, retried)", async () => {
    const logLines: Array<{ msg: string; time: number }> = [];
    const logger = pino({ level: "info" }, { write: (line: string) => void logLines.push(JSON.parse(line) as { msg: string; time: number }) });
    h = await startCallHarness({ logger });
    h.sim.restStub.fail("answer", 503);
    await h.call();
    await eventually("the answer to fail", () => logLines.find((l) => l.msg === "call failed: answering it did not succeed"), 15_000);
    const failedAt = logLines.find((l) => l.msg === "call failed: answering it did not succeed")!.time;
    const warm = await eventually("the pre-warmed session to close", () => h!.emulator.connections().find((c) => c.closedAt !== null), 5000);
    const closeMs = Date.parse(warm.closedAt!) - failedAt;
    const answers = h.sim.restStub.requests.filter((r) => r.path.endsWith(":answer")).length;
    console.log(`ACS 503 on answer (${answers} attempts): pre-warmed Voice Live closed ${closeMs} ms after the answer failed`);
    expect(answers).toBeGreaterThan(1);
    expect(closeMs).toBeLessThan(1000);
  }, 30_000);

  it("bounds a hung hang-up by its deadline and still releases the call", async () => {
    bh = await startHarness({ ACS_REQUEST_TIMEOUT_MS: "800" });
    const event = incomingCallEvent();
    await postJson(`${bh.baseUrl}/api/incoming-call`, [event]);
    await bh.bot.calls.settle();
    const record = bh.bot.calls.registry.byCorrelationId(event.data.correlationId)!;
    bh.acs.delay("terminate", 30_000);
    await bh.bot.calls.hangUp(record, "test");
    expect(record.released).toBe(true);
    expect(counter(await bh.bot.metrics.registry.metrics(), "bot_request_deadlines_exceeded_total", 'request="acs_hangup"')).toBe(1);
  });

  it("gives up a Voice Live that never answers the handshake, and hangs up instead of leaving the caller in silence", async () => {
    const hung = await startBlackHole();
    h = await startCallHarness({ voiceLiveVia: async () => hung, env: { VOICELIVE_CONNECT_TIMEOUT_MS: "1000" } });
    const call = await h.call();
    const end = await call.waitForEnd(15_000);
    expect(end.reason).toBe("botHungUp");
    expect(counter(await h.bot.metrics.registry.metrics(), "bot_request_deadlines_exceeded_total", 'request="voicelive_connect"')).toBeGreaterThanOrEqual(1);
  }, 30_000);

  it("does not wait forever for an Entra token", async () => {
    const credential: TokenCredential = { getToken: () => new Promise(() => undefined) };
    h = await startCallHarness({ env: { VOICELIVE_API_KEY: "", VOICELIVE_CONNECT_TIMEOUT_MS: "1000" }, bot: { credential } });
    const call = await h.call();
    expect((await call.waitForEnd(15_000)).reason).toBe("botHungUp");
    expect(counter(await h.bot.metrics.registry.metrics(), "bot_request_deadlines_exceeded_total", 'request="voicelive_connect"')).toBeGreaterThanOrEqual(1);
  }, 30_000);
});

describe("what an operator reads when a call fails", () => {
  it("says so in one line with the reason, the cause written once", async () => {
    const logLines: Array<Record<string, unknown>> = [];
    const logger = pino({ level: "info" }, { write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>) });
    // Nothing listens there: every connect fails with ECONNREFUSED.
    const refused = await startBlackHole();
    await new Promise<void>((resolve) => blackHole!.close(() => resolve()));
    blackHole = undefined;
    h = await startCallHarness({ logger, voiceLiveVia: async () => refused });
    const call = await h.call();
    expect((await call.waitForEnd(15_000)).reason).toBe("botHungUp");
    const mine = logLines.filter((line) => line.correlationId === call.correlationId);
    const failed = mine.filter((line) => typeof line.msg === "string" && line.msg.startsWith("call failed"));
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ reason: "voicelive_unavailable" });
    expect(String(failed[0]!.error)).toMatch(/ECONNREFUSED/);
    // No line repeats its cause ("X: X").
    for (const line of mine) {
      const text = JSON.stringify(line);
      const cause = /ECONNREFUSED[^"]*/.exec(text)?.[0];
      if (cause) expect(text.split(cause).length - 1, text).toBe(1);
    }
  }, 30_000);
});

describe("a call that ended", () => {
  it("frees its pre-warmed session at once when it ends before media, and its media URL opens nothing", async () => {
    bh = await startHarness();
    const event = incomingCallEvent();
    await postJson(`${bh.baseUrl}/api/incoming-call`, [event]);
    await bh.bot.calls.settle();
    const emulator = bh.bot.emulator!;
    await eventually("the pre-warmed session", () => emulator.connections().length === 1, 5000);
    const record = bh.bot.calls.registry.byCorrelationId(event.data.correlationId)!;
    const ids = { callConnectionId: record.callConnectionId!, serverCallId: event.data.serverCallId, correlationId: event.data.correlationId };
    const disconnectedAt = Date.now();
    await postJson(`${bh.baseUrl}/api/callbacks`, [callbackEvent("CallDisconnected", ids)], { authorization: `Bearer ${await bh.issuer.mint()}` });
    const warm = await eventually("the pre-warmed session to close", () => emulator.connections().find((c) => c.closedAt !== null), 5000);
    expect(Date.parse(warm.closedAt!) - disconnectedAt).toBeLessThan(1000);
    expect(counter(await bh.bot.metrics.registry.metrics(), "bot_prewarm_sessions_total", 'outcome="call_ended"')).toBe(1);

    // ACS (or anyone holding the URL and a valid token) connects the media socket after the call ended.
    const answer = bh.acs.requests.find((r) => r.path.endsWith(":answer"))!;
    const transportUrl = new URL((answer.body as { mediaStreamingOptions: { transportUrl: string } }).mediaStreamingOptions.transportUrl);
    const socket = new WebSocket(`${bh.baseUrl.replace("http", "ws")}/media${transportUrl.search}`, {
      headers: { authorization: `Bearer ${await bh.issuer.mint()}`, "x-ms-call-correlation-id": ids.correlationId },
    });
    const status = await new Promise<number>((resolve) => {
      socket.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
      socket.on("open", () => resolve(101));
      socket.on("error", () => undefined);
    });
    expect(status).toBe(403);
    expect(emulator.connections()).toHaveLength(1);
    expect(await bh.bot.metrics.registry.metrics()).toMatch(/bot_media_upgrades_rejected_total\{reason="call_ended"\} 1/);
  });
});

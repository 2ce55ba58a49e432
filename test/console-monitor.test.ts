import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { CallRegistry } from "../src/calls/call-registry.js";
import { createSystemClock } from "../src/clock.js";
import { parseConnectionString } from "../src/config/acs.js";
import { CallLogReader } from "../src/console/call-log-reader.js";
import { CallMonitor } from "../src/console/call-monitor.js";
import { createRedactor } from "../src/console/redact.js";
import { speechDurationMs, synthesizeSpeech } from "../src/emulator/index.js";
import type { ToolDefinition } from "../src/tools/index.js";
import { eventually, startCallHarness, type CallHarness } from "./support/call-harness.js";

const TOKEN = "console-token-for-tests-0123456789";
const METRICS = "metrics-token-for-tests";
const QUESTION = "Where is my order one two three four five?";
const ANSWER = "Sorry, I could not look that order up right now.";

/** A backend whose error message quotes credentials, as careless ones do. */
function leakyTool(secrets: () => string[]): ToolDefinition {
  return {
    name: "lookup_order",
    description: "Look up an order by number.",
    parameters: { type: "object", properties: { orderId: { type: "string" } }, required: ["orderId"] },
    async execute() {
      throw new Error(`upstream refused key ${secrets().join(" and ")}`);
    },
  };
}

interface Feed {
  readonly messages: any[];
  readonly text: string[];
  close(): void;
}

async function openFeed(botUrl: string): Promise<Feed> {
  const socket = new WebSocket(`${botUrl.replace("http", "ws")}/console/live`, { headers: { authorization: `Bearer ${TOKEN}` } });
  const messages: any[] = [];
  const text: string[] = [];
  socket.on("message", (data) => {
    text.push(data.toString());
    messages.push(JSON.parse(data.toString()));
  });
  await new Promise((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("error", reject);
  });
  return { messages, text, close: () => socket.terminate() };
}

let h: CallHarness | undefined;
let feed: Feed | undefined;
afterEach(async () => {
  feed?.close();
  feed = undefined;
  await h?.close();
  h = undefined;
});

describe("the console watches calls live", () => {
  it("shows a phone call as it happens — caller, state, transcript, latency, who speaks — and gives away no secret", async () => {
    const logDir = mkdtempSync(join(tmpdir(), "console-logs-"));
    let accessKey = "";
    h = await startCallHarness({
      scenario: { version: 1, name: "order", turns: [{ user: QUESTION, assistant: [{ tool: "lookup_order", arguments: { orderId: "12345" }, answer: ANSWER }] }] },
      env: { CONSOLE_TOKEN: TOKEN, METRICS_TOKEN: METRICS, CALL_LOG_DIR: logDir, INTERIM_MODE: "off", VOICELIVE_API_KEY: "voicelive-key-for-tests" },
      bot: { tools: [leakyTool(() => ["voicelive-key-for-tests", accessKey])] },
    });
    accessKey = parseConnectionString(h.sim.connectionString)!.accessKey;
    feed = await openFeed(h.botUrl);
    await eventually("the hello", () => feed!.messages[0]?.type === "hello");
    expect(feed.messages[0]).toMatchObject({ calls: [], ended: [] });

    const call = await h.call({ callerDisplayName: "Jane Caller" });
    const answered = await call.answered;
    const media = await call.mediaConnected;
    const id = call.correlationId;
    const summaries = () => feed!.messages.filter((m) => m.type === "call" && m.call.id === id).map((m) => m.call);
    const events = () => feed!.messages.filter((m) => m.type === "event" && m.id === id).map((m) => m.event);
    const levels = () => feed!.messages.filter((m) => m.type === "levels").flatMap((m) => m.calls).filter((r: any) => r.id === id);

    await eventually("the call in the feed", () => summaries().length > 0);
    expect(summaries()[0]).toMatchObject({ caller: "+12065551212", dialed: "+14255551212", callerName: "Jane Caller", source: "phone", live: true });
    // While the greeting plays the console sees the bot speaking, loud enough to show.
    await eventually("the bot speaking", () => levels().some((r: any) => r.botSpeaking && r.botDb > -40), 10_000);
    await media.waitForBotQuiet({ quietMs: 300, timeoutMs: 30_000 });

    media.play(synthesizeSpeech(QUESTION).samples, 24000);
    await eventually("the caller speaking", () => levels().some((r: any) => r.callerSpeaking && r.callerDb > -40), 10_000);
    await media.waitForBotAudio({ afterMs: media.mediaNowMs() + speechDurationMs(QUESTION) - 200, timeoutMs: 15_000 });
    await eventually("the turn's latency", () => events().some((e: any) => e.type === "latency" && e.kind === "turn"), 10_000);
    await media.waitForBotQuiet({ quietMs: 300, timeoutMs: 30_000 });
    await call.hangUp();
    await eventually("the call ended in the feed", () => summaries().some((s) => s.live === false), 10_000);

    // The call's story, in order.
    const types = events().map((e: any) => e.type);
    for (const type of ["call", "media_connected", "greeting", "caller", "tool_call", "assistant", "call_ended"]) expect(types, type).toContain(type);
    expect(events().find((e: any) => e.type === "caller").transcript).toBe(QUESTION);
    expect(events().filter((e: any) => e.type === "latency").map((e: any) => e.kind)).toEqual(expect.arrayContaining(["greeting", "turn", "tool"]));
    const ms = events().map((e: any) => e.ms);
    expect(ms).toEqual([...ms].sort((a, b) => a - b));
    expect(summaries().map((s) => s.state)).toContain("connected");
    expect(summaries().at(-1)).toMatchObject({ live: false, state: "ended", endReason: expect.any(String) });

    // The same call read back from its conversation log.
    const recent = (await (await fetch(`${h.botUrl}/console/api/recent`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as any;
    const logged = await eventually("the call log read back", async () => {
      const body = (await (await fetch(`${h!.botUrl}/console/api/recent`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as any;
      return body.calls.find((c: any) => c.id === id && c.endReason);
    }, 10_000);
    expect(logged).toMatchObject({ caller: "+12065551212", dialed: "+14255551212", live: false, logFile: expect.stringMatching(/\.jsonl$/) });
    expect(logged.events.map((e: any) => e.type)).toEqual(expect.arrayContaining(["caller", "assistant", "latency"]));

    // No secret anywhere the console looks: the tool's error quoted two; the media URL's call context is never shown.
    const ctx = new URL(answered.mediaStreaming!.transportUrl).searchParams.get("ctx")!;
    const snapshot = await (await fetch(`${h.botUrl}/console/api/calls`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
    const everything = [...feed.text, snapshot, JSON.stringify(recent), JSON.stringify(logged)].join("\n");
    for (const secret of [TOKEN, METRICS, "voicelive-key-for-tests", accessKey, h.sim.connectionString, ctx]) {
      expect(everything.includes(secret), `console output must not contain ${secret.slice(0, 12)}…`).toBe(false);
    }
    expect(everything).toContain("upstream refused key [redacted] and [redacted]");
  }, 90_000);
});

describe("audio levels cost nothing while no console is open", () => {
  it("meters a call's frames only while a console watches", () => {
    const clock = createSystemClock();
    const monitor = new CallMonitor({ clock, registry: new CallRegistry(() => clock.nowMs()), redact: createRedactor([]), logger: pino({ level: "silent" }) });
    const context = { correlationId: "c1", serverCallId: "s1", callerRawId: "4:+1", callerNumber: "+1", calleeRawId: "4:+2", calleeNumber: "+2", callerDisplayName: undefined };
    const levels = monitor.callStarted({ context }).extension.audioLevels!;
    expect(levels.active).toBe(false);
    const sent: string[] = [];
    const stop = monitor.watch({ send: (text) => sent.push(text), backlogged: false, close: () => undefined });
    expect(levels.active).toBe(true);
    const later = monitor.callStarted({ context: { ...context, correlationId: "c2" } }).extension.audioLevels!;
    expect(later.active).toBe(true);
    stop();
    expect(levels.active).toBe(false);
    expect(later.active).toBe(false);
    monitor.close();
  });

  it("drops a console that stops reading its updates", () => {
    const clock = createSystemClock();
    const monitor = new CallMonitor({ clock, registry: new CallRegistry(() => clock.nowMs()), redact: createRedactor([]), logger: pino({ level: "silent" }) });
    const closed: number[] = [];
    monitor.watch({ send: () => undefined, backlogged: true, close: (code) => closed.push(code) });
    expect(monitor.watching).toBe(1);
    const context = { correlationId: "c1", serverCallId: "s1", callerRawId: "4:+1", callerNumber: "+1", calleeRawId: "4:+2", calleeNumber: "+2", callerDisplayName: undefined };
    monitor.callStarted({ context });
    expect(closed).toEqual([1013]);
    expect(monitor.watching).toBe(0);
    monitor.close();
  });
});

describe("recent calls from the conversation logs", () => {
  it("reads what it can from a damaged log, newest first, and nothing outside the folder", async () => {
    const dir = mkdtempSync(join(tmpdir(), "console-logs-"));
    const line = (fields: Record<string, unknown>) => JSON.stringify({ at: "2026-12-01T10:00:00.000Z", ms: 0, ...fields });
    writeFileSync(join(dir, "2026-12-01T10-00-00-000Z_a.jsonl"), [line({ type: "call", correlationId: "a", caller: "+1555", dialed: "+1666" }), "{not json", line({ type: "caller", ms: 900, transcript: "hello" }), ""].join("\n"));
    writeFileSync(join(dir, "2026-12-01T11-00-00-000Z_b.jsonl"), [line({ type: "call", correlationId: "b", caller: "+1777", dialed: "+1666" }), line({ type: "call_ended", ms: 5000, reason: "callerHungUp" })].join("\n"));
    writeFileSync(join(dir, "notes.txt"), "not a call log");
    const reader = new CallLogReader({ dir, redact: createRedactor(["+1777"]) });
    const calls = await reader.recent(10);
    expect(calls.map((c) => c.id)).toEqual(["b", "a"]);
    expect(calls[0]).toMatchObject({ caller: "[redacted]", endReason: "callerHungUp", state: "ended" });
    expect(calls[1]).toMatchObject({ caller: "+1555", state: "unknown" });
    expect(calls[1]!.events.map((e) => e.type)).toEqual(["call", "caller"]);
    for (const name of ["../a.jsonl", "notes.txt", "/etc/passwd", "..", "x.jsonl/../../y.jsonl"]) expect(await reader.read(name), name).toBeUndefined();
  });
});

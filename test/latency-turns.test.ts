import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { speechDurationMs, synthesizeSpeech } from "../src/emulator/index.js";
import { percentile } from "../src/latency-stats.js";
import { loadFixture } from "../src/replay/fixture.js";
import { callerLatency } from "../src/replay/latency.js";
import { formatResults, withLatency } from "../src/replay/report.js";
import { replayFixture } from "../src/replay/runner.js";
import type { ToolDefinition } from "../src/tools/index.js";
import { eventually, startCallHarness, type CallHarness } from "./support/call-harness.js";

type LogLine = Record<string, unknown> & { type: string; ms: number };

/** The call's conversation log, once the call has ended and the file is complete. */
async function conversationLog(dir: string): Promise<LogLine[]> {
  return eventually("the conversation log to be complete", () => {
    const files = readdirSync(dir);
    if (files.length !== 1) return undefined;
    const lines = readFileSync(join(dir, files[0]!), "utf8").split("\n").filter(Boolean).map((line) => JSON.parse(line) as LogLine);
    return lines.some((line) => line.type === "call_ended") ? lines : undefined;
  }, 10_000);
}

const latencyLines = (lines: LogLine[], kind: string) => lines.filter((line) => line.type === "latency" && line.kind === kind);

async function replayWithLog(name: string) {
  const dir = mkdtempSync(join(tmpdir(), "call-log-"));
  // The fixture's own expectations are replay-fixtures.test.ts's business; these tests compare two views of one call.
  const result = await replayFixture(loadFixture(`fixtures/calls/${name}`), { speed: 4, env: { CALL_LOG_DIR: dir } });
  return { result, log: await conversationLog(dir) };
}

describe("per-turn latency, where the caller feels it", () => {
  it("logs the greeting and every answered caller turn, each shorter than the wait the caller had at the ear", async () => {
    const { result, log } = await replayWithLog("greeting-question");
    const greeting = latencyLines(log, "greeting");
    expect(greeting).toHaveLength(1);
    expect(greeting[0]!.latencyMs).toBeGreaterThan(0);

    const turns = latencyLines(log, "turn");
    expect(turns.map((t) => t.turn)).toEqual([1, 2]);
    // The turn's latency belongs to the caller's transcribed words.
    const callerLines = log.filter((line) => line.type === "caller");
    expect(turns.map((t) => t.callerItemId)).toEqual(callerLines.map((line) => line.itemId));

    // The bot measures from Voice Live's end of turn; at the caller's ear the wait also holds
    // Voice Live's end-of-turn silence: each bot figure must be the smaller one of its pair.
    const atEar = callerLatency(result.observation);
    expect(atEar.turns.map((t) => t.answerMs !== undefined)).toEqual([true, true]);
    for (const [index, turn] of turns.entries()) {
      expect(turn.latencyMs as number).toBeGreaterThanOrEqual(0);
      expect(turn.latencyMs as number).toBeLessThan(atEar.turns[index]!.answerMs!);
    }
    expect(atEar.turnSummary.count).toBe(2);
    expect(atEar.turnSummary.p50Ms).toBe(percentile(atEar.turns.map((t) => t.answerMs!), 50));

    // The replay report shows it: printed figures and timeline entries at the answers.
    expect(formatResults(result).join("\n")).toMatch(/latency at the caller's ear: greeting \d+ ms; turns \[\d+, \d+\] ms → p50 \d+ ms, p95 \d+ ms/);
    const timed = withLatency(result).filter((entry) => entry.text.includes("after the caller stopped speaking"));
    expect(timed.map((entry) => Math.round(entry.atMs))).toEqual(atEar.turns.map((t) => t.endedAtMs + t.answerMs!));
  }, 90_000);

  it("logs a barge-in reaction for every StopAudio the caller received", async () => {
    const { result, log } = await replayWithLog("barge-in-long-answer");
    const bargeIns = latencyLines(log, "barge_in");
    expect(result.observation.stopAudioAtMs.length).toBe(1);
    expect(bargeIns).toHaveLength(result.observation.stopAudioAtMs.length);
    // The bot flushes within the event that reports the caller's speech; the caller's wait adds speech detection.
    const atEar = callerLatency(result.observation).bargeIns;
    expect(atEar[0]!.reactionMs).toBeDefined();
    expect(bargeIns[0]!.latencyMs as number).toBeLessThan(atEar[0]!.reactionMs!);
  }, 90_000);

  it("logs how long a slow tool ran and that an interim line covered it", async () => {
    const { result, log } = await replayWithLog("slow-tool-interim");
    const tools = latencyLines(log, "tool");
    expect(tools).toHaveLength(1);
    expect(tools[0]).toMatchObject({ tool: "lookup_order", covered: true });
    // The interim line started while the tool was still running.
    expect(tools[0]!.interimAfterMs as number).toBeLessThan(tools[0]!.latencyMs as number);
    const atEar = callerLatency(result.observation).tools;
    expect(atEar).toEqual([expect.objectContaining({ name: "lookup_order", covered: true })]);
  }, 90_000);
});

describe("latency histograms on /metrics", () => {
  let h: CallHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("counts tool durations by whether an interim line covered them, and barge-in reactions", async () => {
    const QUESTION = "Where is my order one two three four five?";
    const LONG_ANSWER = "Your order left our warehouse on Monday morning, it is on a truck to your city right now, and the driver will call you an hour before arriving on Thursday afternoon.";
    const slowLookup: ToolDefinition = {
      name: "lookup_order",
      description: "Look up an order by number.",
      parameters: { type: "object", properties: { orderId: { type: "string" } }, required: ["orderId"] },
      async execute(_args, context) {
        await sleep(2500, undefined, { signal: context.signal });
        return { output: { status: "shipped" } };
      },
    };
    h = await startCallHarness({
      scenario: { version: 1, name: "tool", turns: [{ user: QUESTION, assistant: [{ tool: "lookup_order", arguments: { orderId: "12345" }, answer: LONG_ANSWER }] }, { user: "Thanks.", assistant: [{ say: "Bye." }] }] },
      env: { INTERIM_TEXTS: "One moment while I check on that.", TOOL_TIMEOUT_MS: "10000" },
      bot: { tools: [slowLookup] },
    });
    const call = await h.call();
    const media = await call.mediaConnected;
    await media.waitForBotQuiet({ quietMs: 300, timeoutMs: 30_000 });
    media.play(synthesizeSpeech(QUESTION).samples, 24000);
    // Interim line while the tool runs, then the long answer after its output: the caller cuts into it.
    await h.emulator.events.waitFor((e) => e.type === "conversation.item.create" && (e.event as any).item.type === "function_call_output", 30_000);
    const outputAtMs = media.mediaNowMs();
    await media.waitUntil(() => {
      const last = media.heardRuns().at(-1);
      // Playing now, for half a second since the output went to Voice Live.
      return last && media.mediaNowMs() - last.endMs < 100 && last.endMs - Math.max(last.startMs, outputAtMs) > 500 ? true : undefined;
    }, 30_000, "the answer playing");
    const cutInAtMs = media.mediaNowMs();
    media.play(synthesizeSpeech("Thanks.").samples, 24000);
    await media.waitForStopAudio({ afterMs: cutInAtMs, timeoutMs: 15_000 });

    const registry = h.bot.metrics.registry;
    const count = async (name: string, labels = "") => {
      const text = await registry.getSingleMetricAsString(name);
      return Number(new RegExp(`^${name}_count${labels.replace(/[{}]/g, "\\$&")} (\\d+)$`, "m").exec(text)?.[1] ?? 0);
    };
    await eventually("the tool's duration to be counted", async () => (await count("bot_tool_call_duration_ms", '{interim="covered"}')) === 1, 5000);
    expect(await count("bot_tool_call_duration_ms", '{interim="silent"}')).toBe(0);
    expect(await count("bot_barge_in_stop_audio_ms")).toBe(media.stats().stopAudioCount);
    await call.hangUp();
  }, 90_000);
});

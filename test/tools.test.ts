import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { startOrdersBackend, type OrdersBackend } from "../fixtures/tools/orders-backend.js";
import { speechDurationMs, synthesizeSpeech } from "../src/emulator/index.js";
import type { ToolDefinition } from "../src/tools/index.js";
import type { MediaCaller, SimulatedCall } from "../src/acs-sim/index.js";
import { eventually, startCallHarness, type CallHarness } from "./support/call-harness.js";
import { startVoiceLiveProxy, type VoiceLiveProxy } from "./support/voicelive-proxy.js";

const QUESTION = "Where is my order one two three four five?";
const speak = (text: string) => synthesizeSpeech(text).samples;

function lookupTool(options: { delayMs: number; runs: Array<{ args: Record<string, unknown>; aborted: boolean }> }): ToolDefinition {
  return {
    name: "lookup_order",
    description: "Look up an order by number.",
    parameters: { type: "object", properties: { orderId: { type: "string" } }, required: ["orderId"], additionalProperties: false },
    async execute(args, context) {
      const run = { args, aborted: false };
      options.runs.push(run);
      try {
        await sleep(options.delayMs, undefined, { signal: context.signal });
      } catch {
        run.aborted = true;
        throw new Error("aborted");
      }
      return { output: { orderId: args.orderId, status: "shipped", eta: "Thursday" } };
    },
  };
}

const toolScenario = (tool: string, args: Record<string, unknown>, answer = "Here is what I found: {{output}}") => ({
  version: 1,
  name: "tool",
  turns: [{ user: QUESTION, assistant: [{ tool, arguments: args, answer }] }],
});

let h: CallHarness | undefined;
let backend: OrdersBackend | undefined;
let proxy: VoiceLiveProxy | undefined;
afterEach(async () => {
  await h?.close();
  await backend?.close();
  await proxy?.close();
  h = undefined;
  backend = undefined;
  proxy = undefined;
});

async function askAfterGreeting(harness: CallHarness) {
  const call = await harness.call();
  const media = await call.mediaConnected;
  await media.waitForBotQuiet({ quietMs: 300, timeoutMs: 30_000 });
  const askedAt = media.mediaNowMs();
  media.play(speak(QUESTION), 24000);
  return { call, media, questionEndMs: askedAt + speechDurationMs(QUESTION) };
}

/**
 * Lets a round trip run to its end before counting: the answer has played, the
 * caller hangs up, the call is gone. A stray response.create (one per tool, or
 * one after a cut response) is sent on the next response.done at the latest,
 * long before the caller has heard the answer out.
 */
async function hangUpAfterAnswer(harness: CallHarness, call: SimulatedCall, media: MediaCaller): Promise<void> {
  await media.waitForBotQuiet({ quietMs: 500, timeoutMs: 20_000 });
  await call.hangUp();
  await eventually("the call session to close", () => harness.bot.media.size === 0, 5000);
}

/** Milliseconds of bot audio the caller heard after `afterMs` (however many runs it came in). */
function heardAfter(media: MediaCaller, afterMs: number): number {
  return media.heardRuns().filter((run) => run.startMs > afterMs).reduce((sum, run) => sum + run.endMs - run.startMs, 0);
}

function outputsAndCreates(harness: CallHarness) {
  const events = harness.emulator.events.list();
  const outputs = events.filter((e) => e.type === "conversation.item.create" && (e.event as any).item.type === "function_call_output");
  const lastOutput = outputs.at(-1);
  const createsAfter = lastOutput ? events.filter((e) => e.type === "response.create" && e.seq > lastOutput.seq) : [];
  return { outputs, createsAfter };
}

describe("tools with static interim responses", () => {
  it("covers a 3 s tool with interim speech, then sends its output once and one response.create", async () => {
    const runs: Array<{ args: Record<string, unknown>; aborted: boolean }> = [];
    h = await startCallHarness({
      scenario: toolScenario("lookup_order", { orderId: "12345" }),
      env: { INTERIM_TEXTS: "One moment while I check on that.", TOOL_TIMEOUT_MS: "10000" },
      bot: { tools: [lookupTool({ delayMs: 3000, runs })] },
    });
    const { call, media, questionEndMs } = await askAfterGreeting(h);
    const update = h.emulator.events.list().find((e) => e.type === "session.update")!;
    expect((update.event as any).session.interim_response).toEqual({
      type: "static_interim_response",
      triggers: ["latency"],
      latency_threshold_ms: 1500,
      texts: ["One moment while I check on that."],
    });
    expect((update.event as any).session.tools.map((t: any) => t.name)).toEqual(["end_call", "lookup_order"]);
    const output = await h.emulator.events.waitFor(
      (e) => e.type === "conversation.item.create" && (e.event as any).item.type === "function_call_output",
      10_000,
    );
    const outputAtMedia = media.mediaNowMs();
    // The answer follows the output (it may join the interim's run when they play back to back).
    await media.waitUntil(() => (media.heardRuns().some((run) => run.endMs > outputAtMedia + 500) ? true : undefined), 10_000, "the answer after the output");
    const interim = media.heardRuns().find((run) => run.startMs > questionEndMs && run.startMs < outputAtMedia);
    expect(interim, "interim speech while the tool ran").toBeDefined();
    expect(interim!.endMs - interim!.startMs).toBeGreaterThan(speechDurationMs("One moment while I check on that.") - 200);
    // Spoken by the bot (exact text), not by Voice Live's tool trigger (off by default).
    expect(h.emulator.events.list().some((e) => e.type === "response.create" && (e.event as any).response?.pre_generated_assistant_message?.content?.[0]?.text === "One moment while I check on that.")).toBe(true);

    expect(runs).toEqual([{ args: { orderId: "12345" }, aborted: false }]);
    expect(JSON.parse((output.event as any).item.output)).toEqual({ orderId: "12345", status: "shipped", eta: "Thursday" });
    await hangUpAfterAnswer(h, call, media);
    const { outputs, createsAfter } = outputsAndCreates(h);
    expect(outputs).toHaveLength(1);
    expect(createsAfter).toHaveLength(1);
    expect(createsAfter[0]!.event).toEqual({ type: "response.create" });
  });

  it("runs several calls of one response concurrently and answers once", async () => {
    const runs: Array<{ args: Record<string, unknown>; aborted: boolean }> = [];
    h = await startCallHarness({
      scenario: {
        version: 1,
        name: "two-tools",
        turns: [{ user: QUESTION, assistant: [
          { tool: "lookup_order", arguments: { orderId: "1" }, answer: "Order one shipped." },
          { tool: "lookup_order", arguments: { orderId: "2" }, answer: "Order two too." },
        ] }],
      },
      env: { INTERIM_MODE: "off" },
      bot: { tools: [lookupTool({ delayMs: 1500, runs })] },
    });
    const { call, media } = await askAfterGreeting(h);
    await eventually("two outputs", () => outputsAndCreates(h!).outputs.length === 2, 10_000);
    const { outputs } = outputsAndCreates(h);
    // Concurrent: both outputs arrive together, ~1.5 s after the calls, not 3 s.
    expect(Math.abs(outputs[1]!.receivedAtMs - outputs[0]!.receivedAtMs)).toBeLessThan(200);
    // Greeting, then the answer (no interim configured here).
    await media.waitUntil(() => (media.heardRuns().length >= 2 ? true : undefined), 10_000, "the answer to start");
    await hangUpAfterAnswer(h, call, media);
    // One response.create for the round trip, not one per tool.
    expect(outputsAndCreates(h).createsAfter).toHaveLength(1);
    expect(runs.map((r) => r.args.orderId).sort()).toEqual(["1", "2"]);
  });

  it("sends no response.create after a tool response the caller cut short; their next turn brings the answer", async () => {
    const runs: Array<{ args: Record<string, unknown>; aborted: boolean }> = [];
    // The service reports the calling response cancelled (the caller spoke while it was generated).
    const calling = new Set<string>();
    const cutToolResponses = (text: string): string => {
      const event = JSON.parse(text) as { type: string; response_id?: string; item?: { type?: string }; response?: { id: string; status: string } };
      if (event.type === "response.output_item.added" && event.item?.type === "function_call") calling.add(event.response_id!);
      if (event.type !== "response.done" || !calling.has(event.response!.id)) return text;
      return JSON.stringify({ ...event, response: { ...event.response, status: "cancelled", status_details: { type: "cancelled", reason: "turn_detected" } } });
    };
    const NEXT = "Actually never mind. When are you open?";
    h = await startCallHarness({
      scenario: {
        version: 1,
        name: "cut",
        turns: [
          { user: QUESTION, assistant: [{ tool: "lookup_order", arguments: { orderId: "12345" } }] },
          { user: NEXT, assistant: [{ say: "We are open from nine to five." }] },
        ],
      },
      env: { INTERIM_MODE: "off" },
      bot: { tools: [lookupTool({ delayMs: 300, runs })] },
      voiceLiveVia: async (url) => (proxy = await startVoiceLiveProxy(url, { rewrite: cutToolResponses })).url,
    });
    const { call, media } = await askAfterGreeting(h);
    await h.emulator.events.waitFor((e) => e.type === "conversation.item.create" && (e.event as any).item.type === "function_call_output", 10_000);
    expect(runs).toHaveLength(1);
    const nextAt = media.mediaNowMs();
    media.play(speak(NEXT), 24000);
    await media.waitForBotAudio({ afterMs: nextAt + speechDurationMs(NEXT), timeoutMs: 15_000 });
    await hangUpAfterAnswer(h, call, media);
    // The tool's output went back; the follow-up came from the caller's next turn, not from us.
    expect(outputsAndCreates(h).outputs).toHaveLength(1);
    expect(outputsAndCreates(h).createsAfter).toHaveLength(0);
  });

  it("gives the model a timeout error when a tool is too slow, and the conversation goes on", async () => {
    const runs: Array<{ args: Record<string, unknown>; aborted: boolean }> = [];
    h = await startCallHarness({
      scenario: toolScenario("lookup_order", { orderId: "12345" }, "Sorry, {{output}}"),
      env: { TOOL_TIMEOUT_MS: "600", INTERIM_MODE: "off" },
      bot: { tools: [lookupTool({ delayMs: 5000, runs })] },
    });
    const { media } = await askAfterGreeting(h);
    const output = await h.emulator.events.waitFor((e) => e.type === "conversation.item.create" && (e.event as any).item.type === "function_call_output", 10_000);
    expect(JSON.parse((output.event as any).item.output).error.code).toBe("timeout");
    expect(runs[0]!.aborted).toBe(true);
    await media.waitForBotAudio({ afterMs: media.mediaNowMs(), timeoutMs: 5000 });
    expect(outputsAndCreates(h).createsAfter).toHaveLength(1);
    const metrics = await h.bot.metrics.registry.getSingleMetricAsString("bot_tool_calls_total");
    expect(metrics).toMatch(/tool="lookup_order",outcome="timeout"\} 1/);
  });

  it("calls an HTTP business tool from TOOLS_FILE with validated arguments", async () => {
    backend = await startOrdersBackend({ apiKey: "dev-key" });
    h = await startCallHarness({
      scenario: toolScenario("lookup_order", { orderId: "12345" }),
      env: { TOOLS_FILE: "fixtures/tools/tools.example.json", ORDERS_API_URL: backend.url, ORDERS_API_KEY: "dev-key" },
    });
    await askAfterGreeting(h);
    const output = await h.emulator.events.waitFor((e) => e.type === "conversation.item.create" && (e.event as any).item.type === "function_call_output", 10_000);
    expect(JSON.parse((output.event as any).item.output)).toEqual({ orderId: "12345", status: "shipped", eta: "Thursday" });
    expect(backend.requests).toEqual([{ body: { orderId: "12345" }, apiKey: "dev-key" }]);
  });

  it("answers malformed arguments with an error output and makes no HTTP request", async () => {
    backend = await startOrdersBackend({ apiKey: "dev-key" });
    h = await startCallHarness({
      scenario: toolScenario("lookup_order", { orderId: "twelve" }),
      env: { TOOLS_FILE: "fixtures/tools/tools.example.json", ORDERS_API_URL: backend.url, ORDERS_API_KEY: "dev-key" },
    });
    const { media } = await askAfterGreeting(h);
    const output = await h.emulator.events.waitFor((e) => e.type === "conversation.item.create" && (e.event as any).item.type === "function_call_output", 10_000);
    const error = JSON.parse((output.event as any).item.output).error;
    expect(error.code).toBe("invalid_arguments");
    expect(error.message).toMatch(/orderId/);
    expect(backend.requests).toHaveLength(0);
    await media.waitForBotAudio({ afterMs: media.mediaNowMs(), timeoutMs: 5000 });
  });

  it("cancels a tool when the caller hangs up mid-tool and sends nothing on the closed session", async () => {
    const runs: Array<{ args: Record<string, unknown>; aborted: boolean }> = [];
    h = await startCallHarness({
      scenario: toolScenario("lookup_order", { orderId: "12345" }),
      env: { TOOL_TIMEOUT_MS: "10000" },
      bot: { tools: [lookupTool({ delayMs: 2000, runs })] },
    });
    const { call } = await askAfterGreeting(h);
    await eventually("the tool to start", () => runs.length === 1, 10_000);
    await call.hangUp();
    await eventually("the tool to be cancelled", async () => /outcome="cancelled"\} 1/.test(await h!.bot.metrics.registry.getSingleMetricAsString("bot_tool_calls_total")), 10_000);
    expect(runs[0]!.aborted).toBe(true);
    expect(outputsAndCreates(h).outputs).toHaveLength(0);
    expect(h.bot.media.size).toBe(0);
  });
});

describe("telephony tools", () => {
  const TARGET = "+14255550100";

  it("transfers the caller to a human after saying so", async () => {
    h = await startCallHarness({
      scenario: toolScenario("transfer_to_agent", { reason: "wants a person" }),
      env: { TRANSFER_TARGET: TARGET, TRANSFER_TEXT: "Transferring you now." },
    });
    const { call, media, questionEndMs } = await askAfterGreeting(h);
    const end = await call.waitForEnd(15_000);
    expect(end.reason).toBe("transferred");
    expect(end.transferTarget).toBe(`4:${TARGET}`);
    const transfer = call.restRequests.find((r) => r.operation === "transfer")!;
    expect(transfer.body).toMatchObject({ targetParticipant: { rawId: `4:${TARGET}` } });
    // The hand-over sentence played (in full) before the transfer request.
    expect(heardAfter(media, questionEndMs)).toBeGreaterThan(speechDurationMs("Transferring you now.") - 150);
    const create = h.emulator.events.list().filter((e) => e.type === "response.create").at(-1)!;
    expect((create.event as any).response.pre_generated_assistant_message.content[0].text).toBe("Transferring you now.");
  });

  it("tells the caller when the transfer fails, and the call goes on", async () => {
    h = await startCallHarness({
      scenario: toolScenario("transfer_to_agent", {}),
      env: { TRANSFER_TARGET: TARGET, TRANSFER_FAILED_TEXT: "Nobody is free right now." },
    });
    h.sim.failTransfers("Transfer target did not answer");
    const { call, media } = await askAfterGreeting(h);
    await call.waitForCallback("CallTransferFailed", 15_000);
    const failedAt = media.mediaNowMs();
    const sorry = await h.emulator.events.waitFor(
      (e) => e.type === "response.create" && (e.event as any).response?.pre_generated_assistant_message?.content?.[0]?.text === "Nobody is free right now.",
      5000,
    );
    expect(sorry).toBeDefined();
    // Heard in full (it may join the hand-over sentence's run: the two play back to back).
    await media.waitUntil(
      () => (media.heardRuns().some((run) => run.endMs >= failedAt + speechDurationMs("Nobody is free right now.") - 150) ? true : undefined),
      5000,
      "the apology to play",
    );
    expect(call.state).toBe("connected");
  });

  it("ends the call after the goodbye has played", async () => {
    h = await startCallHarness({
      scenario: { version: 1, name: "bye", turns: [{ user: QUESTION, assistant: [{ say: "Thanks for calling, goodbye!" }, { tool: "end_call" }] }] },
    });
    const { call, media, questionEndMs } = await askAfterGreeting(h);
    const end = await call.waitForEnd(15_000);
    expect(end.reason).toBe("botHungUp");
    expect(heardAfter(media, questionEndMs)).toBeGreaterThan(speechDurationMs("Thanks for calling, goodbye!") - 150);
    // No second goodbye: the model already said it (the one response.create is the greeting).
    expect(h.emulator.events.list().filter((e) => e.type === "response.create")).toHaveLength(1);
    expect(media.stats().unplayedAtEndMs).toBeLessThan(100);
  });

  it("hands the caller to a human when they press the transfer digit", async () => {
    h = await startCallHarness({ env: { TRANSFER_TARGET: TARGET, DTMF_TRANSFER_DIGIT: "0" } });
    const call = await h.call();
    const media = await call.mediaConnected;
    await media.waitForBotQuiet({ quietMs: 300, timeoutMs: 30_000 });
    media.pressDigit("0");
    const end = await call.waitForEnd(15_000);
    expect(end.reason).toBe("transferred");
  });

  it("passes other key presses to the model as one short user item", async () => {
    h = await startCallHarness({ env: { DTMF_INTER_DIGIT_MS: "400" } });
    const call = await h.call();
    const media = await call.mediaConnected;
    await media.waitForBotQuiet({ quietMs: 300, timeoutMs: 30_000 });
    media.pressDigit("3");
    media.pressDigit("#");
    const item = await h.emulator.events.waitFor((e) => e.type === "conversation.item.create", 5000);
    expect((item.event as any).item).toEqual({ type: "message", role: "user", content: [{ type: "input_text", text: "The caller pressed 3 # on the keypad." }] });
    await h.emulator.events.waitFor((e) => e.type === "response.create" && e.seq > item.seq, 5000);
    await media.waitForBotAudio({ afterMs: media.mediaNowMs(), timeoutMs: 5000 });
  });
});

import { afterEach, describe, expect, it } from "vitest";
import { parseScenario, startVoiceLiveEmulator, type VoiceLiveEmulator } from "../src/emulator/index.js";
import { TestClient, type ServerEvent } from "./emulator-helpers.js";

const scenario = parseScenario({
  version: 1,
  turns: [
    {
      user: "Where is my order 42?",
      assistant: [
        { say: "Let me check that." },
        { tool: "lookup_order", arguments: { order_id: "42", include_items: true }, answer: "Your order status is {{output}}." },
        { say: "Anything else?" },
      ],
    },
    {
      user: "And the weather and the time?",
      assistant: [
        { tool: "get_weather", arguments: { city: "Seattle" }, answer: "The weather: {{output}}." },
        { tool: "get_time", arguments: {}, answer: "The time: {{output}}." },
      ],
    },
  ],
});

let emulator: VoiceLiveEmulator;
let client: TestClient;

afterEach(async () => {
  await client?.close();
  await emulator?.close();
});

async function userSays(text: string): Promise<ServerEvent[]> {
  client.send({ type: "conversation.item.create", item: { type: "message", role: "user", content: [{ type: "input_text", text }] } });
  await client.next("conversation.item.created");
  client.send({ type: "response.create" });
  const created = await client.next("response.created");
  return client.responseEvents(created.response.id);
}

async function sendOutput(callId: string, output: string): Promise<void> {
  client.send({ type: "conversation.item.create", item: { type: "function_call_output", call_id: callId, output } });
  const created = await client.next("conversation.item.created");
  expect(created.item).toMatchObject({ type: "function_call_output", call_id: callId, output });
}

async function respond(extra: Record<string, unknown> = {}): Promise<ServerEvent[]> {
  client.send({ type: "response.create", ...extra });
  const created = await client.next("response.created");
  return client.responseEvents(created.response.id);
}

const transcriptOf = (events: ServerEvent[]) => events.find((e) => e.type === "response.audio_transcript.done")?.transcript;

describe("Voice Live emulator: function calls", () => {
  it("calls the scripted tool, waits for its output and a response.create, then speaks an answer quoting it", async () => {
    emulator = await startVoiceLiveEmulator({ port: 0, scenario });
    client = await TestClient.connect(emulator);
    const first = await userSays("Where's my order?");
    expect(transcriptOf(first)).toBe("Let me check that.");

    const added = first.filter((e) => e.type === "response.output_item.added");
    expect(added.map((e) => e.item.type)).toEqual(["message", "function_call"]);
    const call = added[1];
    expect(call.output_index).toBe(1);
    expect(call.item).toMatchObject({ type: "function_call", name: "lookup_order", status: "in_progress" });
    const callId = call.item.call_id as string;
    expect(callId).toMatch(/^call_/);
    const args = first.filter((e) => e.type === "response.function_call_arguments.delta");
    expect(args.every((e) => e.call_id === callId && e.item_id === call.item.id)).toBe(true);
    const argsDone = first.find((e) => e.type === "response.function_call_arguments.done")!;
    expect(JSON.parse(args.map((e) => e.delta).join(""))).toEqual({ order_id: "42", include_items: true });
    expect(JSON.parse(argsDone.arguments)).toEqual({ order_id: "42", include_items: true });
    expect(argsDone.name).toBe("lookup_order"); // the SDK types it as required (its samples switch on it)
    const done = first[first.length - 1];
    expect(done.response.status).toBe("completed");
    expect(done.response.output.map((o: any) => o.type)).toEqual(["message", "function_call"]);
    expect(done.response.output[1]).toMatchObject({ status: "completed", call_id: callId, name: "lookup_order" });
    // The function_call item entered the conversation.
    const createdCall = client.all("conversation.item.created").find((e) => e.item.type === "function_call");
    expect(createdCall?.item.call_id).toBe(callId);

    await sendOutput(callId, '{"status":"shipped"}');
    expect(client.all("response.created")).toHaveLength(1); // the output alone starts nothing
    const answer = await respond();
    expect(transcriptOf(answer)).toBe('Your order status is {"status":"shipped"}. Anything else?');
  });

  it("makes parallel calls in one response and answers them together after one response.create", async () => {
    emulator = await startVoiceLiveEmulator({ port: 0, scenario });
    client = await TestClient.connect(emulator);
    client.send({ type: "conversation.item.create", item: { type: "message", role: "user", content: [{ type: "input_text", text: "skip" }] } });
    await client.next("conversation.item.created");
    const first = await respond();
    const calls = first.filter((e) => e.type === "response.output_item.added" && e.item.type === "function_call").map((e) => e.item);
    expect(calls.map((c) => c.name)).toEqual(["lookup_order"]);
    await sendOutput(calls[0].call_id, "delivered");
    await respond();

    const second = await userSays("weather and time");
    const parallel = second.filter((e) => e.type === "response.output_item.added").map((e) => e.item);
    expect(parallel.map((c) => c.name)).toEqual(["get_weather", "get_time"]);
    expect(second.some((e) => e.type === "response.audio.delta")).toBe(false);
    await sendOutput(parallel[0].call_id, "sunny");
    await sendOutput(parallel[1].call_id, "noon");
    expect(transcriptOf(await respond())).toBe("The weather: sunny. The time: noon.");
  });

  it("answers with '(no result)' when response.create comes without the output", async () => {
    emulator = await startVoiceLiveEmulator({ port: 0, scenario });
    client = await TestClient.connect(emulator);
    await userSays("order?");
    expect(transcriptOf(await respond())).toBe("Your order status is (no result). Anything else?");
  });

  it("a pregenerated message can carry the exact tool answer; the scripted answer is then skipped", async () => {
    emulator = await startVoiceLiveEmulator({ port: 0, scenario });
    client = await TestClient.connect(emulator);
    const first = await userSays("order?");
    const callId = first.find((e) => e.type === "response.output_item.added" && e.item.type === "function_call")!.item.call_id;
    await sendOutput(callId, "shipped");
    const exact = "Order 42 shipped on Monday.";
    const answer = await respond({
      response: { pre_generated_assistant_message: { type: "message", role: "assistant", content: [{ type: "text", text: exact }] } },
    });
    expect(transcriptOf(answer)).toBe(exact);
    const next = await respond();
    expect(transcriptOf(next)).not.toContain("Your order status is");
  });
});

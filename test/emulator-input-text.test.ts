import { afterEach, describe, expect, it } from "vitest";
import { parseScenario, startVoiceLiveEmulator, type VoiceLiveEmulator } from "../src/emulator/index.js";
import { TestClient } from "./emulator-helpers.js";

const scenario = parseScenario({ version: 1, turns: [], fallback: { user: "(caller)", replies: ["You said: {{user}}"] } });

let emulator: VoiceLiveEmulator;
let client: TestClient;

afterEach(async () => {
  await client?.close();
  await emulator?.close();
});

async function start(apiVersion = "2026-06-01-preview"): Promise<void> {
  emulator = await startVoiceLiveEmulator({ port: 0, scenario });
  client = await TestClient.connect(emulator, { query: { "api-version": apiVersion, model: "gpt-4.1" } });
}

async function openUserItem(id: string): Promise<void> {
  client.send({ type: "conversation.item.create", item: { id, type: "message", role: "user", content: [{ type: "input_text", text: "" }] } });
  await client.next("conversation.item.created");
}

async function answer(): Promise<string> {
  client.send({ type: "response.create" });
  return (await client.next("response.audio_transcript.done")).transcript;
}

describe("Voice Live emulator: streaming text input (input_text.delta / input_text.done)", () => {
  it("appends deltas to the user message and answers the whole text once it is done", async () => {
    await start();
    await openUserItem("msg_1");
    for (const delta of ["Tell me ", "a fun fact ", "about the ocean."]) client.send({ type: "input_text.delta", id: "msg_1", delta });
    client.send({ type: "input_text.done", id: "msg_1", content_index: 0 });
    expect(await answer()).toBe("You said: Tell me a fun fact about the ocean.");
    const item = emulator.connection("c1")!.conversation.find((i) => i.id === "msg_1")!;
    expect(item.content).toEqual([{ type: "input_text", text: "Tell me a fun fact about the ocean." }]);
    expect(client.all("error")).toEqual([]);
  });

  it("the message is the caller's turn only once done: a response before that does not answer it", async () => {
    await start();
    await openUserItem("msg_1");
    client.send({ type: "input_text.delta", id: "msg_1", delta: "Half a thought" });
    expect(await answer()).not.toContain("Half a thought"); // no caller turn yet: the greeting
    client.send({ type: "input_text.done", id: "msg_1" });
    expect(await answer()).toBe("You said: Half a thought");
  });

  it("refuses what it cannot stream into, naming the parameter", async () => {
    await start();
    await openUserItem("msg_1");
    client.send({ type: "conversation.item.create", item: { id: "typed", type: "message", role: "user", content: [{ type: "input_text", text: "Already said." }] } });
    client.send({ type: "conversation.item.create", item: { id: "sys", type: "message", role: "system", content: [{ type: "input_text", text: "" }] } });
    await client.next((e) => e.type === "conversation.item.created" && e.item.id === "sys");
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ type: "input_text.delta", id: "missing", delta: "x" }, "item_not_found", "id"],
      [{ type: "input_text.delta", delta: "x" }, "missing_required_parameter", "id"],
      [{ type: "input_text.delta", id: "msg_1" }, "missing_required_parameter", "delta"],
      [{ type: "input_text.delta", id: "msg_1", delta: 42 }, "invalid_value", "delta"],
      [{ type: "input_text.delta", id: "msg_1", delta: "x", content_index: 3 }, "invalid_value", "content_index"],
      [{ type: "input_text.delta", id: "sys", delta: "x" }, "invalid_value", "id"],
      [{ type: "input_text.delta", id: "typed", delta: "x" }, "invalid_value", "id"],
    ];
    for (const [event, code, param] of cases) expect(await client.expectError({ ...event, event_id: "evt_1" })).toMatchObject({ code, param, event_id: "evt_1" });
    client.send({ type: "input_text.done", id: "msg_1" });
    expect(await client.expectError({ type: "input_text.delta", id: "msg_1", delta: "late" })).toMatchObject({ code: "invalid_value", param: "id" });
    expect(await client.expectError({ type: "input_text.done", id: "msg_1" })).toMatchObject({ code: "invalid_value", param: "id" });
  });

  it("before 2026-06-01-preview an empty user message is a turn at once and input_text events are unknown", async () => {
    await start("2026-04-10");
    await openUserItem("msg_1");
    expect(await client.expectError({ type: "input_text.delta", id: "msg_1", delta: "x" })).toMatchObject({ code: "invalid_value", param: "type" });
    expect(await answer()).toBe("You said: ");
  });
});

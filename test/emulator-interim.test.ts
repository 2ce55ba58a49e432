import { afterEach, describe, expect, it } from "vitest";
import { LLM_INTERIM_TEXT, parseScenario, startVoiceLiveEmulator, type VoiceLiveEmulator } from "../src/emulator/index.js";
import { TestClient, concat, pcmBytes, sendAudio, silence24k, speech24k, type ServerEvent } from "./emulator-helpers.js";

const TEXTS = ["Let me look that up for you.", "One moment while I check on that.", "Just a second, I'm working on it."];

const scenario = parseScenario({
  version: 1,
  turns: [
    { user: "Check my order.", assistant: [{ tool: "lookup_order", arguments: { id: 1 }, answer: "It is {{output}}." }] },
    { user: "Tell me a story.", assistant: [{ delayMs: 1200 }, { say: "Once upon a time." }] },
    { user: "Quick one.", assistant: [{ delayMs: 100 }, { say: "Sure." }] },
  ],
});

let emulator: VoiceLiveEmulator;
let clients: TestClient[] = [];

afterEach(async () => {
  for (const c of clients) await c.close();
  clients = [];
  await emulator?.close();
});

async function connect(interim: Record<string, unknown>): Promise<TestClient> {
  const client = await TestClient.connect(emulator);
  clients.push(client);
  const updated = await client.updateSession({ interim_response: interim });
  expect(updated.type).toBe("session.updated");
  return client;
}

async function typeTurn(client: TestClient, text: string): Promise<ServerEvent> {
  client.send({ type: "conversation.item.create", item: { type: "message", role: "user", content: [{ type: "input_text", text }] } });
  await client.next("conversation.item.created");
  client.send({ type: "response.create" });
  return client.next("response.created");
}

const transcriptOf = (events: ServerEvent[]) => events.find((e) => e.type === "response.audio_transcript.done")?.transcript;

describe("Voice Live emulator: interim responses", () => {
  it("tool trigger: speaks a static text while the call waits; a response.create sent meanwhile starts after it", async () => {
    emulator = await startVoiceLiveEmulator({ port: 0, scenario, seed: 7 });
    const client = await connect({ type: "static_interim_response", triggers: ["tool"], texts: TEXTS });
    const main = await typeTurn(client, "order");
    const mainEvents = await client.responseEvents(main.response.id);
    const callId = mainEvents.find((e) => e.type === "response.output_item.added")!.item.call_id;

    const interim = await client.next("response.created");
    expect(interim.response.id).not.toBe(main.response.id);
    // The caller's tool result arrives while the interim is still speaking.
    client.send({ type: "conversation.item.create", item: { type: "function_call_output", call_id: callId, output: "shipped" } });
    client.send({ type: "response.create" });
    // A second request while the first waits is refused as if the first were active.
    const refused = await client.expectError({ type: "response.create", event_id: "second" });
    expect(refused).toMatchObject({ code: "conversation_already_has_active_response", event_id: "second" });
    const interimEvents = await client.responseEvents(interim.response.id);
    expect(TEXTS).toContain(transcriptOf(interimEvents));
    expect(interimEvents.some((e) => e.type === "response.audio.delta")).toBe(true);
    expect(interimEvents[interimEvents.length - 1].response.status).toBe("completed");

    const answer = await client.next("response.created");
    expect(client.events.indexOf(answer)).toBeGreaterThan(client.events.indexOf(interimEvents[interimEvents.length - 1]));
    expect(transcriptOf(await client.responseEvents(answer.response.id))).toBe("It is shipped.");
    expect(client.all("error")).toHaveLength(1);
    expect(client.all("response.created")).toHaveLength(3); // main, interim, answer
  });

  it("picks the interim text at random, reproducibly for a seed", async () => {
    const pickFor = async (seed: number): Promise<string> => {
      emulator = await startVoiceLiveEmulator({ port: 0, scenario, seed });
      const client = await connect({ type: "static_interim_response", triggers: ["tool"], texts: TEXTS });
      const main = await typeTurn(client, "order");
      await client.responseEvents(main.response.id);
      const interim = await client.next("response.created");
      const text = transcriptOf(await client.responseEvents(interim.response.id));
      await client.close();
      clients = [];
      await emulator.close();
      return text;
    };
    const first = await pickFor(3);
    expect(await pickFor(3)).toBe(first);
    const picks = new Set<string>();
    for (let seed = 1; seed <= 8; seed++) picks.add(await pickFor(seed));
    expect(picks.size).toBeGreaterThan(1);
    for (const p of picks) expect(TEXTS).toContain(p);
  });

  it("latency trigger: a response silent past latency_threshold_ms gets an interim in its silence, then its own output", async () => {
    emulator = await startVoiceLiveEmulator({ port: 0, scenario });
    const client = await connect({ type: "static_interim_response", triggers: ["latency"], latency_threshold_ms: 300, texts: ["Hmm, let me think."] });
    await typeTurn(client, "order"); // turn 1 (tool): not slow
    await client.next("response.done");
    const slow = await typeTurn(client, "story");
    const interim = await client.next("response.created");
    expect(interim.response.id).not.toBe(slow.response.id);
    // The slow response is active: the client cannot start another meanwhile.
    const refused = await client.expectError({ type: "response.create" });
    expect(refused.code).toBe("conversation_already_has_active_response");
    const interimEvents = await client.responseEvents(interim.response.id);
    expect(transcriptOf(interimEvents)).toBe("Hmm, let me think.");
    const slowEvents = await client.responseEvents(slow.response.id);
    expect(transcriptOf(slowEvents)).toBe("Once upon a time.");
    const interimDone = client.events.indexOf(interimEvents[interimEvents.length - 1]);
    const slowFirstItem = client.events.indexOf(slowEvents.find((e) => e.type === "response.output_item.added")!);
    expect(slowFirstItem).toBeGreaterThan(interimDone);
  });

  it("latency trigger stays quiet when the response starts within the threshold", async () => {
    const quickScenario = parseScenario({ version: 1, turns: [{ user: "Quick one.", assistant: [{ delayMs: 100 }, { say: "Sure." }] }] });
    emulator = await startVoiceLiveEmulator({ port: 0, scenario: quickScenario });
    const client = await connect({ type: "static_interim_response", triggers: ["latency"], latency_threshold_ms: 400, texts: ["Hmm."] });
    const quick = await typeTurn(client, "quick");
    expect(transcriptOf(await client.responseEvents(quick.response.id))).toBe("Sure.");
    await new Promise((r) => setTimeout(r, 450)); // past the threshold: still nothing more
    expect(client.all("response.created")).toHaveLength(1);
  });

  it("an llm_interim_response speaks a fixed filler text", async () => {
    emulator = await startVoiceLiveEmulator({ port: 0, scenario });
    const client = await connect({ type: "llm_interim_response", triggers: ["tool"] });
    const main = await typeTurn(client, "order");
    await client.responseEvents(main.response.id);
    const interim = await client.next("response.created");
    expect(transcriptOf(await client.responseEvents(interim.response.id))).toBe(LLM_INTERIM_TEXT);
  });

  it("response.cancel with only an interim streaming cancels the interim", async () => {
    emulator = await startVoiceLiveEmulator({ port: 0, scenario, streaming: { deltasPerTick: 1 } });
    const client = await connect({ type: "static_interim_response", triggers: ["tool"], texts: ["Please hold while I look through all of our records for you."] });
    const main = await typeTurn(client, "order");
    await client.responseEvents(main.response.id);
    const interim = await client.next("response.created");
    await client.next("response.audio.delta");
    client.send({ type: "response.cancel" });
    const done = await client.next((e) => e.type === "response.done" && e.response.id === interim.response.id);
    expect(done.response).toMatchObject({ status: "cancelled", status_details: { reason: "client_cancelled" } });
    expect(client.all("error")).toHaveLength(0);
  });

  it("caller speech interrupts an interim like any response", async () => {
    emulator = await startVoiceLiveEmulator({ port: 0, scenario, streaming: { deltasPerTick: 1 } });
    const client = await connect({ type: "static_interim_response", triggers: ["tool"], texts: ["Please hold while I look through all of our records for you."] });
    const main = await typeTurn(client, "order");
    await client.responseEvents(main.response.id);
    const interim = await client.next("response.created");
    await client.next("response.audio.delta");
    sendAudio(client, pcmBytes(concat(speech24k("Actually never mind"), silence24k(600))), 960);
    await client.next("input_audio_buffer.speech_started");
    const done = await client.next((e) => e.type === "response.done" && e.response.id === interim.response.id);
    expect(done.response).toMatchObject({ status: "cancelled", status_details: { reason: "turn_detected" } });
  });
});

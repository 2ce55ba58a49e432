import { afterEach, describe, expect, it } from "vitest";
import { parseScenario, SPEECH_MS_PER_CHAR, splitSentences, startVoiceLiveEmulator, type VoiceLiveEmulator } from "../src/emulator/index.js";
import { TestClient, emulatorSpeech, pcm24kMs, type ServerEvent } from "./emulator-helpers.js";

const GREETING = "Welcome to Contoso. How can I help?";

const scenario = parseScenario({
  version: 1,
  name: "responses-test",
  greeting: [{ say: GREETING }],
  turns: [
    { user: "What are your opening hours?", assistant: [{ say: "We are open from nine to five." }] },
    { user: "Thanks, bye.", assistant: [{ delayMs: 400 }, { say: "Goodbye!" }] },
  ],
  fallback: { user: "(unscripted)", replies: ["You said: {{user}}."] },
});

let emulator: VoiceLiveEmulator;
let client: TestClient;

afterEach(async () => {
  await client?.close();
  await emulator?.close();
});

async function start(): Promise<void> {
  emulator = await startVoiceLiveEmulator({ port: 0, scenario });
  client = await TestClient.connect(emulator);
}

function typesOf(events: ServerEvent[]): string[] {
  // Collapse runs of streaming deltas so the order reads like the protocol.
  const out: string[] = [];
  for (const e of events) {
    const t = e.type === "response.audio.delta" || e.type === "response.audio_transcript.delta" ? "<deltas>" : e.type;
    if (t !== "<deltas>" || out[out.length - 1] !== "<deltas>") out.push(t);
  }
  return out;
}

describe("Voice Live emulator: responses", () => {
  it("answers a plain response.create before any turn with the scripted greeting, in the full event order", async () => {
    await start();
    client.send({ type: "response.create" });
    const created = await client.next("response.created");
    expect(created.response).toMatchObject({ object: "realtime.response", status: "in_progress", output: [] });
    const id = created.response.id as string;
    expect(id).toMatch(/^resp_/);
    const events = await client.responseEvents(id);
    const all = client.events.slice(client.events.indexOf(created));
    const conversationCreated = all.find((e) => e.type === "conversation.item.created");
    expect(typesOf([...events.slice(0, 2), conversationCreated!, ...events.slice(2)])).toEqual([
      "response.created",
      "response.output_item.added",
      "conversation.item.created",
      "response.content_part.added",
      "<deltas>",
      "response.audio.done",
      "response.audio_transcript.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.done",
    ]);
    // conversation.item.created sits between output_item.added and content_part.added on the wire too.
    const wireOrder = all.map((e) => e.type);
    expect(wireOrder.indexOf("conversation.item.created")).toBe(wireOrder.indexOf("response.output_item.added") + 1);

    const itemId = events[1].item.id;
    expect(events[1].item).toMatchObject({ type: "message", role: "assistant", status: "in_progress" });
    const deltas = events.filter((e) => e.type === "response.audio.delta");
    for (const d of deltas) expect(d).toMatchObject({ response_id: id, item_id: itemId, output_index: 0, content_index: 0 });
    const transcript = events.filter((e) => e.type === "response.audio_transcript.delta").map((e) => e.delta).join("");
    expect(transcript).toBe(GREETING);
    expect(events.find((e) => e.type === "response.audio_transcript.done")?.transcript).toBe(GREETING);

    // The audio is the voice's reading of the text, at no faster than SPEECH_MS_PER_CHAR; deltas
    // carry 100 ms each (the last one of each sentence the remainder).
    const audioMs = pcm24kMs(deltas.map((d) => d.delta));
    expect(audioMs).toBe(((await emulatorSpeech(GREETING)).length * 1000) / 24000);
    expect(audioMs).toBeGreaterThanOrEqual(GREETING.length * SPEECH_MS_PER_CHAR);
    const fullDeltas = deltas.filter((d) => Buffer.from(d.delta, "base64").length === 4800).length;
    expect(fullDeltas).toBeGreaterThanOrEqual(deltas.length - splitSentences(GREETING).length);

    const done = events[events.length - 1];
    expect(done.response.status).toBe("completed");
    expect(done.response.status_details).toBeNull();
    expect(done.response.output).toEqual([
      expect.objectContaining({ id: itemId, type: "message", role: "assistant", status: "completed", content: [{ type: "audio", transcript: GREETING }] }),
    ]);
    expect(done.response.usage.output_token_details.audio_tokens).toBeGreaterThan(0);
    expect(done.response.usage.total_tokens).toBe(done.response.usage.input_tokens + done.response.usage.output_tokens);
  });

  it("speaks a pre_generated_assistant_message exactly and adds it to the conversation", async () => {
    await start();
    const text = "This call may be recorded for quality purposes.";
    client.send({
      type: "response.create",
      response: { pre_generated_assistant_message: { type: "message", role: "assistant", content: [{ type: "text", text }] } },
    });
    const created = await client.next("response.created");
    const events = await client.responseEvents(created.response.id);
    expect(events.filter((e) => e.type === "response.audio_transcript.delta").map((e) => e.delta).join("")).toBe(text);
    expect(pcm24kMs(events.filter((e) => e.type === "response.audio.delta").map((e) => e.delta))).toBe(((await emulatorSpeech(text)).length * 1000) / 24000);
    const conversation = emulator.connection("c1")!.conversation;
    expect(conversation).toEqual([expect.objectContaining({ role: "assistant", content: [{ type: "audio", transcript: text }] })]);
    // The greeting counts as given: a later plain response.create does not repeat the scripted greeting.
    client.send({ type: "response.create" });
    const next = await client.next("response.created");
    const nextEvents = await client.responseEvents(next.response.id);
    expect(nextEvents.find((e) => e.type === "response.audio_transcript.done")?.transcript).not.toBe(GREETING);
  });

  it("rejects a pre_generated_assistant_message that is not exactly one text part", async () => {
    await start();
    const twoParts = await client.expectError({
      type: "response.create",
      response: {
        pre_generated_assistant_message: { type: "message", role: "assistant", content: [{ type: "text", text: "a" }, { type: "text", text: "b" }] },
      },
    });
    expect(twoParts).toMatchObject({ code: "invalid_value", param: "response.pre_generated_assistant_message.content" });
    const empty = await client.expectError({
      type: "response.create",
      response: { pre_generated_assistant_message: { type: "message", role: "assistant", content: [{ type: "text", text: " " }] } },
    });
    expect(empty.code).toBe("invalid_value");
    expect(client.all("response.created")).toHaveLength(0);
  });

  it("refuses a second response.create while one is active, and cancelling with none active", async () => {
    await start();
    const cancelNone = await client.expectError({ type: "response.cancel", event_id: "c-1" });
    expect(cancelNone).toMatchObject({ type: "invalid_request_error", code: "response_cancel_not_active", event_id: "c-1" });
    client.send({ type: "response.create" });
    const first = await client.next("response.created");
    const second = await client.expectError({ type: "response.create", event_id: "c-2" });
    expect(second).toMatchObject({ code: "conversation_already_has_active_response", event_id: "c-2" });
    expect(second.message).toContain(first.response.id);
    // The first response is unaffected.
    const events = await client.responseEvents(first.response.id);
    expect(events[events.length - 1].response.status).toBe("completed");
    expect(client.all("response.created")).toHaveLength(1);
  });

  it("response.cancel stops the active response: the item ends incomplete and response.done says cancelled", async () => {
    await start();
    client.send({
      type: "response.create",
      response: { pre_generated_assistant_message: { type: "message", role: "assistant", content: [{ type: "text", text: "x ".repeat(400).trim() }] } },
    });
    const created = await client.next("response.created");
    await client.next("response.audio.delta");
    client.send({ type: "response.cancel" });
    const done = await client.next("response.done");
    expect(done.response).toMatchObject({ id: created.response.id, status: "cancelled", status_details: { type: "cancelled", reason: "client_cancelled" } });
    expect(done.response.output[0].status).toBe("incomplete");
    const itemDone = client.all("response.output_item.done")[0];
    expect(itemDone.item.status).toBe("incomplete");
    // Audio stops with the cancel: less than the full text was sent.
    const sentMs = pcm24kMs(client.all("response.audio.delta").map((d) => d.delta));
    expect(sentMs).toBeLessThan(799 * SPEECH_MS_PER_CHAR);
    await new Promise((r) => setTimeout(r, 60)); // a few ticks: nothing more may come
    expect(client.events.slice(client.events.indexOf(done) + 1).filter((e) => e.type === "response.audio.delta")).toHaveLength(0);
  });

  it("answers typed user turns from the script, honours a scripted delay, then falls back to friendly replies", async () => {
    await start();
    const say = async (text: string): Promise<string> => {
      client.send({ type: "conversation.item.create", item: { type: "message", role: "user", content: [{ type: "input_text", text }] } });
      const created = await client.next("conversation.item.created");
      expect(created.item).toMatchObject({ role: "user", status: "completed" });
      client.send({ type: "response.create" });
      const response = await client.next("response.created");
      const events = await client.responseEvents(response.response.id);
      return events.find((e) => e.type === "response.audio_transcript.done")!.transcript;
    };
    expect(await say("When are you open?")).toBe("We are open from nine to five.");

    client.send({ type: "conversation.item.create", item: { type: "message", role: "user", content: [{ type: "input_text", text: "bye" }] } });
    await client.next("conversation.item.created");
    client.send({ type: "response.create" });
    const slow = await client.next("response.created");
    const firstAudio = await client.next("response.audio.delta");
    const gapMs = client.times[client.events.indexOf(firstAudio)] - client.times[client.events.indexOf(slow)];
    expect(gapMs).toBeGreaterThanOrEqual(390); // the scripted delayMs: 400 (never earlier)
    await client.responseEvents(slow.response.id);

    expect(await say("Can I pay by card?")).toBe("You said: Can I pay by card?.");
    expect(emulator.connection("c1")!.turnsTaken).toBe(3);
  });

  it("honours text-only modalities with response.text.delta and no audio", async () => {
    await start();
    await client.updateSession({ modalities: ["text"] });
    client.send({ type: "response.create" });
    const created = await client.next("response.created");
    const events = await client.responseEvents(created.response.id);
    expect(events.some((e) => e.type === "response.audio.delta")).toBe(false);
    expect(events.filter((e) => e.type === "response.text.delta").map((e) => e.delta).join("")).toBe(GREETING);
    expect(events.find((e) => e.type === "response.text.done")?.text).toBe(GREETING);
    expect(events.find((e) => e.type === "response.content_part.added")?.part).toEqual({ type: "text", text: "" });
  });

  it("keeps an out-of-band response (conversation: none) out of the conversation", async () => {
    await start();
    client.send({ type: "response.create", response: { conversation: "none", metadata: { topic: "summary" } } });
    const created = await client.next("response.created");
    expect(created.response.metadata).toEqual({ topic: "summary" });
    const events = await client.responseEvents(created.response.id);
    expect(events[events.length - 1].response.status).toBe("completed");
    expect(client.all("conversation.item.created")).toHaveLength(0);
    expect(emulator.connection("c1")!.conversation).toHaveLength(0);
  });
});

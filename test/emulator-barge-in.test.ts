import { afterEach, describe, expect, it } from "vitest";
import { createSystemClock, type Clock } from "../src/clock.js";
import { parseScenario, startVoiceLiveEmulator, type VoiceLiveEmulator } from "../src/emulator/index.js";
import { TestClient, pcm24kMs, pcmBytes, sendAudio, concat, silence24k, speech24k } from "./emulator-helpers.js";

const LONG_ANSWER =
  "Our premium plan includes unlimited calls, a dedicated account manager, priority support around the clock, " +
  "quarterly reviews of your usage, and a generous discount on every additional line you add during the first year of service.";
const SHORT_ANSWER = "Your balance is forty two dollars."; // 34 chars → 2210 ms

const scenario = parseScenario({
  version: 1,
  greeting: [{ say: LONG_ANSWER }],
  turns: [{ user: "Stop, I have a question.", assistant: [{ say: SHORT_ANSWER }] }],
});

/** Real timers, but nowMs is ours: the played-audio estimate becomes exact. */
function manualClock(): Clock & { now: number } {
  const system = createSystemClock();
  const clock = { ...system, now: 10_000, nowMs: () => clock.now };
  return clock;
}

let emulator: VoiceLiveEmulator;
let client: TestClient;

afterEach(async () => {
  await client?.close();
  await emulator?.close();
});

async function start(turnDetection: Record<string, unknown>, clock: Clock): Promise<void> {
  emulator = await startVoiceLiveEmulator({ port: 0, scenario, clock });
  client = await TestClient.connect(emulator);
  // Word timestamps say where each word ends: the truncated transcript must end at the last word fully played.
  await client.updateSession({ turn_detection: { type: "azure_semantic_vad", ...turnDetection }, output_audio_timestamp_types: ["word"] });
}

/** The words of an item (response.audio_timestamp.delta), in order. */
function wordsOf(itemId: string): Array<{ text: string; startMs: number; endMs: number }> {
  return client
    .all("response.audio_timestamp.delta")
    .filter((e) => e.item_id === itemId)
    .map((e) => ({ text: e.text as string, startMs: e.audio_offset_ms as number, endMs: (e.audio_offset_ms as number) + (e.audio_duration_ms as number) }));
}

/** `text` up to the end of its first `count` words (as the timestamps name them). */
function firstWords(text: string, words: ReadonlyArray<{ text: string }>, count: number): string {
  let at = 0;
  for (const word of words.slice(0, count)) at = text.indexOf(word.text, at) + word.text.length;
  return text.slice(0, at);
}

/** A moment in the middle of word `index` (0-based) of the item: words before it were heard whole, it was not. */
async function midWordMs(itemId: string, index: number): Promise<number> {
  await client.waitUntil(() => wordsOf(itemId).length > index);
  const word = wordsOf(itemId)[index];
  return Math.round((word.startMs + word.endMs) / 2);
}

const INTERRUPTION = concat(speech24k("Stop, wait"), silence24k(700));

async function audioSentAtLeast(ms: number): Promise<void> {
  await client.waitUntil(() => pcm24kMs(client.all("response.audio.delta").map((d) => d.delta)) >= ms);
}

describe("Voice Live emulator: barge-in", () => {
  it("interrupt_response: caller speech cancels the response (status cancelled, reason turn_detected), no truncation", async () => {
    const clock = manualClock();
    await start({ interrupt_response: true, auto_truncate: false }, clock);
    client.send({ type: "response.create" });
    const created = await client.next("response.created");
    await audioSentAtLeast(1000);
    sendAudio(client, pcmBytes(INTERRUPTION), 960);
    const started = await client.next("input_audio_buffer.speech_started");
    const done = await client.next("response.done");
    expect(done.response).toMatchObject({ id: created.response.id, status: "cancelled", status_details: { type: "cancelled", reason: "turn_detected" } });
    expect(client.events.indexOf(done)).toBeGreaterThan(client.events.indexOf(started));
    // The interrupted item closes as incomplete, before response.done.
    const itemDone = client.all("response.output_item.done")[0];
    expect(itemDone.item.status).toBe("incomplete");
    await client.next("input_audio_buffer.speech_stopped");
    // The caller's turn gets its own answer afterwards.
    const answer = await client.next("response.created");
    const events = await client.responseEvents(answer.response.id);
    expect(events.find((e) => e.type === "response.audio_transcript.done")?.transcript).toBe(SHORT_ANSWER);
    expect(client.all("conversation.item.truncated")).toHaveLength(0);
  });

  it("auto_truncate: the interrupted item is cut to the audio estimated played (real time since its first delta)", async () => {
    const clock = manualClock();
    await start({ interrupt_response: true, auto_truncate: true }, clock);
    client.send({ type: "response.create" });
    await client.next("response.created");
    const added = await client.next("response.output_item.added");
    await audioSentAtLeast(2000);
    const playedMs = await midWordMs(added.item.id, 3); // inside "includes"
    clock.now += playedMs; // the caller has heard this much since the first delta
    sendAudio(client, pcmBytes(INTERRUPTION), 960);
    await client.next("input_audio_buffer.speech_started");
    await client.next("response.done");
    const truncated = await client.next("conversation.item.truncated");
    expect(truncated).toMatchObject({ item_id: added.item.id, content_index: 0, audio_end_ms: playedMs });
    const item = emulator.connection("c1")!.conversation.find((i) => i.id === added.item.id)!;
    // Cut after the last word heard whole.
    expect(firstWords(LONG_ANSWER, wordsOf(added.item.id), 3)).toBe("Our premium plan");
    expect(item.content as unknown[]).toEqual([{ type: "audio", transcript: "Our premium plan" }]);
  });

  it("auto_truncate estimates playback even after the response finished generating (audio is sent faster than real time)", async () => {
    const clock = manualClock();
    await start({ interrupt_response: true, auto_truncate: true, create_response: false }, clock);
    client.send({ type: "conversation.item.create", item: { type: "message", role: "user", content: [{ type: "input_text", text: "balance?" }] } });
    client.send({ type: "response.create" });
    const created = await client.next("response.created");
    const events = await client.responseEvents(created.response.id);
    expect(events[events.length - 1].response.status).toBe("completed");
    const itemId = events[1].item.id;
    clock.now += 1000; // generation is over, the phone is still playing
    sendAudio(client, pcmBytes(INTERRUPTION), 960);
    await client.next("input_audio_buffer.speech_started");
    const truncated = await client.next("conversation.item.truncated");
    expect(truncated).toMatchObject({ item_id: itemId, audio_end_ms: 1000 });
    // Nothing was active any more: no cancelled response.
    expect(client.all("response.done").every((d) => d.response.status === "completed")).toBe(true);
  });

  it("auto_truncate leaves an item alone once it has all been played, and caps the estimate at the audio sent", async () => {
    const clock = manualClock();
    await start({ interrupt_response: true, auto_truncate: true, create_response: false }, clock);
    client.send({ type: "conversation.item.create", item: { type: "message", role: "user", content: [{ type: "input_text", text: "balance?" }] } });
    client.send({ type: "response.create" });
    const created = await client.next("response.created");
    await client.responseEvents(created.response.id);
    clock.now += 60_000;
    sendAudio(client, pcmBytes(INTERRUPTION), 960);
    await client.next("input_audio_buffer.speech_stopped");
    expect(client.all("conversation.item.truncated")).toHaveLength(0);
  });

  it("appends appended_text_after_truncation to what was heard", async () => {
    const clock = manualClock();
    await start({ interrupt_response: true, auto_truncate: true, appended_text_after_truncation: " [The user interrupted me.]" }, clock);
    client.send({ type: "response.create" });
    await client.next("response.created");
    const added = await client.next("response.output_item.added");
    await audioSentAtLeast(1500);
    clock.now += await midWordMs(added.item.id, 3);
    sendAudio(client, pcmBytes(INTERRUPTION), 960);
    await client.next("conversation.item.truncated");
    const item = emulator.connection("c1")!.conversation.find((i) => i.id === added.item.id)!;
    expect((item.content as any)[0].transcript).toBe("Our premium plan [The user interrupted me.]");
  });

  it("without interrupt_response the response plays on; the caller's turn is answered after it", async () => {
    const clock = manualClock();
    await start({ interrupt_response: false }, clock);
    client.send({ type: "response.create" });
    const created = await client.next("response.created");
    await audioSentAtLeast(500);
    sendAudio(client, pcmBytes(INTERRUPTION), 960);
    await client.next("input_audio_buffer.speech_stopped");
    const events = await client.responseEvents(created.response.id);
    expect(events[events.length - 1].response.status).toBe("completed");
    const answer = await client.next("response.created");
    const answerEvents = await client.responseEvents(answer.response.id);
    expect(answerEvents.find((e) => e.type === "response.audio_transcript.done")?.transcript).toBe(SHORT_ANSWER);
  });
});

describe("Voice Live emulator: conversation.item.truncate", () => {
  it("validates and honours client truncation", async () => {
    const clock = manualClock();
    await start({ interrupt_response: true, auto_truncate: false, create_response: false }, clock);
    client.send({ type: "conversation.item.create", item: { type: "message", role: "user", content: [{ type: "input_text", text: "balance?" }] } });
    const user = await client.next("conversation.item.created");
    client.send({ type: "response.create" });
    const created = await client.next("response.created");
    const events = await client.responseEvents(created.response.id);
    const itemId = events[1].item.id;
    const producedMs = Math.floor(pcm24kMs(events.filter((e) => e.type === "response.audio.delta").map((e) => e.delta)));
    const cutMs = await midWordMs(itemId, 3); // inside "forty"

    expect(await client.expectError({ type: "conversation.item.truncate", item_id: "item_missing", content_index: 0, audio_end_ms: 100 })).toMatchObject({
      code: "item_truncate_invalid_item_id",
      param: "item_id",
    });
    expect(await client.expectError({ type: "conversation.item.truncate", item_id: user.item.id, content_index: 0, audio_end_ms: 100 })).toMatchObject({
      code: "invalid_value",
      param: "item_id",
    });
    expect(await client.expectError({ type: "conversation.item.truncate", item_id: itemId, content_index: 1, audio_end_ms: 100 })).toMatchObject({
      code: "invalid_value",
      param: "content_index",
    });
    expect(await client.expectError({ type: "conversation.item.truncate", item_id: itemId, content_index: 0 })).toMatchObject({
      code: "missing_required_parameter",
      param: "audio_end_ms",
    });
    expect(await client.expectError({ type: "conversation.item.truncate", item_id: itemId, content_index: 0, audio_end_ms: -5 })).toMatchObject({
      code: "invalid_value",
      param: "audio_end_ms",
    });
    const tooLong = await client.expectError({ type: "conversation.item.truncate", item_id: itemId, content_index: 0, audio_end_ms: producedMs + 1 });
    expect(tooLong).toMatchObject({ code: "invalid_value", param: "audio_end_ms" });
    expect(tooLong.message).toContain("already shorter than");

    client.send({ type: "conversation.item.truncate", item_id: itemId, content_index: 0, audio_end_ms: cutMs });
    const truncated = await client.next("conversation.item.truncated");
    expect(truncated).toMatchObject({ item_id: itemId, content_index: 0, audio_end_ms: cutMs });
    const item = emulator.connection("c1")!.conversation.find((i) => i.id === itemId)!;
    expect((item.content as any)[0].transcript).toBe("Your balance is"); // the words heard whole before the cut

    const again = await client.expectError({ type: "conversation.item.truncate", item_id: itemId, content_index: 0, audio_end_ms: 500 });
    expect(again.code).toBe("item_already_truncated");
  });
});

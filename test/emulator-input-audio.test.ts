import alawmulaw from "alawmulaw";
import { afterEach, describe, expect, it } from "vitest";
import { parseScenario, SPEECH_MS_PER_CHAR, startVoiceLiveEmulator, type VoiceLiveEmulator } from "../src/emulator/index.js";
import { TestClient, concat, pcmBytes, sendAudio, silence24k, speech24k } from "./emulator-helpers.js";

const scenario = parseScenario({
  version: 1,
  turns: [
    { user: "I'd like to check my balance.", assistant: [{ say: "Sure." }] },
    { user: "Thank you.", assistant: [{ say: "You're welcome." }] },
  ],
});

const UTTERANCE = "Hello there, I need some help"; // 29 chars → 1740 ms of speech
const SPEECH_MS = UTTERANCE.length * SPEECH_MS_PER_CHAR;
/** 500 ms silence, the utterance, 1 s silence: speech spans 500 → 500 + SPEECH_MS in the input timeline. */
const CALLER = concat(silence24k(500), speech24k(UTTERANCE), silence24k(1000));

let emulator: VoiceLiveEmulator;
let client: TestClient;

afterEach(async () => {
  await client?.close();
  await emulator?.close();
});

async function start(session: Record<string, unknown> = {}): Promise<void> {
  emulator = await startVoiceLiveEmulator({ port: 0, scenario });
  client = await TestClient.connect(emulator);
  await client.updateSession({ input_audio_transcription: { model: "azure-speech" }, ...session });
}

/** Naive 3:1 decimation: enough for a VAD test signal (not a production resampler). */
function decimate3(samples: Int16Array): Int16Array {
  const out = new Int16Array(Math.floor(samples.length / 3));
  for (let i = 0; i < out.length; i++) out[i] = samples[i * 3];
  return out;
}

function to16k(samples: Int16Array): Int16Array {
  const out = new Int16Array(Math.floor((samples.length * 2) / 3));
  for (let i = 0; i < out.length; i++) out[i] = samples[Math.floor((i * 3) / 2)];
  return out;
}

describe("Voice Live emulator: input audio and turn detection", () => {
  it("detects a caller utterance with honest input-timeline offsets, commits it with the scripted transcript and answers", async () => {
    await start();
    sendAudio(client, pcmBytes(CALLER), 960);
    const started = await client.next("input_audio_buffer.speech_started");
    // First loud frame at 500 ms, minus prefix_padding_ms 300.
    expect(started.audio_start_ms).toBeGreaterThanOrEqual(180);
    expect(started.audio_start_ms).toBeLessThanOrEqual(220);
    expect(started.item_id).toMatch(/^item_/);
    const stopped = await client.next("input_audio_buffer.speech_stopped");
    // End of speech plus silence_duration_ms 500.
    expect(stopped.audio_end_ms).toBeGreaterThanOrEqual(500 + SPEECH_MS + 500 - 60);
    expect(stopped.audio_end_ms).toBeLessThanOrEqual(500 + SPEECH_MS + 500 + 40);
    expect(stopped.item_id).toBe(started.item_id);
    const committed = await client.next("input_audio_buffer.committed");
    expect(committed).toMatchObject({ item_id: started.item_id, previous_item_id: null });
    const item = await client.next("conversation.item.created");
    expect(item.item).toMatchObject({ id: started.item_id, type: "message", role: "user", content: [{ type: "input_audio" }] });
    const transcript = await client.next("conversation.item.input_audio_transcription.completed");
    expect(transcript).toMatchObject({ item_id: started.item_id, content_index: 0, transcript: "I'd like to check my balance." });
    const response = await client.next("response.created");
    const events = await client.responseEvents(response.response.id);
    expect(events.find((e) => e.type === "response.audio_transcript.done")?.transcript).toBe("Sure.");
  });

  it("reports the same offsets whether the audio comes all at once or slowly (timeline, not wall clock)", async () => {
    await start();
    const bytes = pcmBytes(CALLER);
    sendAudio(client, bytes.subarray(0, 48000), 960); // first 500 ms
    await new Promise((r) => setTimeout(r, 150));
    sendAudio(client, bytes.subarray(48000), 960);
    const started = await client.next("input_audio_buffer.speech_started");
    const stopped = await client.next("input_audio_buffer.speech_stopped");

    const other = await TestClient.connect(emulator);
    await other.updateSession({});
    sendAudio(other, bytes, 4800); // 100 ms chunks this time
    const started2 = await other.next("input_audio_buffer.speech_started");
    const stopped2 = await other.next("input_audio_buffer.speech_stopped");
    expect(started2.audio_start_ms).toBe(started.audio_start_ms);
    expect(stopped2.audio_end_ms).toBe(stopped.audio_end_ms);
    await other.close();
  });

  it("ignores ACS's continuous silent frames and low line noise", async () => {
    await start();
    sendAudio(client, pcmBytes(silence24k(3000)), 960);
    const noise = new Int16Array(24000 * 2);
    let seed = 7;
    for (let i = 0; i < noise.length; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      noise[i] = ((seed >>> 16) % 60) - 30; // about -60 dBFS
    }
    sendAudio(client, pcmBytes(noise), 960);
    await client.waitUntil(() => (emulator.connection("c1")?.inputTimelineMs ?? 0) >= 5000);
    expect(client.all("input_audio_buffer.speech_started")).toHaveLength(0);
    expect(emulator.connection("c1")?.counters.audioBytesReceived).toBe(5 * 48000);
  });

  it("respects threshold, prefix_padding_ms and silence_duration_ms", async () => {
    await start({ turn_detection: { type: "server_vad", threshold: 0.9, prefix_padding_ms: 0, silence_duration_ms: 200 } });
    const quiet = speech24k(UTTERANCE).map((v) => Math.round(v / 10)); // 20 dB quieter: under -24 dBFS threshold
    sendAudio(client, pcmBytes(concat(silence24k(500), quiet, silence24k(600))), 960);
    await client.waitUntil(() => (emulator.connection("c1")?.inputTimelineMs ?? 0) >= 500 + SPEECH_MS + 600);
    expect(client.all("input_audio_buffer.speech_started")).toHaveLength(0);

    // Normal level, with a 300 ms pause in the middle: silence_duration_ms 200 splits it into two turns.
    const base = 500 + SPEECH_MS + 600;
    const words = speech24k("Number one");
    sendAudio(client, pcmBytes(concat(words, silence24k(300), words, silence24k(500))), 960);
    const first = await client.next("input_audio_buffer.speech_started");
    expect(first.audio_start_ms).toBeGreaterThanOrEqual(base - 20); // no prefix padding
    expect(first.audio_start_ms).toBeLessThanOrEqual(base + 20);
    await client.next("input_audio_buffer.speech_stopped");
    await client.next("input_audio_buffer.speech_started");
    await client.next("input_audio_buffer.speech_stopped");
  });

  it("keeps one turn across a pause shorter than silence_duration_ms", async () => {
    await start({ turn_detection: { type: "azure_semantic_vad", silence_duration_ms: 800, create_response: false } });
    const words = speech24k("Number one");
    sendAudio(client, pcmBytes(concat(words, silence24k(400), words, silence24k(1000))), 960);
    await client.next("input_audio_buffer.speech_stopped");
    const wordsMs = "Number one".length * SPEECH_MS_PER_CHAR;
    await client.waitUntil(() => (emulator.connection("c1")?.inputTimelineMs ?? 0) >= wordsMs + 400 + wordsMs + 1000);
    expect(client.all("input_audio_buffer.speech_started")).toHaveLength(1);
    // create_response false: the turn is committed but not answered until the client asks.
    expect(client.all("response.created")).toHaveLength(0);
    client.send({ type: "response.create" });
    const response = await client.next("response.created");
    const events = await client.responseEvents(response.response.id);
    expect(events.find((e) => e.type === "response.audio_transcript.done")?.transcript).toBe("Sure.");
  });

  it("sends no transcription event when input_audio_transcription is not configured", async () => {
    await start({ input_audio_transcription: null });
    sendAudio(client, pcmBytes(CALLER), 960);
    await client.next("conversation.item.created");
    await client.next("response.done");
    expect(client.all("conversation.item.input_audio_transcription.completed")).toHaveLength(0);
  });

  it("with turn detection off: commit needs 100 ms of audio, creates the user item, and never answers by itself", async () => {
    await start({ turn_detection: null });
    sendAudio(client, pcmBytes(silence24k(40)), 960);
    const empty = await client.expectError({ type: "input_audio_buffer.commit", event_id: "commit-1" });
    expect(empty).toMatchObject({ code: "input_audio_buffer_commit_empty", event_id: "commit-1" });

    sendAudio(client, pcmBytes(CALLER), 960);
    client.send({ type: "input_audio_buffer.commit" });
    const committed = await client.next("input_audio_buffer.committed");
    const item = await client.next("conversation.item.created");
    expect(item.item.id).toBe(committed.item_id);
    expect((await client.next("conversation.item.input_audio_transcription.completed")).transcript).toBe("I'd like to check my balance.");
    expect(client.all("input_audio_buffer.speech_started")).toHaveLength(0);

    sendAudio(client, pcmBytes(silence24k(500)), 960);
    client.send({ type: "input_audio_buffer.clear" });
    await client.next("input_audio_buffer.cleared");
    const afterClear = await client.expectError({ type: "input_audio_buffer.commit" });
    expect(afterClear.code).toBe("input_audio_buffer_commit_empty");
    expect(client.all("response.created")).toHaveLength(0);
  });

  it("decodes pcm16 at 16 kHz and g711 μ-law / A-law at 8 kHz with the same timeline", async () => {
    await start({ input_audio_sampling_rate: 16000 });
    sendAudio(client, pcmBytes(to16k(CALLER)), 640);
    const started16 = await client.next("input_audio_buffer.speech_started");
    const stopped16 = await client.next("input_audio_buffer.speech_stopped");
    expect(started16.audio_start_ms).toBeGreaterThanOrEqual(180);
    expect(started16.audio_start_ms).toBeLessThanOrEqual(220);

    for (const [format, codec] of [
      ["g711_ulaw", alawmulaw.mulaw],
      ["g711_alaw", alawmulaw.alaw],
    ] as const) {
      const other = await TestClient.connect(emulator);
      await other.updateSession({ input_audio_format: format });
      sendAudio(other, codec.encode(decimate3(CALLER)), 160);
      const started = await other.next("input_audio_buffer.speech_started");
      const stopped = await other.next("input_audio_buffer.speech_stopped");
      expect(Math.abs(started.audio_start_ms - started16.audio_start_ms)).toBeLessThanOrEqual(20);
      expect(Math.abs(stopped.audio_end_ms - stopped16.audio_end_ms)).toBeLessThanOrEqual(20);
      await other.close();
    }
  });

  it("carries an odd PCM16 byte to the next append instead of shifting every later sample", async () => {
    await start();
    const bytes = pcmBytes(CALLER);
    // 961-byte chunks: every append ends mid-sample.
    sendAudio(client, bytes, 961);
    const started = await client.next("input_audio_buffer.speech_started");
    expect(started.audio_start_ms).toBeGreaterThanOrEqual(180);
    expect(started.audio_start_ms).toBeLessThanOrEqual(220);
    await client.next("input_audio_buffer.speech_stopped");
    // speech_stopped can come before the last appends are read: wait for every append, then
    // the timeline must be exactly the audio sent (a lost or doubled byte would shift it).
    await client.waitUntil(() => (emulator.connection("c1")?.inputTimelineMs ?? 0) >= CALLER.length / 24, 20_000);
    expect(emulator.connection("c1")?.inputTimelineMs).toBe(CALLER.length / 24);
  });
});

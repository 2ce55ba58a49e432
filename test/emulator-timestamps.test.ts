import { afterEach, describe, expect, it } from "vitest";
import { parseScenario, startVoiceLiveEmulator, type VoiceLiveEmulator } from "../src/emulator/index.js";
import { TestClient, type ServerEvent } from "./emulator-helpers.js";

const TWO_PART = parseScenario({
  version: 1,
  greeting: [{ say: "Good morning. Let me see." }, { delayMs: 300 }, { say: "Your order shipped on Monday, and it arrives tomorrow." }],
  turns: [],
});

let emulator: VoiceLiveEmulator;
let client: TestClient;

afterEach(async () => {
  await client?.close();
  await emulator?.close();
});

async function start(timestampTypes?: unknown): Promise<void> {
  emulator = await startVoiceLiveEmulator({ port: 0, scenario: TWO_PART });
  client = await TestClient.connect(emulator);
  if (timestampTypes !== undefined) expect((await client.updateSession({ output_audio_timestamp_types: timestampTypes })).type).toBe("session.updated");
}

/** PCM16 24 kHz samples of every audio delta of a response, in order. */
function audioOf(events: ServerEvent[]): Int16Array {
  const bytes = Buffer.concat(events.filter((e) => e.type === "response.audio.delta").map((e) => Buffer.from(e.delta, "base64")));
  return new Int16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2);
}

function rmsDb(samples: Int16Array): number {
  let sum = 0;
  for (const s of samples) sum += s * s;
  return 10 * Math.log10(sum / Math.max(1, samples.length) / (32768 * 32768) + 1e-12);
}

const msToSamples = (ms: number) => Math.round(ms * 24);

describe("Voice Live emulator: word timestamps", () => {
  it("validates output_audio_timestamp_types", async () => {
    await start();
    for (const [value, param] of [
      [["phoneme"], "session.output_audio_timestamp_types[0]"],
      ["word", "session.output_audio_timestamp_types"],
      [[42], "session.output_audio_timestamp_types[0]"],
    ] as const) {
      const error = await client.updateSession({ output_audio_timestamp_types: value });
      expect(error.error).toMatchObject({ code: "invalid_value", param });
    }
    expect((await client.updateSession({ output_audio_timestamp_types: ["word"] })).session.output_audio_timestamp_types).toEqual(["word"]);
    expect((await client.updateSession({ output_audio_timestamp_types: [] })).session.output_audio_timestamp_types).toEqual([]);
  });

  it("times every word on the item's audio timeline, sent with the audio chunk where the word starts, then response.audio_timestamp.done", async () => {
    await start(["word"]);
    client.send({ type: "response.create" });
    const created = await client.next("response.created");
    const events = await client.responseEvents(created.response.id, 20_000);
    const item = events.find((e) => e.type === "response.output_item.added")!.item;
    const words = events.filter((e) => e.type === "response.audio_timestamp.delta");
    const transcript = events.find((e) => e.type === "response.audio_transcript.done")!.transcript as string;
    // Every word of the transcript, in order, across both scripted parts (with a stall between them).
    expect(words.map((w) => w.text)).toEqual(transcript.match(/[\p{L}\p{N}']+/gu));
    for (const w of words) {
      expect(w).toMatchObject({ response_id: created.response.id, item_id: item.id, output_index: 0, content_index: 0, timestamp_type: "word" });
      expect(Number.isInteger(w.audio_offset_ms) && Number.isInteger(w.audio_duration_ms)).toBe(true);
      expect(w.audio_duration_ms).toBeGreaterThan(0);
    }
    for (let i = 1; i < words.length; i++) expect(words[i].audio_offset_ms).toBeGreaterThanOrEqual(words[i - 1].audio_offset_ms + words[i - 1].audio_duration_ms - 1);

    // Aligned with the audio actually sent: each word's span is voiced, and the gap before the second part is quiet.
    const audio = audioOf(events);
    const last = words[words.length - 1];
    expect(last.audio_offset_ms + last.audio_duration_ms).toBeLessThanOrEqual(audio.length / 24);
    for (const w of words) expect(rmsDb(audio.subarray(msToSamples(w.audio_offset_ms), msToSamples(w.audio_offset_ms + w.audio_duration_ms)))).toBeGreaterThan(-40);
    const see = words.findIndex((w) => w.text === "see");
    const gap = audio.subarray(msToSamples(words[see].audio_offset_ms + words[see].audio_duration_ms + 30), msToSamples(words[see + 1].audio_offset_ms - 30));
    expect(rmsDb(gap)).toBeLessThan(-50);

    // Sent with the chunk that carries the word's start: the audio before it ends at or before the word, the chunk after covers it.
    let sentMs = 0;
    const sentAt: number[] = [];
    for (const e of events) {
      if (e.type === "response.audio.delta") sentMs += Buffer.from(e.delta, "base64").length / 48;
      if (e.type === "response.audio_timestamp.delta") sentAt.push(sentMs);
    }
    words.forEach((w, i) => {
      expect(sentAt[i]).toBeLessThanOrEqual(w.audio_offset_ms + 1);
      expect(w.audio_offset_ms - sentAt[i]).toBeLessThan(100);
    });

    const types = events.map((e) => e.type);
    expect(types.filter((t) => t === "response.audio_timestamp.done")).toHaveLength(1);
    expect(types.indexOf("response.audio_timestamp.done")).toBe(types.indexOf("response.audio.done") + 1);
    expect(types.lastIndexOf("response.audio_timestamp.delta")).toBeLessThan(types.indexOf("response.audio.done"));
  });

  it("sends no timestamps unless asked, and none for a text-only response", async () => {
    await start();
    client.send({ type: "response.create" });
    await client.next("response.done", 20_000);
    expect(client.all("response.audio_timestamp.delta")).toHaveLength(0);
    await client.updateSession({ output_audio_timestamp_types: ["word"] });
    client.send({ type: "response.create", response: { modalities: ["text"] } });
    await client.next("response.done", 20_000);
    expect(client.all("response.audio_timestamp.delta")).toHaveLength(0);
    expect(client.all("response.audio_timestamp.done")).toHaveLength(0);
  });

  it("a cancelled item closes its timestamps too, and never times a word it did not send", async () => {
    await start(["word"]);
    client.send({
      type: "response.create",
      response: { pre_generated_assistant_message: { type: "message", role: "assistant", content: [{ type: "text", text: "One two three. ".repeat(40).trim() }] } },
    });
    await client.next("response.audio_timestamp.delta", 20_000);
    client.send({ type: "response.cancel" });
    const done = await client.next("response.done");
    expect(done.response.status).toBe("cancelled");
    const events = client.events;
    const sentMs = audioOf(events).length / 24;
    for (const w of client.all("response.audio_timestamp.delta")) expect(w.audio_offset_ms).toBeLessThan(sentMs);
    expect(client.all("response.audio_timestamp.done")).toHaveLength(1);
  });
});

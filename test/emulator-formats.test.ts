import alawmulaw from "alawmulaw";
import { beforeAll, afterEach, describe, expect, it } from "vitest";
import { SPEECH_MS_PER_CHAR, startVoiceLiveEmulator, type VoiceLiveEmulator } from "../src/emulator/index.js";
import { TestClient, emulatorSpeech } from "./emulator-helpers.js";

const TEXT = "Thank you for calling. Your table for four is booked at seven.";

let emulator: VoiceLiveEmulator;
let client: TestClient;

afterEach(async () => {
  await client?.close();
  await emulator?.close();
});

function rmsDb(samples: Int16Array): number {
  let sum = 0;
  for (const s of samples) sum += s * s;
  return 10 * Math.log10(sum / samples.length / (32768 * 32768));
}

function decode(format: string, bytes: Buffer): Int16Array {
  if (format === "g711_ulaw") return alawmulaw.mulaw.decode(bytes);
  if (format === "g711_alaw") return alawmulaw.alaw.decode(bytes);
  const copy = Buffer.from(bytes); // aligned copy for the Int16Array view
  return new Int16Array(copy.buffer, copy.byteOffset, copy.byteLength / 2);
}

async function speak(response: Record<string, unknown> = {}): Promise<Buffer> {
  client.send({
    type: "response.create",
    response: { ...response, pre_generated_assistant_message: { type: "message", role: "assistant", content: [{ type: "text", text: TEXT }] } },
  });
  const created = await client.next("response.created");
  const events = await client.responseEvents(created.response.id);
  return Buffer.concat(events.filter((e) => e.type === "response.audio.delta").map((e) => Buffer.from(e.delta, "base64")));
}

const FORMATS: Array<[string, number]> = [
  ["pcm16", 48000],
  ["pcm16_16000hz", 32000],
  ["pcm16_8000hz", 16000],
  ["g711_ulaw", 8000],
  ["g711_alaw", 8000],
];

describe("Voice Live emulator: output audio formats", () => {
  /** The utterance as the voice speaks it at 24 kHz: every format must carry the same audio. */
  let durationMs = 0;
  let referenceDb = 0;
  beforeAll(async () => {
    const reference = await emulatorSpeech(TEXT);
    durationMs = (reference.length * 1000) / 24000;
    referenceDb = rmsDb(reference);
    // Never faster than the emulator's pace (SPEECH_MS_PER_CHAR).
    expect(durationMs).toBeGreaterThanOrEqual(TEXT.length * SPEECH_MS_PER_CHAR);
  });

  for (const [format, bytesPerSecond] of FORMATS) {
    it(`speaks ${format}: the right amount of audio at the right rate, at speech level`, async () => {
      emulator = await startVoiceLiveEmulator({ port: 0 });
      client = await TestClient.connect(emulator);
      const updated = await client.updateSession({ output_audio_format: format });
      expect(updated.session.output_audio_format).toBe(format);
      const bytes = await speak();
      const expectedBytes = (durationMs * bytesPerSecond) / 1000;
      expect(Math.abs(bytes.length - expectedBytes)).toBeLessThanOrEqual(4);
      const samples = decode(format, bytes);
      // Band-limited speech keeps its level through resampling and companding; a wrong
      // byte order or codec would not.
      expect(Math.abs(rmsDb(samples) - referenceDb)).toBeLessThan(1.5);
    });
  }

  it("honours output_audio_format on a single response.create", async () => {
    emulator = await startVoiceLiveEmulator({ port: 0 });
    client = await TestClient.connect(emulator);
    const ulaw = await speak({ output_audio_format: "g711_ulaw" });
    expect(Math.abs(ulaw.length - durationMs * 8)).toBeLessThanOrEqual(4);
    const created = client.all("response.created")[0];
    expect(created.response.output_audio_format).toBe("g711_ulaw");
    const bad = await client.expectError({ type: "response.create", response: { output_audio_format: "mp3" } });
    expect(bad).toMatchObject({ code: "invalid_value", param: "response.output_audio_format" });
  });
});

/**
 * GREETING_AUDIO: a recorded greeting (a brand voice, a jingle) read, checked
 * and converted once at start-up to PCM16 at both rates the phone leg plays
 * from (Voice Live's rate for the call: 24 or 16 kHz), so a call's first audio
 * needs no Voice Live round trip.
 */
import { readFile } from "node:fs/promises";
import { decodeWav, resampleOffline, type VoiceLiveRateHz } from "../audio/index.js";
import { errorMessage } from "../errors.js";

export interface GreetingAudio {
  readonly path: string;
  /** PCM16 mono at 24 kHz. */
  readonly samples24k: Int16Array;
  /** PCM16 mono at 16 kHz. */
  readonly samples16k: Int16Array;
  readonly durationMs: number;
}

export function greetingSamplesAt(audio: GreetingAudio, rateHz: VoiceLiveRateHz): Int16Array {
  return rateHz === 16000 ? audio.samples16k : audio.samples24k;
}

const COMMON_RATES_HZ = new Set([8000, 11025, 16000, 22050, 24000, 32000, 44100, 48000]);
const MAX_DURATION_MS = 60_000;

/** The file as the leg will play it, or the problem with it (for the start-up message). */
export async function loadGreetingAudio(path: string): Promise<GreetingAudio | { problem: string }> {
  let file: Buffer;
  try {
    file = await readFile(path);
  } catch (error) {
    return { problem: `GREETING_AUDIO ${path}: ${errorMessage(error)}` };
  }
  let wav;
  try {
    wav = decodeWav(file, { mixToMono: true });
  } catch (error) {
    return { problem: `GREETING_AUDIO ${path}: ${errorMessage(error)}` };
  }
  if (!COMMON_RATES_HZ.has(wav.sampleRateHz)) {
    return { problem: `GREETING_AUDIO ${path}: ${wav.sampleRateHz} Hz is not a common rate (${[...COMMON_RATES_HZ].join(", ")})` };
  }
  const durationMs = (wav.samples.length * 1000) / wav.sampleRateHz;
  if (durationMs < 200 || durationMs > MAX_DURATION_MS) {
    return { problem: `GREETING_AUDIO ${path}: ${Math.round(durationMs)} ms long; a greeting is 0.2 to 60 s` };
  }
  return {
    path,
    samples24k: resampleOffline(wav.samples, wav.sampleRateHz, 24000),
    samples16k: resampleOffline(wav.samples, wav.sampleRateHz, 16000),
    durationMs,
  };
}

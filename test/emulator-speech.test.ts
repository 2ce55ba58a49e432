import { describe, expect, it } from "vitest";
import { SPEECH_MS_PER_CHAR, synthesizeSpeech } from "../src/emulator/index.js";

function rmsDb(samples: Int16Array): number {
  let sum = 0;
  for (const s of samples) sum += s * s;
  return 10 * Math.log10(sum / Math.max(1, samples.length) / (32768 * 32768) + 1e-12);
}

/** Fundamental frequency by autocorrelation over 70–400 Hz lags. */
function pitchHz(samples: Int16Array, rateHz: number): number {
  let bestLag = 0;
  let best = -Infinity;
  for (let lag = Math.floor(rateHz / 400); lag <= Math.ceil(rateHz / 70); lag++) {
    let sum = 0;
    for (let i = 0; i + lag < samples.length; i++) sum += samples[i] * samples[i + lag];
    if (sum > best) {
      best = sum;
      bestLag = lag;
    }
  }
  return rateHz / bestLag;
}

describe("emulator speech synthesis", () => {
  const text = "Hello there, how are you doing today?";
  const speech = synthesizeSpeech(text);

  it("is deterministic and exactly SPEECH_MS_PER_CHAR per character at 24 kHz", () => {
    expect(speech.sampleRateHz).toBe(24000);
    expect(speech.durationMs).toBe(text.length * SPEECH_MS_PER_CHAR);
    expect(speech.samples.length).toBe((text.length * SPEECH_MS_PER_CHAR * 24000) / 1000);
    expect(Buffer.from(synthesizeSpeech(text).samples.buffer).equals(Buffer.from(speech.samples.buffer))).toBe(true);
    // Different words of the same length sound different.
    const other = synthesizeSpeech("Howdy folks, who can help me out today?".slice(0, text.length));
    expect(other.samples.length).toBe(speech.samples.length);
    expect(Buffer.from(other.samples.buffer).equals(Buffer.from(speech.samples.buffer))).toBe(false);
  });

  it("places words where the text has them, with silence at the gaps", () => {
    expect(speech.words.map((w) => w.text)).toEqual(["Hello", "there", "how", "are", "you", "doing", "today"]);
    for (const word of speech.words) {
      expect(word.startSample).toBe((word.startChar * SPEECH_MS_PER_CHAR * 24000) / 1000);
      expect(rmsDb(speech.samples.subarray(word.startSample, word.endSample))).toBeGreaterThan(-30); // voiced
    }
    const gapStart = speech.words[0].endSample; // the space after "Hello"
    expect(rmsDb(speech.samples.subarray(gapStart, gapStart + (SPEECH_MS_PER_CHAR * 24000) / 1000))).toBeLessThan(-90); // digital silence
  });

  it("sounds like a voice: a pitch in the speaking range and syllable-rate loudness changes", () => {
    const word = speech.words[5]; // "doing"
    const voiced = speech.samples.subarray(word.startSample + 300, word.startSample + 300 + 2400);
    const f0 = pitchHz(voiced, 24000);
    expect(f0).toBeGreaterThan(120);
    expect(f0).toBeLessThan(260);
    // 20 ms frame levels vary by more than 10 dB inside a word (syllable envelopes), not a steady tone.
    const levels: number[] = [];
    for (let i = word.startSample; i + 480 <= word.endSample; i += 480) levels.push(rmsDb(speech.samples.subarray(i, i + 480)));
    expect(Math.max(...levels) - Math.min(...levels)).toBeGreaterThan(10);
  });
});

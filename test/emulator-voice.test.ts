/**
 * The emulator's voice: real speech from flite (in a worker thread), checked by
 * what can be measured offline — a small word recognizer, pitch, loudness,
 * rate, and where the words sit — with the deterministic buzz as the control
 * that must fail the same checks.
 */
import { Writable } from "node:stream";
import pino from "pino";
import { beforeAll, describe, expect, it } from "vitest";
import { createBuzzVoice, loadDefaultVoice, loadVoice, pendingVoice, SPEECH_MS_PER_CHAR, startVoiceLiveEmulator, type SpeechVoice } from "../src/emulator/index.js";

const silent = pino({ level: "silent" });
let voice: SpeechVoice;

beforeAll(async () => {
  voice = await loadDefaultVoice(silent);
});

// ---- a template-matching word recognizer: log mel band energies + dynamic time warping ----------

const FRAME = 512;
const HOP = 240; // 10 ms at 24 kHz
const BANDS = 20;
const HANN = Float64Array.from({ length: FRAME }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (FRAME - 1)));
const MAX_BIN = Math.ceil((4000 * FRAME) / 24000);
const COS = Array.from({ length: MAX_BIN }, (_, k) => Float64Array.from({ length: FRAME }, (_, n) => Math.cos((2 * Math.PI * k * n) / FRAME)));
const SIN = Array.from({ length: MAX_BIN }, (_, k) => Float64Array.from({ length: FRAME }, (_, n) => Math.sin((2 * Math.PI * k * n) / FRAME)));
const mel = (hz: number) => 2595 * Math.log10(1 + hz / 700);
const EDGES = Array.from({ length: BANDS + 1 }, (_, i) => 700 * (10 ** ((mel(100) + ((mel(4000) - mel(100)) * i) / BANDS) / 2595) - 1));
const BAND_OF_BIN = Array.from({ length: MAX_BIN }, (_, k) => EDGES.findIndex((edge, b) => b < BANDS && (k * 24000) / FRAME >= edge && (k * 24000) / FRAME < EDGES[b + 1]));

/** Per 10 ms: log energy in 20 mel bands (100 Hz – 4 kHz), mean-normalized over the word. */
function features(samples: Int16Array): number[][] {
  const frames: number[][] = [];
  const windowed = new Float64Array(FRAME);
  for (let at = 0; at + FRAME <= samples.length; at += HOP) {
    for (let n = 0; n < FRAME; n++) windowed[n] = samples[at + n] * HANN[n];
    const bands = new Array<number>(BANDS).fill(0);
    for (let k = 1; k < MAX_BIN; k++) {
      if (BAND_OF_BIN[k] < 0) continue;
      let re = 0;
      let im = 0;
      for (let n = 0; n < FRAME; n++) {
        re += windowed[n] * COS[k][n];
        im += windowed[n] * SIN[k][n];
      }
      bands[BAND_OF_BIN[k]] += re * re + im * im;
    }
    frames.push(bands.map((e) => Math.log10(e + 1e3)));
  }
  const mean = new Array<number>(BANDS).fill(0);
  for (const f of frames) f.forEach((v, i) => (mean[i] += v / frames.length));
  return frames.map((f) => f.map((v, i) => v - mean[i]));
}

function dtwDistance(a: number[][], b: number[][]): number {
  let previous = new Float64Array(b.length + 1).fill(Infinity);
  previous[0] = 0;
  for (let i = 1; i <= a.length; i++) {
    const row = new Float64Array(b.length + 1).fill(Infinity);
    for (let j = 1; j <= b.length; j++) {
      let d = 0;
      for (let k = 0; k < BANDS; k++) d += (a[i - 1][k] - b[j - 1][k]) ** 2;
      row[j] = Math.sqrt(d) + Math.min(previous[j], row[j - 1], previous[j - 1]);
    }
    previous = row;
  }
  return previous[b.length] / (a.length + b.length);
}

const DIGITS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];
const DIGIT_SENTENCES = ["My number is seven three nine one.", "Please call two eight five six four.", "The code is four four one nine."];

/** Templates from each digit said alone; each digit inside a sentence is recognized as the nearest template. */
async function recognizeDigits(speaker: SpeechVoice): Promise<{ correct: number; total: number }> {
  const templates = await Promise.all(
    DIGITS.map(async (digit) => {
      const speech = await speaker.synthesize(`${digit}.`);
      return features(speech.samples.subarray(speech.words[0].startSample, speech.words[0].endSample));
    }),
  );
  let correct = 0;
  let total = 0;
  for (const sentence of DIGIT_SENTENCES) {
    const speech = await speaker.synthesize(sentence);
    for (const word of speech.words) {
      const expected = DIGITS.indexOf(word.text.toLowerCase());
      if (expected < 0) continue;
      const heard = features(speech.samples.subarray(word.startSample, word.endSample));
      const distances = templates.map((template) => dtwDistance(heard, template));
      total += 1;
      if (distances.indexOf(Math.min(...distances)) === expected) correct += 1;
    }
  }
  return { correct, total };
}

// ---- simple signal measures ----------------------------------------------------------------------

function rmsDb(samples: Int16Array): number {
  let sum = 0;
  for (const s of samples) sum += s * s;
  return 10 * Math.log10(sum / Math.max(1, samples.length) / (32768 * 32768) + 1e-12);
}

/** Level of the louder half of the 20 ms frames (pauses excluded), dBFS. */
function activeLevelDb(samples: Int16Array): number {
  const levels: number[] = [];
  for (let at = 0; at + 480 <= samples.length; at += 480) levels.push(rmsDb(samples.subarray(at, at + 480)));
  const loud = levels.sort((a, b) => b - a).slice(0, Math.ceil(levels.length / 2));
  return 10 * Math.log10(loud.reduce((sum, db) => sum + 10 ** (db / 10), 0) / loud.length);
}

function peak(samples: Int16Array): number {
  let max = 0;
  for (const s of samples) max = Math.max(max, Math.abs(s));
  return max;
}

describe("the emulator's voice", () => {
  it("is flite when its package is installed (the default for every emulator)", async () => {
    expect(voice.engine).toBe("flite");
    const emulator = await startVoiceLiveEmulator({ port: 0 });
    expect(emulator.voiceEngine).toBe("flite");
    await emulator.close();
  });

  it("says words a recognizer tells apart: 13 of 13 digits inside sentences match their isolated templates (the buzz: chance)", async () => {
    const flite = await recognizeDigits(voice);
    expect(flite).toEqual({ correct: 13, total: 13 });
    const buzz = await recognizeDigits(createBuzzVoice());
    expect(buzz.total).toBe(13);
    expect(buzz.correct).toBeLessThan(10);
  }, 60_000);

  it("speaks at phone level and a natural rate: active speech about -18 dBFS, no clipping, at least 60 ms per character", async () => {
    for (const text of ["Thank you for calling Contoso.", "We are open Monday to Friday, from nine to five.", "Is there anything else?"]) {
      const speech = await voice.synthesize(text);
      expect(speech.sampleRateHz).toBe(24000);
      expect(Math.abs(activeLevelDb(speech.samples) + 18)).toBeLessThan(3);
      expect(peak(speech.samples)).toBeLessThan(32767 * 0.9);
      expect(speech.durationMs).toBeGreaterThanOrEqual(text.length * SPEECH_MS_PER_CHAR);
      expect(speech.durationMs).toBeLessThan(text.length * 90); // not drawn out either
    }
  });

  it("knows where each word is: every word's span is voiced, the lead-in before the first word is short and quiet", async () => {
    const text = "Your order shipped on Monday, and it arrives tomorrow.";
    const speech = await voice.synthesize(text);
    expect(speech.words.map((w) => w.text)).toEqual(["Your", "order", "shipped", "on", "Monday", "and", "it", "arrives", "tomorrow"]);
    for (const word of speech.words) {
      expect(text.slice(word.startChar, word.endChar)).toBe(word.text);
      expect(word.endSample).toBeGreaterThan(word.startSample);
      expect(rmsDb(speech.samples.subarray(word.startSample, word.endSample))).toBeGreaterThan(-35);
    }
    for (let i = 1; i < speech.words.length; i++) expect(speech.words[i].startSample).toBeGreaterThanOrEqual(speech.words[i - 1].endSample);
    expect(speech.words[0].startSample / 24).toBeLessThanOrEqual(60);
    expect(rmsDb(speech.samples.subarray(0, Math.max(1, speech.words[0].startSample - 240)))).toBeLessThan(-50);
  });

  it("is deterministic and caches by sentence: the same text gives the same samples without running the synthesizer again", async () => {
    const text = "The same words, the same sound.";
    const first = await voice.synthesize(text);
    const again = await voice.synthesize(text);
    expect(Buffer.from(again.samples.buffer, again.samples.byteOffset, again.samples.byteLength).equals(Buffer.from(first.samples.buffer, first.samples.byteOffset, first.samples.byteLength))).toBe(true);
    // A leading space (a sentence after the first) reuses the entry; its words move by one character.
    const spaced = await voice.synthesize(` ${text}`);
    expect(spaced.words.map((w) => w.startChar)).toEqual(first.words.map((w) => w.startChar + 1));
    expect((voice as SpeechVoice & { stats?: { cacheHits: number } }).stats?.cacheHits).toBeGreaterThanOrEqual(2);
  });

  it("falls back to the buzz, and says why, when the synthesizer is missing or cannot start", async () => {
    const lines: string[] = [];
    const logger = pino({ level: "info" }, new Writable({ write: (chunk, _enc, done) => (lines.push(chunk.toString()), done()) }));
    expect((await loadVoice(logger, null)).engine).toBe("buzz");
    expect((await loadVoice(logger, "/nonexistent/flite.wasm")).engine).toBe("buzz");
    expect(lines.join("")).toMatch(/not installed/);
    expect(lines.join("")).toMatch(/failed to start/);
  });

  it("does not hold up start-up: until the synthesizer has started, its requests wait, in order", async () => {
    let finishLoading: (voice: SpeechVoice) => void = () => {};
    const pending = pendingVoice(new Promise<SpeechVoice>((resolve) => (finishLoading = resolve)), "flite");
    expect(pending.engine).toBe("flite");
    const order: string[] = [];
    const first = pending.synthesize("First.").then(() => order.push("First."));
    const second = pending.synthesize("Second.").then(() => order.push("Second."));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(order).toEqual([]);
    finishLoading(createBuzzVoice());
    await Promise.all([first, second]);
    expect(order).toEqual(["First.", "Second."]);
    expect(pending.engine).toBe("buzz");
  });
});

/**
 * Speech from flite: real, intelligible English at 24 kHz, with word timings
 * taken from the synthesizer's own phone segmentation. What runs flite (the
 * CPU-heavy part, in the worker thread) is apart from what is made of its
 * output here (parsing, alignment, resampling: a few milliseconds).
 *
 * One phrase costs two runs of the flite program:
 *  1. the voice itself (`-psdur`): the waveform (16 kHz) and every phone with
 *     its end time;
 *  2. the small diphone voice `kal` on the same words, one `<break/>` between
 *     words (`-ssml -ps`): the phones of each word, used to group run 1's
 *     timed phones into words.
 * If the two runs' phones do not line up (rare: a word split by punctuation
 * inside it), word timings fall back to a split of the phones in proportion
 * to the words' letters.
 *
 * The audio is resampled to 24 kHz with the audio layer's resampler, trimmed
 * to a short lead-in and tail and brought to a fixed speech level (pacing.ts).
 * The same text always gives the same samples.
 */
import { createResampler } from "../../audio/index.js";
import { samplesToMs, SPEECH_SAMPLE_RATE_HZ, type SpokenWord, type SynthesizedSpeech } from "../voice.js";
import { normalizeLevel, trimSilence } from "./pacing.js";
import { tokenize, type Token } from "./tokens.js";

/** The diphone voice used only to learn each word's phones (fast, same lexicon and phone set). */
const ALIGNMENT_VOICE = "kal";
const OUTPUT_PATH = "out.wav";

interface TimedPhone {
  readonly phone: string;
  readonly startSec: number;
  readonly endSec: number;
}

/** `-psdur` prints `phone:endSeconds` pairs separated by spaces (one line per utterance, times cumulative). */
function parseTimedPhones(stdout: string): TimedPhone[] {
  const phones: TimedPhone[] = [];
  let previousEnd = 0;
  for (const entry of stdout.split(/\s+/)) {
    const colon = entry.lastIndexOf(":");
    if (colon <= 0) continue;
    const endSec = Number(entry.slice(colon + 1));
    if (!Number.isFinite(endSec)) continue;
    phones.push({ phone: entry.slice(0, colon), startSec: previousEnd, endSec });
    previousEnd = endSec;
  }
  return phones;
}

/** `-ps` prints phones; `pau` separates the words of the break-separated alignment text. */
function phoneGroups(stdout: string): string[][] {
  const groups: string[][] = [];
  let current: string[] = [];
  for (const phone of stdout.split(/\s+/)) {
    if (phone === "") continue;
    if (phone === "pau") {
      if (current.length > 0) groups.push(current);
      current = [];
    } else {
      current.push(phone);
    }
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/** Word spans in seconds of the untrimmed 16 kHz audio, one per spoken token. */
function alignWords(spoken: readonly Token[], timed: readonly TimedPhone[], groups: readonly string[][]): Array<{ startSec: number; endSec: number }> {
  const voiced = timed.filter((p) => p.phone !== "pau");
  const exact = groups.length === spoken.length && groups.reduce((n, g) => n + g.length, 0) === voiced.length;
  const counts = exact ? groups.map((g) => g.length) : proportionalCounts(spoken, voiced.length);
  const spans: Array<{ startSec: number; endSec: number }> = [];
  let at = 0;
  for (const count of counts) {
    const first = voiced[Math.min(at, voiced.length - 1)];
    const last = voiced[Math.min(at + Math.max(count, 1) - 1, voiced.length - 1)];
    spans.push({ startSec: first?.startSec ?? 0, endSec: last?.endSec ?? 0 });
    at += count;
  }
  return spans;
}

/** Fallback grouping: phones shared out in proportion to each word's letters (at least one each). */
function proportionalCounts(spoken: readonly Token[], phoneCount: number): number[] {
  const letters = spoken.map((t) => Math.max(1, t.word.length));
  const total = letters.reduce((a, b) => a + b, 0);
  const counts: number[] = [];
  let assigned = 0;
  let cumulative = 0;
  for (const n of letters) {
    cumulative += n;
    const upTo = Math.round((cumulative / total) * phoneCount);
    counts.push(Math.max(0, upTo - assigned));
    assigned = upTo;
  }
  return counts;
}

/** What a phrase needs from flite: the command lines to run, in order, and how to read their output. */
export interface SynthesisPlan {
  readonly runs: readonly (readonly string[])[];
  finish(results: readonly FliteRun[]): SynthesizedSpeech;
}

export interface FliteRun {
  readonly stdout: string;
  /** Files the run wrote, by path. */
  readonly files: ReadonlyMap<string, Uint8Array>;
}

/** `fliteVoice` is a voice compiled into the module ("slt", "rms", …). An empty plan (no runs) for text without words. */
export function planSynthesis(text: string, fliteVoice: string): SynthesisPlan {
  const tokens = tokenize(text);
  const spoken = tokens.filter((t) => t.word !== "");
  if (spoken.length === 0) {
    return { runs: [], finish: () => ({ samples: new Int16Array(0), sampleRateHz: SPEECH_SAMPLE_RATE_HZ, durationMs: 0, words: [] }) };
  }
  const flat = tokens.map((t) => t.flite).join(" ");
  return {
    runs: [
      ["-voice", fliteVoice, "-psdur", "-t", flat, "-o", OUTPUT_PATH],
      ["-voice", ALIGNMENT_VOICE, "-ssml", "-ps", "-t", `<speak>${spoken.map((t) => t.flite).join("<break/>")}</speak>`, "-o", "none"],
    ],
    finish([main, alignment]) {
      const wav = main.files.get(OUTPUT_PATH) ?? main.files.get(`/${OUTPUT_PATH}`);
      if (wav === undefined) throw new Error(`flite wrote no audio for ${JSON.stringify(text.slice(0, 40))}`);
      const decoded = readFliteWav(wav);
      const spans = alignWords(spoken, parseTimedPhones(main.stdout), phoneGroups(alignment.stdout));
      const samples24k = to24k(decoded.samples, decoded.sampleRateHz);
      const words: SpokenWord[] = spoken.map((t, i) => ({
        text: t.word,
        startChar: t.wordStart,
        endChar: t.wordEnd,
        startSample: Math.round(spans[i].startSec * SPEECH_SAMPLE_RATE_HZ),
        endSample: Math.round(spans[i].endSec * SPEECH_SAMPLE_RATE_HZ),
      }));
      const trimmed = trimSilence(samples24k, words);
      normalizeLevel(trimmed.samples);
      return { samples: trimmed.samples, sampleRateHz: SPEECH_SAMPLE_RATE_HZ, durationMs: samplesToMs(trimmed.samples.length), words: trimmed.words };
    },
  };
}

/**
 * Flite's WAV output: RIFF, a `fmt ` chunk (PCM16 mono), a `data` chunk. Read as
 * one typed-array copy (the audio layer's general decoder reads sample by
 * sample: several ms per sentence on the event loop).
 */
function readFliteWav(file: Uint8Array): { samples: Int16Array; sampleRateHz: number } {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const tag = (at: number) => String.fromCharCode(file[at], file[at + 1], file[at + 2], file[at + 3]);
  if (file.length < 12 || tag(0) !== "RIFF" || tag(8) !== "WAVE") throw new Error("flite wrote no RIFF/WAVE audio");
  let sampleRateHz = 0;
  for (let at = 12; at + 8 <= file.length; ) {
    const size = view.getUint32(at + 4, true);
    if (tag(at) === "fmt ") {
      if (view.getUint16(at + 8, true) !== 1 || view.getUint16(at + 10, true) !== 1 || view.getUint16(at + 22, true) !== 16) throw new Error("flite wrote audio that is not PCM16 mono");
      sampleRateHz = view.getUint32(at + 12, true);
    } else if (tag(at) === "data") {
      if (sampleRateHz === 0) throw new Error("flite's WAV has its data before its format");
      const end = Math.min(at + 8 + size, file.length);
      // slice() copies into a fresh, aligned buffer; WAV PCM and Int16Array are both little-endian here.
      return { samples: new Int16Array(file.buffer.slice(file.byteOffset + at + 8, file.byteOffset + at + 8 + ((end - at - 8) & ~1))), sampleRateHz };
    }
    at += 8 + size + (size & 1);
  }
  throw new Error("flite's WAV has no data chunk");
}

/** Resamples a whole utterance to 24 kHz: the resampler's delay worth of zeros goes in after it and comes off the front. */
function to24k(samples: Int16Array, rateHz: number): Int16Array {
  const resampler = createResampler(rateHz, SPEECH_SAMPLE_RATE_HZ);
  const delayIn = Math.ceil((resampler.delayMs * rateHz) / 1000);
  const padded = new Int16Array(samples.length + delayIn);
  padded.set(samples);
  const resampled = resampler.process(padded);
  const delayOut = Math.round((resampler.delayMs * SPEECH_SAMPLE_RATE_HZ) / 1000);
  const wanted = Math.round((samples.length * SPEECH_SAMPLE_RATE_HZ) / rateHz);
  return resampled.slice(delayOut, delayOut + wanted);
}

/**
 * A SpeechVoice backed by flite: real, intelligible English at 24 kHz, with
 * word timings taken from the synthesizer's own phone segmentation.
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
 * The audio is trimmed to a short lead-in and tail, brought to a fixed speech
 * level, resampled to 24 kHz with the audio layer's resampler and paced: see
 * pacing.ts. Results are cached per (voice, text); the same text always gives
 * the same samples.
 */
import { createResampler, decodeWav } from "../../audio/index.js";
import type { SpeechVoice, SpokenWord, SynthesizedSpeech } from "../voice.js";
import { SPEECH_SAMPLE_RATE_HZ } from "../voice.js";
import type { FliteEngine } from "./flite-engine.js";
import { normalizeLevel, paceToText, trimSilence } from "./pacing.js";
import { PhraseCache } from "./phrase-cache.js";
import { tokenize, type Token } from "./tokens.js";

/** Flite voices compiled into the package that sound best: a female and a male US English voice. */
export const FLITE_FEMALE_VOICE = "slt";
export const FLITE_MALE_VOICE = "rms";
/** The diphone voice used only to learn each word's phones (fast, same lexicon and phone set). */
const ALIGNMENT_VOICE = "kal";
const OUTPUT_PATH = "out.wav";
/** Flite reads ~16 characters per second; 6 % slower lands near the emulator's 15 per second (SPEECH_MS_PER_CHAR). */
const DURATION_STRETCH = 1.06;

/** Azure neural voices with a male persona (first names, en-US and a few common ones); anything else speaks female. */
const MALE_NAMES = /\b(?:[a-z]{2}-[A-Z]{2}-)?(Andrew|Brian|Guy|Davis|Christopher|Eric|Jacob|Jason|Roger|Steffan|Tony|Ryan|Adam|Derek|Dustin|Kai|Steve|Alloy|Echo|Onyx|Ash|Ballad|Verse)\b/;

/** Picks the flite voice for a session/response voice configuration (an Azure voice object or an OpenAI voice name). */
export function fliteVoiceFor(voice: unknown): string {
  const name = typeof voice === "string" ? voice : typeof voice === "object" && voice !== null ? String((voice as { name?: unknown }).name ?? "") : "";
  return MALE_NAMES.test(name.replace(/^\w/, (c) => c.toUpperCase())) ? FLITE_MALE_VOICE : FLITE_FEMALE_VOICE;
}

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

export interface FliteVoiceOptions {
  /** Cache bound (bytes of 24 kHz samples). Default 32 MiB. */
  readonly cacheBytes?: number;
}

export function createFliteVoice(engine: FliteEngine, options: FliteVoiceOptions = {}): SpeechVoice {
  const cache = new PhraseCache<SynthesizedSpeech>(options.cacheBytes ?? 32 * 1024 * 1024);

  function synthesizeUncached(text: string, fliteVoice: string): SynthesizedSpeech {
    const tokens = tokenize(text);
    const spoken = tokens.filter((t) => t.word !== "");
    if (spoken.length === 0) return paceToText(text, new Int16Array(0), []);
    const flat = tokens.map((t) => t.flite).join(" ");
    const main = engine.run(["-voice", fliteVoice, "--setf", `duration_stretch=${DURATION_STRETCH}`, "-psdur", "-t", flat, "-o", OUTPUT_PATH]);
    const wav = main.files.get(OUTPUT_PATH) ?? main.files.get(`/${OUTPUT_PATH}`);
    if (wav === undefined) throw new Error(`flite wrote no audio for ${JSON.stringify(text.slice(0, 40))}`);
    const decoded = decodeWav(wav);
    const alignment = engine.run(["-voice", ALIGNMENT_VOICE, "-ssml", "-ps", "-t", `<speak>${spoken.map((t) => t.flite).join("<break/>")}</speak>`, "-o", "none"]);
    const spans = alignWords(spoken, parseTimedPhones(main.stdout), phoneGroups(alignment.stdout));

    // To 24 kHz: feed the resampler's delay worth of zeros after the audio and drop that much from the front.
    const resampler = createResampler(decoded.sampleRateHz, SPEECH_SAMPLE_RATE_HZ);
    const delayIn = Math.ceil((resampler.delayMs * decoded.sampleRateHz) / 1000);
    const padded = new Int16Array(decoded.samples.length + delayIn);
    padded.set(decoded.samples);
    const resampled = resampler.process(padded);
    const delayOut = Math.round((resampler.delayMs * SPEECH_SAMPLE_RATE_HZ) / 1000);
    const wanted = Math.round((decoded.samples.length * SPEECH_SAMPLE_RATE_HZ) / decoded.sampleRateHz);
    const samples24k = resampled.slice(delayOut, delayOut + wanted);

    const words: SpokenWord[] = spoken.map((t, i) => ({
      text: t.word,
      startChar: t.wordStart,
      endChar: t.wordEnd,
      startSample: Math.round(spans[i].startSec * SPEECH_SAMPLE_RATE_HZ),
      endSample: Math.round(spans[i].endSec * SPEECH_SAMPLE_RATE_HZ),
    }));
    const trimmed = trimSilence(samples24k, words);
    normalizeLevel(trimmed.samples);
    return paceToText(text, trimmed.samples, trimmed.words);
  }

  return {
    engine: "flite",
    synthesize(text, voice) {
      const fliteVoice = fliteVoiceFor(voice);
      const key = `${fliteVoice}\u0000${text}`;
      const cached = cache.get(key);
      if (cached !== undefined) return cached;
      const speech = synthesizeUncached(text, fliteVoice);
      cache.set(key, speech, speech.samples.byteLength);
      return speech;
    },
  };
}

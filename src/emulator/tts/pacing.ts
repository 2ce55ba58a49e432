/**
 * Shaping synthesized speech into the emulator's utterances: a short lead-in and
 * tail around the words, a fixed speech level, and the utterance length.
 */
import { speechDurationMs } from "../speech.js";
import { samplesToMs, SPEECH_SAMPLE_RATE_HZ, type SpokenWord, type SynthesizedSpeech } from "../voice.js";

const LEAD_MS = 50;
const TAIL_MS = 120;
/** RMS of the voiced part, dBFS: typical TTS / telephony speech level. */
const TARGET_RMS_DBFS = -18;
const PEAK_LIMIT = 0.89 * 32767; // -1 dBFS

const msToSamples = (ms: number) => Math.round((ms * SPEECH_SAMPLE_RATE_HZ) / 1000);

/** Keeps LEAD_MS before the first word and TAIL_MS after the last; word offsets move with the cut. */
export function trimSilence(samples: Int16Array, words: readonly SpokenWord[]): { samples: Int16Array; words: SpokenWord[] } {
  if (words.length === 0) return { samples, words: [] };
  const from = Math.max(0, words[0].startSample - msToSamples(LEAD_MS));
  const to = Math.min(samples.length, words[words.length - 1].endSample + msToSamples(TAIL_MS));
  return {
    samples: samples.slice(from, Math.max(from, to)),
    words: words.map((w) => ({ ...w, startSample: w.startSample - from, endSample: w.endSample - from })),
  };
}

/** Scales in place so the louder frames sit at TARGET_RMS_DBFS, never clipping past -1 dBFS. */
export function normalizeLevel(samples: Int16Array): void {
  const frame = msToSamples(20);
  const frameEnergies: number[] = [];
  let peak = 0;
  for (let i = 0; i + frame <= samples.length; i += frame) {
    let sum = 0;
    for (let j = i; j < i + frame; j++) {
      sum += samples[j] * samples[j];
      peak = Math.max(peak, Math.abs(samples[j]));
    }
    frameEnergies.push(sum / frame);
  }
  if (frameEnergies.length === 0 || peak === 0) return;
  // Voiced frames: the upper half by energy (pauses would drag a plain RMS down).
  const sorted = [...frameEnergies].sort((a, b) => b - a);
  const voiced = sorted.slice(0, Math.max(1, Math.ceil(sorted.length / 2)));
  const rms = Math.sqrt(voiced.reduce((a, b) => a + b, 0) / voiced.length);
  const target = 32768 * 10 ** (TARGET_RMS_DBFS / 20);
  const gain = Math.min(target / rms, PEAK_LIMIT / peak);
  for (let i = 0; i < samples.length; i++) samples[i] = Math.round(samples[i] * gain);
}

/**
 * The emulator's pacing contract: an utterance lasts at least SPEECH_MS_PER_CHAR
 * per character (what `speechDurationMs(text)` says), so timings written
 * against it hold for the real voice too (flite reads at ~61 ms per character
 * on average, so the floor rarely adds more than a short pause). A sentence the synthesizer reads
 * faster gets the difference as silence after it (a slightly longer pause
 * before the next sentence); a slower one keeps its natural length.
 */
export function paceToText(text: string, samples: Int16Array, words: readonly SpokenWord[]): SynthesizedSpeech {
  const minSamples = msToSamples(speechDurationMs(text));
  let paced = samples;
  if (samples.length < minSamples) {
    paced = new Int16Array(minSamples);
    paced.set(samples);
  }
  return { samples: paced, sampleRateHz: SPEECH_SAMPLE_RATE_HZ, durationMs: samplesToMs(paced.length), words };
}

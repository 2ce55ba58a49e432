/**
 * Deterministic speech-like audio, PCM16 mono 24 kHz: voiced syllables (a
 * harmonic series with a falling pitch contour and a per-syllable accent,
 * three vowel colours), a short noise burst for the consonant at each
 * syllable onset, and silence at spaces and punctuation. Its length is exactly
 * SPEECH_MS_PER_CHAR per character of text, so timing is realistic and
 * predictable; the same text always gives the same samples.
 */
export const SPEECH_SAMPLE_RATE_HZ = 24000;
/**
 * The emulator's speaking pace: about 16.7 characters per second, a typical
 * TTS rate (flite reads English at ~16.4). The real voice never speaks faster
 * than this (tts/pacing.ts), the buzz speaks exactly at it.
 */
export const SPEECH_MS_PER_CHAR = 60;
const SAMPLES_PER_CHAR = (SPEECH_SAMPLE_RATE_HZ * SPEECH_MS_PER_CHAR) / 1000; // 1440
const PEAK = 0.32 * 32767;
const TABLE_SIZE = 1024;

export interface SpokenWord {
  readonly text: string;
  /** Character range of the word in the text. */
  readonly startChar: number;
  readonly endChar: number;
  /** First sample of the word in the utterance. */
  readonly startSample: number;
  readonly endSample: number;
}

export interface SynthesizedSpeech {
  readonly samples: Int16Array;
  readonly sampleRateHz: typeof SPEECH_SAMPLE_RATE_HZ;
  readonly durationMs: number;
  readonly words: readonly SpokenWord[];
}

export function speechDurationMs(text: string): number {
  return text.length * SPEECH_MS_PER_CHAR;
}

/** One period of a harmonic series with a formant-like emphasis; built once, read-only. */
function buildVowelTable(formant1Hz: number, formant2Hz: number): Float32Array {
  const table = new Float32Array(TABLE_SIZE);
  const nominalF0 = 180;
  let peak = 0;
  for (let k = 1; k <= 20; k++) {
    const f = k * nominalF0;
    const emphasis = 1 + 2.5 * Math.exp(-(((f - formant1Hz) / 250) ** 2)) + 1.5 * Math.exp(-(((f - formant2Hz) / 400) ** 2));
    const amplitude = emphasis / k;
    for (let i = 0; i < TABLE_SIZE; i++) table[i] += amplitude * Math.sin((2 * Math.PI * k * i) / TABLE_SIZE + k * 0.7);
  }
  for (let i = 0; i < TABLE_SIZE; i++) peak = Math.max(peak, Math.abs(table[i]));
  for (let i = 0; i < TABLE_SIZE; i++) table[i] /= peak;
  return table;
}

const VOWELS: readonly Float32Array[] = [buildVowelTable(700, 1200), buildVowelTable(300, 2300), buildVowelTable(350, 800)];

function isLetterOrDigit(ch: string): boolean {
  return /[\p{L}\p{N}'’-]/u.test(ch);
}

interface Syllable {
  startSample: number;
  lengthSamples: number;
  index: number;
  noiseSeed: number;
}

/** Splits the text into voiced syllables (about three letters each) and silent gaps, one slot per character. */
function layout(text: string): { syllables: Syllable[]; words: SpokenWord[] } {
  const syllables: Syllable[] = [];
  const words: SpokenWord[] = [];
  let i = 0;
  let syllableIndex = 0;
  while (i < text.length) {
    if (!isLetterOrDigit(text[i])) {
      i += 1;
      continue;
    }
    let end = i;
    while (end < text.length && isLetterOrDigit(text[end])) end += 1;
    const letters = end - i;
    const count = Math.max(1, Math.round(letters / 3));
    for (let s = 0; s < count; s++) {
      const first = i + Math.floor((s * letters) / count);
      const last = i + Math.floor(((s + 1) * letters) / count);
      syllables.push({
        startSample: first * SAMPLES_PER_CHAR,
        lengthSamples: (last - first) * SAMPLES_PER_CHAR,
        index: syllableIndex++,
        noiseSeed: text.charCodeAt(first) * 7919 + first,
      });
    }
    words.push({ text: text.slice(i, end), startChar: i, endChar: end, startSample: i * SAMPLES_PER_CHAR, endSample: end * SAMPLES_PER_CHAR });
    i = end;
  }
  return { syllables, words };
}

export function synthesizeSpeech(text: string): SynthesizedSpeech {
  const total = text.length * SAMPLES_PER_CHAR;
  const samples = new Int16Array(total);
  const { syllables, words } = layout(text);
  const rising = /\?\s*$/.test(text);
  let phase = 0;
  for (const syl of syllables) {
    const table = VOWELS[syl.index % VOWELS.length];
    const accentHz = syl.index % 2 === 0 ? 18 : -6;
    const attack = Math.max(1, Math.floor(syl.lengthSamples * 0.2));
    const release = Math.max(1, Math.floor(syl.lengthSamples * 0.3));
    const burst = Math.min(360, Math.floor(syl.lengthSamples * 0.25)); // ~15 ms consonant
    let noise = syl.noiseSeed >>> 0 || 1;
    for (let n = 0; n < syl.lengthSamples; n++) {
      const at = syl.startSample + n;
      const progress = at / total; // 0..1 over the utterance
      const within = n / syl.lengthSamples;
      let f0 = 200 - 45 * progress + accentHz * Math.sin(Math.PI * within);
      if (rising && progress > 0.8) f0 += 250 * (progress - 0.8);
      phase += f0 / SPEECH_SAMPLE_RATE_HZ;
      phase -= Math.floor(phase);
      const pos = phase * TABLE_SIZE;
      const idx = pos | 0;
      const frac = pos - idx;
      const voiced = table[idx] + (table[(idx + 1) & (TABLE_SIZE - 1)] - table[idx]) * frac;
      let envelope = 1;
      if (n < attack) envelope = 0.5 - 0.5 * Math.cos((Math.PI * n) / attack);
      else if (n > syl.lengthSamples - release) envelope = 0.5 - 0.5 * Math.cos((Math.PI * (syl.lengthSamples - n)) / release);
      let value = voiced * envelope;
      if (n < burst) {
        noise = (Math.imul(noise, 1103515245) + 12345) >>> 0;
        value = value * (n / burst) + ((noise / 4294967296) * 2 - 1) * 0.25 * (1 - n / burst);
      }
      samples[at] = Math.round(value * PEAK);
    }
  }
  return { samples, sampleRateHz: SPEECH_SAMPLE_RATE_HZ, durationMs: speechDurationMs(text), words };
}

/** Signal generation and measurement shared by the audio tests (not a test file itself). */
import { createRandom } from "../src/emulator/rng.js";

/** A sine at `frequencyHz`, int16, `amplitude` peak. */
export function tone(frequencyHz: number, sampleRateHz: number, samples: number, amplitude: number): Int16Array {
  const out = new Int16Array(samples);
  const w = (2 * Math.PI * frequencyHz) / sampleRateHz;
  for (let n = 0; n < samples; n++) out[n] = Math.round(amplitude * Math.sin(w * n));
  return out;
}

/**
 * Peak amplitude of the `frequencyHz` component over `samples.subarray(start, start + length)`,
 * by a single-bin DFT. Pick a window that holds whole cycles of every tone
 * involved (e.g. one second for integer-Hz tones) so bins do not leak.
 */
export function amplitudeAt(
  samples: ArrayLike<number>,
  frequencyHz: number,
  sampleRateHz: number,
  start: number,
  length: number,
): number {
  const w = (2 * Math.PI * frequencyHz) / sampleRateHz;
  let re = 0;
  let im = 0;
  for (let n = 0; n < length; n++) {
    const x = samples[start + n];
    re += x * Math.cos(w * n);
    im -= x * Math.sin(w * n);
  }
  return (2 * Math.hypot(re, im)) / length;
}

export const dB = (ratio: number): number => 20 * Math.log10(ratio);

/** Where `frequencyHz` lands after sampling at `sampleRateHz` (folded into 0 … fs/2). */
export function foldHz(frequencyHz: number, sampleRateHz: number): number {
  const f = ((frequencyHz % sampleRateHz) + sampleRateHz) % sampleRateHz;
  return f > sampleRateHz / 2 ? sampleRateHz - f : f;
}

/** Deterministic pseudo-random generator (the emulator's mulberry32) so failures reproduce. */
export const prng = createRandom;

/** Speech-like test material: a few tones plus noise, int16. */
export function testSignal(sampleRateHz: number, samples: number, seed = 1): Int16Array {
  const rand = prng(seed);
  const out = new Int16Array(samples);
  for (let n = 0; n < samples; n++) {
    const t = n / sampleRateHz;
    const v =
      6000 * Math.sin(2 * Math.PI * 220 * t) +
      4000 * Math.sin(2 * Math.PI * 1130 * t + 1) +
      2500 * Math.sin(2 * Math.PI * 3010 * t + 2) +
      3000 * (rand() * 2 - 1);
    out[n] = Math.max(-32768, Math.min(32767, Math.round(v)));
  }
  return out;
}

/** Concatenates typed arrays (copies: the converters' results are views that the next push overwrites). */
export function concat<T extends Int16Array | Uint8Array>(parts: T[], make: (n: number) => T): T {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = make(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** PCM16LE bytes of samples (a copy). */
export function pcm16Bytes(samples: Int16Array): Uint8Array {
  return new Uint8Array(samples.buffer.slice(samples.byteOffset, samples.byteOffset + samples.byteLength));
}

/** Samples of PCM16LE bytes (a copy; bytes.length must be even). */
export function pcm16Samples(bytes: Uint8Array): Int16Array {
  return new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

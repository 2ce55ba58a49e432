/**
 * What ACS's media server does to a caller's audio before the bot sees it: a
 * PSTN caller's G.711 μ-law 8 kHz is decoded and resampled to the PCM16 rate
 * the answer asked for (16 or 24 kHz). Written independently of src/audio — its
 * own G.711 formula and its own filter (windowed sinc, Blackman–Harris, float64,
 * whole utterances) — so a bug in the bot's resampler cannot hide itself by
 * being on both sides of a test.
 */

/** ITU-T G.711 μ-law expansion (the formula, not a table). */
export function decodeG711Mulaw(codes: Uint8Array): Int16Array {
  const out = new Int16Array(codes.length);
  for (let i = 0; i < codes.length; i += 1) {
    const u = ~codes[i]! & 0xff;
    const exponent = (u >> 4) & 0x07;
    const magnitude = ((((u & 0x0f) << 3) + 0x84) << exponent) - 0x84;
    out[i] = u & 0x80 ? -magnitude : magnitude;
  }
  return out;
}

/** ITU-T G.711 μ-law compression of 16-bit samples. */
export function encodeG711Mulaw(samples: Int16Array): Uint8Array {
  const out = new Uint8Array(samples.length);
  for (let i = 0; i < samples.length; i += 1) {
    let s = samples[i]!;
    const sign = s < 0 ? 0x80 : 0;
    if (sign) s = -s;
    s = Math.min(s, 32635) + 0x84;
    let exponent = 7;
    for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent -= 1;
    out[i] = ~(sign | (exponent << 4) | ((s >> (exponent + 3)) & 0x0f)) & 0xff;
  }
  return out;
}

/** Taps on each side of the output instant, counted at the lower of the two rates. */
const HALF_TAPS = 32;
/** Passband edge as a fraction of the lower rate's Nyquist frequency. */
const PASSBAND = 0.9;

/**
 * Resamples a whole signal between any two integer rates: output sample n is
 * the input around time n·from/to weighted by a windowed sinc, with no delay
 * (the filter is centred on each output instant). Not for real-time use.
 */
export function resampleSignal(samples: Int16Array, fromHz: number, toHz: number): Int16Array {
  if (fromHz === toHz) return samples.slice();
  const divisor = gcd(fromHz, toHz);
  const up = toHz / divisor;
  const down = fromHz / divisor;
  const cutoff = (PASSBAND * 0.5 * Math.min(fromHz, toHz)) / fromHz; // cycles per input sample
  const halfWidth = HALF_TAPS * Math.max(1, fromHz / toHz); // input samples on each side
  const taps = Math.ceil(halfWidth) * 2 + 1;
  // One set of weights per fractional position of an output instant between input samples.
  const phases: Float64Array[] = [];
  for (let phase = 0; phase < up; phase += 1) {
    const fraction = phase / up;
    const weights = new Float64Array(taps);
    let sum = 0;
    for (let j = 0; j < taps; j += 1) {
      const tau = j - Math.ceil(halfWidth) - fraction; // input sample offset from the output instant
      const w = window(tau / (halfWidth + 1)) * sinc(2 * cutoff * tau);
      weights[j] = w;
      sum += w;
    }
    for (let j = 0; j < taps; j += 1) weights[j]! /= sum; // unity gain at DC for every phase
    phases.push(weights);
  }
  const length = Math.round((samples.length * toHz) / fromHz);
  const out = new Int16Array(length);
  const reach = Math.ceil(halfWidth);
  for (let n = 0; n < length; n += 1) {
    const position = n * down; // in units of 1/up input samples
    const base = Math.floor(position / up);
    const weights = phases[position - base * up]!;
    let acc = 0;
    for (let j = 0; j < taps; j += 1) {
      const k = base - reach + j;
      if (k >= 0 && k < samples.length) acc += weights[j]! * samples[k]!;
    }
    out[n] = Math.max(-32768, Math.min(32767, Math.round(acc)));
  }
  return out;
}

function sinc(x: number): number {
  if (x === 0) return 1;
  const px = Math.PI * x;
  return Math.sin(px) / px;
}

/** 4-term Blackman–Harris over [-1, 1] (≈ −92 dB sidelobes). */
function window(x: number): number {
  if (x <= -1 || x >= 1) return 0;
  const t = (x + 1) / 2; // 0..1
  const a = 2 * Math.PI * t;
  return 0.35875 - 0.48829 * Math.cos(a) + 0.14128 * Math.cos(2 * a) - 0.01168 * Math.cos(3 * a);
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

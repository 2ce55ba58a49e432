/**
 * Whole-signal rate conversion between any two rates, for audio prepared once
 * (a recorded greeting at 44.1 or 48 kHz, say) — not for the 20 ms path, which
 * has the streaming polyphase resampler. Kaiser-windowed sinc, float64, centred
 * on each output instant (no delay), unity gain at DC.
 */
const HALF_TAPS = 24;
const KAISER_BETA = 8.6;
const PASSBAND = 0.92;

export function resampleOffline(samples: Int16Array, fromHz: number, toHz: number): Int16Array {
  if (!(fromHz > 0 && toHz > 0 && Number.isInteger(fromHz) && Number.isInteger(toHz))) throw new RangeError(`bad rates ${fromHz} → ${toHz}`);
  if (fromHz === toHz) return samples.slice();
  const divisor = gcd(fromHz, toHz);
  const up = toHz / divisor;
  const down = fromHz / divisor;
  const cutoff = (PASSBAND * 0.5 * Math.min(fromHz, toHz)) / fromHz;
  const reach = Math.ceil(HALF_TAPS * Math.max(1, fromHz / toHz));
  const taps = 2 * reach + 1;
  const phases = new Map<number, Float64Array>();
  const weightsFor = (phase: number): Float64Array => {
    let weights = phases.get(phase);
    if (weights) return weights;
    weights = new Float64Array(taps);
    let sum = 0;
    for (let j = 0; j < taps; j += 1) {
      const tau = j - reach - phase / up;
      const w = kaiser(tau / (reach + 1)) * sinc(2 * cutoff * tau);
      weights[j] = w;
      sum += w;
    }
    for (let j = 0; j < taps; j += 1) weights[j]! /= sum;
    phases.set(phase, weights);
    return weights;
  };
  const out = new Int16Array(Math.round((samples.length * toHz) / fromHz));
  for (let n = 0; n < out.length; n += 1) {
    const position = n * down;
    const base = Math.floor(position / up);
    const weights = weightsFor(position - base * up);
    let acc = 0;
    const first = base - reach;
    for (let j = Math.max(0, -first); j < taps && first + j < samples.length; j += 1) acc += weights[j]! * samples[first + j]!;
    out[n] = Math.max(-32768, Math.min(32767, Math.round(acc)));
  }
  return out;
}

function sinc(x: number): number {
  if (x === 0) return 1;
  const px = Math.PI * x;
  return Math.sin(px) / px;
}

function kaiser(x: number): number {
  if (x <= -1 || x >= 1) return 0;
  return besselI0(KAISER_BETA * Math.sqrt(1 - x * x)) / besselI0(KAISER_BETA);
}

function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 40; k += 1) {
    term *= (x / (2 * k)) ** 2;
    sum += term;
    if (term < 1e-12 * sum) break;
  }
  return sum;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * Signal-based quality figures for any resampler (ours or speex), so the
 * benchmark can show both at the same quality bar. Tones are generated here,
 * pushed in 20 ms chunks, and measured with a one-bin DFT over one second
 * (whole cycles of every integer-Hz tone: no leakage).
 */
import type { ResamplerFactory } from "../src/audio/index.js";

const VL_RATE_HZ = 24000;
const AMPLITUDE = 30000; // near full scale: −80 dB is still ~3 LSB above int16 rounding
const SKIP_S = 0.1;

function tone(frequencyHz: number, rateHz: number, samples: number, amplitude: number): Int16Array {
  const out = new Int16Array(samples);
  for (let n = 0; n < samples; n++) out[n] = Math.round(amplitude * Math.sin((2 * Math.PI * frequencyHz * n) / rateHz));
  return out;
}

function amplitudeAt(x: ArrayLike<number>, frequencyHz: number, rateHz: number): number {
  const start = SKIP_S * rateHz;
  const length = rateHz;
  const w = (2 * Math.PI * frequencyHz) / rateHz;
  let re = 0;
  let im = 0;
  for (let n = 0; n < length; n++) {
    re += x[start + n] * Math.cos(w * n);
    im -= x[start + n] * Math.sin(w * n);
  }
  return (2 * Math.hypot(re, im)) / length;
}

function fold(frequencyHz: number, rateHz: number): number {
  const f = frequencyHz % rateHz;
  return f > rateHz / 2 ? rateHz - f : f;
}

const dB = (ratio: number) => 20 * Math.log10(Math.max(ratio, 1e-12));

function run(factory: ResamplerFactory, fromHz: number, toHz: number, input: Int16Array): Int16Array {
  const resampler = factory(fromHz, toHz);
  const chunk = fromHz / 50;
  const out = new Int16Array(Math.ceil((input.length * toHz) / fromHz) + 64);
  let written = 0;
  for (let at = 0; at < input.length; at += chunk) {
    const y = resampler.process(input.subarray(at, at + chunk));
    out.set(y, written);
    written += y.length;
  }
  return out.subarray(0, written);
}

export interface QualityFigures {
  /** Largest |gain| in dB, 300 Hz … band edge, leg → 24 kHz. */
  readonly rippleUpDb: number;
  /** Same, 24 kHz → leg. */
  readonly rippleDownDb: number;
  /** Worst image (any tone 300 Hz … band edge), relative to the wanted tone. */
  readonly worstImageDb: number;
  /** Worst alias landing inside 0 … band edge (tones from legRate − bandEdge to 11.9 kHz), relative to input. */
  readonly worstAliasDb: number;
  /** The issue's tones: images of 3 kHz (up); 5 and 9 kHz (8 kHz leg) or 9 and 11 kHz (16 kHz leg) aliasing. */
  readonly issueImageDb: number;
  readonly issueAliasDb: number;
  /** Where an impulse's peak comes out, ms, each direction. */
  readonly measuredDelayUpMs: number;
  readonly measuredDelayDownMs: number;
}

export function measureQuality(factory: ResamplerFactory, legRateHz: 8000 | 16000): QualityFigures {
  const bandEdgeHz = legRateHz === 8000 ? 3400 : 7000;
  const legLength = legRateHz * (SKIP_S + 1.05);
  const vlLength = VL_RATE_HZ * (SKIP_S + 1.05);

  let rippleUpDb = 0;
  let rippleDownDb = 0;
  let worstImageDb = -Infinity;
  let issueImageDb = -Infinity;
  for (let f = 300; f <= bandEdgeHz; f += 100) {
    const up = run(factory, legRateHz, VL_RATE_HZ, tone(f, legRateHz, legLength, AMPLITUDE));
    const wanted = amplitudeAt(up, f, VL_RATE_HZ);
    rippleUpDb = Math.max(rippleUpDb, Math.abs(dB(wanted / AMPLITUDE)));
    for (let k = 1; k * legRateHz <= 2 * VL_RATE_HZ; k++) {
      for (const image of [k * legRateHz - f, k * legRateHz + f]) {
        const landed = fold(image, VL_RATE_HZ);
        if (landed === f) continue;
        const level = dB(amplitudeAt(up, landed, VL_RATE_HZ) / wanted);
        worstImageDb = Math.max(worstImageDb, level);
        if (f === 3000) issueImageDb = Math.max(issueImageDb, level);
      }
    }
    const down = run(factory, VL_RATE_HZ, legRateHz, tone(f, VL_RATE_HZ, vlLength, AMPLITUDE));
    rippleDownDb = Math.max(rippleDownDb, Math.abs(dB(amplitudeAt(down, f, legRateHz) / AMPLITUDE)));
  }

  let worstAliasDb = -Infinity;
  for (let f = legRateHz - bandEdgeHz; f < VL_RATE_HZ / 2; f += 100) {
    if (f <= legRateHz / 2) continue;
    const down = run(factory, VL_RATE_HZ, legRateHz, tone(f, VL_RATE_HZ, vlLength, AMPLITUDE));
    worstAliasDb = Math.max(worstAliasDb, dB(amplitudeAt(down, fold(f, legRateHz), legRateHz) / AMPLITUDE));
  }
  let issueAliasDb = -Infinity;
  for (const f of legRateHz === 8000 ? [5000, 9000] : [9000, 11000]) {
    const down = run(factory, VL_RATE_HZ, legRateHz, tone(f, VL_RATE_HZ, vlLength, AMPLITUDE));
    issueAliasDb = Math.max(issueAliasDb, dB(amplitudeAt(down, fold(f, legRateHz), legRateHz) / AMPLITUDE));
  }

  const impulse = (rateHz: number) => {
    const x = new Int16Array(rateHz / 5);
    x[rateHz / 50] = 20000; // at 20 ms
    return x;
  };
  const peakMs = (y: Int16Array, rateHz: number) => {
    let best = 0;
    for (let i = 1; i < y.length; i++) if (Math.abs(y[i]) > Math.abs(y[best])) best = i;
    return (best * 1000) / rateHz - 20;
  };
  return {
    rippleUpDb,
    rippleDownDb,
    worstImageDb,
    worstAliasDb,
    issueImageDb,
    issueAliasDb,
    measuredDelayUpMs: peakMs(run(factory, legRateHz, VL_RATE_HZ, impulse(legRateHz)), VL_RATE_HZ),
    measuredDelayDownMs: peakMs(run(factory, VL_RATE_HZ, legRateHz, impulse(VL_RATE_HZ)), legRateHz),
  };
}

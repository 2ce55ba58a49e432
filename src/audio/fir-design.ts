/**
 * Linear-phase low-pass FIR design by weighted least squares, closed form.
 *
 * Minimises ∫pass (A(ω) − gain)² dω + stopbandWeight · ∫stop A(ω)² dω over
 * symmetric (type I) filters, where A is the zero-phase response. The band
 * integrals of cosine products have closed forms, so the normal equations are
 * built exactly (no frequency grid) and solved by Cholesky in float64: well
 * under a millisecond at load for the lengths used here.
 */

export interface LowpassSpec {
  /** Odd, so the delay is a whole number of samples: (tapCount − 1) / 2. */
  readonly tapCount: number;
  readonly sampleRateHz: number;
  readonly passbandEdgeHz: number;
  readonly stopbandEdgeHz: number;
  /** Stopband error weight relative to passband error; higher trades ripple for rejection. */
  readonly stopbandWeight: number;
  /** Passband gain (L for an L-fold upsampler's prototype). */
  readonly gain: number;
}

/** ∫_a^b cos(kω) dω */
function cosIntegral(k: number, a: number, b: number): number {
  return k === 0 ? b - a : (Math.sin(k * b) - Math.sin(k * a)) / k;
}

export function designLowpass(spec: LowpassSpec): Float64Array {
  const { tapCount, sampleRateHz, passbandEdgeHz, stopbandEdgeHz, stopbandWeight, gain } = spec;
  if (!Number.isInteger(tapCount) || tapCount < 3 || tapCount % 2 === 0) {
    throw new RangeError(`tapCount must be an odd integer ≥ 3, got ${tapCount}`);
  }
  if (!(0 < passbandEdgeHz && passbandEdgeHz < stopbandEdgeHz && stopbandEdgeHz < sampleRateHz / 2)) {
    throw new RangeError("need 0 < passbandEdgeHz < stopbandEdgeHz < sampleRateHz / 2");
  }
  const half = (tapCount - 1) / 2;
  const size = half + 1; // A(ω) = Σ_k b[k] cos(kω), k = 0..half
  const wp = (2 * Math.PI * passbandEdgeHz) / sampleRateHz;
  const ws = (2 * Math.PI * stopbandEdgeHz) / sampleRateHz;

  // Normal equations Q b = r, Q symmetric positive definite.
  const q = new Float64Array(size * size);
  const r = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    r[i] = gain * cosIntegral(i, 0, wp);
    for (let j = 0; j <= i; j++) {
      const pass = cosIntegral(i - j, 0, wp) + cosIntegral(i + j, 0, wp);
      const stop = cosIntegral(i - j, ws, Math.PI) + cosIntegral(i + j, ws, Math.PI);
      q[i * size + j] = q[j * size + i] = 0.5 * (pass + stopbandWeight * stop);
    }
  }
  const b = solveCholesky(q, r, size);

  const taps = new Float64Array(tapCount);
  taps[half] = b[0];
  for (let k = 1; k <= half; k++) taps[half - k] = taps[half + k] = b[k] / 2;
  return taps;
}

/** Solves Q x = r for symmetric positive definite Q (row-major, size × size). */
function solveCholesky(q: Float64Array, r: Float64Array, size: number): Float64Array {
  const l = new Float64Array(size * size);
  for (let i = 0; i < size; i++) {
    for (let j = 0; j <= i; j++) {
      let s = q[i * size + j];
      for (let k = 0; k < j; k++) s -= l[i * size + k] * l[j * size + k];
      if (i === j) {
        if (!(s > 0)) throw new Error("FIR design: normal equations are not positive definite");
        l[i * size + i] = Math.sqrt(s);
      } else {
        l[i * size + j] = s / l[j * size + j];
      }
    }
  }
  const y = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    let s = r[i];
    for (let k = 0; k < i; k++) s -= l[i * size + k] * y[k];
    y[i] = s / l[i * size + i];
  }
  const x = new Float64Array(size);
  for (let i = size - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < size; k++) s -= l[k * size + i] * x[k];
    x[i] = s / l[i * size + i];
  }
  return x;
}

/** |H(f)| of an FIR at `frequencyHz` (for tests and the benchmark's quality report). */
export function firMagnitudeAt(taps: ArrayLike<number>, frequencyHz: number, sampleRateHz: number): number {
  const w = (2 * Math.PI * frequencyHz) / sampleRateHz;
  let re = 0;
  let im = 0;
  for (let n = 0; n < taps.length; n++) {
    re += taps[n] * Math.cos(w * n);
    im -= taps[n] * Math.sin(w * n);
  }
  return Math.hypot(re, im);
}

import { designLowpass } from "./fir-design.js";

/**
 * The two prototype low-pass filters and their polyphase decomposition.
 *
 * Budget: ≤ 2 ms algorithmic delay per direction, passband ripple ≤ 0.02 dB,
 * stopband ≤ −80 dB where aliases/images would land inside the passband.
 * - 8 kHz legs: prototype at 24 kHz, pass 0–3.4 kHz, stop from 4.6 kHz
 *   (= 8 k − 3.4 k), 97 taps → delay 48 samples at 24 kHz = 2.0 ms.
 * - 16 kHz legs: prototype at 48 kHz (3/2 ratio), pass 0–7 kHz, stop from
 *   9 kHz (= 16 k − 7 k), 121 taps → delay 60 samples at 48 kHz = 1.25 ms.
 * The least-squares weight puts both at ≈ 0.012–0.017 dB ripple and ≤ −85 dB stopband.
 */
const PROTOTYPE_8K = designLowpass({
  tapCount: 97,
  sampleRateHz: 24000,
  passbandEdgeHz: 3400,
  stopbandEdgeHz: 4600,
  stopbandWeight: 1000,
  gain: 1,
});

const PROTOTYPE_16K = designLowpass({
  tapCount: 121,
  sampleRateHz: 48000,
  passbandEdgeHz: 7000,
  stopbandEdgeHz: 9000,
  stopbandWeight: 1000,
  gain: 1,
});

/** Kernels consume taps in blocks of 4 floats (one 128-bit vector). */
export const TAP_BLOCK = 4;

/**
 * A rational resampler's filter bank: output sample m sits at index t = m·M on
 * the L-times upsampled grid; with q = ⌊t/L⌋ and phase p = t mod L it is
 *   y[m] = Σ_j taps[p·phaseLength + j] · x[q − (phaseLength − 1) + j]
 * i.e. each phase's taps are stored reversed and zero-padded at the front to
 * `phaseLength` (a multiple of TAP_BLOCK), so every dot product runs forward
 * over `phaseLength` consecutive input samples ending at x[q].
 */
export interface PolyphaseBank {
  readonly upFactor: number; // L
  readonly downFactor: number; // M
  readonly phaseLength: number;
  readonly taps: Float32Array; // upFactor × phaseLength
  /** Prototype (gain 1) at the upsampled rate, for reporting and tests. */
  readonly prototype: Float64Array;
  readonly prototypeRateHz: number;
  /** (prototype length − 1) / 2 at the upsampled rate, in milliseconds. */
  readonly delayMs: number;
}

function buildBank(prototype: Float64Array, prototypeRateHz: number, upFactor: number, downFactor: number): PolyphaseBank {
  // Kernels rely on every output phase recurring (gcd(L, M) = 1), e.g. to find the next phase-0 output.
  if (gcd(upFactor, downFactor) !== 1) throw new RangeError("up and down factors must be coprime");
  const perPhase = Math.ceil(prototype.length / upFactor);
  const phaseLength = Math.ceil(perPhase / TAP_BLOCK) * TAP_BLOCK;
  const taps = new Float32Array(upFactor * phaseLength);
  for (let p = 0; p < upFactor; p++) {
    // Phase p uses prototype[p + L·j] against x[q − j]; reversed, x[q − j] sits at column phaseLength − 1 − j.
    for (let j = 0; p + upFactor * j < prototype.length; j++) {
      taps[p * phaseLength + phaseLength - 1 - j] = prototype[p + upFactor * j] * upFactor;
    }
  }
  const delayMs = (((prototype.length - 1) / 2) * 1000) / prototypeRateHz;
  return Object.freeze({ upFactor, downFactor, phaseLength, taps, prototype, prototypeRateHz, delayMs });
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

const BANKS: ReadonlyMap<string, PolyphaseBank> = new Map([
  ["8000>24000", buildBank(PROTOTYPE_8K, 24000, 3, 1)],
  ["24000>8000", buildBank(PROTOTYPE_8K, 24000, 1, 3)],
  ["16000>24000", buildBank(PROTOTYPE_16K, 48000, 3, 2)],
  ["24000>16000", buildBank(PROTOTYPE_16K, 48000, 2, 3)],
]);

/** Every bank, for kernels that prepare per-bank code at load. */
export const POLYPHASE_BANKS: readonly PolyphaseBank[] = [...BANKS.values()];

/** The bank for a rate pair, or undefined when the pair is not supported (equal rates need none). */
export function polyphaseBankFor(inputRateHz: number, outputRateHz: number): PolyphaseBank | undefined {
  return BANKS.get(`${inputRateHz}>${outputRateHz}`);
}

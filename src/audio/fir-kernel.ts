import type { PolyphaseBank } from "./polyphase-bank.js";

/**
 * The inner loop of the polyphase resampler, behind one interface so a WASM
 * SIMD kernel and a plain-JS kernel are interchangeable (the JS one is the
 * fallback where WebAssembly SIMD is unavailable, e.g. `--jitless`).
 *
 * Layout shared by both: a float32 line holding `phaseLength − 1` samples of
 * history followed by the current chunk; int16 staging for the chunk's input
 * and output. Per output sample the arithmetic does not depend on how input
 * was chunked, so streaming gives the same samples as one whole buffer.
 */
export interface FirKernel {
  /** Most input samples one run() accepts. */
  readonly maxInputSamples: number;
  /** Most output samples one run() produces. */
  readonly maxOutputSamples: number;
  /** Staging the caller fills with the chunk's input (first `inputCount` entries). */
  readonly input: Int16Array;
  /** The last run()'s output (first `outputCount` entries), overwritten by the next run(). */
  readonly output: Int16Array;
  /**
   * Filters the staged chunk. `phase` is the first output's index on the
   * upsampled grid relative to the chunk start; the caller computes how many
   * outputs fall inside the chunk (`outputCount`). Then keeps the last
   * `phaseLength − 1` inputs as history.
   */
  run(inputCount: number, phase: number, outputCount: number): void;
  /** Zeroes history. */
  reset(): void;
}

export type FirKernelKind = "wasm" | "js";

export const KERNEL_MAX_INPUT_SAMPLES = 1024;

export function maxOutputsFor(bank: PolyphaseBank, inputSamples: number): number {
  return Math.ceil((inputSamples * bank.upFactor) / bank.downFactor);
}

/** Plain-JS kernel: float64 accumulation, four partial sums for instruction-level parallelism. */
export function createJsFirKernel(bank: PolyphaseBank): FirKernel {
  const { taps, phaseLength, upFactor: up, downFactor: down } = bank;
  const maxInputSamples = KERNEL_MAX_INPUT_SAMPLES;
  const maxOutputSamples = maxOutputsFor(bank, maxInputSamples);
  const history = phaseLength - 1;
  const line = new Float32Array(history + maxInputSamples);
  const input = new Int16Array(maxInputSamples);
  const output = new Int16Array(maxOutputSamples);

  function run(inputCount: number, phase: number, outputCount: number): void {
    for (let i = 0; i < inputCount; i++) line[history + i] = input[i];
    let t = phase;
    for (let m = 0; m < outputCount; m++) {
      const q = (t / up) | 0;
      const tapBase = (t - q * up) * phaseLength;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      for (let j = 0; j < phaseLength; j += 4) {
        a0 += taps[tapBase + j] * line[q + j];
        a1 += taps[tapBase + j + 1] * line[q + j + 1];
        a2 += taps[tapBase + j + 2] * line[q + j + 2];
        a3 += taps[tapBase + j + 3] * line[q + j + 3];
      }
      const v = Math.round(a0 + a1 + (a2 + a3));
      output[m] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
      t += down;
    }
    line.copyWithin(0, inputCount, inputCount + history);
  }

  return {
    maxInputSamples,
    maxOutputSamples,
    input,
    output,
    run,
    reset: () => line.fill(0),
  };
}

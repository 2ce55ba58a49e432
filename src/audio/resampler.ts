import { AudioError } from "./errors.js";
import { createJsFirKernel, type FirKernel, type FirKernelKind } from "./fir-kernel.js";
import { polyphaseBankFor, type PolyphaseBank } from "./polyphase-bank.js";
import { createWasmFirKernel, wasmFirKernelAvailable } from "./wasm-fir-kernel.js";

/**
 * One streaming mono int16 resampler per call and direction. Implementations:
 * the polyphase FIR here (WASM SIMD or JS kernel) and, in the benchmark only,
 * speexdsp compiled to WASM.
 */
export interface Resampler {
  readonly inputRateHz: number;
  readonly outputRateHz: number;
  /** Algorithmic (group) delay, milliseconds. */
  readonly delayMs: number;
  /**
   * Resamples any number of samples, keeping filter state and phase across
   * calls. Returns a view that the next process()/reset() overwrites.
   */
  process(input: Int16Array): Int16Array;
  /** Back to the initial state: zero history, phase 0. */
  reset(): void;
}

export interface ResamplerOptions {
  /** "auto" (default) uses WASM SIMD when the runtime has it, else the JS kernel. */
  readonly kernel?: FirKernelKind | "auto";
}

export function createResampler(inputRateHz: number, outputRateHz: number, options: ResamplerOptions = {}): Resampler {
  if (inputRateHz === outputRateHz) return createPassthroughResampler(inputRateHz);
  const bank = polyphaseBankFor(inputRateHz, outputRateHz);
  if (bank === undefined) {
    throw new AudioError("audio_unsupported_format", `no resampler for ${inputRateHz} Hz → ${outputRateHz} Hz`);
  }
  const kind = options.kernel ?? "auto";
  const useWasm = kind === "wasm" || (kind === "auto" && wasmFirKernelAvailable());
  const kernel = useWasm ? createWasmFirKernel(bank) : createJsFirKernel(bank);
  return createPolyphaseResampler(bank, kernel, inputRateHz, outputRateHz);
}

/** Equal rates: returns the input itself (no copy, no delay). */
function createPassthroughResampler(rateHz: number): Resampler {
  return { inputRateHz: rateHz, outputRateHz: rateHz, delayMs: 0, process: (input) => input, reset: () => {} };
}

function createPolyphaseResampler(
  bank: PolyphaseBank,
  kernel: FirKernel,
  inputRateHz: number,
  outputRateHz: number,
): Resampler {
  const up = bank.upFactor;
  const down = bank.downFactor;
  const chunkSamples = kernel.maxInputSamples;
  /** Next output's index on the upsampled grid, relative to the next input sample. */
  let phase = 0;
  /** Only for pushes larger than one kernel chunk; grows to the largest such push. */
  let joined = new Int16Array(0);

  function runChunk(input: Int16Array, start: number, count: number): number {
    if (start === 0 && count === input.length) kernel.input.set(input);
    else kernel.input.set(input.subarray(start, start + count));
    const span = count * up;
    const outputs = phase < span ? Math.ceil((span - phase) / down) : 0;
    kernel.run(count, phase, outputs);
    phase += outputs * down - span;
    return outputs;
  }

  function process(input: Int16Array): Int16Array {
    const total = input.length;
    if (total <= chunkSamples) {
      // The 20 ms path: one kernel call, the result is a view of the kernel's output.
      const outputs = runChunk(input, 0, total);
      return kernel.output.subarray(0, outputs);
    }
    const bound = Math.ceil((total * up) / down) + 1;
    if (joined.length < bound) joined = new Int16Array(bound);
    let written = 0;
    for (let start = 0; start < total; start += chunkSamples) {
      const outputs = runChunk(input, start, Math.min(chunkSamples, total - start));
      joined.set(kernel.output.subarray(0, outputs), written);
      written += outputs;
    }
    return joined.subarray(0, written);
  }

  return {
    inputRateHz,
    outputRateHz,
    delayMs: bank.delayMs,
    process,
    reset() {
      phase = 0;
      kernel.reset();
    },
  };
}

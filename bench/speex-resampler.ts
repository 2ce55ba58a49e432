/**
 * speexdsp's resampler (compiled to WASM by @echogarden/speex-resampler-wasm)
 * behind the audio layer's Resampler interface, for the benchmark's like-for-like
 * comparison. Not used at runtime.
 */
import createSimd from "@echogarden/speex-resampler-wasm/simd";
import createPlain from "@echogarden/speex-resampler-wasm";
import type { Resampler } from "../src/audio/index.js";

export type SpeexBuild = "simd" | "nonsimd";

const CHUNK_SAMPLES = 4096;

export interface SpeexRuntime {
  readonly build: SpeexBuild;
  create(inputRateHz: number, outputRateHz: number, quality: number): Resampler;
}

export async function loadSpeex(build: SpeexBuild): Promise<SpeexRuntime> {
  const wasm = await (build === "simd" ? createSimd() : createPlain());
  return {
    build,
    create: (inputRateHz, outputRateHz, quality) => createSpeexResampler(wasm, inputRateHz, outputRateHz, quality),
  };
}

function createSpeexResampler(wasm: SpeexWasmModule, inputRateHz: number, outputRateHz: number, quality: number): Resampler {
  const errPointer = wasm._malloc(4);
  const state = wasm._speex_resampler_init(1, inputRateHz, outputRateHz, quality, errPointer);
  if (state === 0) throw new Error(`speex_resampler_init failed (${wasm.HEAPU32[errPointer >> 2]})`);
  const maxOut = Math.ceil((CHUNK_SAMPLES * outputRateHz) / inputRateHz) + 16;
  const inPointer = wasm._malloc(CHUNK_SAMPLES * 2);
  const outPointer = wasm._malloc(maxOut * 2);
  const inLengthPointer = wasm._malloc(4);
  const outLengthPointer = wasm._malloc(4);
  // All allocation is done, so the heap (and these views) no longer move.
  const heap16 = wasm.HEAP16;
  const heapU32 = wasm.HEAPU32;
  const inIndex = inPointer >> 1;
  const outIndex = outPointer >> 1;
  let joined = new Int16Array(0);

  function runChunk(input: Int16Array): number {
    heap16.set(input, inIndex);
    heapU32[inLengthPointer >> 2] = input.length;
    heapU32[outLengthPointer >> 2] = maxOut;
    wasm._speex_resampler_process_int(state, 0, inPointer, inLengthPointer, outPointer, outLengthPointer);
    if (heapU32[inLengthPointer >> 2] !== input.length) throw new Error("speex left input unconsumed");
    return heapU32[outLengthPointer >> 2];
  }

  return {
    inputRateHz,
    outputRateHz,
    delayMs: (wasm._speex_resampler_get_input_latency(state) * 1000) / inputRateHz,
    process(input: Int16Array): Int16Array {
      if (input.length <= CHUNK_SAMPLES) return heap16.subarray(outIndex, outIndex + runChunk(input));
      const bound = Math.ceil((input.length * outputRateHz) / inputRateHz) + 64;
      if (joined.length < bound) joined = new Int16Array(bound);
      let written = 0;
      for (let at = 0; at < input.length; at += CHUNK_SAMPLES) {
        const n = runChunk(input.subarray(at, at + CHUNK_SAMPLES));
        joined.set(heap16.subarray(outIndex, outIndex + n), written);
        written += n;
      }
      return joined.subarray(0, written);
    },
    reset() {
      wasm._speex_resampler_reset_mem(state);
    },
  };
}

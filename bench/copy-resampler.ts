/**
 * The floor: "resampling" with no filter at all — each output sample copies the
 * nearest earlier input sample. Sounds terrible (images, aliasing); it measures
 * what the surrounding glue costs so filter cost can be read against it.
 */
import type { Resampler } from "../src/audio/index.js";

export function createCopyResampler(inputRateHz: number, outputRateHz: number): Resampler {
  let out = new Int16Array(4096);
  let position = 0; // output index × inputRate, relative to the next input's start, in input units × outputRate
  return {
    inputRateHz,
    outputRateHz,
    delayMs: 0,
    process(input: Int16Array): Int16Array {
      const span = input.length * outputRateHz;
      const count = position < span ? Math.ceil((span - position) / inputRateHz) : 0;
      if (out.length < count) out = new Int16Array(count);
      let p = position;
      for (let m = 0; m < count; m++) {
        out[m] = input[(p / outputRateHz) | 0];
        p += inputRateHz;
      }
      position = p - span;
      return out.subarray(0, count);
    },
    reset() {
      position = 0;
    },
  };
}

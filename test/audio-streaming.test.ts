import { describe, expect, it } from "vitest";
import {
  createInboundConverter,
  createOutboundConverter,
  createResampler,
  MULAW_ENCODE_TABLE,
  SUPPORTED_LEG_FORMATS,
  wasmFirKernelAvailable,
  type LegFormat,
} from "../src/audio/index.js";
import { concat, maxAbsDiff, pcm16Bytes, pcm16Samples, prng, testSignal } from "./audio-signals.js";

function legBytes(format: LegFormat, samples: Int16Array): Uint8Array {
  if (format.encoding === "pcm16") return pcm16Bytes(samples);
  const out = new Uint8Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = MULAW_ENCODE_TABLE[samples[i] & 0xffff];
  return out;
}

/** Random chunk lengths 0…max (odd ones included), covering `total`. */
function randomChunks(total: number, max: number, seed: number): number[] {
  const rand = prng(seed);
  const sizes: number[] = [];
  for (let left = total; left > 0; ) {
    const n = Math.min(left, Math.floor(rand() * (max + 1)));
    sizes.push(n);
    left -= n;
  }
  return sizes;
}

const label = (f: LegFormat) => `${f.encoding}/${f.sampleRateHz}`;
const KERNELS = ["wasm", "js"] as const;

describe("runtime", () => {
  it("has WebAssembly SIMD, so the fast kernel is the one in use", () => {
    expect(wasmFirKernelAvailable()).toBe(true);
  });
});

describe.each(SUPPORTED_LEG_FORMATS.map((format) => ({ format, name: label(format) })))("$name", ({ format }) => {
  const legRate = format.sampleRateHz;
  const seconds = 1.5;
  const legSignal = testSignal(legRate, legRate * seconds, 7);
  const payload = legBytes(format, legSignal);
  const vlSignal = testSignal(24000, 24000 * seconds, 9);
  const frameBytes = (legRate / 50) * (format.encoding === "mulaw" ? 1 : 2);

  it.each(KERNELS)("inbound: any chunking (odd lengths too) gives the whole-buffer samples within 1 LSB [%s]", (kernel) => {
    const whole = createInboundConverter(format, { kernel }).push(payload).slice();
    expect(whole.length).toBe(24000 * seconds);
    const streaming = createInboundConverter(format, { kernel });
    const parts: Int16Array[] = [];
    let at = 0;
    for (const n of randomChunks(payload.length, 3 * frameBytes, 11)) {
      parts.push(streaming.push(payload.subarray(at, at + n)).slice());
      at += n;
    }
    expect(maxAbsDiff(concat(parts, (n) => new Int16Array(n)), whole)).toBeLessThanOrEqual(1);
  });

  it.each(KERNELS)("outbound: any chunking (odd lengths too) gives the whole-buffer bytes within 1 LSB [%s]", (kernel) => {
    const whole = createOutboundConverter(format, { kernel }).push(vlSignal).slice();
    expect(whole.length).toBe(legRate * seconds * (format.encoding === "mulaw" ? 1 : 2));
    const streaming = createOutboundConverter(format, { kernel });
    const parts: Uint8Array[] = [];
    let at = 0;
    for (const n of randomChunks(vlSignal.length, 1500, 13)) {
      parts.push(streaming.push(vlSignal.subarray(at, at + n)).slice());
      at += n;
    }
    const joined = concat(parts, (n) => new Uint8Array(n));
    if (format.encoding === "pcm16") {
      expect(maxAbsDiff(pcm16Samples(joined), pcm16Samples(whole))).toBeLessThanOrEqual(1);
    } else {
      // μ-law codes are compared exactly: per-sample arithmetic does not depend on chunking.
      expect(Buffer.from(joined).equals(Buffer.from(whole))).toBe(true);
    }
  });

  it("every 20 ms frame in gives exactly 480 samples out, from the first frame on, and 480 back give one frame", () => {
    const inbound = createInboundConverter(format);
    const outbound = createOutboundConverter(format);
    for (let at = 0; at + frameBytes <= payload.length; at += frameBytes) {
      const up = inbound.push(payload.subarray(at, at + frameBytes));
      expect(up.length).toBe(480);
      expect(outbound.push(up).length).toBe(frameBytes);
    }
  });

  it("reset() (barge-in) drops history and remainders: the next audio comes out as from a fresh converter", () => {
    const used = createOutboundConverter(format);
    used.push(vlSignal.subarray(0, 1001)); // leaves a partial output sample pending
    used.reset();
    const fresh = createOutboundConverter(format);
    const next = vlSignal.subarray(5000, 5960);
    expect(Buffer.from(used.push(next)).equals(Buffer.from(fresh.push(next)))).toBe(true);

    const usedIn = createInboundConverter(format);
    usedIn.push(payload.subarray(0, frameBytes + 1)); // leaves an odd byte carried for pcm16
    usedIn.reset();
    const freshIn = createInboundConverter(format);
    const frame = payload.subarray(frameBytes * 4, frameBytes * 5);
    expect(Array.from(usedIn.push(frame))).toEqual(Array.from(freshIn.push(frame)));
  });
});

describe("kernels", () => {
  it.each([
    [8000, 24000],
    [24000, 8000],
    [16000, 24000],
    [24000, 16000],
  ])("WASM SIMD and JS kernels agree within 1 LSB (%i Hz → %i Hz), including pushes larger than a kernel chunk", (from, to) => {
    const input = testSignal(from, from * 2, 21);
    const wasm = createResampler(from, to, { kernel: "wasm" }).process(input).slice();
    const js = createResampler(from, to, { kernel: "js" }).process(input).slice();
    expect(wasm.length).toBe((input.length * to) / from);
    expect(maxAbsDiff(wasm, js)).toBeLessThanOrEqual(1);
  });

  it("full-scale input saturates at the rails instead of wrapping around", () => {
    // A full-scale square wave: Gibbs overshoot exceeds int16 right after every edge.
    const period = 120; // 24 kHz samples: 60 high, 60 low (200 Hz)
    const square = new Int16Array(4800);
    for (let i = 0; i < square.length; i++) square[i] = i % period < period / 2 ? 32767 : -32768;
    const outputs = KERNELS.map((kernel) => createResampler(24000, 8000, { kernel }).process(square).slice());
    for (const out of outputs) {
      expect(Math.max(...out)).toBe(32767);
      expect(Math.min(...out)).toBe(-32768);
      // Mid-plateau samples (well past the filter's 2 ms delay and ringing) keep the input's sign.
      for (let k = 2; k < 38; k++) {
        const highMid = Math.round((k * period + period / 4) / 3 + 16);
        const lowMid = Math.round((k * period + (3 * period) / 4) / 3 + 16);
        expect(out[highMid]).toBeGreaterThan(30000);
        expect(out[lowMid]).toBeLessThan(-30000);
      }
    }
    expect(maxAbsDiff(outputs[0], outputs[1])).toBeLessThanOrEqual(1);
  });
});

import { describe, expect, it } from "vitest";
import {
  createInboundConverter,
  createOutboundConverter,
  type LegFormat,
  type LegSampleRateHz,
} from "../src/audio/index.js";
import { firMagnitudeAt } from "../src/audio/fir-design.js";
import { polyphaseBankFor } from "../src/audio/polyphase-bank.js";
import { amplitudeAt, dB, foldHz, pcm16Bytes, pcm16Samples, tone, concat } from "./audio-signals.js";

/** Streams `samples` through a converter in 20 ms pushes, as a call would, and joins the results. */
function upTo24k(format: LegFormat, samples: Int16Array, kernel: "wasm" | "js" = "wasm"): Int16Array {
  const inbound = createInboundConverter(format, { kernel });
  const bytes = pcm16Bytes(samples);
  const frameBytes = (format.sampleRateHz / 50) * 2;
  const parts: Int16Array[] = [];
  for (let at = 0; at < bytes.length; at += frameBytes) parts.push(inbound.push(bytes.subarray(at, at + frameBytes)).slice());
  return concat(parts, (n) => new Int16Array(n));
}

function downFrom24k(format: LegFormat, samples: Int16Array, kernel: "wasm" | "js" = "wasm"): Int16Array {
  const outbound = createOutboundConverter(format, { kernel });
  const parts: Uint8Array[] = [];
  for (let at = 0; at < samples.length; at += 480) parts.push(outbound.push(samples.subarray(at, at + 480)).slice());
  return pcm16Samples(concat(parts, (n) => new Uint8Array(n)));
}

const SKIP_S = 0.1; // past the filters' start-up
const WINDOW_S = 1; // whole cycles of every integer-Hz tone: no leakage between bins

function measure(samples: Int16Array, frequencyHz: number, rateHz: number): number {
  return amplitudeAt(samples, frequencyHz, rateHz, SKIP_S * rateHz, WINDOW_S * rateHz);
}

const LEGS: { rateHz: LegSampleRateHz; bandEdgeHz: number; imageTonesHz: number[]; aliasTonesHz: number[] }[] = [
  // The tones: images of 3 kHz; 5 kHz and 9 kHz aliasing into an 8 kHz leg.
  { rateHz: 8000, bandEdgeHz: 3400, imageTonesHz: [3000], aliasTonesHz: [5000, 9000] },
  // 16 kHz legs, band edge 7 kHz: images of 3 and 7 kHz; 9 kHz and 11 kHz alias to 7 and 5 kHz.
  { rateHz: 16000, bandEdgeHz: 7000, imageTonesHz: [3000, 7000], aliasTonesHz: [9000, 11000] },
];

describe.each(LEGS)("pcm16 $rateHz Hz leg ⇄ 24 kHz", ({ rateHz, bandEdgeHz, imageTonesHz, aliasTonesHz }) => {
  const format: LegFormat = { encoding: "pcm16", sampleRateHz: rateHz };
  const length = (SKIP_S + WINDOW_S + 0.05) * rateHz;

  it(`round trip keeps gain within ±0.1 dB from 300 Hz to ${bandEdgeHz} Hz`, () => {
    const frequencies: number[] = [];
    for (let f = 300; f < bandEdgeHz; f += 100) frequencies.push(f);
    frequencies.push(bandEdgeHz);
    const worst = { f: 0, gainDb: 0 };
    for (const f of frequencies) {
      const input = tone(f, rateHz, length, 12000);
      const back = downFrom24k(format, upTo24k(format, input));
      expect(back.length).toBe(input.length);
      const gainDb = dB(measure(back, f, rateHz) / measure(input, f, rateHz));
      if (Math.abs(gainDb) > Math.abs(worst.gainDb)) Object.assign(worst, { f, gainDb });
    }
    expect(Math.abs(worst.gainDb), `worst ${worst.gainDb.toFixed(4)} dB at ${worst.f} Hz`).toBeLessThanOrEqual(0.1);
  });

  it.each(imageTonesHz)("upsampling leaves images of a %i Hz tone at least 60 dB down", (f) => {
    const out = upTo24k(format, tone(f, rateHz, length, 16000));
    const wanted = measure(out, f, 24000);
    expect(dB(wanted / 16000)).toBeGreaterThan(-0.1);
    const images = new Set<number>();
    for (let k = 1; k * rateHz <= 48000; k++) {
      for (const image of [k * rateHz - f, k * rateHz + f]) {
        const landed = foldHz(image, 24000);
        if (landed !== f) images.add(landed);
      }
    }
    expect(images.size).toBeGreaterThan(0);
    for (const image of images) {
      expect(dB(measure(out, image, 24000) / wanted), `image at ${image} Hz`).toBeLessThanOrEqual(-60);
    }
  });

  it(`downsampling keeps ${aliasTonesHz.join(" Hz and ")} Hz tones at least 60 dB below a 1 kHz tone`, () => {
    const total = (SKIP_S + WINDOW_S + 0.05) * 24000;
    const reference = measure(downFrom24k(format, tone(1000, 24000, total, 16000)), 1000, rateHz);
    expect(dB(reference / 16000)).toBeGreaterThan(-0.1);
    for (const f of aliasTonesHz) {
      const landed = foldHz(f, rateHz);
      const alias = measure(downFrom24k(format, tone(f, 24000, total, 16000)), landed, rateHz);
      expect(dB(alias / reference), `${f} Hz aliased to ${landed} Hz`).toBeLessThanOrEqual(-60);
    }
  });

  it("the JS fallback kernel meets the same gain and rejection (spot check)", () => {
    const input = tone(1000, rateHz, length, 12000);
    const back = downFrom24k(format, upTo24k(format, input, "js"), "js");
    expect(Math.abs(dB(measure(back, 1000, rateHz) / measure(input, 1000, rateHz)))).toBeLessThanOrEqual(0.1);
    const f = aliasTonesHz[0];
    const total = (SKIP_S + WINDOW_S + 0.05) * 24000;
    const alias = measure(downFrom24k(format, tone(f, 24000, total, 16000), "js"), foldHz(f, rateHz), rateHz);
    expect(dB(alias / 16000)).toBeLessThanOrEqual(-60);
  });
});

describe("filter design meets the speex-q4-level goals (computed from the coefficients)", () => {
  it.each([
    { rateHz: 8000, passHz: 3400, stopHz: 4600 },
    { rateHz: 16000, passHz: 7000, stopHz: 9000 },
  ])("$rateHz Hz: ripple ≤ 0.02 dB to $passHz Hz, ≤ −80 dB from $stopHz Hz", ({ rateHz, passHz, stopHz }) => {
    const bank = polyphaseBankFor(rateHz, 24000);
    expect(bank).toBeDefined();
    const { prototype, prototypeRateHz } = bank!;
    let rippleDb = 0;
    for (let f = 0; f <= passHz; f += 10) {
      rippleDb = Math.max(rippleDb, Math.abs(dB(firMagnitudeAt(prototype, f, prototypeRateHz))));
    }
    let stopDb = -Infinity;
    for (let f = stopHz; f <= prototypeRateHz / 2; f += 10) {
      stopDb = Math.max(stopDb, dB(firMagnitudeAt(prototype, f, prototypeRateHz)));
    }
    expect(rippleDb).toBeLessThanOrEqual(0.02);
    expect(stopDb).toBeLessThanOrEqual(-80);
  });
});

describe("algorithmic delay", () => {
  const cases: { format: LegFormat }[] = [
    { format: { encoding: "pcm16", sampleRateHz: 8000 } },
    { format: { encoding: "pcm16", sampleRateHz: 16000 } },
    { format: { encoding: "pcm16", sampleRateHz: 24000 } },
  ];

  it.each(cases)("is reported ≤ 2 ms and matches where an impulse comes out ($format.sampleRateHz Hz)", ({ format }) => {
    const rate = format.sampleRateHz;
    const inbound = createInboundConverter(format);
    const outbound = createOutboundConverter(format);
    expect(inbound.delayMs).toBeLessThanOrEqual(2);
    expect(outbound.delayMs).toBeLessThanOrEqual(2);

    const impulseAt = (samples: number, index: number) => {
      const x = new Int16Array(samples);
      x[index] = 20000;
      return x;
    };
    const peakIndex = (y: ArrayLike<number>) => {
      let best = 0;
      for (let i = 1; i < y.length; i++) if (Math.abs(y[i]) > Math.abs(y[best])) best = i;
      return best;
    };

    const up = inbound.push(pcm16Bytes(impulseAt(rate / 10, rate / 100)));
    expect(peakIndex(up)).toBe(Math.round((1 / 100 + inbound.delayMs / 1000) * 24000));

    const down = pcm16Samples(outbound.push(impulseAt(2400, 240)).slice());
    expect(peakIndex(down)).toBe(Math.round((1 / 100 + outbound.delayMs / 1000) * rate));
  });
});

import { describe, expect, it } from "vitest";
import {
  AudioError,
  createFramePacker,
  createInboundConverter,
  createOutboundConverter,
  createResampler,
  type LegFormat,
} from "../src/audio/index.js";
import { concat, pcm16Bytes, testSignal } from "./audio-signals.js";

const PCM16_16K: LegFormat = { encoding: "pcm16", sampleRateHz: 16000 };
const PCM16_24K: LegFormat = { encoding: "pcm16", sampleRateHz: 24000 };
const MULAW_8K: LegFormat = { encoding: "mulaw", sampleRateHz: 8000 };

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AudioError);
    return (error as AudioError).code;
  }
  return undefined;
}

describe("odd-length PCM16 payloads: the odd byte is carried to the next push", () => {
  it.each([PCM16_16K, PCM16_24K])("splitting a stream at odd byte offsets shifts nothing ($sampleRateHz Hz)", (format) => {
    const bytes = pcm16Bytes(testSignal(format.sampleRateHz, format.sampleRateHz / 5, 3));
    const whole = createInboundConverter(format).push(bytes).slice();
    const converter = createInboundConverter(format);
    const parts: Int16Array[] = [];
    const cuts = [0, 641, 1280, 1283, 1284, 2001, 2002, 2003, bytes.length];
    for (let i = 1; i < cuts.length; i++) parts.push(converter.push(bytes.subarray(cuts[i - 1], cuts[i])).slice());
    expect(Array.from(concat(parts, (n) => new Int16Array(n)))).toEqual(Array.from(whole));
  });

  it("a single byte yields nothing until its other half arrives", () => {
    const converter = createInboundConverter(PCM16_24K);
    expect(converter.push(Uint8Array.of(0x34)).length).toBe(0);
    expect(Array.from(converter.push(Uint8Array.of(0x12, 0xff, 0x7f)))).toEqual([0x1234, 0x7fff]);
  });

  it("reset() drops a carried byte", () => {
    const converter = createInboundConverter(PCM16_24K);
    converter.push(Uint8Array.of(1, 2, 3));
    converter.reset();
    expect(Array.from(converter.push(Uint8Array.of(0x10, 0x00)))).toEqual([16]);
  });

  it("outbound bytes (decoded Voice Live deltas) follow the same rule", () => {
    const samples = testSignal(24000, 4800, 5);
    const bytes = pcm16Bytes(samples);
    const whole = createOutboundConverter(PCM16_16K).push(samples).slice();
    const converter = createOutboundConverter(PCM16_16K);
    const parts: Uint8Array[] = [];
    for (let at = 0; at < bytes.length; at += 333) parts.push(converter.pushPcm16Bytes(bytes.subarray(at, at + 333)).slice());
    expect(Buffer.from(concat(parts, (n) => new Uint8Array(n))).equals(Buffer.from(whole))).toBe(true);
  });

  it("an aligned even-length payload at an odd byteOffset is still read correctly", () => {
    const backing = new Uint8Array(11);
    backing.set([0x01, 0x00, 0xff, 0xff, 0x00, 0x80], 1);
    const converter = createInboundConverter(PCM16_24K);
    expect(Array.from(converter.push(backing.subarray(1, 7)))).toEqual([1, -1, -32768]);
  });
});

describe("empty payloads", () => {
  it.each([MULAW_8K, PCM16_16K, PCM16_24K])("return nothing and change nothing ($encoding/$sampleRateHz)", (format) => {
    const bytes = format.encoding === "mulaw" ? new Uint8Array(160).fill(0x2a) : pcm16Bytes(testSignal(format.sampleRateHz, 320));
    const withEmpties = createInboundConverter(format);
    const plain = createInboundConverter(format);
    expect(withEmpties.push(new Uint8Array(0)).length).toBe(0);
    const a = withEmpties.push(bytes).slice();
    expect(withEmpties.push(new Uint8Array(0)).length).toBe(0);
    expect(Array.from(a)).toEqual(Array.from(plain.push(bytes)));

    const out = createOutboundConverter(format);
    expect(out.push(new Int16Array(0)).length).toBe(0);
    expect(out.pushPcm16Bytes(new Uint8Array(0)).length).toBe(0);
  });
});

describe("absurdly large payloads", () => {
  it("inbound: rejected with audio_payload_too_large, and the converter carries on as if it never saw them", () => {
    const converter = createInboundConverter(MULAW_8K, { maxPushMs: 1000 });
    const reference = createInboundConverter(MULAW_8K, { maxPushMs: 1000 });
    const frame = new Uint8Array(160).map((_, i) => (i * 37) & 0xff);
    converter.push(frame);
    reference.push(frame);
    expect(codeOf(() => converter.push(new Uint8Array(8001)))).toBe("audio_payload_too_large");
    expect(converter.push(new Uint8Array(8000)).length).toBe(24000); // exactly the limit is fine
    reference.push(new Uint8Array(8000));
    expect(Array.from(converter.push(frame))).toEqual(Array.from(reference.push(frame)));
  });

  it("outbound: rejected with audio_payload_too_large (default limit 10 s of audio per push)", () => {
    const converter = createOutboundConverter(PCM16_16K);
    expect(codeOf(() => converter.push(new Int16Array(240_001)))).toBe("audio_payload_too_large");
    expect(codeOf(() => converter.pushPcm16Bytes(new Uint8Array(480_004)))).toBe("audio_payload_too_large");
    expect(converter.push(new Int16Array(240_000)).length).toBe(320_000);
  });
});

describe("construction errors", () => {
  it.each([
    { encoding: "mulaw", sampleRateHz: 16000 },
    { encoding: "pcm16", sampleRateHz: 44100 },
    { encoding: "alaw", sampleRateHz: 8000 },
  ])("leg format %o is rejected with audio_unsupported_format", (format) => {
    expect(codeOf(() => createInboundConverter(format as unknown as LegFormat))).toBe("audio_unsupported_format");
    expect(codeOf(() => createOutboundConverter(format as unknown as LegFormat))).toBe("audio_unsupported_format");
  });

  it("a resampler for an unsupported rate pair is rejected with audio_unsupported_format", () => {
    expect(codeOf(() => createResampler(8000, 16000))).toBe("audio_unsupported_format");
  });

  it.each([0, -160, 1.5, Number.NaN])("a frame packer of %d bytes is rejected with audio_invalid_frame_bytes", (n) => {
    expect(codeOf(() => createFramePacker(n))).toBe("audio_invalid_frame_bytes");
  });
});

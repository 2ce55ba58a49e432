import { describe, expect, it } from "vitest";
import {
  base64FromBytes,
  createBase64Decoder,
  createFramePacker,
  createOutboundConverter,
  legFrameBytes,
  legSilenceByte,
  type LegFormat,
} from "../src/audio/index.js";
import { prng, testSignal } from "./audio-signals.js";

function framesOf(frames: Buffer, frameBytes: number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < frames.length; at += frameBytes) out.push(Buffer.from(frames.subarray(at, at + frameBytes)));
  return out;
}

describe("frame sizes", () => {
  it.each([
    [{ encoding: "mulaw", sampleRateHz: 8000 }, 160],
    [{ encoding: "pcm16", sampleRateHz: 8000 }, 320],
    [{ encoding: "pcm16", sampleRateHz: 16000 }, 640],
    [{ encoding: "pcm16", sampleRateHz: 24000 }, 960],
  ] as [LegFormat, number][])("20 ms of %o is %i bytes", (format, bytes) => {
    expect(legFrameBytes(format)).toBe(bytes);
  });
});

describe("frame packer", () => {
  it("cuts a byte stream of arbitrary pushes into exact frames in order, keeping the remainder", () => {
    const frameBytes = 160;
    const packer = createFramePacker(frameBytes);
    const rand = prng(5);
    const stream = Buffer.alloc(20_000);
    for (let i = 0; i < stream.length; i++) stream[i] = (rand() * 256) | 0;
    const received: Buffer[] = [];
    let at = 0;
    while (at < stream.length) {
      const n = Math.min(stream.length - at, Math.floor(rand() * 700));
      const frames = packer.push(stream.subarray(at, at + n));
      expect(frames.length % frameBytes).toBe(0);
      received.push(...framesOf(frames, frameBytes));
      at += n;
      expect(packer.pendingBytes).toBe(at % frameBytes);
    }
    expect(received.length).toBe(Math.floor(stream.length / frameBytes));
    expect(Buffer.concat(received).equals(stream.subarray(0, received.length * frameBytes))).toBe(true);
  });

  it("frames can go straight to base64 from the returned buffer, no copy per frame", () => {
    const packer = createFramePacker(4);
    const frames = packer.push(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9));
    expect([frames.toString("base64", 0, 4), frames.toString("base64", 4, 8)]).toEqual([
      Buffer.from([1, 2, 3, 4]).toString("base64"),
      Buffer.from([5, 6, 7, 8]).toString("base64"),
    ]);
    expect(packer.pendingBytes).toBe(1);
  });

  it("flush() pads the remainder with the leg's silence to one frame; reset() drops it", () => {
    const format: LegFormat = { encoding: "mulaw", sampleRateHz: 8000 };
    const packer = createFramePacker(legFrameBytes(format));
    packer.push(new Uint8Array(200).fill(7));
    const last = packer.flush(legSilenceByte(format));
    expect(last.length).toBe(160);
    expect(Array.from(last.subarray(0, 40))).toEqual(new Array(40).fill(7));
    expect(Array.from(last.subarray(40))).toEqual(new Array(120).fill(0xff));
    expect(packer.pendingBytes).toBe(0);
    expect(packer.flush(0xff).length).toBe(0);

    packer.push(new Uint8Array(100).fill(1));
    packer.reset();
    expect(packer.pendingBytes).toBe(0);
    expect(Array.from(packer.push(new Uint8Array(160).fill(2)))).toEqual(new Array(160).fill(2));
  });

  it("grows for a push far larger than its initial storage", () => {
    const packer = createFramePacker(960);
    packer.push(new Uint8Array(500).fill(1));
    const frames = packer.push(new Uint8Array(96_000).fill(2));
    expect(frames.length).toBe(96_000);
    expect(frames[0]).toBe(1);
    expect(frames[499]).toBe(1);
    expect(frames[500]).toBe(2);
    expect(packer.pendingBytes).toBe(500);
  });

  it("with the outbound converter: Voice Live deltas of any size become exact 20 ms leg frames", () => {
    const format: LegFormat = { encoding: "pcm16", sampleRateHz: 16000 };
    const outbound = createOutboundConverter(format);
    const packer = createFramePacker(legFrameBytes(format));
    const speech = testSignal(24000, 24000, 2); // 1 s
    let frames = 0;
    const rand = prng(9);
    for (let at = 0; at < speech.length; ) {
      const n = Math.min(speech.length - at, 1 + Math.floor(rand() * 5000));
      frames += packer.push(outbound.push(speech.subarray(at, at + n))).length / 640;
      at += n;
    }
    expect(frames).toBe(50);
    expect(packer.pendingBytes).toBe(0);
  });
});

describe("base64 helpers", () => {
  it("encode typed-array views without copying and decode into a reused, growing buffer", () => {
    const samples = Int16Array.of(1, -2, 32767, -32768);
    const text = base64FromBytes(samples.subarray(1, 3));
    expect(Buffer.from(text, "base64").equals(Buffer.from(samples.buffer, 2, 4))).toBe(true);

    const decoder = createBase64Decoder(4);
    const small = decoder.decode(Buffer.from([9, 8, 7]).toString("base64"));
    expect(Array.from(small)).toEqual([9, 8, 7]);
    const big = Buffer.alloc(5000, 3);
    const decoded = decoder.decode(big.toString("base64"));
    expect(decoded.equals(big)).toBe(true);
  });
});

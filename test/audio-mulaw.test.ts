import alawmulaw from "alawmulaw";
import { describe, expect, it } from "vitest";
import {
  MULAW_DECODE_TABLE,
  MULAW_ENCODE_TABLE,
  decodeMulawInto,
  encodeMulawInto,
  legSilenceByte,
} from "../src/audio/index.js";

describe("μ-law tables built from alawmulaw", () => {
  it("decode all 256 codes exactly as alawmulaw does", () => {
    const codes = Uint8Array.from({ length: 256 }, (_, i) => i);
    const expected = alawmulaw.mulaw.decode(codes);
    const actual = new Int16Array(256);
    decodeMulawInto(codes, actual);
    expect(Array.from(actual)).toEqual(Array.from(expected));
    expect(MULAW_DECODE_TABLE.length).toBe(256);
  });

  it("encode all 65,536 int16 values exactly as alawmulaw does", () => {
    const samples = Int16Array.from({ length: 65536 }, (_, i) => i - 32768);
    const expected = alawmulaw.mulaw.encode(samples);
    const actual = new Uint8Array(65536);
    encodeMulawInto(samples, actual);
    let mismatches = 0;
    for (let i = 0; i < 65536; i++) if (actual[i] !== expected[i]) mismatches++;
    expect(mismatches).toBe(0);
    expect(MULAW_ENCODE_TABLE.length).toBe(65536);
  });

  it("silence on a μ-law leg is the code that encodes 0", () => {
    expect(legSilenceByte({ encoding: "mulaw", sampleRateHz: 8000 })).toBe(alawmulaw.mulaw.encode(Int16Array.of(0))[0]);
    expect(alawmulaw.mulaw.decodeSample(legSilenceByte({ encoding: "mulaw", sampleRateHz: 8000 }))).toBe(0);
  });
});

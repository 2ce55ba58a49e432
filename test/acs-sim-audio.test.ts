import { describe, expect, it } from "vitest";
import { MULAW_DECODE_TABLE } from "../src/audio/mulaw.js";
import { encodeCallerAudio, encodeG711CallerAudio } from "../src/acs-sim/caller-audio.js";
import { decodeG711Mulaw, encodeG711Mulaw } from "../src/acs-sim/media-server-audio.js";
import { legSpec } from "../src/acs-sim/leg.js";
import { decodeWav, encodeWav, wavHeader } from "../src/audio/wav.js";
import { sine, tonePower } from "./acs-sim-fake-peers.js";

const pcmSamples = (bytes: Uint8Array) => {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Int16Array.from({ length: bytes.length / 2 }, (_, i) => view.getInt16(i * 2, true));
};

describe("caller audio → leg bytes", () => {
  it.each([
    [24000, "pcm16k", 16000],
    [16000, "pcm24k", 24000],
    [8000, "pcm24k", 24000],
    [24000, "mulaw8k", 8000],
    [16000, "mulaw8k", 8000],
  ] as const)("%d Hz input on the %s leg keeps the tone, its length and its timing", (inputRateHz, leg, legRateHz) => {
    // 100 ms of silence, then 300 ms of 1 kHz: the onset must stay at 100 ms (filter delay trimmed).
    const input = new Int16Array(Math.round(0.4 * inputRateHz));
    input.set(sine(1000, 300, inputRateHz), Math.round(0.1 * inputRateHz));
    const bytes = encodeCallerAudio(input, inputRateHz, legSpec(leg));
    const samples = leg === "mulaw8k" ? Int16Array.from(bytes, (code) => MULAW_DECODE_TABLE[code]!) : pcmSamples(bytes);
    expect(samples.length).toBe(Math.round(0.4 * legRateHz));
    const tone = samples.subarray(Math.round(0.15 * legRateHz), Math.round(0.35 * legRateHz));
    expect(tonePower(tone, 1000, legRateHz)).toBeGreaterThan(1000 * tonePower(tone, 1700, legRateHz));
    const onset = samples.findIndex((sample) => Math.abs(sample) > 2000);
    expect(Math.abs(onset / legRateHz - 0.1)).toBeLessThan(0.002);
  });

  it("passes same-rate PCM through bit-exact, little-endian", () => {
    const input = Int16Array.from([1, -2, 300, -32768, 32767]);
    expect(Array.from(encodeCallerAudio(input, 16000, legSpec("pcm16k")))).toEqual([1, 0, 0xfe, 0xff, 0x2c, 0x01, 0x00, 0x80, 0xff, 0x7f]);
  });

  it("refuses sample rates the audio layer cannot convert", () => {
    expect(() => encodeCallerAudio(new Int16Array(10), 44100, legSpec("pcm24k"))).toThrow(expect.objectContaining({ code: "acs_sim_bad_input" }));
  });
});

describe("ACS's media server model: a G.711 caller on ACS's PCM legs", () => {
  it("decodes μ-law by the G.711 formula", () => {
    // ITU-T G.711 reference points: the extremes and both zeros.
    expect(Array.from(decodeG711Mulaw(Uint8Array.from([0x00, 0x80, 0xff, 0x7f, 0x0f, 0x8f])))).toEqual([-32124, 32124, 0, 0, -16764, 16764]);
    const samples = Int16Array.from([0, 100, -100, 1000, -1000, 30000, -30000]);
    const roundTrip = decodeG711Mulaw(encodeG711Mulaw(samples));
    samples.forEach((sample, i) => expect(Math.abs(roundTrip[i]! - sample)).toBeLessThanOrEqual(Math.max(8, Math.abs(sample) / 16)));
  });

  it.each([
    ["pcm16k", 16000],
    ["pcm24k", 24000],
  ] as const)("streams a recording on the %s leg with its tone, length and timing, and unchanged on a μ-law leg", (leg, legRateHz) => {
    const pcm8k = new Int16Array(3200);
    pcm8k.set(sine(1000, 300, 8000), 800);
    const codes = encodeG711Mulaw(pcm8k);
    expect(Array.from(encodeG711CallerAudio(codes, legSpec("mulaw8k")))).toEqual(Array.from(codes));
    const samples = pcmSamples(encodeG711CallerAudio(codes, legSpec(leg)));
    expect(samples.length).toBe(Math.round(0.4 * legRateHz));
    const tone = samples.subarray(Math.round(0.15 * legRateHz), Math.round(0.35 * legRateHz));
    expect(tonePower(tone, 1000, legRateHz)).toBeGreaterThan(1000 * tonePower(tone, 1700, legRateHz));
    const onset = samples.findIndex((sample) => Math.abs(sample) > 2000);
    expect(Math.abs(onset / legRateHz - 0.1)).toBeLessThan(0.002);
  });
});

describe("WAV files for utterances and what the caller heard", () => {
  it("round-trips mono PCM16", () => {
    const samples = sine(440, 50, 16000);
    const decoded = decodeWav(encodeWav(samples, 16000));
    expect(decoded).toMatchObject({ sampleRateHz: 16000, encoding: "pcm16" });
    expect(decoded.samples).toEqual(samples);
  });

  it("reads G.711 μ-law recordings, keeping the codes for unchanged replay", () => {
    const header = wavHeader("mulaw", 8000, 4);
    const decoded = decodeWav(Buffer.concat([header, Buffer.from([0xff, 0x7f, 0x00, 0x80])]));
    expect(decoded).toMatchObject({ sampleRateHz: 8000, encoding: "mulaw" });
    expect(Array.from(decoded.data)).toEqual([0xff, 0x7f, 0x00, 0x80]);
    expect(Array.from(decoded.samples)).toEqual([0xff, 0x7f, 0x00, 0x80].map((code) => MULAW_DECODE_TABLE[code]));
  });

  it("refuses what it cannot read with a clear error", () => {
    expect(() => decodeWav(Buffer.from("not a wav file"))).toThrow(expect.objectContaining({ code: "audio_wav_invalid" }));
    const stereo = encodeWav(new Int16Array(4), 8000);
    stereo.writeUInt16LE(2, 22);
    expect(() => decodeWav(stereo)).toThrow(/2 channels/);
  });
});

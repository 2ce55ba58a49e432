/**
 * Encodes the emulator's PCM16 24 kHz speech into the session's
 * `output_audio_format`, one encoder per assistant item (resampler state must
 * not leak between items). Resampling and μ-law come from the audio layer
 * (src/audio); A-law is μ-law's sibling from alawmulaw on the 8 kHz PCM.
 * Returns base64 for `response.audio.delta`.
 */
import alawmulaw from "alawmulaw";
import { createOutboundConverter, type OutboundConverter } from "../audio/index.js";
import type { OutputAudioFormat } from "./session-config.js";

export interface OutputEncoder {
  readonly format: OutputAudioFormat;
  /** Bytes per second of encoded output. */
  readonly bytesPerSecond: number;
  /** Encodes a chunk of 24 kHz samples (any length) to base64 in the output format. */
  encode(samples24k: Int16Array): string;
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

function converted(format: OutputAudioFormat, bytesPerSecond: number, converter: OutboundConverter): OutputEncoder {
  // The converter's result is a view it overwrites on the next push: encode at once.
  return { format, bytesPerSecond, encode: (samples) => base64(converter.push(samples)) };
}

function alawEncoder(): OutputEncoder {
  const pcm8k = createOutboundConverter({ encoding: "pcm16", sampleRateHz: 8000 });
  let out = new Uint8Array(0);
  return {
    format: "g711_alaw",
    bytesPerSecond: 8000,
    encode(samples) {
      const bytes = pcm8k.push(samples);
      const pcm = new Int16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2);
      if (out.length < pcm.length) out = new Uint8Array(Math.max(pcm.length, out.length * 2));
      for (let i = 0; i < pcm.length; i++) out[i] = alawmulaw.alaw.encodeSample(pcm[i]);
      return base64(out.subarray(0, pcm.length));
    },
  };
}

export function createOutputEncoder(format: OutputAudioFormat): OutputEncoder {
  switch (format) {
    case "pcm16":
      // Int16Array memory is little-endian on every platform Node supports (x64, arm64).
      return { format, bytesPerSecond: 48000, encode: (samples) => base64(new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength)) };
    case "pcm16_16000hz":
      return converted(format, 32000, createOutboundConverter({ encoding: "pcm16", sampleRateHz: 16000 }));
    case "pcm16_8000hz":
      return converted(format, 16000, createOutboundConverter({ encoding: "pcm16", sampleRateHz: 8000 }));
    case "g711_ulaw":
      return converted(format, 8000, createOutboundConverter({ encoding: "mulaw", sampleRateHz: 8000 }));
    case "g711_alaw":
      return alawEncoder();
  }
}

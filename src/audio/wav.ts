/**
 * Minimal RIFF/WAVE for caller utterances and what the caller heard: mono
 * PCM16 (format 1) and G.711 μ-law (format 7), as phone recordings come.
 */
import { decodeMulawInto } from "../audio/mulaw.js";
import { AcsSimError } from "./errors.js";

export interface DecodedWav {
  readonly sampleRateHz: number;
  readonly encoding: "pcm16" | "mulaw";
  /** The samples, decoded to PCM16 for μ-law files. */
  readonly samples: Int16Array;
  /** The data chunk as stored (μ-law codes or PCM16LE bytes), for replaying unchanged. */
  readonly data: Uint8Array;
}

/** Mono PCM16 samples → a 44-byte-header WAV file. */
export function encodeWav(samples: Int16Array, sampleRateHz: number): Buffer {
  const dataBytes = samples.length * 2;
  const out = Buffer.alloc(44 + dataBytes);
  out.write("RIFF", 0, "ascii");
  out.writeUInt32LE(36 + dataBytes, 4);
  out.write("WAVE", 8, "ascii");
  out.write("fmt ", 12, "ascii");
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(1, 20); // PCM
  out.writeUInt16LE(1, 22); // mono
  out.writeUInt32LE(sampleRateHz, 24);
  out.writeUInt32LE(sampleRateHz * 2, 28);
  out.writeUInt16LE(2, 32);
  out.writeUInt16LE(16, 34);
  out.write("data", 36, "ascii");
  out.writeUInt32LE(dataBytes, 40);
  for (let i = 0; i < samples.length; i++) out.writeInt16LE(samples[i]!, 44 + i * 2);
  return out;
}

export function decodeWav(file: Uint8Array): DecodedWav {
  const buffer = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  const bad = (message: string) => new AcsSimError("acs_sim_bad_input", `not a usable WAV file: ${message}`);
  if (buffer.length < 12 || buffer.toString("ascii", 0, 4) !== "RIFF" || buffer.toString("ascii", 8, 12) !== "WAVE") {
    throw bad("no RIFF/WAVE header");
  }
  let format: { code: number; channels: number; sampleRateHz: number; bitsPerSample: number } | undefined;
  let offset = 12;
  while (offset + 8 <= buffer.length) {
    const id = buffer.toString("ascii", offset, offset + 4);
    const size = buffer.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === "fmt ") {
      if (size < 16 || body + 16 > buffer.length) throw bad("fmt chunk too short");
      format = {
        code: buffer.readUInt16LE(body),
        channels: buffer.readUInt16LE(body + 2),
        sampleRateHz: buffer.readUInt32LE(body + 4),
        bitsPerSample: buffer.readUInt16LE(body + 14),
      };
    } else if (id === "data") {
      if (!format) throw bad("data chunk before fmt chunk");
      if (format.channels !== 1) throw bad(`${format.channels} channels (mono only)`);
      const data = new Uint8Array(buffer.subarray(body, Math.min(body + size, buffer.length)));
      if (format.code === 1 && format.bitsPerSample === 16) {
        const samples = new Int16Array(data.length >> 1);
        for (let i = 0; i < samples.length; i++) samples[i] = buffer.readInt16LE(body + i * 2);
        return { sampleRateHz: format.sampleRateHz, encoding: "pcm16", samples, data };
      }
      if (format.code === 7 && format.bitsPerSample === 8) {
        const samples = new Int16Array(data.length);
        decodeMulawInto(data, samples);
        return { sampleRateHz: format.sampleRateHz, encoding: "mulaw", samples, data };
      }
      throw bad(`format ${format.code} with ${format.bitsPerSample}-bit samples (PCM16 or μ-law only)`);
    }
    offset = body + size + (size & 1);
  }
  throw bad("no data chunk");
}

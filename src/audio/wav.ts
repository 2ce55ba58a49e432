/**
 * Minimal RIFF/WAVE for caller utterances and what the caller heard: mono
 * PCM16 (format 1) and G.711 μ-law (format 7), as phone recordings come.
 */
import { AudioError } from "./errors.js";
import { decodeMulawInto } from "./mulaw.js";

export interface DecodedWav {
  readonly sampleRateHz: number;
  readonly encoding: "pcm16" | "mulaw";
  /** The samples, decoded to PCM16 for μ-law files. */
  readonly samples: Int16Array;
  /** The data chunk as stored (μ-law codes or PCM16LE bytes), for replaying unchanged. */
  readonly data: Uint8Array;
}

/** The 44-byte header of a mono WAV file of `dataBytes` bytes: PCM16 (format 1) or μ-law (format 7). */
export function wavHeader(encoding: "pcm16" | "mulaw", sampleRateHz: number, dataBytes: number): Buffer {
  const bytesPerSample = encoding === "pcm16" ? 2 : 1;
  const out = Buffer.alloc(44);
  out.write("RIFF", 0, "ascii");
  out.writeUInt32LE(36 + dataBytes, 4);
  out.write("WAVE", 8, "ascii");
  out.write("fmt ", 12, "ascii");
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(encoding === "pcm16" ? 1 : 7, 20);
  out.writeUInt16LE(1, 22); // mono
  out.writeUInt32LE(sampleRateHz, 24);
  out.writeUInt32LE(sampleRateHz * bytesPerSample, 28);
  out.writeUInt16LE(bytesPerSample, 32);
  out.writeUInt16LE(bytesPerSample * 8, 34);
  out.write("data", 36, "ascii");
  out.writeUInt32LE(dataBytes, 40);
  return out;
}

/** Mono PCM16 samples → a WAV file. */
export function encodeWav(samples: Int16Array, sampleRateHz: number): Buffer {
  const out = Buffer.alloc(44 + samples.length * 2);
  wavHeader("pcm16", sampleRateHz, samples.length * 2).copy(out, 0);
  for (let i = 0; i < samples.length; i++) out.writeInt16LE(samples[i]!, 44 + i * 2);
  return out;
}

/** G.711 μ-law bytes → a WAV file (what a recorded phone call is). */
export function encodeMulawWav(codes: Uint8Array, sampleRateHz = 8000): Buffer {
  return Buffer.concat([wavHeader("mulaw", sampleRateHz, codes.length), codes]);
}

/** `mixToMono`: a stereo (or more) PCM16 file is averaged to one channel instead of refused. */
export function decodeWav(file: Uint8Array, options: { mixToMono?: boolean } = {}): DecodedWav {
  const buffer = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  const bad = (message: string) => new AudioError("audio_wav_invalid", `not a usable WAV file: ${message}`);
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
      const data = new Uint8Array(buffer.subarray(body, Math.min(body + size, buffer.length)));
      if (format.channels > 1 && options.mixToMono && format.code === 1 && format.bitsPerSample === 16) {
        const channels = format.channels;
        const samples = new Int16Array(Math.floor(data.length / (2 * channels)));
        for (let i = 0; i < samples.length; i++) {
          let sum = 0;
          for (let c = 0; c < channels; c++) sum += buffer.readInt16LE(body + (i * channels + c) * 2);
          samples[i] = Math.round(sum / channels);
        }
        return { sampleRateHz: format.sampleRateHz, encoding: "pcm16", samples, data };
      }
      if (format.channels !== 1) throw bad(`${format.channels} channels (mono only)`);
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

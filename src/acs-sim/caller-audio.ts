/**
 * Turns a caller utterance (PCM16 at some rate) into leg bytes, through the
 * project's audio layer: up to 24 kHz with an inbound converter when needed,
 * then down to the leg with an outbound converter. Whole utterances are
 * converted when queued (not on the 20 ms path); each gets fresh converters,
 * the filter tail is flushed and the filter delay trimmed, so the leg bytes
 * line up with the input sample for sample.
 */
import { createInboundConverter, createOutboundConverter, encodeMulawInto, VOICE_LIVE_SAMPLE_RATE_HZ } from "../audio/index.js";
import { AcsSimError } from "./errors.js";
import type { LegSpec } from "./leg.js";

const CHUNK_SAMPLES = 4800; // 200 ms at 24 kHz: well under the converters' maxPushMs
const INPUT_RATES_HZ = new Set([8000, 16000, 24000]);

export function encodeCallerAudio(samples: Int16Array, sampleRateHz: number, leg: LegSpec): Uint8Array {
  if (!INPUT_RATES_HZ.has(sampleRateHz)) {
    throw new AcsSimError("acs_sim_bad_input", `caller audio must be PCM16 at 8000, 16000 or 24000 Hz, got ${sampleRateHz} Hz`);
  }
  const { format } = leg;
  if (sampleRateHz === format.sampleRateHz) {
    if (format.encoding === "pcm16") return pcm16leBytes(samples);
    const codes = new Uint8Array(samples.length);
    encodeMulawInto(samples, codes);
    return codes;
  }
  const samples24k = sampleRateHz === VOICE_LIVE_SAMPLE_RATE_HZ ? samples : upsampleTo24k(samples, sampleRateHz);
  return downsampleToLeg(samples24k, leg);
}

function upsampleTo24k(samples: Int16Array, sampleRateHz: number): Int16Array {
  const converter = createInboundConverter({ encoding: "pcm16", sampleRateHz: sampleRateHz as 8000 | 16000 });
  const inputBytes = pcm16leBytes(samples);
  const chunkBytes = ((CHUNK_SAMPLES * sampleRateHz) / VOICE_LIVE_SAMPLE_RATE_HZ) * 2;
  const tailBytes = pcm16leBytes(new Int16Array(Math.ceil((converter.delayMs * sampleRateHz) / 1000) + 2));
  const parts: Int16Array[] = [];
  for (let offset = 0; offset < inputBytes.length; offset += chunkBytes) {
    parts.push(converter.push(inputBytes.subarray(offset, offset + chunkBytes)).slice());
  }
  parts.push(converter.push(tailBytes).slice());
  const expected = Math.round((samples.length * VOICE_LIVE_SAMPLE_RATE_HZ) / sampleRateHz);
  return trim(concatSamples(parts), Math.round((converter.delayMs * VOICE_LIVE_SAMPLE_RATE_HZ) / 1000), expected);
}

function downsampleToLeg(samples24k: Int16Array, leg: LegSpec): Uint8Array {
  const { format } = leg;
  const converter = createOutboundConverter(format);
  const bytesPerSample = format.encoding === "mulaw" ? 1 : 2;
  const parts: Uint8Array[] = [];
  for (let offset = 0; offset < samples24k.length; offset += CHUNK_SAMPLES) {
    parts.push(converter.push(samples24k.subarray(offset, offset + CHUNK_SAMPLES)).slice());
  }
  parts.push(converter.push(new Int16Array(Math.ceil((converter.delayMs * VOICE_LIVE_SAMPLE_RATE_HZ) / 1000) + 3)).slice());
  const all = Buffer.concat(parts);
  const delayBytes = Math.round((converter.delayMs * format.sampleRateHz) / 1000) * bytesPerSample;
  const expectedBytes = Math.round((samples24k.length * format.sampleRateHz) / VOICE_LIVE_SAMPLE_RATE_HZ) * bytesPerSample;
  const out = new Uint8Array(expectedBytes);
  out.set(all.subarray(delayBytes, delayBytes + expectedBytes));
  return out;
}

/** Little-endian bytes of PCM16 samples (a copy, independent of host byte order). */
export function pcm16leBytes(samples: Int16Array): Uint8Array {
  const bytes = new Uint8Array(samples.length * 2);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < samples.length; i++) view.setInt16(i * 2, samples[i]!, true);
  return bytes;
}

function concatSamples(parts: readonly Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function trim(samples: Int16Array, skip: number, length: number): Int16Array {
  const out = new Int16Array(length);
  out.set(samples.subarray(skip, skip + length));
  return out;
}

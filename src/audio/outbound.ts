import { AudioError } from "./errors.js";
import { assertSupportedLegFormat, describeLegFormat } from "./formats.js";
import { DEFAULT_MAX_PUSH_MS, resamplerFor, voiceLiveRateOf, type ConverterOptions } from "./converter-options.js";
import { encodeMulawInto } from "./mulaw.js";
import { createPcm16Reader } from "./pcm16-reader.js";
import type { LegFormat, OutboundConverter } from "./types.js";

const EMPTY_BYTES = new Uint8Array(0);

/** OutboundConverter plus a bytes entry point for base64-decoded Voice Live deltas. */
export interface OutboundConverterWithBytes extends OutboundConverter {
  /**
   * Same as push() for PCM16LE bytes at Voice Live's rate (e.g. a decoded
   * `response.audio.delta`), carrying an odd last byte into the next call.
   */
  pushPcm16Bytes(pcm16le: Uint8Array): Uint8Array;
}

/**
 * Voice Live PCM16 (24 kHz, or `voiceLiveRateHz`) → phone leg bytes, one per call.
 *
 * Any number of samples per push (deltas are not frame-aligned): samples that
 * do not yet complete an output sample are kept in the filter's phase, so
 * 480 samples always give 160 μ-law bytes (320 B pcm16/8k, 640 B pcm16/16k).
 * An empty push returns no bytes; a push longer than `maxPushMs` throws
 * audio_payload_too_large and leaves state untouched. reset() is for barge-in:
 * filter history, phase and any carried byte are dropped. The 24 kHz leg passes
 * through untouched, as does a 16 kHz leg from 16 kHz (the result may then be
 * a view of the input itself).
 * Pair with a frame packer to cut the bytes into 20 ms frames.
 */
export function createOutboundConverter(format: LegFormat, options: ConverterOptions = {}): OutboundConverterWithBytes {
  assertSupportedLegFormat(format);
  const voiceLiveRateHz = voiceLiveRateOf(options);
  const maxSamples = (voiceLiveRateHz * (options.maxPushMs ?? DEFAULT_MAX_PUSH_MS)) / 1000;
  const resampler = resamplerFor(voiceLiveRateHz, format.sampleRateHz, options);
  const pcm16 = createPcm16Reader();
  let encoded = new Uint8Array(0); // μ-law only; grows to the largest push

  function push(samples: Int16Array): Uint8Array {
    if (samples.length === 0) return EMPTY_BYTES;
    if (samples.length > maxSamples) {
      throw new AudioError(
        "audio_payload_too_large",
        `outbound push of ${samples.length} samples exceeds ${maxSamples} (${describeLegFormat(format)})`,
      );
    }
    const legSamples = resampler.process(samples);
    if (format.encoding === "pcm16") {
      return new Uint8Array(legSamples.buffer, legSamples.byteOffset, legSamples.byteLength);
    }
    if (encoded.length < legSamples.length) encoded = new Uint8Array(Math.max(legSamples.length, 2 * encoded.length));
    const bytes = legSamples.length === encoded.length ? encoded : encoded.subarray(0, legSamples.length);
    encodeMulawInto(legSamples, bytes);
    return bytes;
  }

  return {
    format,
    delayMs: resampler.delayMs,
    push,
    pushPcm16Bytes(pcm16le: Uint8Array): Uint8Array {
      if (pcm16le.length > maxSamples * 2) {
        throw new AudioError(
          "audio_payload_too_large",
          `outbound push of ${pcm16le.length} bytes exceeds ${maxSamples * 2} (${describeLegFormat(format)})`,
        );
      }
      return push(pcm16.read(pcm16le));
    },
    reset() {
      pcm16.reset();
      resampler.reset();
    },
  };
}

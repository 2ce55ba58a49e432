import { AudioError } from "./errors.js";
import { DEFAULT_MAX_PUSH_MS, resamplerFor, voiceLiveRateOf, type ConverterOptions } from "./converter-options.js";
import { assertSupportedLegFormat, describeLegFormat, legBytesForMs } from "./formats.js";
import { decodeMulawInto } from "./mulaw.js";
import { createPcm16Reader } from "./pcm16-reader.js";
import type { InboundConverter, LegFormat } from "./types.js";

const EMPTY_SAMPLES = new Int16Array(0);

/**
 * Phone leg bytes → PCM16 for Voice Live (24 kHz, or `voiceLiveRateHz`), one per call.
 *
 * Input rules: an empty payload returns no samples and changes nothing; a
 * PCM16 payload with an odd byte count has its last byte carried into the
 * next push (never dropped or padded, so later samples keep their alignment);
 * a payload longer than `maxPushMs` throws audio_payload_too_large. 160 μ-law
 * bytes (20 ms) always give 480 samples; so do 320 B of pcm16/8k and 640 B of
 * pcm16/16k (at 24 kHz). A PCM16 leg at Voice Live's rate passes through
 * untouched (the result may then be a view of the payload itself).
 */
export function createInboundConverter(format: LegFormat, options: ConverterOptions = {}): InboundConverter {
  assertSupportedLegFormat(format);
  const maxPayloadBytes = legBytesForMs(format, options.maxPushMs ?? DEFAULT_MAX_PUSH_MS);
  const resampler = resamplerFor(format.sampleRateHz, voiceLiveRateOf(options), options);
  const pcm16 = createPcm16Reader();
  let decoded = new Int16Array(0); // μ-law only; grows to the largest push

  function toLegSamples(payload: Uint8Array): Int16Array {
    if (format.encoding === "pcm16") return pcm16.read(payload);
    if (decoded.length < payload.length) decoded = new Int16Array(Math.max(payload.length, 2 * decoded.length));
    const samples = payload.length === decoded.length ? decoded : decoded.subarray(0, payload.length);
    decodeMulawInto(payload, samples);
    return samples;
  }

  return {
    format,
    delayMs: resampler.delayMs,
    push(payload: Uint8Array): Int16Array {
      if (payload.length === 0) return EMPTY_SAMPLES;
      if (payload.length > maxPayloadBytes) {
        throw new AudioError(
          "audio_payload_too_large",
          `inbound ${describeLegFormat(format)} payload of ${payload.length} bytes exceeds ${maxPayloadBytes}`,
        );
      }
      const samples = toLegSamples(payload);
      return samples.length === 0 ? EMPTY_SAMPLES : resampler.process(samples);
    },
    reset() {
      pcm16.reset();
      resampler.reset();
    },
  };
}

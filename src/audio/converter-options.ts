import type { FirKernelKind } from "./fir-kernel.js";
import { createResampler, type Resampler } from "./resampler.js";
import { VOICE_LIVE_SAMPLE_RATE_HZ, type VoiceLiveRateHz } from "./types.js";

/** Builds a streaming resampler for a rate pair (the default is the polyphase FIR). */
export type ResamplerFactory = (inputRateHz: number, outputRateHz: number) => Resampler;

export interface ConverterOptions {
  /**
   * Voice Live's side of the converter (default 24,000). 16,000 on a 16 kHz
   * leg makes both directions a pass-through: no resampler, no delay.
   */
  readonly voiceLiveRateHz?: VoiceLiveRateHz;
  /**
   * Largest single push accepted, as audio duration (default 10,000 ms). A
   * bigger push throws audio_payload_too_large and leaves the converter's state
   * untouched. Internal buffers grow to the largest push seen, so this also
   * caps per-call memory.
   */
  readonly maxPushMs?: number;
  /** Resampler kernel: "auto" (default: WASM SIMD when available, else JS), "wasm" or "js". */
  readonly kernel?: FirKernelKind | "auto";
  /**
   * Replaces the polyphase FIR for differing rates (the benchmark plugs speexdsp
   * in here to compare like for like). Equal rates always pass through.
   */
  readonly resamplerFactory?: ResamplerFactory;
}

export function resamplerFor(inputRateHz: number, outputRateHz: number, options: ConverterOptions): Resampler {
  if (options.resamplerFactory !== undefined && inputRateHz !== outputRateHz) {
    return options.resamplerFactory(inputRateHz, outputRateHz);
  }
  return createResampler(inputRateHz, outputRateHz, { kernel: options.kernel ?? "auto" });
}

export const DEFAULT_MAX_PUSH_MS = 10_000;

export function voiceLiveRateOf(options: ConverterOptions): VoiceLiveRateHz {
  return options.voiceLiveRateHz ?? VOICE_LIVE_SAMPLE_RATE_HZ;
}

/**
 * The audio layer's contract. No sockets, no Voice Live: bytes and samples only.
 *
 * The phone leg is whatever the media socket carries (ACS PCM16 16/24 kHz, or
 * G.711 μ-law 8 kHz from gateways and recorded calls); Voice Live gets and
 * gives PCM16 mono at 24 kHz, or at 16 kHz when the leg is 16 kHz (no resampling).
 */

export type LegEncoding = "mulaw" | "pcm16";
export type LegSampleRateHz = 8000 | 16000 | 24000;

export interface LegFormat {
  readonly encoding: LegEncoding;
  readonly sampleRateHz: LegSampleRateHz;
}

/** Voice Live's side of a call by default. */
export const VOICE_LIVE_SAMPLE_RATE_HZ = 24000;

/** The PCM16 rates Voice Live takes and gives (`input_audio_sampling_rate`, `pcm16` / `pcm16_16000hz`). */
export type VoiceLiveRateHz = 16000 | 24000;

/** Phone audio moves in 20 ms frames (50 per second). */
export const FRAME_MS = 20;

/** Leg payload bytes → PCM16 samples at Voice Live's rate, one per call, keeps filter state between pushes. */
export interface InboundConverter {
  readonly format: LegFormat;
  /** Algorithmic delay this direction adds, in milliseconds. */
  readonly delayMs: number;
  /**
   * Converts one payload (any length a frame carries). The returned array is a
   * view over an internal buffer that the next push overwrites: copy it (or
   * encode it) before pushing again. On a leg at Voice Live's rate it may be a view of
   * `payload` itself (no resampling, no copy). Rules for odd, empty and
   * oversized payloads: see createInboundConverter.
   */
  push(payload: Uint8Array): Int16Array;
  /** Drops filter state and any carried byte. */
  reset(): void;
}

/** PCM16 samples at Voice Live's rate → leg payload bytes, one per call, keeps state and remainders between pushes. */
export interface OutboundConverter {
  readonly format: LegFormat;
  readonly delayMs: number;
  /**
   * Converts samples of any length (Voice Live deltas are not frame-aligned).
   * Returns leg bytes as a view over an internal buffer that the next push
   * overwrites (on a leg at Voice Live's rate, a view of `samples` itself).
   */
  push(samples: Int16Array): Uint8Array;
  /** Barge-in: drop filter state and pending samples so the next response starts clean. */
  reset(): void;
}

import { AppError } from "../errors.js";

/** Stable codes for everything the audio layer rejects; tests and callers match on `code`. */
export type AudioErrorCode =
  /** A leg format outside the supported set ({mulaw,8000}, {pcm16,8000|16000|24000}) or an unsupported rate pair. */
  | "audio_unsupported_format"
  /** One push carried more audio than the converter's `maxPushMs` allows; converter state is unchanged. */
  | "audio_payload_too_large"
  /** A frame packer was asked for a frame size that is not a positive integer. */
  | "audio_invalid_frame_bytes"
  /** The WASM kernel was requested explicitly but this runtime cannot run WebAssembly SIMD. */
  | "audio_wasm_unavailable"
  /** A WAV file that is not mono PCM16 or μ-law. */
  | "audio_wav_invalid"
  /** A payload that is not standard padded base64 (a strict decoder only). */
  | "audio_base64_invalid";

/** Bad audio input or configuration. Never retryable: the same input gives the same answer. */
export class AudioError extends AppError {
  declare readonly code: AudioErrorCode;

  constructor(code: AudioErrorCode, message: string) {
    super(code, message, { retryable: false });
    this.name = "AudioError";
  }
}

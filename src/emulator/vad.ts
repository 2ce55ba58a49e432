/**
 * Energy-based voice activity detection on 20 ms frames, in the input audio
 * timeline (milliseconds of audio received, not wall clock, so a replay faster
 * than real time gets the same offsets).
 *
 * - `threshold` (0..1) maps linearly to a frame level of -60 dBFS (0) .. -20 dBFS (1);
 *   the default 0.5 is -40 dBFS. Digital silence and line noise stay far below;
 *   speech at normal level (-30..-15 dBFS RMS) is well above.
 * - Speech starts after `speech_duration_ms` (default 60 ms) of consecutive loud
 *   frames; `audio_start_ms` is the first loud frame minus `prefix_padding_ms`.
 * - Once speaking, a frame counts as speech down to 6 dB under the threshold
 *   (hysteresis), and speech stops after `silence_duration_ms` of quieter
 *   frames; `audio_end_ms` is that moment (last speech + silence), as the service reports.
 */
export const VAD_FRAME_MS = 20;

export interface VadSettings {
  readonly threshold: number;
  readonly prefixPaddingMs: number;
  readonly silenceDurationMs: number;
  readonly speechDurationMs: number;
}

export type VadEvent =
  | { readonly kind: "speech_started"; readonly audioStartMs: number }
  | { readonly kind: "speech_stopped"; readonly audioEndMs: number };

const FULL_SCALE_SQUARED = 32768 * 32768;
const HYSTERESIS_DB = 6;

export function thresholdToDbfs(threshold: number): number {
  return -60 + 40 * threshold;
}

export class EnergyVad {
  private settings: VadSettings;
  private startLevel = 0; // mean-square (normalised) needed to start
  private holdLevel = 0; // mean-square needed to stay in speech
  private speaking = false;
  private loudRunMs = 0;
  private loudRunStartMs = 0;
  private quietRunMs = 0;

  constructor(settings: VadSettings) {
    this.settings = settings;
    this.applyLevels();
  }

  get isSpeaking(): boolean {
    return this.speaking;
  }

  configure(settings: VadSettings): void {
    this.settings = settings;
    this.applyLevels();
  }

  /** Forget any speech in progress (input buffer cleared or committed by the client). */
  reset(): void {
    this.speaking = false;
    this.loudRunMs = 0;
    this.quietRunMs = 0;
  }

  /** One 20 ms frame: its start in the input timeline and its mean square (sum of squares / samples). */
  onFrame(frameStartMs: number, meanSquare: number): VadEvent | null {
    const level = meanSquare / FULL_SCALE_SQUARED;
    const frameEndMs = frameStartMs + VAD_FRAME_MS;
    if (!this.speaking) {
      if (level < this.startLevel) {
        this.loudRunMs = 0;
        return null;
      }
      if (this.loudRunMs === 0) this.loudRunStartMs = frameStartMs;
      this.loudRunMs += VAD_FRAME_MS;
      if (this.loudRunMs < Math.max(VAD_FRAME_MS, this.settings.speechDurationMs)) return null;
      this.speaking = true;
      this.quietRunMs = 0;
      return { kind: "speech_started", audioStartMs: Math.max(0, this.loudRunStartMs - this.settings.prefixPaddingMs) };
    }
    if (level >= this.holdLevel) {
      this.quietRunMs = 0;
      return null;
    }
    this.quietRunMs += VAD_FRAME_MS;
    if (this.quietRunMs < Math.max(VAD_FRAME_MS, this.settings.silenceDurationMs)) return null;
    this.speaking = false;
    this.loudRunMs = 0;
    return { kind: "speech_stopped", audioEndMs: frameEndMs };
  }

  private applyLevels(): void {
    const startDb = thresholdToDbfs(this.settings.threshold);
    this.startLevel = 10 ** (startDb / 10);
    this.holdLevel = 10 ** ((startDb - HYSTERESIS_DB) / 10);
  }
}

import { AudioError } from "./errors.js";
import { FRAME_MS, type LegFormat } from "./types.js";

/** The leg formats the converters accept. μ-law is G.711, which is 8 kHz by definition. */
export const SUPPORTED_LEG_FORMATS: readonly LegFormat[] = Object.freeze([
  Object.freeze({ encoding: "mulaw", sampleRateHz: 8000 }),
  Object.freeze({ encoding: "pcm16", sampleRateHz: 8000 }),
  Object.freeze({ encoding: "pcm16", sampleRateHz: 16000 }),
  Object.freeze({ encoding: "pcm16", sampleRateHz: 24000 }),
] as const);

/** Throws audio_unsupported_format unless `format` is one of SUPPORTED_LEG_FORMATS. */
export function assertSupportedLegFormat(format: LegFormat): void {
  const ok = SUPPORTED_LEG_FORMATS.some(
    (f) => f.encoding === format?.encoding && f.sampleRateHz === format?.sampleRateHz,
  );
  if (!ok) {
    throw new AudioError(
      "audio_unsupported_format",
      `unsupported leg format ${JSON.stringify(format)}; expected one of ${SUPPORTED_LEG_FORMATS.map(describeLegFormat).join(", ")}`,
    );
  }
}

/** "mulaw/8000", "pcm16/16000", …, for logs and metric labels. */
export function describeLegFormat(format: LegFormat): string {
  return `${format.encoding}/${format.sampleRateHz}`;
}

/** Bytes per sample on the leg: 1 for μ-law, 2 for PCM16 little-endian. */
export function legBytesPerSample(format: LegFormat): 1 | 2 {
  return format.encoding === "mulaw" ? 1 : 2;
}

/** Samples in one 20 ms frame at the leg's rate (160, 320 or 480). */
export function legFrameSamples(format: LegFormat): number {
  return (format.sampleRateHz * FRAME_MS) / 1000;
}

/** Bytes in one 20 ms frame: 160 (μ-law 8k), 320 (pcm16 8k), 640 (pcm16 16k), 960 (pcm16 24k). */
export function legFrameBytes(format: LegFormat): number {
  return legFrameSamples(format) * legBytesPerSample(format);
}

/** Leg bytes for a duration (whole samples, rounded down). */
export function legBytesForMs(format: LegFormat, durationMs: number): number {
  return Math.floor((format.sampleRateHz * durationMs) / 1000) * legBytesPerSample(format);
}

/** The byte that fills silence on the leg: μ-law encodes 0 as 0xFF; PCM16 silence is all zero bytes. */
export function legSilenceByte(format: LegFormat): number {
  return format.encoding === "mulaw" ? 0xff : 0x00;
}

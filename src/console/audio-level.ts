/**
 * Audio level of one frame as mean square (no sqrt, no log on the 20 ms path);
 * dBFS only when the console reads it, ten times a second.
 */
import { MULAW_DECODE_TABLE, type LegFormat } from "../audio/index.js";

const FULL_SCALE_SQUARED = 32768 * 32768;
export const SILENCE_DBFS = -100;

export function meanSquareSamples(samples: Int16Array): number {
  const n = samples.length;
  if (n === 0) return 0;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += samples[i]! * samples[i]!;
  return sum / n;
}

/** A frame in the phone leg's format: PCM16 little-endian or μ-law bytes. */
export function meanSquareLegFrame(frame: Uint8Array, format: LegFormat): number {
  let sum = 0;
  if (format.encoding === "mulaw") {
    const table = MULAW_DECODE_TABLE;
    const n = frame.length;
    if (n === 0) return 0;
    for (let i = 0; i < n; i++) {
      const sample = table[frame[i]!]!;
      sum += sample * sample;
    }
    return sum / n;
  }
  const samples = frame.length >> 1;
  if (samples === 0) return 0;
  for (let i = 0; i < samples; i++) {
    const sample = ((frame[2 * i]! | (frame[2 * i + 1]! << 8)) << 16) >> 16;
    sum += sample * sample;
  }
  return sum / samples;
}

export function dbfs(meanSquare: number): number {
  if (!(meanSquare > 0)) return SILENCE_DBFS;
  return Math.max(SILENCE_DBFS, Math.round(10 * Math.log10(meanSquare / FULL_SCALE_SQUARED) * 10) / 10);
}

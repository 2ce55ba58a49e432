/**
 * The media legs the simulated caller can stream. ACS itself only streams PCM16
 * mono at 16 or 24 kHz (`audioFormat` on the answer, 16 kHz by default); μ-law
 * 8 kHz stands for G.711 gateways and recorded phone calls being replayed.
 */
import { legFrameBytes } from "../audio/formats.js";
import type { LegFormat } from "../audio/types.js";
import { AcsSimError } from "./errors.js";

export type LegName = "pcm24k" | "pcm16k" | "mulaw8k";

export interface LegSpec {
  readonly name: LegName;
  readonly format: LegFormat;
  /** `audioMetadata.encoding` on the wire. */
  readonly wireEncoding: "PCM" | "mulaw";
  /** Bytes in one 20 ms frame (`audioMetadata.length`). */
  readonly frameBytes: number;
}

function spec(name: LegName, format: LegFormat, wireEncoding: LegSpec["wireEncoding"]): LegSpec {
  return Object.freeze({ name, format: Object.freeze(format), wireEncoding, frameBytes: legFrameBytes(format) });
}

const LEGS: Readonly<Record<LegName, LegSpec>> = Object.freeze({
  pcm24k: spec("pcm24k", { encoding: "pcm16", sampleRateHz: 24000 }, "PCM"),
  pcm16k: spec("pcm16k", { encoding: "pcm16", sampleRateHz: 16000 }, "PCM"),
  mulaw8k: spec("mulaw8k", { encoding: "mulaw", sampleRateHz: 8000 }, "mulaw"),
});

export function legSpec(name: LegName): LegSpec {
  const leg = LEGS[name];
  if (!leg) throw new AcsSimError("acs_sim_bad_input", `unknown leg "${String(name)}"; expected pcm24k, pcm16k or mulaw8k`);
  return leg;
}

/**
 * The leg ACS streams for an answer's `mediaStreamingOptions.audioFormat`:
 * "pcm24KMono" → 24 kHz, "pcm16KMono" or absent → 16 kHz (the service default).
 */
export function legForAudioFormat(audioFormat: unknown): LegSpec {
  if (audioFormat === undefined || audioFormat === null) return LEGS.pcm16k;
  const value = String(audioFormat).toLowerCase();
  if (value === "pcm24kmono") return LEGS.pcm24k;
  if (value === "pcm16kmono") return LEGS.pcm16k;
  throw new AcsSimError("acs_sim_bad_input", `ACS has no audioFormat "${String(audioFormat)}" (pcm16KMono or pcm24KMono)`);
}

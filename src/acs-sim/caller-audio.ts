/**
 * Turns a caller utterance into leg bytes as ACS's media server would: PCM16 at
 * any rate (or G.711 μ-law 8 kHz from a recorded phone call) to the leg — PCM16
 * 16/24 kHz, or μ-law 8 kHz for a G.711 source. The simulator's own codec and
 * filter do it (media-server-audio.ts), never the bot's audio layer. Whole
 * utterances are converted when queued, not on the 20 ms path.
 */
import { AcsSimError } from "./errors.js";
import type { LegSpec } from "./leg.js";
import { decodeG711Mulaw, encodeG711Mulaw, resampleSignal } from "./media-server-audio.js";

const INPUT_RATES_HZ = new Set([8000, 16000, 24000]);

export function encodeCallerAudio(samples: Int16Array, sampleRateHz: number, leg: LegSpec): Uint8Array {
  if (!INPUT_RATES_HZ.has(sampleRateHz)) {
    throw new AcsSimError("acs_sim_bad_input", `caller audio must be PCM16 at 8000, 16000 or 24000 Hz, got ${sampleRateHz} Hz`);
  }
  const { format } = leg;
  const atLegRate = resampleSignal(samples, sampleRateHz, format.sampleRateHz);
  return format.encoding === "mulaw" ? encodeG711Mulaw(atLegRate) : pcm16leBytes(atLegRate);
}

/** A G.711 μ-law 8 kHz recording (a PSTN caller) as the leg carries it: unchanged on a G.711 leg, decoded and resampled to PCM otherwise. */
export function encodeG711CallerAudio(codes: Uint8Array, leg: LegSpec): Uint8Array {
  if (leg.format.encoding === "mulaw") return codes.slice();
  return pcm16leBytes(resampleSignal(decodeG711Mulaw(codes), 8000, leg.format.sampleRateHz));
}

/** Little-endian bytes of PCM16 samples (a copy, independent of host byte order). */
export function pcm16leBytes(samples: Int16Array): Uint8Array {
  const bytes = new Uint8Array(samples.length * 2);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < samples.length; i++) view.setInt16(i * 2, samples[i]!, true);
  return bytes;
}

/** The phone leg's format, from the media socket's AudioMetadata (or the answer's audioFormat). */
import type { LegFormat } from "../audio/index.js";
import type { AcsAudioFormat } from "../config/acs.js";

/** "PCM" 16/24 kHz as ACS sends it; "mulaw" 8 kHz for G.711 sources and recorded-call replays. */
export function legFormatFromMetadata(encoding: string, sampleRateHz: number, channels: number): LegFormat | undefined {
  if (channels !== 1) return undefined;
  const name = encoding.toLowerCase();
  if (name === "pcm" && (sampleRateHz === 8000 || sampleRateHz === 16000 || sampleRateHz === 24000)) {
    return { encoding: "pcm16", sampleRateHz };
  }
  if ((name === "mulaw" || name === "pcmu" || name === "g711_ulaw") && sampleRateHz === 8000) {
    return { encoding: "mulaw", sampleRateHz: 8000 };
  }
  return undefined;
}

export function legFormatFromAnswer(audioFormat: AcsAudioFormat): LegFormat {
  return { encoding: "pcm16", sampleRateHz: audioFormat === "pcm16KMono" ? 16000 : 24000 };
}

/**
 * What speaks the assistant's text: a SpeechVoice turns text into PCM16 24 kHz
 * samples plus where each word sits in them (for transcript pacing, word
 * timestamps and truncation). Two exist: a real synthesizer (tts/flite-voice.ts)
 * and the deterministic buzz of speech.ts, the fallback when the synthesizer's
 * package is not installed.
 */
import { SPEECH_SAMPLE_RATE_HZ, synthesizeSpeech, type SynthesizedSpeech } from "./speech.js";

export { SPEECH_SAMPLE_RATE_HZ, type SpokenWord, type SynthesizedSpeech } from "./speech.js";

export interface SpeechVoice {
  /** "flite" or "buzz": which engine speaks (logged, shown in snapshots). */
  readonly engine: string;
  /**
   * Speaks `text` with the voice a session or response configured (Azure voice
   * objects are mapped to the engine's nearest voice). Same input, same
   * samples. Never rejects: a synthesizer failure falls back to the buzz.
   */
  synthesize(text: string, voice?: unknown): Promise<SynthesizedSpeech>;
  /**
   * Synthesizes `text` ahead of need when nothing else waits (the scenario's
   * next lines), so the answer that says it later starts without a synthesis delay.
   */
  prefetch(text: string, voice?: unknown): void;
}

/** The deterministic speech-like buzz (SPEECH_MS_PER_CHAR per character): no dependency, no words a person understands. */
export function createBuzzVoice(): SpeechVoice {
  return { engine: "buzz", synthesize: (text) => Promise.resolve(synthesizeSpeech(text)), prefetch: () => {} };
}

/** Milliseconds of `samples` at the voice rate. */
export function samplesToMs(samples: number): number {
  return (samples * 1000) / SPEECH_SAMPLE_RATE_HZ;
}

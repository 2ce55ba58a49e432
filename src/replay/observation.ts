/** What one replayed call looked like from the outside: the caller's ears, ACS, Voice Live. */

export interface Span {
  readonly startMs: number;
  readonly endMs: number;
}

export interface CallObservation {
  /** Bot audio the caller heard, in media ms since the media socket connected. */
  readonly heardRuns: readonly Span[];
  readonly stopAudioAtMs: readonly number[];
  /** Audio frames received at each media ms (for "quiet after StopAudio"). */
  readonly audioFrameAtMs: readonly number[];
  readonly malformedFrames: number;
  /** Where the caller was speaking in caller.wav (media ms). */
  readonly callerSpeech: readonly Span[];
  readonly end: { readonly reason: string; readonly atMs: number; readonly transferTarget?: string } | undefined;
  readonly transferTargets: readonly string[];
  /** Fixture tools run in-process (media ms); empty when the bot runs elsewhere. */
  readonly toolRuns: ReadonlyArray<Span & { readonly name: string }>;
  /** The conversation as the caller experienced it (in-process bot), or as Voice Live kept it (running bot). */
  readonly transcript: ReadonlyArray<{ readonly role: string; readonly text: string }>;
  /** Media ms when the first caller audio (input_audio_buffer.append) reached Voice Live. */
  readonly firstCallerAudioAtVoiceLiveMs: number | undefined;
  /** The `session` of every session.update Voice Live received, in order. */
  readonly sessionUpdates: readonly unknown[];
  /** Client events Voice Live received, in order (runs of appends as one). */
  readonly voiceLiveEvents: readonly string[];
  /** Media ms at which the last Voice Live session closed, if it did. */
  readonly voiceLiveClosedAtMs: number | undefined;
  /** False when the bot ran elsewhere (URL mode): in-process-only facts are missing. */
  readonly inProcess: boolean;
}

/**
 * Speech segments of the caller's audio: 20 ms frames above −45 dBFS, gaps
 * shorter than 600 ms joined (pauses between words and sentences; end-of-turn
 * detection waits about 500 ms of silence), blips under 100 ms dropped.
 */
export function speechSegments(samples: Int16Array, sampleRateHz: number): Span[] {
  const frame = Math.round(sampleRateHz / 50);
  const threshold = 32768 * 10 ** (-45 / 20);
  const segments: Span[] = [];
  let start: number | undefined;
  let lastLoud = -Infinity;
  for (let i = 0; i * frame < samples.length; i += 1) {
    let sum = 0;
    const end = Math.min(samples.length, (i + 1) * frame);
    for (let j = i * frame; j < end; j += 1) sum += samples[j]! * samples[j]!;
    const loud = Math.sqrt(sum / Math.max(1, end - i * frame)) > threshold;
    const atMs = i * 20;
    if (loud) {
      if (start === undefined) start = atMs;
      else if (atMs - lastLoud > 600) {
        segments.push({ startMs: start, endMs: lastLoud + 20 });
        start = atMs;
      }
      lastLoud = atMs;
    }
  }
  if (start !== undefined) segments.push({ startMs: start, endMs: lastLoud + 20 });
  return segments.filter((segment) => segment.endMs - segment.startMs >= 100);
}

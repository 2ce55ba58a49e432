/**
 * Latency as the caller of a replayed call experienced it, measured at the
 * caller's ear (media ms since the media socket connected): from the end of
 * each utterance in caller.wav to the first bot audio that reached them, from
 * the start of their speech over the bot to the StopAudio that silenced it,
 * and whether a tool's wait was filled. It includes what the bot cannot see —
 * Voice Live's end-of-turn silence — so it is the bot's own per-turn figure
 * (speech_stopped → first frame, in the conversation log) plus that wait.
 * Works for in-process and running-bot replays alike.
 */
import { summarizeLatency, type LatencySummary } from "../latency-stats.js";
import type { CallObservation } from "./observation.js";

export interface CallerLatency {
  /** Media connected → first bot audio heard. */
  readonly greetingMs: number | undefined;
  /** Each caller utterance → first bot audio that began after it (undefined: the caller spoke again first, or nothing came). */
  readonly turns: ReadonlyArray<{ readonly utterance: number; readonly endedAtMs: number; readonly answerMs: number | undefined }>;
  /** Each StopAudio: how long after the caller started speaking over the bot it arrived. */
  readonly bargeIns: ReadonlyArray<{ readonly atMs: number; readonly reactionMs: number | undefined }>;
  /** In-process tools: how long each ran, and how soon bot audio filled the wait (if it did). */
  readonly tools: ReadonlyArray<{ readonly name: string; readonly durationMs: number; readonly covered: boolean; readonly interimAfterMs: number | undefined }>;
  readonly turnSummary: LatencySummary;
}

export function callerLatency(o: CallObservation): CallerLatency {
  const runs = o.heardRuns;
  const speech = o.callerSpeech;
  const turns = speech.map((utterance, index) => {
    const next = speech[index + 1]?.startMs ?? Infinity;
    const answer = runs.find((run) => run.startMs >= utterance.endMs);
    const answerMs = answer !== undefined && answer.startMs < next ? Math.round(answer.startMs - utterance.endMs) : undefined;
    return { utterance: index, endedAtMs: Math.round(utterance.endMs), answerMs };
  });
  const bargeIns = o.stopAudioAtMs.map((atMs) => {
    const started = [...speech].reverse().find((utterance) => utterance.startMs <= atMs);
    return { atMs: Math.round(atMs), reactionMs: started ? Math.round(atMs - started.startMs) : undefined };
  });
  const tools = o.toolRuns.map((run) => {
    const playing = runs.find((h) => h.endMs > run.startMs && h.startMs < run.endMs);
    return {
      name: run.name,
      durationMs: Math.round(run.endMs - run.startMs),
      covered: playing !== undefined,
      interimAfterMs: playing === undefined ? undefined : Math.max(0, Math.round(playing.startMs - run.startMs)),
    };
  });
  const first = runs[0]?.startMs;
  return {
    greetingMs: first === undefined ? undefined : Math.round(first),
    turns,
    bargeIns,
    tools,
    turnSummary: summarizeLatency(turns.flatMap((t) => (t.answerMs === undefined ? [] : [t.answerMs]))),
  };
}

/**
 * How ACS plays the bot's audio to the caller: every frame joins a queue and
 * plays at real time, one after another; StopAudio flushes whatever has not
 * played yet (cutting the frame that is playing). There is no acknowledgement,
 * so the bot can only estimate what was heard — this model is the ground truth
 * tests compare against. Times are media milliseconds since the media socket
 * connected (wall time × speed), given by the caller of each method.
 */
import { decodeMulawInto } from "../audio/mulaw.js";
import type { LegFormat } from "../audio/types.js";

export interface HeardRun {
  readonly startMs: number;
  readonly endMs: number;
}

export interface PlaybackStats {
  /** Audio frames accepted into the queue. */
  readonly framesQueued: number;
  /** Milliseconds of audio queued in total. */
  readonly queuedMs: number;
  readonly stopAudioCount: number;
  /** Queued audio that StopAudio threw away before it played. */
  readonly flushedMs: number;
  /** Queued audio that had not played when the call ended. */
  readonly unplayedAtEndMs: number;
  /** Gaps inside a run: the queue ran dry for less than the run gap tolerance. */
  readonly underruns: number;
  readonly underrunMs: number;
}

export interface PlaybackModel {
  /** Queues one frame (leg bytes) that arrived at `atMs`; returns its scheduled start. */
  enqueue(payload: Uint8Array, atMs: number): number;
  /** StopAudio at `atMs`: drops everything not yet played. Returns the milliseconds dropped. */
  stop(atMs: number): number;
  /** The call (or socket) ended at `atMs`: nothing plays after it. */
  end(atMs: number): void;
  /** Milliseconds of queued audio still to play at `atMs`. */
  queuedMsAt(atMs: number): number;
  /** Contiguous runs of bot audio heard up to `atMs` (gaps ≤ runGapToleranceMs are joined). */
  runs(atMs: number): HeardRun[];
  /** When the caller first heard bot audio (undefined if nothing has played by `atMs`). */
  firstHeardMs(atMs: number): number | undefined;
  /** What the caller heard from 0 to `atMs`, PCM16 at the leg rate, silence where nothing played. */
  heardAudio(atMs: number): Int16Array;
  stats(): PlaybackStats;
}

interface Segment {
  readonly startMs: number;
  /** Shortened when StopAudio cuts the segment while it plays. */
  endMs: number;
  readonly payload: Uint8Array;
  /** The first segment after a StopAudio starts a new run (a pause, not an underrun). */
  readonly afterStop: boolean;
}

export function createPlaybackModel(format: LegFormat, options: { runGapToleranceMs?: number } = {}): PlaybackModel {
  const bytesPerSample = format.encoding === "mulaw" ? 1 : 2;
  const bytesPerMs = (format.sampleRateHz * bytesPerSample) / 1000;
  const runGapToleranceMs = options.runGapToleranceMs ?? 40;
  const segments: Segment[] = [];
  let queueEndMs = 0;
  let endedAtMs = Number.POSITIVE_INFINITY;
  let framesQueued = 0;
  let queuedMs = 0;
  let stopAudioCount = 0;
  let flushedMs = 0;
  let unplayedAtEndMs = 0;
  let stoppedSinceLastSegment = false;

  /** Drops or cuts every segment that has not finished playing at `atMs`; returns the ms removed. */
  const truncateAt = (atMs: number): number => {
    let droppedMs = 0;
    while (segments.length > 0) {
      const last = segments[segments.length - 1]!;
      if (last.endMs <= atMs) break;
      if (last.startMs >= atMs) {
        droppedMs += last.endMs - last.startMs;
        segments.pop();
        continue;
      }
      droppedMs += last.endMs - atMs;
      last.endMs = atMs;
      break;
    }
    queueEndMs = Math.min(queueEndMs, Math.max(atMs, 0));
    return droppedMs;
  };

  const playedUntil = (atMs: number): number => Math.min(atMs, endedAtMs);

  return {
    enqueue(payload, atMs) {
      const durationMs = Math.floor(payload.byteLength / bytesPerSample) * bytesPerSample / bytesPerMs;
      if (atMs >= endedAtMs || durationMs === 0) return atMs;
      const startMs = Math.max(atMs, queueEndMs);
      segments.push({ startMs, endMs: startMs + durationMs, payload, afterStop: stoppedSinceLastSegment });
      stoppedSinceLastSegment = false;
      queueEndMs = startMs + durationMs;
      framesQueued += 1;
      queuedMs += durationMs;
      return startMs;
    },
    stop(atMs) {
      stopAudioCount += 1;
      stoppedSinceLastSegment = true;
      const droppedMs = truncateAt(atMs);
      flushedMs += droppedMs;
      return droppedMs;
    },
    end(atMs) {
      if (atMs >= endedAtMs) return;
      unplayedAtEndMs += truncateAt(atMs);
      endedAtMs = atMs;
    },
    queuedMsAt: (atMs) => Math.max(0, queueEndMs - playedUntil(atMs)),
    runs(atMs) {
      const untilMs = playedUntil(atMs);
      const runs: Array<{ startMs: number; endMs: number }> = [];
      for (const segment of segments) {
        if (segment.startMs >= untilMs) break;
        const endMs = Math.min(segment.endMs, untilMs);
        const last = runs[runs.length - 1];
        if (last && !segment.afterStop && segment.startMs - last.endMs <= runGapToleranceMs) last.endMs = endMs;
        else runs.push({ startMs: segment.startMs, endMs });
      }
      return runs;
    },
    firstHeardMs(atMs) {
      const first = segments[0];
      return first && first.startMs < playedUntil(atMs) ? first.startMs : undefined;
    },
    heardAudio(atMs) {
      const untilMs = playedUntil(atMs);
      const totalSamples = Math.max(0, Math.round((untilMs * format.sampleRateHz) / 1000));
      const out = new Int16Array(totalSamples);
      const scratch = new Int16Array(4096);
      for (const segment of segments) {
        if (segment.startMs >= untilMs) break;
        const offset = Math.round((segment.startMs * format.sampleRateHz) / 1000);
        const playedMs = Math.min(segment.endMs, untilMs) - segment.startMs;
        const count = Math.min(Math.floor((playedMs * format.sampleRateHz) / 1000 + 1e-6), totalSamples - offset);
        if (count <= 0) continue;
        if (bytesPerSample === 1) {
          const codes = segment.payload.subarray(0, count);
          const decoded = count <= scratch.length ? scratch.subarray(0, count) : new Int16Array(count);
          decodeMulawInto(codes, decoded);
          out.set(decoded, offset);
        } else {
          const view = new DataView(segment.payload.buffer, segment.payload.byteOffset, count * 2);
          for (let i = 0; i < count; i++) out[offset + i] = view.getInt16(i * 2, true);
        }
      }
      return out;
    },
    stats() {
      let underruns = 0;
      let underrunMs = 0;
      for (let i = 1; i < segments.length; i++) {
        const segment = segments[i]!;
        const gapMs = segment.startMs - segments[i - 1]!.endMs;
        if (!segment.afterStop && gapMs > 0.001 && gapMs <= runGapToleranceMs) {
          underruns += 1;
          underrunMs += gapMs;
        }
      }
      return { framesQueued, queuedMs, stopAudioCount, flushedMs, unplayedAtEndMs, underruns, underrunMs };
    },
  };
}

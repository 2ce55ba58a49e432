/**
 * One shared ticker for every call's outbound audio. ACS queues what we send and
 * plays it at real time, so sending a whole answer at once would put seconds of
 * audio beyond the reach of barge-in and of server echo cancellation. Each tick
 * tops every stream up to `leadMs` ahead of real time; nothing else.
 */
import type { Clock, Timer } from "../clock.js";

export interface PacedStream {
  /** Sends frames while the stream's audio queued at ACS stays within `leadMs`; called every tick. */
  pump(nowMs: number, leadMs: number): void;
}

export interface Pacer {
  readonly tickMs: number;
  add(stream: PacedStream): void;
  remove(stream: PacedStream): void;
  /** Pumps one stream now (first audio of a response should not wait for the next tick). */
  kick(stream: PacedStream): void;
  stop(): void;
}

export function createPacer(options: { clock: Clock; leadMs: number; tickMs?: number; onError?: (error: unknown) => void }): Pacer {
  const { clock, leadMs } = options;
  const tickMs = options.tickMs ?? 20;
  const streams = new Set<PacedStream>();
  let timer: Timer | undefined;

  const pump = (stream: PacedStream, nowMs: number): void => {
    try {
      stream.pump(nowMs, leadMs);
    } catch (error) {
      options.onError?.(error);
    }
  };
  const tick = (): void => {
    const nowMs = clock.nowMs();
    for (const stream of streams) pump(stream, nowMs);
  };

  return {
    tickMs,
    add(stream) {
      streams.add(stream);
      // No calls, no wake-ups.
      if (timer === undefined) timer = clock.setInterval(tick, tickMs);
    },
    remove(stream) {
      streams.delete(stream);
      if (streams.size === 0 && timer !== undefined) {
        clock.clearInterval(timer);
        timer = undefined;
      }
    },
    kick(stream) {
      if (streams.has(stream)) pump(stream, clock.nowMs());
    },
    stop() {
      streams.clear();
      if (timer !== undefined) clock.clearInterval(timer);
      timer = undefined;
    },
  };
}

/**
 * One shared ticker for every call's outbound audio. ACS queues what we send and
 * plays it at real time, so sending a whole answer at once would put seconds of
 * audio beyond the reach of barge-in and of server echo cancellation. Each
 * stream is topped up to `leadMs` ahead of real time once per `tickMs`.
 *
 * Streams are spread over `phases` slots of the tick (a phase per call): every
 * tickMs / phases one slot is pumped, so hundreds of calls do not write their
 * frames in one burst that holds up every other socket (the caller audio
 * waiting behind a burst is relay latency). A late sub-tick pumps every phase
 * that has come due since (a busy event loop must not stretch a call's period
 * to phases × the late interval), and a late pump costs nothing but a bigger
 * top-up: the lead, not the timer, decides what is sent.
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

/** 10 phases of a 20 ms tick: a sub-tick every 2 ms (timers resolve to 1 ms). */
export const DEFAULT_PHASES = 10;

export function createPacer(options: {
  clock: Clock;
  leadMs: number;
  tickMs?: number;
  /** Slots the streams are spread over (1 = every stream in one burst per tick). */
  phases?: number;
  onError?: (error: unknown) => void;
}): Pacer {
  const { clock, leadMs } = options;
  const tickMs = options.tickMs ?? 20;
  const phases = Math.max(1, Math.floor(options.phases ?? DEFAULT_PHASES));
  const slots: Array<Set<PacedStream>> = Array.from({ length: phases }, () => new Set());
  const slotOf = new Map<PacedStream, Set<PacedStream>>();
  const subTickMs = tickMs / phases;
  let nextSlot = 0;
  /** When the next slot is due, on the clock's time. */
  let nextDueMs = 0;
  let timer: Timer | undefined;

  const pump = (stream: PacedStream, nowMs: number): void => {
    try {
      stream.pump(nowMs, leadMs);
    } catch (error) {
      options.onError?.(error);
    }
  };
  const subTick = (): void => {
    const nowMs = clock.nowMs();
    // Every phase due by now, at most one round (a stream is never pumped twice for one late wake-up).
    for (let n = 0; n < phases && nextDueMs <= nowMs + subTickMs / 2; n++) {
      const slot = slots[nextSlot]!;
      nextSlot = (nextSlot + 1) % phases;
      nextDueMs += subTickMs;
      for (const stream of slot) pump(stream, nowMs);
    }
    // Far behind (a stalled loop): start the round again from now rather than replaying it.
    if (nextDueMs < nowMs - tickMs) nextDueMs = nowMs;
  };
  const stopTimer = (): void => {
    if (timer !== undefined) clock.clearInterval(timer);
    timer = undefined;
  };

  return {
    tickMs,
    add(stream) {
      if (slotOf.has(stream)) return;
      // The emptiest phase: streams stay evenly spread as calls come and go.
      let slot = slots[0]!;
      for (const candidate of slots) if (candidate.size < slot.size) slot = candidate;
      slot.add(stream);
      slotOf.set(stream, slot);
      // No calls, no wake-ups.
      if (timer === undefined) {
        nextDueMs = clock.nowMs() + subTickMs;
        timer = clock.setInterval(subTick, subTickMs);
      }
    },
    remove(stream) {
      slotOf.get(stream)?.delete(stream);
      slotOf.delete(stream);
      if (slotOf.size === 0) stopTimer();
    },
    kick(stream) {
      if (slotOf.has(stream)) pump(stream, clock.nowMs());
    },
    stop() {
      for (const slot of slots) slot.clear();
      slotOf.clear();
      stopTimer();
    },
  };
}

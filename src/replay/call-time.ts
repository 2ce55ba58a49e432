/**
 * Call time for replays and tests: the clock of a simulated call stops while
 * the host does not run the process. On a busy machine the OS deschedules the
 * whole process (bot, emulator and caller alike) for tens of milliseconds —
 * 4× that in a fast replay — and with wall time the caller would then burst its
 * overdue frames while the bot's greeting arrived late: a different call, not
 * a slower bot. With call time, a starved span simply does not exist for any of
 * them, so behaviour and timing budgets are judged on the call's own timeline.
 *
 * Starvation is told from the process's own slowness by CPU time: a watchdog
 * tick that comes late while the process used little CPU meanwhile was
 * starved; late because the process itself was busy (its own slow code) is
 * kept — that is latency the bot would have in production too.
 */
import type { Clock } from "../clock.js";

export interface CallTimeClocks {
  /** Call time at the given speed: for the bot and the emulator. */
  readonly scaled: Clock;
  /** Call time at speed 1: for the simulated ACS (it scales media time itself). */
  readonly unscaled: Clock;
  /** Host starvation left out so far, wall milliseconds. */
  excludedMs(): number;
  stop(): void;
}

const TICK_MS = 5;
/** A gap this long since the last tick is checked for starvation right away (ticks are normally ≤ ~6 ms apart). */
const CHECK_AFTER_MS = 8;

export function createCallTimeClocks(speed: number): CallTimeClocks {
  if (!(speed > 0)) throw new Error(`clock speed must be positive, got ${speed}`);
  let excluded = 0;
  let lastWall = performance.now();
  let lastCpu = cpuMs();
  let lastAnswer = -Infinity;
  /**
   * performance.now() minus the starved spans; checks for one that just ended
   * before answering. Never goes back: a stall noticed a little late freezes
   * call time for a moment instead.
   */
  const now = (): number => {
    const wall = performance.now();
    if (wall - lastWall >= CHECK_AFTER_MS) account(wall);
    lastAnswer = Math.max(lastAnswer, wall - excluded);
    return lastAnswer;
  };
  const account = (wall: number): void => {
    const cpu = cpuMs();
    const lateMs = wall - lastWall - TICK_MS;
    const busyMs = Math.max(0, cpu - lastCpu - TICK_MS);
    if (lateMs - busyMs > 0) excluded += lateMs - busyMs;
    lastWall = wall;
    lastCpu = cpu;
  };
  const watchdog = setInterval(() => account(performance.now()), TICK_MS);
  watchdog.unref();
  const startedMs = now();
  const timers = {
    clearTimeout: (timer: ReturnType<typeof setTimeout>) => globalThis.clearTimeout(timer),
    clearInterval: (timer: ReturnType<typeof setInterval>) => globalThis.clearInterval(timer),
    date: () => new Date(),
  };
  return {
    scaled: {
      ...timers,
      nowMs: () => startedMs + (now() - startedMs) * speed,
      setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms / speed),
      setInterval: (fn, ms) => globalThis.setInterval(fn, Math.max(1, ms / speed)),
    },
    unscaled: {
      ...timers,
      nowMs: now,
      setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
      setInterval: (fn, ms) => globalThis.setInterval(fn, ms),
    },
    excludedMs: () => excluded,
    stop: () => clearInterval(watchdog),
  };
}

function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/** Time as the bot sees it; injected so tests and replays can control it. */
export interface Clock {
  /** Monotonic milliseconds (for durations and pacing). */
  nowMs(): number;
  /** Wall-clock time (for logs, records and timestamps on the wire). */
  date(): Date;
  setTimeout(fn: () => void, ms: number): Timer;
  clearTimeout(timer: Timer): void;
  setInterval(fn: () => void, ms: number): Timer;
  clearInterval(timer: Timer): void;
}

export type Timer = ReturnType<typeof globalThis.setTimeout>;

export function createSystemClock(): Clock {
  return {
    nowMs: () => performance.now(),
    date: () => new Date(),
    setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
    clearTimeout: (timer) => globalThis.clearTimeout(timer),
    setInterval: (fn, ms) => globalThis.setInterval(fn, ms),
    clearInterval: (timer) => globalThis.clearInterval(timer),
  };
}

/**
 * A clock that runs `speed` times faster than real time, for fast replays:
 * durations and timers scale, wall-clock dates stay real (tokens and records
 * keep working).
 */
export function createScaledClock(speed: number): Clock {
  if (!(speed > 0)) throw new Error(`clock speed must be positive, got ${speed}`);
  const startedMs = performance.now();
  return {
    nowMs: () => startedMs + (performance.now() - startedMs) * speed,
    date: () => new Date(),
    setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms / speed),
    clearTimeout: (timer) => globalThis.clearTimeout(timer),
    setInterval: (fn, ms) => globalThis.setInterval(fn, Math.max(1, ms / speed)),
    clearInterval: (timer) => globalThis.clearInterval(timer),
  };
}

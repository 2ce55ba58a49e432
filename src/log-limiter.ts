/**
 * A bound on repetitive log lines: a peer that sends garbage 50 times a second
 * must not turn into 50 log lines a second. At most `burst` lines per window;
 * the first line of the next window says how many were held back.
 */
import type { Clock } from "./clock.js";

export interface LogLimiter {
  /** undefined: skip this line; otherwise log it, with `suppressed` lines held back since the last one. */
  take(): { suppressed: number } | undefined;
}

export function createLogLimiter(clock: Clock, options: { burst?: number; windowMs?: number } = {}): LogLimiter {
  const burst = options.burst ?? 5;
  const windowMs = options.windowMs ?? 10_000;
  let windowStartMs = -Infinity;
  let used = 0;
  let suppressed = 0;
  return {
    take() {
      const nowMs = clock.nowMs();
      if (nowMs - windowStartMs >= windowMs) {
        windowStartMs = nowMs;
        used = 0;
      }
      if (used >= burst) {
        suppressed += 1;
        return undefined;
      }
      used += 1;
      const report = { suppressed };
      suppressed = 0;
      return report;
    },
  };
}

/**
 * Waiting helpers for tests and replays: resolve when a condition holds,
 * re-checked whenever the owner reports a change and on a short poll (time
 * alone moves some answers, e.g. queued audio becoming "heard"), reject with
 * acs_sim_timeout and a description of what was awaited.
 */
import { AcsSimError } from "./errors.js";

export interface Waiters {
  /** Resolves with the condition's first non-undefined value. */
  waitUntil<T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T>;
  /** Re-checks every pending condition now. */
  notify(): void;
  /** Rejects every pending wait (the owner closed). */
  cancelAll(reason: string): void;
}

const POLL_MS = 10;

export function createWaiters(): Waiters {
  const pending = new Set<{ check: () => boolean; fail: (error: Error) => void }>();
  const notify = (): void => {
    for (const waiter of [...pending]) waiter.check();
  };
  return {
    waitUntil<T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const waiter = {
          check: (): boolean => {
            let value: T | undefined;
            try {
              value = check();
            } catch (error) {
              done();
              reject(error as Error);
              return true;
            }
            if (value === undefined) return false;
            done();
            resolve(value);
            return true;
          },
          fail: (error: Error): void => {
            done();
            reject(error);
          },
        };
        const timeout = setTimeout(
          () => waiter.fail(new AcsSimError("acs_sim_timeout", `timed out after ${timeoutMs} ms waiting for ${what}`)),
          timeoutMs,
        );
        const poll = setInterval(() => waiter.check(), POLL_MS);
        const done = (): void => {
          clearTimeout(timeout);
          clearInterval(poll);
          pending.delete(waiter);
        };
        if (!waiter.check()) pending.add(waiter);
      });
    },
    notify,
    cancelAll(reason) {
      for (const waiter of [...pending]) waiter.fail(new AcsSimError("acs_sim_closed", reason));
    },
  };
}

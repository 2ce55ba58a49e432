/**
 * Deadlines for outbound requests. Every call to a peer (ACS, Voice Live, an
 * identity endpoint) runs under one: the work gets an AbortSignal to cancel its
 * I/O, and the returned promise settles by the deadline whatever the work does
 * (a client that ignores the signal cannot hold the caller past it).
 */
import type { Clock } from "./clock.js";
import { AppError } from "./errors.js";

export class DeadlineError extends AppError {
  readonly timeoutMs: number;

  constructor(what: string, timeoutMs: number) {
    super("deadline_exceeded", `${what} did not finish within ${timeoutMs} ms`, { retryable: true });
    this.name = "DeadlineError";
    this.timeoutMs = timeoutMs;
  }
}

export function withDeadline<T>(
  clock: Clock,
  timeoutMs: number,
  what: string,
  work: (signal: AbortSignal) => Promise<T>,
  options: { signal?: AbortSignal } = {},
): Promise<T> {
  const controller = new AbortController();
  const outer = options.signal;
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const finish = (): boolean => {
      if (settled) return false;
      settled = true;
      clock.clearTimeout(timer);
      outer?.removeEventListener("abort", onOuterAbort);
      return true;
    };
    const fail = (error: unknown): void => {
      if (!finish()) return;
      controller.abort(error);
      reject(error);
    };
    const onOuterAbort = (): void => fail(outer!.reason ?? new AppError("aborted", `${what} was cancelled`));
    const timer = clock.setTimeout(() => fail(new DeadlineError(what, timeoutMs)), timeoutMs);
    if (outer?.aborted) {
      onOuterAbort();
      return;
    }
    outer?.addEventListener("abort", onOuterAbort, { once: true });
    let running: Promise<T>;
    try {
      running = work(controller.signal);
    } catch (error) {
      fail(error);
      return;
    }
    running.then(
      (value) => {
        if (finish()) resolve(value);
      },
      (error: unknown) => {
        if (finish()) reject(error);
      },
    );
  });
}

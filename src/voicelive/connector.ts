/**
 * Opens configured Voice Live sessions for calls, and pre-warms them: on
 * IncomingCall the session is opened and configured while ACS is still
 * connecting the media socket, which then claims it by correlation id. A call
 * that ends before its media socket came (failed answer, caller gave up)
 * releases its pre-warmed session at once; an unclaimed one times out.
 */
import type { Logger } from "pino";
import type { Clock, Timer } from "../clock.js";
import { errorMessage } from "../errors.js";
import type { Metrics } from "../metrics.js";
import type { VoiceLiveTarget } from "./endpoint.js";
import type { SessionSettings } from "./protocol.js";
import { createServerEventParser } from "./server-events.js";
import { VoiceLiveSession } from "./session.js";

export type PrewarmOutcome = "claimed" | "unclaimed" | "answer_failed" | "call_ended" | "other_worker" | "shutdown";

export interface VoiceLiveConnector {
  readonly target: VoiceLiveTarget;
  open(logger: Logger, options?: { signal?: AbortSignal }): Promise<VoiceLiveSession>;
  /** Starts opening a session for a call about to be answered. */
  prewarm(correlationId: string, logger: Logger): void;
  /** The pre-warmed session for this call, if this replica has one. */
  claim(correlationId: string): Promise<VoiceLiveSession> | undefined;
  /** The call ended before its media socket claimed the session, or another worker serves it: close (or abort) it now. */
  release(correlationId: string, outcome: "answer_failed" | "call_ended" | "other_worker"): void;
  /** Closes every unclaimed pre-warmed session. */
  close(): void;
}

interface Warm {
  readonly session: Promise<VoiceLiveSession>;
  readonly abort: AbortController;
  readonly timer: Timer;
  readonly logger: Logger;
}

export function createVoiceLiveConnector(options: {
  target: VoiceLiveTarget;
  settings: SessionSettings;
  clock: Clock;
  metrics: Metrics;
  prewarmTimeoutMs: number;
}): VoiceLiveConnector {
  const { target, settings, clock, metrics } = options;
  const parse = createServerEventParser();
  const warm = new Map<string, Warm>();

  const open = (logger: Logger, openOptions: { signal?: AbortSignal } = {}): Promise<VoiceLiveSession> =>
    VoiceLiveSession.open({ target, settings, logger, clock, metrics, parse, ...openOptions });

  const discard = (correlationId: string, outcome: PrewarmOutcome): boolean => {
    const entry = warm.get(correlationId);
    if (!entry) return false;
    warm.delete(correlationId);
    clock.clearTimeout(entry.timer);
    metrics.prewarm.inc({ outcome });
    entry.abort.abort(new Error(`pre-warmed session not needed (${outcome})`));
    entry.session.then((s) => s.close(`prewarm_${outcome}`), () => undefined);
    return true;
  };

  return {
    target,
    open,
    prewarm(correlationId, logger) {
      if (warm.has(correlationId)) return;
      const abort = new AbortController();
      const session = open(logger, { signal: abort.signal });
      // An unclaimed rejection is logged here; a claimer sees the same rejection.
      session.catch((error: unknown) => {
        // An operational failure, not a bug: its message says it all (a stack would only repeat it).
        if (!abort.signal.aborted) logger.warn({ reason: errorMessage(error) }, "pre-warming Voice Live failed; the media socket will connect on its own");
      });
      const timer = clock.setTimeout(() => {
        if (discard(correlationId, "unclaimed")) logger.info({ timeoutMs: options.prewarmTimeoutMs }, "pre-warmed Voice Live session not claimed; closed");
      }, options.prewarmTimeoutMs);
      warm.set(correlationId, { session, abort, timer, logger });
    },
    claim(correlationId) {
      const entry = warm.get(correlationId);
      if (!entry) return undefined;
      warm.delete(correlationId);
      clock.clearTimeout(entry.timer);
      metrics.prewarm.inc({ outcome: "claimed" });
      return entry.session;
    },
    release(correlationId, outcome) {
      const logger = warm.get(correlationId)?.logger;
      if (discard(correlationId, outcome)) {
        logger?.info({ outcome }, outcome === "other_worker" ? "pre-warmed Voice Live session released: another worker serves the media" : "pre-warmed Voice Live session released: the call ended before media");
      }
    },
    close() {
      for (const correlationId of [...warm.keys()]) discard(correlationId, "shutdown");
    },
  };
}

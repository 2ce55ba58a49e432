/**
 * Opens configured Voice Live sessions for calls, and pre-warms them: on
 * IncomingCall the session is opened and configured while ACS is still
 * connecting the media socket, which then claims it by correlation id.
 */
import type { Logger } from "pino";
import type { Clock, Timer } from "../clock.js";
import type { VoiceLiveTarget } from "./endpoint.js";
import type { SessionSettings } from "./protocol.js";
import { VoiceLiveSession } from "./session.js";

export interface VoiceLiveConnector {
  readonly target: VoiceLiveTarget;
  open(logger: Logger): Promise<VoiceLiveSession>;
  /** Starts opening a session for a call about to be answered. */
  prewarm(correlationId: string, logger: Logger): void;
  /** The pre-warmed session for this call, if this replica has one. */
  claim(correlationId: string): Promise<VoiceLiveSession> | undefined;
  /** Closes every unclaimed pre-warmed session. */
  close(): void;
}

export function createVoiceLiveConnector(options: {
  target: VoiceLiveTarget;
  settings: SessionSettings;
  clock: Clock;
  prewarmTimeoutMs: number;
}): VoiceLiveConnector {
  const { target, settings, clock } = options;
  const warm = new Map<string, { session: Promise<VoiceLiveSession>; timer: Timer }>();

  const open = (logger: Logger): Promise<VoiceLiveSession> =>
    VoiceLiveSession.open({ target, settings, logger, nowMs: () => clock.nowMs() });

  return {
    target,
    open,
    prewarm(correlationId, logger) {
      if (warm.has(correlationId)) return;
      const session = open(logger);
      // An unclaimed rejection is logged here; a claimer sees the same rejection.
      session.catch((error: unknown) => logger.warn({ err: error }, "pre-warming Voice Live failed; the media socket will connect on its own"));
      const timer = clock.setTimeout(() => {
        if (!warm.delete(correlationId)) return;
        logger.info({ timeoutMs: options.prewarmTimeoutMs }, "pre-warmed Voice Live session not claimed; closed");
        session.then((s) => s.close("prewarm_unclaimed"), () => undefined);
      }, options.prewarmTimeoutMs);
      warm.set(correlationId, { session, timer });
    },
    claim(correlationId) {
      const entry = warm.get(correlationId);
      if (!entry) return undefined;
      warm.delete(correlationId);
      clock.clearTimeout(entry.timer);
      return entry.session;
    },
    close() {
      for (const [, entry] of warm) {
        clock.clearTimeout(entry.timer);
        entry.session.then((s) => s.close("shutdown"), () => undefined);
      }
      warm.clear();
    },
  };
}

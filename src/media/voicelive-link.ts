/**
 * A call's hold on Voice Live: takes the pre-warmed session (or connects),
 * watches it become ready, and when it drops mid-call reconnects once (fresh
 * token, same configuration). What cannot be recovered is reported as lost.
 */
import type { Logger } from "pino";
import type { ConversationLog } from "../calls/conversation-log.js";
import type { VoiceLiveConfig } from "../config/voicelive.js";
import type { Metrics } from "../metrics.js";
import type { VoiceLiveConnector } from "../voicelive/connector.js";
import type { ServerEvent } from "../voicelive/protocol.js";
import type { VoiceLiveSession } from "../voicelive/session.js";
import { errorMessage } from "../errors.js";

export interface VoiceLiveLinkEvents {
  onEvent(event: ServerEvent): void;
  /** The session dropped; a reconnect is being attempted (what was queued belongs to the dead session). */
  onDropped(): void;
  /** A replacement session is ready. */
  onReconnected(session: VoiceLiveSession): void;
  /** No usable session: the call cannot go on. */
  onLost(reason: string, error: unknown): void;
  /** Handling one of the session's events threw. */
  onFault(error: unknown, eventType: string): void;
}

/** Reconnects per call: a second drop means the service is not coming back soon. */
const MAX_RECONNECTS = 1;
const READY_TIMEOUT_MS = 10_000;

export class VoiceLiveLink {
  private current: VoiceLiveSession | undefined;
  private reconnects = 0;
  private closed = false;

  constructor(
    private readonly deps: {
      readonly connector: VoiceLiveConnector;
      readonly config: VoiceLiveConfig;
      readonly metrics: Metrics;
      readonly log: Logger;
      readonly conversationLog: ConversationLog;
    },
    private readonly events: VoiceLiveLinkEvents,
  ) {}

  get session(): VoiceLiveSession | undefined {
    return this.current;
  }

  /** Takes the pre-warmed session if there is one, else connects now. */
  start(prewarmed: Promise<VoiceLiveSession> | undefined): void {
    const { connector, log } = this.deps;
    (prewarmed ?? connector.open(log))
      .catch((error: unknown) => {
        if (!prewarmed || this.closed) throw error;
        log.warn({ reason: errorMessage(error) }, "pre-warmed Voice Live session failed; connecting again");
        return connector.open(log);
      })
      .then(
        (session) => this.adopt(session),
        (error: unknown) => this.lost("voicelive_unavailable", error),
      )
      .catch((error: unknown) => this.events.onFault(error, "session.adopt"));
  }

  close(reason: string): void {
    this.closed = true;
    this.current?.close(reason);
  }

  private adopt(session: VoiceLiveSession): void {
    if (this.closed) {
      session.close("call_ended");
      return;
    }
    this.current = session;
    this.deps.conversationLog.write("voicelive_session", { sessionId: session.sessionId, mode: this.deps.config.mode, voice: this.deps.config.voice });
    session.attach({
      onEvent: (event) => this.events.onEvent(event),
      onDropped: (info) => void this.reconnect(info),
      onFault: (error, eventType) => this.events.onFault(error, eventType),
    });
    session.whenReady(READY_TIMEOUT_MS).catch((error: unknown) => {
      if (this.current === session && !session.closed) this.lost("voicelive_not_ready", error);
    });
  }

  private async reconnect(info: { code: number; reason: string }): Promise<void> {
    if (this.closed) return;
    const { metrics, log, conversationLog } = this.deps;
    conversationLog.write("voicelive_dropped", { code: info.code, reason: info.reason });
    if (this.reconnects >= MAX_RECONNECTS) {
      metrics.voiceLiveReconnects.inc({ outcome: "gave_up" });
      this.lost("voicelive_lost", new Error(`Voice Live closed (${info.code} ${info.reason}) after ${this.reconnects} reconnect(s)`));
      return;
    }
    this.reconnects += 1;
    this.current = undefined;
    this.events.onDropped();
    try {
      const session = await this.deps.connector.open(log);
      if (this.closed) {
        session.close("call_ended");
        return;
      }
      this.adopt(session);
      await session.whenReady(READY_TIMEOUT_MS);
      metrics.voiceLiveReconnects.inc({ outcome: "reconnected" });
      log.info("Voice Live reconnected");
      conversationLog.write("voicelive_reconnected", { sessionId: session.sessionId });
      this.events.onReconnected(session);
    } catch (error) {
      metrics.voiceLiveReconnects.inc({ outcome: "failed" });
      this.lost("voicelive_lost", error);
    }
  }

  private lost(reason: string, error: unknown): void {
    if (!this.closed) this.events.onLost(reason, error);
  }
}

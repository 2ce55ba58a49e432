/**
 * A call's hold on Voice Live: takes the pre-warmed session (or connects),
 * watches it become ready, renews it before it expires, and when it drops
 * mid-call reconnects once (fresh token, same configuration). A session that
 * replaces another gets the conversation so far. What cannot be recovered is
 * reported as lost.
 *
 * Renewal: a session that announces `expires_at` is replaced before then — a
 * new one opened and configured ahead of time, the conversation carried over,
 * and the switch made at a quiet moment between turns, so the caller notices
 * nothing. If the old one ends first, the spare takes over at once.
 */
import type { Logger } from "pino";
import type { VoiceLiveRateHz } from "../audio/index.js";
import type { ConversationLog } from "../calls/conversation-log.js";
import type { Clock, Timer } from "../clock.js";
import type { VoiceLiveConfig } from "../config/voicelive.js";
import { errorMessage } from "../errors.js";
import type { Metrics } from "../metrics.js";
import type { VoiceLiveConnector } from "../voicelive/connector.js";
import type { ServerEvent } from "../voicelive/protocol.js";
import type { VoiceLiveSession } from "../voicelive/session.js";

export interface VoiceLiveLinkEvents {
  onEvent(event: ServerEvent): void;
  /** The session dropped; a reconnect is being attempted (what was queued belongs to the dead session). */
  onDropped(): void;
  /** A replacement session is ready after a drop. */
  onReconnected(session: VoiceLiveSession): void;
  /** No usable session: the call cannot go on. */
  onLost(reason: string, error: unknown): void;
  /** Handling one of the session's events threw. */
  onFault(error: unknown, eventType: string): void;
  /** A session is about to replace another: give it the conversation so far. */
  carryOver(session: VoiceLiveSession): void;
  /** Resolves at a quiet moment between turns, or at `deadlineMs` (clock.nowMs) at the latest. */
  whenQuiet(deadlineMs: number): Promise<void>;
}

/** Reconnects per call: a second drop means the service is not coming back soon. */
const MAX_RECONNECTS = 1;
const READY_TIMEOUT_MS = 10_000;
/** Renewal starts this share of the session's remaining lifetime before it expires… */
const RENEW_SHARE = 0.25;
/** …at least this long before, at most this long. */
const RENEW_LEAD_MIN_MS = 1500;
const RENEW_LEAD_MAX_MS = 120_000;
/** The switch waits for a quiet moment until this long before expiry, then happens anyway. */
const SWITCH_MARGIN_MS = 500;

export class VoiceLiveLink {
  private current: VoiceLiveSession | undefined;
  private reconnects = 0;
  private closed = false;
  private renewTimer: Timer | undefined;
  private stallTimer: Timer | undefined;
  /** A replacement opened ahead of the current session's expiry. */
  private spare: VoiceLiveSession | undefined;
  /** The audio rate the phone leg needs; every session this call adopts is switched to it. */
  private audioRateHz: VoiceLiveRateHz | undefined;

  constructor(
    private readonly deps: {
      readonly connector: VoiceLiveConnector;
      readonly config: VoiceLiveConfig;
      readonly metrics: Metrics;
      readonly log: Logger;
      readonly conversationLog: ConversationLog;
      readonly clock: Clock;
      /** A session silent this long while it owes a response counts as dropped (0: never). */
      readonly stallMs: number;
      readonly profile: string;
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

  /** The call's audio goes to and comes from Voice Live at this rate, in this session and any that replaces it. */
  setAudioRate(rateHz: VoiceLiveRateHz): void {
    this.audioRateHz = rateHz;
    this.current?.setAudioRate(rateHz);
  }

  close(reason: string): void {
    this.closed = true;
    if (this.renewTimer !== undefined) this.deps.clock.clearTimeout(this.renewTimer);
    if (this.stallTimer !== undefined) this.deps.clock.clearInterval(this.stallTimer);
    this.spare?.close(reason);
    this.current?.close(reason);
  }

  private adopt(session: VoiceLiveSession): void {
    if (this.closed) {
      session.close("call_ended");
      return;
    }
    this.current = session;
    if (this.audioRateHz !== undefined) session.setAudioRate(this.audioRateHz);
    this.deps.conversationLog.write("voicelive_session", { sessionId: session.sessionId, mode: this.deps.config.mode, voice: this.deps.config.voice });
    session.attach({
      onEvent: (event) => this.events.onEvent(event),
      onDropped: (info) => void this.dropped(session, info),
      onFault: (error, eventType) => this.events.onFault(error, eventType),
    });
    this.watchForStalls();
    session.whenReady(READY_TIMEOUT_MS).then(
      () => this.scheduleRenewal(session),
      (error: unknown) => {
        if (this.current === session && !session.closed) this.lost("voicelive_not_ready", error);
      },
    );
  }

  /**
   * A session can stop talking without closing (a hung service, a half-open
   * socket): while it owes a response (one requested, or one in progress) and
   * sends nothing for VOICELIVE_STALL_MS, it is treated as dropped — the
   * reconnect path takes over.
   */
  private watchForStalls(): void {
    const { stallMs, clock } = this.deps;
    if (stallMs <= 0 || this.stallTimer !== undefined) return;
    this.stallTimer = clock.setInterval(() => {
      const session = this.current;
      if (!session || session.closed || !session.ready) return;
      const owesResponse = session.activeResponseId !== undefined || session.hasQueuedResponses;
      if (!owesResponse || clock.nowMs() - session.lastEventAtMs < stallMs) return;
      this.deps.metrics.callPolicies.inc({ reason: "voicelive_stalled", profile: this.deps.profile });
      this.deps.log.warn({ sessionId: session.sessionId, silentMs: Math.round(clock.nowMs() - session.lastEventAtMs) }, "Voice Live went quiet while a response was due; treating the session as dropped");
      this.deps.conversationLog.write("voicelive_stalled", { sessionId: session.sessionId });
      session.abandon("voicelive_stalled");
    }, Math.max(250, Math.min(1000, stallMs / 4)));
  }

  /** `next` takes the call over from the current session, with the conversation so far. */
  private switchTo(next: VoiceLiveSession, why: "renewed" | "expired" | "reconnected"): void {
    const previous = this.current;
    this.events.carryOver(next);
    this.adopt(next);
    if (previous && previous !== next) previous.close(why);
    this.deps.conversationLog.write("voicelive_switched", { why, from: previous?.sessionId, to: next.sessionId });
  }

  private scheduleRenewal(session: VoiceLiveSession): void {
    const expiresAtMs = session.expiresAtMs;
    if (expiresAtMs === undefined || this.closed || this.current !== session) return;
    const remainingMs = expiresAtMs - this.deps.clock.date().getTime();
    const leadMs = Math.min(RENEW_LEAD_MAX_MS, Math.max(RENEW_LEAD_MIN_MS, remainingMs * RENEW_SHARE));
    if (this.renewTimer !== undefined) this.deps.clock.clearTimeout(this.renewTimer);
    this.renewTimer = this.deps.clock.setTimeout(() => {
      this.renewTimer = undefined;
      void this.renew(session, expiresAtMs);
    }, Math.max(0, remainingMs - leadMs));
  }

  private async renew(expiring: VoiceLiveSession, expiresAtMs: number): Promise<void> {
    const { metrics, log, clock, connector } = this.deps;
    if (this.closed || this.current !== expiring) return;
    log.info({ sessionId: expiring.sessionId, expiresInMs: expiresAtMs - clock.date().getTime() }, "Voice Live session expires soon: opening its replacement");
    let spare: VoiceLiveSession;
    try {
      spare = await connector.open(log);
      await spare.whenReady(READY_TIMEOUT_MS);
    } catch (error) {
      metrics.voiceLiveRenewals.inc({ outcome: "failed" });
      log.warn({ reason: errorMessage(error) }, "renewing the Voice Live session failed; the call reconnects when it expires");
      return;
    }
    if (this.closed || this.current !== expiring) {
      // Meanwhile the call ended, or the session dropped and a reconnect is under way.
      spare.close("not_needed");
      return;
    }
    this.spare = spare;
    const switchByMs = clock.nowMs() + Math.max(0, expiresAtMs - clock.date().getTime() - SWITCH_MARGIN_MS);
    await this.events.whenQuiet(switchByMs);
    if (this.closed || this.spare !== spare || this.current !== expiring) return;
    this.spare = undefined;
    this.switchTo(spare, "renewed");
    metrics.voiceLiveRenewals.inc({ outcome: "renewed" });
    log.info({ from: expiring.sessionId, to: spare.sessionId }, "Voice Live session renewed between turns");
  }

  private async dropped(session: VoiceLiveSession, info: { code: number; reason: string }): Promise<void> {
    if (this.closed || this.current !== session) return;
    const { metrics, log, conversationLog } = this.deps;
    conversationLog.write("voicelive_dropped", { code: info.code, reason: info.reason });
    const spare = this.spare;
    if (spare && !spare.closed) {
      // The renewal's session is ready: take over without the caller hearing an apology.
      this.spare = undefined;
      this.events.onDropped();
      this.switchTo(spare, "expired");
      metrics.voiceLiveRenewals.inc({ outcome: "took_over" });
      log.info({ to: spare.sessionId }, "Voice Live session ended; its prepared replacement took over");
      return;
    }
    if (this.reconnects >= MAX_RECONNECTS) {
      metrics.voiceLiveReconnects.inc({ outcome: "gave_up" });
      this.lost("voicelive_lost", new Error(`Voice Live closed (${info.code} ${info.reason}) after ${this.reconnects} reconnect(s)`));
      return;
    }
    this.reconnects += 1;
    this.current = undefined;
    this.events.onDropped();
    try {
      const next = await this.deps.connector.open(log);
      if (this.closed) {
        next.close("call_ended");
        return;
      }
      await next.whenReady(READY_TIMEOUT_MS);
      if (this.closed) {
        next.close("call_ended");
        return;
      }
      this.switchTo(next, "reconnected");
      metrics.voiceLiveReconnects.inc({ outcome: "reconnected" });
      log.info("Voice Live reconnected");
      conversationLog.write("voicelive_reconnected", { sessionId: next.sessionId });
      this.events.onReconnected(next);
    } catch (error) {
      metrics.voiceLiveReconnects.inc({ outcome: "failed" });
      this.lost("voicelive_lost", error);
    }
  }

  private lost(reason: string, error: unknown): void {
    if (!this.closed) this.events.onLost(reason, error);
  }
}

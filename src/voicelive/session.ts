/**
 * One Voice Live session (one connection): configures itself, keeps the little
 * state every caller of it needs (ready, the active response) and guarantees one
 * response at a time — response.create waits for the active response's done.
 */
import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import { withDeadline } from "../deadline.js";
import { AppError } from "../errors.js";
import { createLogLimiter, type LogLimiter } from "../log-limiter.js";
import type { Metrics } from "../metrics.js";
import { openVoiceLiveConnection, type VoiceLiveConnection } from "./connection.js";
import { buildAuthHeaders, buildRealtimeUrl, type VoiceLiveTarget } from "./endpoint.js";
import type { ClientEvent, ResponseOptions, ServerEvent, SessionSettings } from "./protocol.js";
import type { DropReason, ServerEventParser } from "./server-events.js";
import { audioFormatSettings, audioRateOf } from "./session-config.js";
import type { VoiceLiveRateHz } from "../audio/index.js";

export interface VoiceLiveSessionHandlers {
  /** Every server event, after the session's own bookkeeping. */
  onEvent(event: ServerEvent): void;
  /** The connection ended without close() being called. */
  onDropped(info: { code: number; reason: string }): void;
  /** Handling an event threw: the call's own code is broken for this call. */
  onFault(error: unknown, eventType: string): void;
}

export interface VoiceLiveSessionOptions {
  readonly target: VoiceLiveTarget;
  readonly settings: SessionSettings;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly metrics: Metrics;
  readonly parse: ServerEventParser;
  readonly conversationId?: string;
  /** Abandons the attempt (e.g. the pre-warmed call ended first). */
  readonly signal?: AbortSignal;
}

/** How a requested response ended ("rejected": the service refused the response.create; "closed": the session ended first). */
export type ResponseOutcome = { readonly responseId: string | undefined; readonly status: string };

type Resolver = (outcome: ResponseOutcome) => void;
interface SentRequest {
  readonly resolve: Resolver;
  readonly kind: "pregenerated" | "plain";
}

export interface VoiceLiveSessionCounters {
  /** Client events that could not be sent (socket closed or backed up). */
  unsent: number;
}

export class VoiceLiveSession {
  sessionId: string | undefined;
  /** When the service will end this session (wall-clock ms), if it said (`session.expires_at`). */
  expiresAtMs: number | undefined;
  readonly openedAtMs: number;
  readonly counters: VoiceLiveSessionCounters = { unsent: 0 };
  /** The PCM16 rate of the audio this session takes and gives (set by the session.update we sent last). */
  audioRateHz: VoiceLiveRateHz = 24000;
  private connection: VoiceLiveConnection | undefined;
  private handlers: VoiceLiveSessionHandlers | undefined;
  private readyFlag = false;
  private readyWaiters: Array<() => void> = [];
  private active: string | undefined;
  private readonly pendingResponses: Array<{ readonly options: ResponseOptions | undefined; readonly resolve: Resolver }> = [];
  /** Sent response.create events waiting for their response.created, in order. */
  private readonly sentRequests: SentRequest[] = [];
  private readonly requestedResponses = new Map<string, SentRequest>();
  private closedFlag = false;
  private droppedInfo: { code: number; reason: string } | undefined;
  /** Events that arrived before anyone attached (pre-warm). */
  private early: ServerEvent[] = [];
  private readonly dropLog: LogLimiter;
  private lastEventMs: number;

  private constructor(
    readonly log: Logger,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
  ) {
    this.openedAtMs = clock.nowMs();
    this.lastEventMs = this.openedAtMs;
    this.dropLog = createLogLimiter(clock);
  }

  /**
   * Connects (fresh auth each time) and sends session.update. The token and the
   * handshake together get VOICELIVE_CONNECT_TIMEOUT_MS.
   */
  static async open(options: VoiceLiveSessionOptions): Promise<VoiceLiveSession> {
    const { target, clock } = options;
    const session = new VoiceLiveSession(options.logger, clock, options.metrics);
    const url = buildRealtimeUrl(target, { conversationId: options.conversationId });
    const timeoutMs = target.config.connectTimeoutMs;
    session.connection = await withDeadline(clock, timeoutMs, "connecting to Voice Live", async (signal) => {
      const headers = await buildAuthHeaders(target.auth, signal);
      signal.throwIfAborted();
      return openVoiceLiveConnection(
        url,
        headers,
        {
          onEvent: (event) => session.handle(event),
          onRejected: (rejection) => session.rejected(rejection),
          onHandlerError: (error, eventType) => session.handlerFailed(error, eventType),
          onClose: (info) => session.handleClose(info),
        },
        // The deadline above governs; ws's own handshake timer is only a backstop.
        { logger: options.logger, connectTimeoutMs: timeoutMs + 1000, parse: options.parse, signal },
      );
    }, { signal: options.signal }).catch((error: unknown) => {
      if (error instanceof AppError && error.code === "deadline_exceeded") options.metrics.requestDeadlines.inc({ request: "voicelive_connect" });
      throw error;
    });
    session.audioRateHz = audioRateOf(options.settings);
    session.send({ type: "session.update", session: options.settings });
    return session;
  }

  /**
   * Switches the session's audio (both ways) to `rateHz`. Voice Live applies
   * client events in order, so appends sent after this are read at the new rate
   * and responses requested after it are spoken at it.
   */
  setAudioRate(rateHz: VoiceLiveRateHz): void {
    if (this.audioRateHz === rateHz) return;
    this.audioRateHz = rateHz;
    this.send({ type: "session.update", session: audioFormatSettings(rateHz) });
  }

  get ready(): boolean {
    return this.readyFlag;
  }

  get closed(): boolean {
    return this.closedFlag || this.droppedInfo !== undefined;
  }

  get activeResponseId(): string | undefined {
    return this.active;
  }

  /** A response.create sent or waiting to be sent. */
  get hasQueuedResponses(): boolean {
    return this.sentRequests.length > 0 || this.pendingResponses.length > 0;
  }

  /** Who asked for a response in progress: us with exact text, us plainly, or (undefined) the service itself. */
  requestedKind(responseId: string): "pregenerated" | "plain" | undefined {
    return this.requestedResponses.get(responseId)?.kind;
  }

  /** Resolves at session.updated; rejects if the session ends first or the timeout passes. */
  whenReady(timeoutMs: number): Promise<void> {
    if (this.readyFlag) return Promise.resolve();
    if (this.closed) return Promise.reject(new AppError("voicelive_closed", "Voice Live session ended before it was ready"));
    return new Promise((resolve, reject) => {
      const timer = this.clock.setTimeout(() => reject(new AppError("voicelive_not_ready", `no session.updated within ${timeoutMs} ms`, { retryable: true })), timeoutMs);
      this.readyWaiters.push(() => {
        this.clock.clearTimeout(timer);
        if (this.readyFlag) resolve();
        else reject(new AppError("voicelive_closed", "Voice Live session ended before it was ready"));
      });
    });
  }

  /** Hands events to the call; events that came before (pre-warm) are replayed first. */
  attach(handlers: VoiceLiveSessionHandlers): void {
    this.handlers = handlers;
    const early = this.early;
    this.early = [];
    for (const event of early) {
      try {
        handlers.onEvent(event);
      } catch (error) {
        this.handlerFailed(error, event.type);
      }
    }
    if (this.droppedInfo) handlers.onDropped(this.droppedInfo);
  }

  send(event: ClientEvent): boolean {
    const sent = this.connection?.send(event) ?? false;
    if (!sent) this.counters.unsent += 1;
    return sent;
  }

  /** Hot path: a prebuilt input_audio_buffer.append. */
  sendRaw(text: string): boolean {
    const sent = this.connection?.sendRaw(text) ?? false;
    if (!sent) this.counters.unsent += 1;
    return sent;
  }

  /**
   * response.create now, or as soon as the active response is done: never two at
   * once. Resolves when that response is done (or was refused, or the session ended).
   */
  requestResponse(options?: ResponseOptions): Promise<ResponseOutcome> {
    return new Promise((resolve) => {
      if (this.closed) {
        resolve({ responseId: undefined, status: "closed" });
      } else if (this.active !== undefined || this.sentRequests.length > 0 || this.pendingResponses.length > 0) {
        // A response.create in flight counts as active: its response.created has not arrived yet.
        this.pendingResponses.push({ options, resolve });
      } else {
        this.sendResponseCreate(options, resolve);
      }
    });
  }

  close(reason: string): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    this.settleAllRequests();
    this.connection?.close(reason);
    this.wakeReadyWaiters();
  }

  /**
   * The service has gone quiet while it owes us a response: treat the session
   * as dropped (its owner reconnects) and stop listening to it.
   */
  abandon(reason: string): void {
    if (this.closed) return;
    this.handleClose({ code: 4000, reason, byUs: false });
    this.closedFlag = true;
    this.connection?.close(reason);
  }

  /** When the last server event arrived (clock ms). */
  get lastEventAtMs(): number {
    return this.lastEventMs;
  }

  private sendResponseCreate(options: ResponseOptions | undefined, resolve: Resolver): void {
    if (this.send(options ? { type: "response.create", response: options } : { type: "response.create" })) {
      this.sentRequests.push({ resolve, kind: options?.pre_generated_assistant_message ? "pregenerated" : "plain" });
    } else {
      resolve({ responseId: undefined, status: "closed" });
    }
  }

  private sendNextRequested(): void {
    if (this.active !== undefined || this.sentRequests.length > 0) return;
    const next = this.pendingResponses.shift();
    if (next) this.sendResponseCreate(next.options, next.resolve);
  }

  private settleAllRequests(): void {
    const closed: ResponseOutcome = { responseId: undefined, status: "closed" };
    for (const pending of this.pendingResponses.splice(0)) pending.resolve(closed);
    for (const request of this.sentRequests.splice(0)) request.resolve(closed);
    for (const [, request] of this.requestedResponses) request.resolve(closed);
    this.requestedResponses.clear();
  }

  private handle(event: ServerEvent): void {
    this.lastEventMs = this.clock.nowMs();
    switch (event.type) {
      case "session.created":
        this.sessionId = event.session.id;
        this.noteExpiry(event.session.expires_at);
        break;
      case "session.updated":
        this.sessionId ??= event.session.id;
        this.noteExpiry(event.session.expires_at);
        if (!this.readyFlag) {
          this.readyFlag = true;
          this.log.info({ sessionId: this.sessionId, readyMs: Math.round(this.clock.nowMs() - this.openedAtMs) }, "Voice Live session ready");
          this.wakeReadyWaiters();
        }
        break;
      case "response.created": {
        this.active = event.response.id;
        const requested = this.sentRequests.shift();
        if (requested) this.requestedResponses.set(event.response.id, requested);
        break;
      }
      case "response.done": {
        if (this.active === event.response.id || this.active === undefined) this.active = undefined;
        const requested = this.requestedResponses.get(event.response.id);
        if (requested) {
          this.requestedResponses.delete(event.response.id);
          requested.resolve({ responseId: event.response.id, status: event.response.status });
        }
        this.sendNextRequested();
        break;
      }
      case "error":
        if (event.error.code === "conversation_already_has_active_response") {
          // Our response.create raced a response the service started itself (the caller spoke).
          this.log.debug({ error: event.error }, "response.create refused: a response is already active");
          this.sentRequests.shift()?.resolve({ responseId: undefined, status: "rejected" });
          this.sendNextRequested();
        }
        break;
      default:
        break;
    }
    if (this.closedFlag) return;
    if (this.handlers) this.handlers.onEvent(event);
    else this.early.push(event);
  }

  private noteExpiry(expiresAt: unknown): void {
    // Unix seconds; 0 or absent: no announced lifetime.
    if (typeof expiresAt === "number" && expiresAt > 0) this.expiresAtMs = expiresAt * 1000;
  }

  /** A frame that failed validation: counted, logged at a bounded rate, otherwise ignored. */
  private rejected(rejection: { reason: DropReason; type?: string; detail: string }): void {
    this.metrics.voiceLiveEventsDropped.inc({ reason: rejection.reason });
    const allowed = this.dropLog.take();
    if (allowed) {
      this.log.warn({ reason: rejection.reason, eventType: rejection.type, detail: rejection.detail, suppressedSinceLast: allowed.suppressed }, "invalid Voice Live event dropped");
    }
  }

  private handlerFailed(error: unknown, eventType: string): void {
    if (this.closedFlag) return;
    if (this.handlers) {
      this.handlers.onFault(error, eventType);
      return;
    }
    // Nobody holds this session yet (pre-warm): it cannot be trusted to serve a call.
    this.log.error({ err: error, eventType }, "handling a Voice Live event failed before the call attached; session closed");
    this.close("internal_error");
  }

  private handleClose(info: { code: number; reason: string; byUs: boolean }): void {
    this.wakeReadyWaiters();
    this.settleAllRequests();
    if (info.byUs || this.closedFlag) return;
    this.droppedInfo = { code: info.code, reason: info.reason };
    this.log.warn({ code: info.code, reason: info.reason }, "Voice Live connection dropped");
    this.handlers?.onDropped(this.droppedInfo);
  }

  private wakeReadyWaiters(): void {
    const waiters = this.readyWaiters;
    this.readyWaiters = [];
    for (const wake of waiters) wake();
  }
}

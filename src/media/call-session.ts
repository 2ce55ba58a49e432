/**
 * One call's audio loop: the ACS media socket on one side, a Voice Live session
 * on the other, the audio layer between. Only this object sees both sides.
 *
 *   ACS AudioData → base64 → inbound converter → input_audio_buffer.append
 *   response.audio.delta → outbound converter → 20 ms frames → pacer → ACS audioData
 */
import type { Logger } from "pino";
import type WebSocket from "ws";
import { describeLegFormat, type LegFormat } from "../audio/index.js";
import type { CallContext } from "../calls/call-context-token.js";
import type { ConversationLog } from "../calls/conversation-log.js";
import type { Clock, Timer } from "../clock.js";
import type { Config } from "../config/index.js";
import { errorMessage } from "../errors.js";
import type { Metrics } from "../metrics.js";
import { encodeInputAudioAppend } from "../voicelive/codec.js";
import type { VoiceLiveConnector } from "../voicelive/connector.js";
import { pregeneratedResponse } from "../voicelive/greeting.js";
import { BENIGN_ERROR_CODES, type ServerEvent } from "../voicelive/protocol.js";
import type { ResponseOutcome, VoiceLiveSession } from "../voicelive/session.js";
import { AcsCodecError, parseAcsMediaMessage } from "./acs-codec.js";
import { GreetingController } from "./greeting-controller.js";
import { legFormatFromAnswer, legFormatFromMetadata } from "./leg-format.js";
import type { Pacer } from "./pacer.js";
import { PhoneLeg } from "./phone-leg.js";
import { VoiceLiveLink } from "./voicelive-link.js";

/** What tools and other add-ons can do with a live call (see src/tools). */
export interface CallSessionExtension {
  /** Every Voice Live event, after the audio loop handled it. */
  onVoiceLiveEvent?(event: ServerEvent, call: CallSession): void;
  onDtmf?(digit: string, call: CallSession): void;
  /**
   * Every 20 ms of caller audio as 24 kHz samples, whether or not it is
   * forwarded (record mode). A view: copy or consume it before returning.
   */
  onCallerAudio?(samples24k: Int16Array, call: CallSession): void;
  /** What the call logs (tool calls, transfers, …), as it happens. */
  onCallEvent?(type: string, fields: Readonly<Record<string, unknown>>): void;
  onClosed?(reason: string): void;
}

export interface CallSessionDeps {
  readonly config: Config;
  readonly clock: Clock;
  readonly pacer: Pacer;
  readonly metrics: Metrics;
  readonly connector: VoiceLiveConnector;
  readonly context: CallContext;
  readonly callConnectionId: string | undefined;
  readonly log: Logger;
  readonly conversationLog: ConversationLog;
  /** Ends the call at ACS (Voice Live lost for good). */
  hangUp(reason: string): Promise<void>;
  readonly extensions?: readonly CallSessionExtension[];
}


export class CallSession {
  readonly context: CallContext;
  readonly log: Logger;
  private readonly leg: PhoneLeg;
  private readonly link: VoiceLiveLink;
  private readonly greeting: GreetingController;
  private mediaConnectedMs: number | undefined;
  private speechStoppedMs: number | undefined;
  /** Responses cut by barge-in: their late deltas must not reach the caller. */
  private readonly interrupted = new Set<string>();
  private playingResponseId: string | undefined;
  private closeTimer: Timer | undefined;
  private closedReason: string | undefined;
  private readonly closeListeners: Array<(reason: string) => void> = [];
  private idleWaiters: Array<() => void> = [];
  private readonly audioTaps: readonly CallSessionExtension[];

  constructor(private readonly deps: CallSessionDeps) {
    this.context = deps.context;
    this.log = deps.log;
    this.audioTaps = (deps.extensions ?? []).filter((extension) => extension.onCallerAudio !== undefined);
    this.greeting = new GreetingController(deps.config.call.greeting, deps.context, deps.clock, deps.log, deps.conversationLog);
    this.link = new VoiceLiveLink(
      { connector: deps.connector, config: deps.config.voiceLive, metrics: deps.metrics, log: deps.log, conversationLog: deps.conversationLog },
      {
        onEvent: (event) => this.handleVoiceLiveEvent(event),
        // Whatever was queued belongs to the dead session.
        onDropped: () => this.leg.stopPlayback(this.deps.clock.nowMs()),
        onReconnected: (session) => void session.requestResponse(pregeneratedResponse(this.deps.config.call.media.reconnectText)),
        onLost: (reason, error) => void this.fail(reason, error),
      },
    );
    this.leg = new PhoneLeg(deps.pacer, deps.metrics, {
      itemStarted: (itemId, nowMs) => this.itemStartedPlaying(itemId, nowMs),
      drained: () => this.outboundDrained(),
    });
  }

  get closed(): boolean {
    return this.closedReason !== undefined;
  }

  get legFormat(): LegFormat | undefined {
    return this.leg.format;
  }

  get session(): VoiceLiveSession | undefined {
    return this.link.session;
  }

  get callConnectionId(): string | undefined {
    return this.deps.callConnectionId;
  }

  onClose(listener: (reason: string) => void): void {
    this.closeListeners.push(listener);
  }

  /**
   * Speaks exactly `text` (pregenerated, enters the conversation) once no
   * response is active; resolves when that response is done.
   */
  say(text: string): Promise<ResponseOutcome> {
    if (!this.session || this.closed) return Promise.resolve({ responseId: undefined, status: "closed" });
    return this.session.requestResponse(pregeneratedResponse(text));
  }

  /** Resolves when no response is active and everything sent to the caller has played (or the call closed). */
  whenIdle(): Promise<void> {
    if (this.closed || (this.session?.activeResponseId === undefined && this.leg.idle(this.deps.clock.nowMs()))) {
      return Promise.resolve();
    }
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  logEvent(type: string, fields: Record<string, unknown>): void {
    this.deps.conversationLog.write(type, fields);
    for (const extension of this.deps.extensions ?? []) extension.onCallEvent?.(type, fields);
  }

  /** Hangs up at ACS and closes the session. */
  async endCall(reason: string): Promise<void> {
    this.close(reason);
    await this.deps.hangUp(reason);
  }

  private wakeIdleWaiters(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }

  /** Takes the pre-warmed session if there is one, else connects now. */
  start(prewarmed: Promise<VoiceLiveSession> | undefined): void {
    this.link.start(prewarmed);
  }

  // ---------------------------------------------------------------- media side

  attachSocket(socket: WebSocket): void {
    if (this.closed) {
      socket.close(1011, "call ended");
      return;
    }
    if (this.closeTimer !== undefined) {
      this.deps.clock.clearTimeout(this.closeTimer);
      this.closeTimer = undefined;
      this.log.info("media socket reconnected; resuming on the existing Voice Live session");
      this.deps.conversationLog.write("media_reconnected");
    }
    this.leg.attach(socket)?.close(1000, "replaced");
  }

  handleMediaText(text: string): void {
    let message;
    try {
      message = parseAcsMediaMessage(text);
    } catch (error) {
      if (!(error instanceof AcsCodecError)) throw error;
      this.deps.metrics.mediaFramesDropped.inc({ reason: "malformed" });
      this.log.warn({ reason: error.message }, "malformed media frame dropped");
      return;
    }
    switch (message.kind) {
      case "audioData":
        this.handleCallerAudio(message.data);
        return;
      case "audioMetadata": {
        const format = legFormatFromMetadata(message.encoding, message.sampleRateHz, message.channels);
        if (!format) {
          this.log.error({ encoding: message.encoding, sampleRateHz: message.sampleRateHz, channels: message.channels }, "unsupported media format; ending the call");
          void this.fail("media_format_unsupported", new Error(`unsupported media format ${message.encoding}/${message.sampleRateHz}`));
          return;
        }
        this.setLeg(format);
        return;
      }
      case "dtmf":
        this.deps.conversationLog.write("dtmf", { digit: message.digit });
        for (const extension of this.deps.extensions ?? []) extension.onDtmf?.(message.digit, this);
        return;
      case "unknown":
        this.deps.metrics.mediaFramesDropped.inc({ reason: "unknown_kind" });
        this.log.debug({ kind: message.rawKind }, "media frame kind not handled");
        return;
    }
  }

  /** The media socket ended: ACS may reconnect it for the same call, briefly. */
  socketClosed(socket: WebSocket): void {
    if (this.closed || !this.leg.detach(socket)) return;
    this.closeTimer = this.deps.clock.setTimeout(() => this.close("media_closed"), this.deps.config.call.media.reconnectGraceMs);
  }

  private setLeg(format: LegFormat): void {
    const first = this.leg.format === undefined;
    if (!this.leg.setFormat(format)) return;
    if (first) {
      this.mediaConnectedMs = this.deps.clock.nowMs();
      this.log.info({ leg: describeLegFormat(format), delaysMs: this.leg.delaysMs }, "media connected");
      this.deps.conversationLog.write("media_connected", { leg: describeLegFormat(format) });
    } else {
      this.log.info({ leg: describeLegFormat(format) }, "media format changed");
    }
    this.maybeGreet();
  }

  private handleCallerAudio(base64: string): void {
    if (!this.leg.format) {
      // No AudioMetadata: the leg is what the answer asked ACS for.
      this.log.warn("audio before AudioMetadata; assuming the answered format");
      this.setLeg(legFormatFromAnswer(this.deps.config.acs.audioFormat));
    }
    const flows = this.greeting.callerAudioFlows && this.session?.ready === true;
    if (!flows && this.audioTaps.length === 0) {
      this.countHeldFrame();
      return;
    }
    let samples: Int16Array;
    try {
      samples = this.leg.decodeCallerAudio(base64);
    } catch (error) {
      this.deps.metrics.mediaFramesDropped.inc({ reason: "bad_audio" });
      this.log.warn({ reason: errorMessage(error) }, "caller audio frame rejected by the audio layer");
      return;
    }
    if (samples.length === 0) return;
    for (const tap of this.audioTaps) tap.onCallerAudio!(samples, this);
    if (!flows) {
      this.countHeldFrame();
      return;
    }
    if (!this.session!.sendRaw(encodeInputAudioAppend(samples))) {
      this.deps.metrics.mediaFramesDropped.inc({ reason: "voicelive_unavailable" });
    }
  }

  private countHeldFrame(): void {
    this.deps.metrics.callerFramesHeld.inc({ reason: this.greeting.callerAudioFlows ? "session_not_ready" : this.greeting.gateState });
  }

  // ----------------------------------------------------------- Voice Live side

  private handleVoiceLiveEvent(event: ServerEvent): void {
    switch (event.type) {
      case "session.updated":
        this.maybeGreet();
        break;
      case "input_audio_buffer.speech_started":
        this.bargeIn();
        break;
      case "input_audio_buffer.speech_stopped":
        this.speechStoppedMs = this.deps.clock.nowMs();
        break;
      case "response.created":
        this.greeting.responseCreated(event.response.id);
        break;
      case "response.audio.delta":
        this.playAssistantAudio(event.response_id, event.item_id, event.delta);
        break;
      case "response.audio.done":
        if (!this.interrupted.has(event.response_id)) this.leg.endItem();
        break;
      case "response.audio_transcript.done":
        this.deps.conversationLog.write("assistant", { transcript: event.transcript, responseId: event.response_id, itemId: event.item_id, interrupted: this.interrupted.has(event.response_id) });
        break;
      case "conversation.item.input_audio_transcription.completed":
        this.deps.conversationLog.write("caller", { transcript: event.transcript, itemId: event.item_id });
        this.log.debug({ itemId: event.item_id }, "caller turn transcribed");
        break;
      case "response.done":
        this.responseDone(event.response.id, event.response.status);
        break;
      case "error":
        this.voiceLiveError(event.error);
        break;
      default:
        break;
    }
    for (const extension of this.deps.extensions ?? []) extension.onVoiceLiveEvent?.(event, this);
  }

  /** Exactly once per call, as soon as Voice Live is ready and the phone leg is known. */
  private maybeGreet(): void {
    if (!this.closed) this.greeting.greetIfReady(this.session, this.leg.format !== undefined);
  }

  private playAssistantAudio(responseId: string, itemId: string, delta: string): void {
    if (this.interrupted.has(responseId)) {
      this.deps.metrics.assistantAudioDropped.inc({ reason: "interrupted" });
      return;
    }
    this.playingResponseId = responseId;
    try {
      if (!this.leg.playAssistant(itemId, delta)) this.deps.metrics.assistantAudioDropped.inc({ reason: "no_media" });
    } catch (error) {
      this.deps.metrics.assistantAudioDropped.inc({ reason: "bad_audio" });
      this.log.warn({ reason: errorMessage(error), responseId }, "assistant audio delta rejected by the audio layer");
    }
  }

  private itemStartedPlaying(itemId: string, nowMs: number): void {
    if (this.mediaConnectedMs !== undefined && this.greeting.inProgress) {
      this.deps.metrics.greetingLatency.observe(nowMs - this.mediaConnectedMs);
      this.log.info({ itemId, afterMediaConnectMs: Math.round(nowMs - this.mediaConnectedMs) }, "greeting audio started");
      this.mediaConnectedMs = undefined;
    } else if (this.speechStoppedMs !== undefined) {
      this.deps.metrics.responseLatency.observe(nowMs - this.speechStoppedMs);
      this.speechStoppedMs = undefined;
    }
  }

  private responseDone(responseId: string, status: string): void {
    this.interrupted.delete(responseId);
    const idle = this.leg.idle(this.deps.clock.nowMs());
    this.greeting.responseDone(responseId, status, idle);
    if (idle && this.session?.activeResponseId === undefined) this.wakeIdleWaiters();
  }

  private outboundDrained(): void {
    this.greeting.drained();
    if (this.session?.activeResponseId === undefined) this.wakeIdleWaiters();
  }

  /**
   * The caller started talking. Voice Live already stops its response
   * (interrupt_response); we flush what is queued toward the caller.
   */
  private bargeIn(): void {
    const nowMs = this.deps.clock.nowMs();
    if (this.greeting.protectsGreeting) return;
    const stopped = this.leg.stopPlayback(nowMs);
    if (!stopped) return;
    const played = stopped.heard;
    if (this.playingResponseId !== undefined) this.interrupted.add(this.playingResponseId);
    this.deps.metrics.bargeIns.inc();
    const playedMs = played ? Math.max(1, Math.round(played.playedMs)) : undefined;
    if (played && !this.deps.config.voiceLive.autoTruncate) {
      // Tell the model what the caller actually heard (never 0 for an item that played).
      this.session?.send({ type: "conversation.item.truncate", item_id: played.itemId, content_index: 0, audio_end_ms: playedMs! });
    }
    this.log.info({ itemId: played?.itemId, playedMs }, "barge-in: caller spoke over the assistant");
    this.deps.conversationLog.write("barge_in", { itemId: played?.itemId, heardMs: playedMs });
  }

  private voiceLiveError(error: { code?: string; message?: string; type?: string; param?: string | null }): void {
    if (error.code && BENIGN_ERROR_CODES.has(error.code)) {
      this.log.debug({ error }, "benign Voice Live error");
      return;
    }
    this.deps.metrics.voiceLiveErrors.inc({ code: error.code ?? "unknown" });
    this.log.warn({ error }, "Voice Live error");
    this.deps.conversationLog.write("error", { source: "voicelive", code: error.code, message: error.message, param: error.param });
  }

  /** Something the call cannot live without is gone: hang up rather than leave the caller in silence. */
  private async fail(reason: string, error: unknown): Promise<void> {
    if (this.closed) return;
    this.log.error({ err: error, reason }, "ending the call");
    this.deps.conversationLog.write("error", { source: "bot", reason, message: errorMessage(error) });
    this.close(reason);
    try {
      await this.deps.hangUp(reason);
    } catch (hangUpError) {
      this.log.error({ err: hangUpError }, "hang-up after failure failed");
    }
  }

  /** Releases everything, exactly once. */
  close(reason: string): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    if (this.closeTimer !== undefined) this.deps.clock.clearTimeout(this.closeTimer);
    this.greeting.close();
    this.leg.close(reason);
    const unsent = this.session?.counters.unsent ?? 0;
    this.link.close(reason);
    this.wakeIdleWaiters();
    this.log.info({ reason, unsentToVoiceLive: unsent }, "call session closed");
    this.deps.conversationLog.write("call_ended", { reason });
    this.deps.conversationLog.close();
    for (const extension of this.deps.extensions ?? []) extension.onClosed?.(reason);
    for (const listener of this.closeListeners.splice(0)) listener(reason);
  }
}

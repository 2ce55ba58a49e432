/**
 * One call's audio loop: the ACS media socket on one side, a Voice Live session
 * on the other, the audio layer between. Only this object sees both sides.
 *
 *   ACS AudioData → base64 → inbound converter → input_audio_buffer.append
 *   response.audio.delta → outbound converter → 20 ms frames → pacer → ACS audioData
 */
import type { Logger } from "pino";
import type WebSocket from "ws";
import { AudioError, describeLegFormat, VOICE_LIVE_SAMPLE_RATE_HZ, type LegFormat, type VoiceLiveRateHz } from "../audio/index.js";
import type { CallContext } from "../calls/call-context-token.js";
import type { ConversationLog } from "../calls/conversation-log.js";
import type { Clock, Timer } from "../clock.js";
import type { Config } from "../config/index.js";
import { errorMessage } from "../errors.js";
import { createLogLimiter, type LogLimiter } from "../log-limiter.js";
import type { Metrics } from "../metrics.js";
import { encodeInputAudioAppend } from "../voicelive/codec.js";
import type { VoiceLiveConnector } from "../voicelive/connector.js";
import { pregeneratedResponse } from "../voicelive/greeting.js";
import { voiceLiveRateFor } from "../voicelive/session-config.js";
import { BENIGN_ERROR_CODES, type ServerEvent, type VoiceLiveError } from "../voicelive/protocol.js";
import type { ResponseOutcome, VoiceLiveSession } from "../voicelive/session.js";
import { AcsCodecError, parseAcsMediaMessage } from "./acs-codec.js";
import { AppendBatcher } from "./append-batcher.js";
import { GreetingController } from "./greeting-controller.js";
import { CallTranscript } from "./call-transcript.js";
import type { ConversationLine } from "./conversation-memory.js";
import { CallPolicies, type LineState } from "./call-policies.js";
import { greetingSamplesAt, type GreetingAudio } from "./greeting-audio.js";
import { HeldAudio } from "./held-audio.js";
import { CARRIED_ITEM_PREFIX, carryOverItems, QuietMoments } from "./session-handover.js";
import { legFormatFromAnswer, legFormatFromMetadata } from "./leg-format.js";
import type { Pacer } from "./pacer.js";
import { PhoneLeg } from "./phone-leg.js";
import { VoiceLiveLink } from "./voicelive-link.js";

/** What tools and other add-ons can do with a live call (see src/tools). */
export interface CallSessionExtension {
  /** Every Voice Live event, after the audio loop handled it. */
  onVoiceLiveEvent?(event: ServerEvent, call: CallSession): void;
  /** True while it has work in flight in the current Voice Live session (a session handover waits). */
  busy?(): boolean;
  onDtmf?(digit: string, call: CallSession): void;
  /**
   * Every 20 ms of caller audio as PCM16 samples at `sampleRateHz` (Voice
   * Live's rate for the call: 24 or 16 kHz), whether or not it is forwarded
   * (record mode). A view: copy or consume it before returning.
   */
  onCallerAudio?(samples: Int16Array, sampleRateHz: VoiceLiveRateHz, call: CallSession): void;
  /** What the call logs (tool calls, transfers, …), as it happens. */
  onCallEvent?(type: string, fields: Readonly<Record<string, unknown>>): void;
  onClosed?(reason: string): void;
  /** The first frame of a bot audio item went out toward the caller (call clock ms). */
  onBotAudioStarted?(itemId: string, nowMs: number, call: CallSession): void;
  /** StopAudio went out toward the caller; `bargeInAtMs`: when the speech_started that caused it was handled (call clock). */
  onStopAudio?(bargeInAtMs: number, call: CallSession): void;
  /** Audio levels for a live view (the first extension that has them gets every frame while active). */
  readonly audioLevels?: CallAudioLevels;
}

/**
 * Read on every 20 ms frame in both directions: while `active` is false it costs
 * one property read. The arrays are views: read them, never keep them.
 */
export interface CallAudioLevels {
  readonly active: boolean;
  /** Caller audio as PCM16 samples at Voice Live's rate (frames held back by the greeting gate included). */
  caller(samples: Int16Array): void;
  /** One frame toward the caller, in the leg's format. */
  bot(frame: Uint8Array, format: LegFormat): void;
}

export interface CallSessionDeps {
  /** The settings of the call's profile (the environment's without PROFILES_FILE). */
  readonly config: Config;
  /** The profile's name, for metric labels. */
  readonly profile?: string;
  /** The profile's recorded greeting (GREETING_AUDIO), played without a Voice Live round trip. */
  readonly greetingAudio?: GreetingAudio;
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


/** Caller audio kept while a non-interruptible greeting plays (then handed to Voice Live), at most. */
const HELD_AUDIO_MAX_MS = 60_000;
/** Held audio goes to Voice Live in appends of 100 ms. */
const HELD_CHUNK_MS = 100;

/** The item id of a recorded greeting on the phone leg (it has no Voice Live item). */
const RECORDED_GREETING_ITEM = "recorded_greeting";

/** The apology after a fault gets this long to play before the hang-up. */
const APOLOGY_MAX_MS = 10_000;

export class CallSession {
  readonly context: CallContext;
  readonly log: Logger;
  private readonly leg: PhoneLeg;
  private readonly link: VoiceLiveLink;
  private readonly greeting: GreetingController;
  private mediaConnectedMs: number | undefined;
  private speechStoppedMs: number | undefined;
  /** The response cut by the last barge-in: its late deltas must not reach the caller (one at a time plays). */
  private interruptedResponseId: string | undefined;
  private playingResponseId: string | undefined;
  /** A fault is ending the call: the apology plays, the caller is no longer heard. */
  private ending = false;
  private closeTimer: Timer | undefined;
  private closedReason: string | undefined;
  private readonly closeListeners: Array<(reason: string) => void> = [];
  private idleWaiters: Array<() => void> = [];
  private readonly audioTaps: readonly CallSessionExtension[];
  private readonly levels: CallAudioLevels | undefined;
  private readonly audioDropLog: LogLimiter;
  /** Voice Live's audio rate for this call (decided by the leg: see voiceLiveRateFor). */
  private audioRateHz: VoiceLiveRateHz = VOICE_LIVE_SAMPLE_RATE_HZ;
  private held = new HeldAudio(VOICE_LIVE_SAMPLE_RATE_HZ, HELD_AUDIO_MAX_MS);
  /** What was said and heard, line by line (logged as it becomes final). */
  private readonly transcript: CallTranscript;
  private readonly quiet: QuietMoments;
  private readonly policies: CallPolicies;
  private handovers = 0;
  private readonly errorLog: LogLimiter;
  private appends: AppendBatcher;

  constructor(private readonly deps: CallSessionDeps) {
    this.context = deps.context;
    this.log = deps.log;
    this.audioTaps = (deps.extensions ?? []).filter((extension) => extension.onCallerAudio !== undefined);
    this.levels = (deps.extensions ?? []).find((extension) => extension.audioLevels !== undefined)?.audioLevels;
    this.audioDropLog = createLogLimiter(deps.clock);
    this.transcript = new CallTranscript((type, fields) => this.logEvent(type, fields));
    this.quiet = new QuietMoments(deps.clock);
    this.policies = new CallPolicies(
      { clock: deps.clock, silence: deps.config.call.silence, limits: deps.config.call.limits },
      {
        lineState: () => this.lineState(),
        sayAndWait: (text) => this.say(text).then(() => this.whenIdle()),
        hangUp: (reason) => this.endCall(reason),
        note: (reason, fields = {}) => {
          this.deps.metrics.callPolicies.inc({ reason, profile: this.deps.profile ?? "default" });
          this.log.info({ reason, ...fields }, "call policy");
          this.logEvent("policy", { reason, ...fields });
        },
      },
    );
    this.errorLog = createLogLimiter(deps.clock);
    this.appends = new AppendBatcher(deps.config.call.media.voiceLiveAppendMs, this.audioRateHz);
    this.greeting = new GreetingController(deps.config.call.greeting, deps.context, deps.clock, deps.log, deps.conversationLog);
    this.link = new VoiceLiveLink(
      { connector: deps.connector, config: deps.config.voiceLive, metrics: deps.metrics, log: deps.log, conversationLog: deps.conversationLog, clock: deps.clock, stallMs: deps.config.call.limits.voiceLiveStallMs, profile: deps.profile ?? "default" },
      {
        onEvent: (event) => this.handleVoiceLiveEvent(event),
        onDropped: () => {
          // Whatever was queued belongs to the dead session, and so does a greeting holding the caller back.
          this.leg.stopPlayback(this.deps.clock.nowMs());
          this.greeting.releaseHold("voicelive_dropped");
        },
        onReconnected: (session) => void session.requestResponse(pregeneratedResponse(this.deps.config.call.media.reconnectText)),
        onLost: (reason, error) => void this.fail(reason, error),
        onFault: (error, eventType) => this.fault("voicelive_event", error, { eventType }),
        carryOver: (session) => this.carryOver(session),
        whenQuiet: (deadlineMs) => this.quiet.whenQuiet(deadlineMs, () => this.idleForHandover()),
      },
    );
    this.leg = new PhoneLeg(deps.pacer, {
      itemStarted: (itemId, nowMs) => this.itemStartedPlaying(itemId, nowMs),
      drained: () => this.outboundDrained(),
      overflow: (bufferedBytes) => this.callerSocketOverflow(bufferedBytes),
      frameDropped: (reason) => this.dropFrames(reason),
    }, this.levels);
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

  /** The conversation so far as the caller experienced it (assistant lines as heard). */
  transcriptLines(): ConversationLine[] {
    return this.transcript.lines();
  }

  logEvent(type: string, fields: Record<string, unknown>): void {
    this.deps.conversationLog.write(type, fields);
    for (const extension of this.deps.extensions ?? []) {
      try {
        extension.onCallEvent?.(type, fields);
      } catch (error) {
        this.fault("extension", error, { type });
      }
    }
  }

  /**
   * This call's own handling threw (a bug, or peer input nobody foresaw): the
   * call ends — with an apology when Voice Live can still say it, then an ACS
   * hang-up — and nothing else does.
   */
  fault(where: string, error: unknown, fields: Record<string, unknown> = {}): void {
    if (this.closed || this.ending) return;
    this.ending = true;
    this.deps.metrics.callFaults.inc({ where });
    this.log.error({ err: error, where, ...fields }, "call failed: handling it threw; ending this call only");
    this.deps.conversationLog.write("error", { source: "bot", reason: "internal_error", where, message: errorMessage(error) });
    void this.apologiseAndEnd();
  }

  /** Wraps a callback (timer, async continuation) of this call so a throw ends only this call. */
  guard<A extends unknown[]>(where: string, fn: (...args: A) => void): (...args: A) => void {
    return (...args) => {
      try {
        fn(...args);
      } catch (error) {
        this.fault(where, error);
      }
    };
  }

  /** Hangs up at ACS and closes the session. */
  async endCall(reason: string): Promise<void> {
    await this.hangUpAndClose(reason);
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

  /** The caller's socket is not reading what we send (beyond the cap): it is closed, as a dead connection. */
  private callerSocketOverflow(bufferedBytes: number): void {
    this.deps.metrics.mediaFramesDropped.inc({ reason: "caller_backpressure" });
    this.log.warn({ bufferedBytes }, "media socket not reading our audio; closed");
  }

  /**
   * Every media frame this call drops goes through here: counted always, logged
   * at a bounded rate (a peer can send garbage 50 times a second).
   */
  dropFrames(reason: string, fields: Record<string, unknown> = {}, count = 1): void {
    this.deps.metrics.mediaFramesDropped.inc({ reason }, count);
    const line = this.audioDropLog.take();
    if (line) this.log.warn({ reason, count, ...fields, ...(line.suppressed > 0 ? { suppressed: line.suppressed } : {}) }, "media frames dropped");
  }

  handleMediaText(text: string): void {
    let message;
    try {
      message = parseAcsMediaMessage(text);
    } catch (error) {
      if (!(error instanceof AcsCodecError)) throw error;
      this.dropFrames("malformed", { detail: error.message });
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
        if (this.ending) return;
        for (const extension of this.deps.extensions ?? []) {
          try {
            extension.onDtmf?.(message.digit, this);
          } catch (error) {
            this.fault("extension", error, { digit: message.digit });
          }
        }
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
    const rateHz = voiceLiveRateFor(this.deps.config.voiceLive.audioRate, format);
    if (!this.leg.setFormat(format, rateHz)) return;
    // The session may have been opened (pre-warmed) for another leg than the one that came.
    if (first || rateHz !== this.audioRateHz) this.setAudioRate(rateHz);
    if (first) {
      this.mediaConnectedMs = this.deps.clock.nowMs();
      this.policies.start();
      this.log.info({ leg: describeLegFormat(format), voiceLiveRateHz: rateHz, delaysMs: this.leg.delaysMs }, "media connected");
      this.deps.conversationLog.write("media_connected", { leg: describeLegFormat(format) });
    } else {
      this.log.info({ leg: describeLegFormat(format) }, "media format changed");
    }
    this.maybeGreet();
  }

  /**
   * Voice Live's audio for this call moves to `rateHz`: the session (and any
   * that replaces it) is switched before any audio flows at the new rate.
   */
  private setAudioRate(rateHz: VoiceLiveRateHz): void {
    if (this.held.samples > 0) this.dropFrames("format_changed", { heldSamples: this.held.samples });
    this.audioRateHz = rateHz;
    this.held = new HeldAudio(rateHz, HELD_AUDIO_MAX_MS);
    this.appends = new AppendBatcher(this.deps.config.call.media.voiceLiveAppendMs, rateHz);
    this.transcript.setAudioRate(rateHz);
    this.link.setAudioRate(rateHz);
  }

  private handleCallerAudio(base64: string): void {
    if (!this.leg.format) {
      // No AudioMetadata: the leg is what the answer asked ACS for.
      this.log.warn("audio before AudioMetadata; assuming the answered format");
      this.setLeg(legFormatFromAnswer(this.deps.config.acs.audioFormat));
    }
    const flows = this.greeting.callerAudioFlows && this.session?.ready === true && !this.ending;
    // A disclaimer is playing: the caller's words are kept for after it, not dropped.
    const holding = !this.ending && this.greeting.gateState === "holding-for-greeting";
    const levels = this.levels;
    if (!flows && !holding && this.audioTaps.length === 0 && !levels?.active) {
      this.countHeldFrame();
      return;
    }
    let samples: Int16Array;
    try {
      samples = this.leg.decodeCallerAudio(base64);
    } catch (error) {
      if (!(error instanceof AudioError)) throw error;
      this.dropFrames("bad_audio", { detail: error.message, code: error.code });
      return;
    }
    if (samples.length === 0) return;
    try {
      for (const tap of this.audioTaps) tap.onCallerAudio!(samples, this.audioRateHz, this);
    } catch (error) {
      this.fault("extension", error);
    }
    if (levels?.active) levels.caller(samples);
    if (holding) {
      if (!this.held.push(samples)) this.dropFrames("held_audio_full");
      this.countHeldFrame();
      return;
    }
    if (!flows) {
      this.countHeldFrame();
      return;
    }
    if (this.held.samples > 0) this.replayHeldAudio();
    const append = this.appends.push(samples);
    if (append !== undefined && !this.session!.sendRaw(append)) this.dropFrames("voicelive_unavailable");
  }

  /** What the caller said over the disclaimer, now that it has played: Voice Live hears it, then the live audio. */
  private replayHeldAudio(): void {
    const heldMs = Math.round((this.held.samples * 1000) / this.audioRateHz);
    const session = this.session!;
    let unsent = 0;
    for (const chunk of this.held.drain((this.audioRateHz * HELD_CHUNK_MS) / 1000)) if (!session.sendRaw(encodeInputAudioAppend(chunk))) unsent += 1;
    if (unsent > 0) this.dropFrames("voicelive_unavailable", { held: true }, unsent);
    this.log.info({ heldMs }, "caller audio held during the greeting handed to Voice Live");
    this.deps.conversationLog.write("held_audio_replayed", { heldMs });
  }

  private countHeldFrame(): void {
    const reason = this.ending ? "call_ending" : this.greeting.callerAudioFlows ? "session_not_ready" : this.greeting.gateState;
    this.deps.metrics.callerFramesHeld.inc({ reason });
  }

  // ----------------------------------------------------------- Voice Live side

  private handleVoiceLiveEvent(event: ServerEvent): void {
    this.transcript.onVoiceLiveEvent(event);
    this.quiet.onVoiceLiveEvent(event);
    switch (event.type) {
      case "session.updated":
        this.maybeGreet();
        break;
      case "input_audio_buffer.speech_started":
        this.policies.callerSpoke();
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
        if (event.response_id !== this.interruptedResponseId) this.leg.endItem();
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
    for (const extension of this.deps.extensions ?? []) {
      try {
        extension.onVoiceLiveEvent?.(event, this);
      } catch (error) {
        this.fault("extension", error, { eventType: event.type });
      }
    }
  }

  /** Exactly once per call, as soon as Voice Live is ready and the phone leg is known. */
  private maybeGreet(): void {
    if (this.closed) return;
    const recording = this.deps.greetingAudio;
    if (recording) {
      const play = (): void => void this.leg.playRecording(RECORDED_GREETING_ITEM, greetingSamplesAt(recording, this.audioRateHz));
      this.greeting.greetWithRecording(this.session, this.leg.format !== undefined, play, recording);
    } else {
      this.greeting.greetIfReady(this.session, this.leg.format !== undefined);
    }
  }

  private playAssistantAudio(responseId: string, itemId: string, delta: string): void {
    if (responseId === this.interruptedResponseId) {
      this.deps.metrics.assistantAudioDropped.inc({ reason: "interrupted" });
      return;
    }
    this.playingResponseId = responseId;
    try {
      if (!this.leg.playAssistant(itemId, delta)) {
        this.deps.metrics.assistantAudioDropped.inc({ reason: "no_media" });
        if (this.audioDropLog.take()) this.log.warn({ responseId, itemId }, "assistant audio dropped: no media socket to play it on");
      }
    } catch (error) {
      if (!(error instanceof AudioError)) throw error;
      // Voice Live's audio is boundary input too: counted with the other refused Voice Live frames.
      this.deps.metrics.voiceLiveEventsDropped.inc({ reason: "invalid_audio" });
      if (this.audioDropLog.take()) this.log.warn({ reason: error.message, code: error.code, responseId }, "assistant audio delta rejected by the audio layer");
    }
  }

  private itemStartedPlaying(itemId: string, nowMs: number): void {
    this.transcript.itemStarted(itemId);
    if (this.mediaConnectedMs !== undefined && this.greeting.inProgress) {
      this.deps.metrics.greetingLatency.observe(nowMs - this.mediaConnectedMs);
      this.log.info({ itemId, afterMediaConnectMs: Math.round(nowMs - this.mediaConnectedMs) }, "greeting audio started");
      this.mediaConnectedMs = undefined;
    } else if (this.speechStoppedMs !== undefined) {
      this.deps.metrics.responseLatency.observe(nowMs - this.speechStoppedMs);
      this.speechStoppedMs = undefined;
    }
    for (const extension of this.deps.extensions ?? []) {
      try {
        extension.onBotAudioStarted?.(itemId, nowMs, this);
      } catch (error) {
        this.fault("extension", error, { itemId });
      }
    }
  }

  private responseDone(responseId: string, status: string): void {
    if (responseId === this.interruptedResponseId) this.interruptedResponseId = undefined;
    const idle = this.leg.idle(this.deps.clock.nowMs());
    this.greeting.responseDone(responseId, status, idle);
    if (idle && this.session?.activeResponseId === undefined) this.wakeIdleWaiters();
  }

  private outboundDrained(): void {
    this.transcript.drained();
    this.greeting.drained();
    if (this.session?.activeResponseId === undefined) this.wakeIdleWaiters();
  }

  /**
   * The caller started talking. Voice Live already stops its response
   * (interrupt_response); we flush what is queued toward the caller.
   */
  private bargeIn(): void {
    const nowMs = this.deps.clock.nowMs();
    if (this.greeting.protectsGreeting || this.ending) return;
    const stopped = this.leg.stopPlayback(nowMs);
    if (!stopped) return;
    for (const extension of this.deps.extensions ?? []) {
      try {
        extension.onStopAudio?.(nowMs, this);
      } catch (error) {
        this.fault("extension", error);
      }
    }
    const played = stopped.heard;
    if (this.playingResponseId !== undefined) this.interruptedResponseId = this.playingResponseId;
    this.greeting.interrupted();
    this.deps.metrics.bargeIns.inc();
    const playedMs = played ? Math.max(1, Math.round(played.playedMs)) : undefined;
    if (played) this.transcript.cut(played.itemId, played.playedMs);
    if (played && !this.deps.config.voiceLive.autoTruncate) {
      // Tell the model what the caller actually heard: up to the last whole word (never 0 for an item that played).
      const audioEndMs = this.transcript.memory.truncateAtMs(played.itemId, played.playedMs);
      this.session?.send({ type: "conversation.item.truncate", item_id: played.itemId, content_index: 0, audio_end_ms: audioEndMs });
    }
    this.log.info({ itemId: played?.itemId, playedMs }, "barge-in: caller spoke over the assistant");
    this.deps.conversationLog.write("barge_in", { itemId: played?.itemId, heardMs: playedMs });
  }

  private voiceLiveError(error: VoiceLiveError): void {
    if (error.code && BENIGN_ERROR_CODES.has(error.code)) {
      this.log.debug({ error }, "benign Voice Live error");
      return;
    }
    this.deps.metrics.voiceLiveErrors.inc({ code: error.code ?? "unknown" });
    const allowed = this.errorLog.take();
    if (allowed) this.log.warn({ error, suppressedSinceLast: allowed.suppressed }, "Voice Live error");
    this.deps.conversationLog.write("error", { source: "voicelive", code: error.code, message: error.message, param: error.param });
  }

  /** A new Voice Live session takes over this call: it gets the conversation so far. */
  private carryOver(next: VoiceLiveSession): void {
    this.handovers += 1;
    const items = carryOverItems(this.transcript.lines(), `${CARRIED_ITEM_PREFIX}${this.handovers}_`);
    for (const item of items) next.send({ type: "conversation.item.create", item });
    this.log.info({ items: items.length, sessionId: next.sessionId }, "conversation carried over to the new Voice Live session");
    this.deps.conversationLog.write("conversation_carried_over", { items: items.length, sessionId: next.sessionId });
  }

  /** Where the conversation stands, for the silence policy. */
  private lineState(): LineState {
    const session = this.session;
    if (this.closed || this.ending || !session?.ready) return "paused";
    if (this.quiet.callerTurnOpen) return "caller_turn";
    if (this.greeting.inProgress || session.activeResponseId !== undefined || session.hasQueuedResponses || !this.leg.idle(this.deps.clock.nowMs())) {
      return "bot_speaking";
    }
    // A tool at work, or the caller's audio held back: their silence is not theirs.
    if (this.greeting.gateState === "holding-for-greeting") return "paused";
    if ((this.deps.extensions ?? []).some((extension) => extension.busy?.() === true)) return "paused";
    return "waiting_for_caller";
  }

  /** Nothing in flight that belongs to the current session: a switch now is unnoticeable. */
  private idleForHandover(): boolean {
    const session = this.session;
    if (this.closed || !session || session.activeResponseId !== undefined || session.hasQueuedResponses) return false;
    if (this.greeting.inProgress || !this.leg.idle(this.deps.clock.nowMs())) return false;
    return !(this.deps.extensions ?? []).some((extension) => extension.busy?.() === true);
  }

  /** Something the call cannot live without is gone: hang up rather than leave the caller in silence. */
  private async fail(reason: string, error: unknown): Promise<void> {
    if (this.closed) return;
    this.log.error({ reason, error: errorMessage(error), code: (error as { code?: unknown } | undefined)?.code }, "call failed; hanging up");
    this.deps.conversationLog.write("error", { source: "bot", reason, message: errorMessage(error) });
    await this.hangUpAndClose(reason);
  }

  private async apologiseAndEnd(): Promise<void> {
    const session = this.session;
    if (session && !session.closed && session.ready && this.leg.connected) {
      const spoken = this.say(this.deps.config.call.errorText).then(() => this.whenIdle());
      await new Promise<void>((resolve) => {
        const timer = this.deps.clock.setTimeout(resolve, APOLOGY_MAX_MS);
        void spoken.finally(() => {
          this.deps.clock.clearTimeout(timer);
          resolve();
        });
      });
    }
    await this.hangUpAndClose("internal_error");
  }

  private async hangUpAndClose(reason: string): Promise<void> {
    this.close(reason);
    try {
      await this.deps.hangUp(reason);
    } catch (hangUpError) {
      this.log.error({ reason, error: errorMessage(hangUpError) }, "hang-up failed");
    }
  }

  /** Releases everything, exactly once. */
  close(reason: string): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    if (this.closeTimer !== undefined) this.deps.clock.clearTimeout(this.closeTimer);
    this.greeting.close();
    this.policies.stop();
    this.transcript.callEnded(this.leg.playing(this.deps.clock.nowMs()));
    this.leg.close(reason);
    const unsent = this.session?.counters.unsent ?? 0;
    this.link.close(reason);
    this.wakeIdleWaiters();
    this.log.info({ reason, unsentToVoiceLive: unsent }, "call session closed");
    this.deps.conversationLog.write("call_ended", { reason });
    this.deps.conversationLog.close();
    for (const extension of this.deps.extensions ?? []) {
      try {
        extension.onClosed?.(reason);
      } catch (error) {
        this.log.error({ err: error }, "an add-on failed while the call closed");
      }
    }
    for (const listener of this.closeListeners.splice(0)) listener(reason);
  }
}

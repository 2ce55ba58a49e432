/**
 * One Voice Live session over one WebSocket: parses and records client events,
 * dispatches them (one handler per event type), and owns the session state the
 * handlers share. Responses are ResponseStreams; this class is their host.
 */
import type { Logger } from "pino";
import { createBase64Decoder, type Base64Decoder } from "../audio/index.js";
import type { Clock, Timer } from "../clock.js";
import { supportsFeature, type ApiVersion } from "./api-versions.js";
import { Conversation } from "./conversation.js";
import type { HandshakeAccepted } from "./handshake.js";
import { InputAudio, vadSettingsFrom } from "./input-audio.js";
import { onInputAppend, onInputClear, onInputCommit } from "./input-events.js";
import { onInputTextDelta, onInputTextDone } from "./input-text.js";
import { onItemCreate, onItemDelete, onItemRetrieve, onItemTruncate } from "./item-events.js";
import type { TurnProgram, PlannedTool } from "./planner.js";
import { ErrorCodes, ProtocolError, invalidValue } from "./protocol-error.js";
import type { Recorder } from "./recorder.js";
import { onResponseCancel, onResponseCreate, onStreamFinished, type ResponseRequest } from "./response-events.js";
import type { ResponseStream, StreamHost, StreamingOptions } from "./response-stream.js";
import { createIdSource, createRandom, deriveSeed, type IdSource, type Random } from "./rng.js";
import type { Scenario } from "./scenario.js";
import type { OutgoingEvent } from "./server-events.js";
import { applySessionUpdate, createDefaultSession, type ConnectionMode, type SessionContext, type SessionState } from "./session-config.js";
import type { SpeechVoice } from "./voice.js";

export const CLIENT_EVENT_TYPES = [
  "session.update",
  "input_audio_buffer.append",
  "input_audio_buffer.commit",
  "input_audio_buffer.clear",
  "conversation.item.create",
  "conversation.item.truncate",
  "conversation.item.retrieve",
  "conversation.item.delete",
  "response.create",
  "response.cancel",
  "input_text.delta",
  "input_text.done",
] as const;

export type ClientEvent = Readonly<Record<string, unknown>> & { readonly type: string };

export interface ConnectionTransport {
  /** Returns false when the socket could not take the message (closing). */
  send(text: string): boolean;
  /** Closes the socket with a close frame (session expiry). */
  close(code: number, reason: string): void;
}

export interface ConnectionDeps {
  readonly id: string;
  readonly index: number;
  readonly handshake: HandshakeAccepted;
  readonly scenario: Scenario;
  readonly seed: number;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly recorder: Recorder;
  readonly streaming: StreamingOptions;
  readonly transport: ConnectionTransport;
  /** Session lifetime: `expires_at` is announced, and the session ends then. */
  readonly sessionLifetimeMs: number;
  /** Speaks the assistant's text (a real synthesizer, or the deterministic buzz). */
  readonly voice: SpeechVoice;
}

export interface ConnectionCounters {
  eventsReceived: number;
  eventsSent: number;
  errorsSent: number;
  audioBytesReceived: number;
  audioDeltasSent: number;
  /** Server events not sent because the socket was already closing. */
  eventsDropped: number;
  responses: number;
  /** Client events that could not be parsed (bad JSON, binary frames, no type). */
  invalidMessages: number;
}

export interface ConnectionSnapshot {
  readonly id: string;
  readonly mode: ConnectionMode;
  readonly apiVersion: ApiVersion;
  readonly auth: "api-key" | "bearer";
  readonly openedAt: string;
  readonly closedAt: string | null;
  readonly session: SessionState;
  readonly turnsTaken: number;
  readonly activeResponseId: string | null;
  readonly inputTimelineMs: number;
  readonly conversation: Array<Record<string, unknown>>;
  readonly counters: Readonly<ConnectionCounters>;
}

export class EmulatorConnection implements StreamHost {
  readonly id: string;
  readonly mode: ConnectionMode;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly scenario: Scenario;
  readonly streaming: StreamingOptions;
  readonly conversation = new Conversation();
  readonly input: InputAudio;
  /** Decodes input_audio_buffer.append payloads into one reused buffer. */
  readonly base64: Base64Decoder = createBase64Decoder();
  readonly log: Logger;
  readonly voice: SpeechVoice;
  /** `conv_…`, derived from the session id: the default conversation. */
  readonly conversationId: string;
  readonly interimRandom: Random;
  readonly replyRandom: Random;
  readonly counters: ConnectionCounters = {
    eventsReceived: 0,
    eventsSent: 0,
    errorsSent: 0,
    audioBytesReceived: 0,
    audioDeltasSent: 0,
    eventsDropped: 0,
    responses: 0,
    invalidMessages: 0,
  };
  session: SessionState;
  /** The client-visible active response (interim responses never are). */
  active: ResponseStream | null = null;
  interim: ResponseStream | null = null;
  /** Response requests waiting for the interim to finish, in order. */
  readonly afterInterim: ResponseRequest[] = [];
  /** A turn-detection response that waits for the active one to finish. */
  deferredAuto: ResponseRequest | null = null;
  latencyTimer: Timer | null = null;
  /** What the script is doing for the current turn. */
  program: TurnProgram | null = null;
  /** The turn and tools each response was planned from (for the pending calls once it completes). */
  readonly plannedFrom = new WeakMap<ResponseStream, { program: TurnProgram | null; tools: readonly PlannedTool[] }>();
  /** function_call_output text by call_id, until a response answers it. */
  readonly toolOutputs = new Map<string, string>();
  turnsTaken = 0;
  greeted = false;
  lastUserText: string | null = null;
  /** item_id announced at speech_started, used when speech stops. */
  speechItemId: string | null = null;
  private readonly deps: ConnectionDeps;
  private readonly openedAt: string;
  private closedAt: string | null = null;
  private expiryTimer: Timer | null = null;
  private laneHolder: ResponseStream | null = null;
  private readonly laneQueue: Array<{ stream: ResponseStream; ready: () => void }> = [];

  constructor(deps: ConnectionDeps) {
    this.deps = deps;
    this.id = deps.id;
    this.mode = deps.handshake.mode;
    this.clock = deps.clock;
    this.scenario = deps.scenario;
    this.streaming = deps.streaming;
    this.log = deps.logger.child({ connectionId: deps.id });
    this.voice = deps.voice;
    this.ids = createIdSource(createRandom(deriveSeed(deps.seed, deps.index, "ids")), deps.id);
    this.interimRandom = createRandom(deriveSeed(deps.seed, deps.index, "interim"));
    this.replyRandom = createRandom(deriveSeed(deps.seed, deps.index, "replies"));
    // Announced in whole seconds; the session ends exactly at the announced second.
    const nowWallMs = deps.clock.date().getTime();
    const expiresAtSec = Math.ceil((nowWallMs + deps.sessionLifetimeMs) / 1000);
    const sessionId = this.ids.next("sess");
    this.session = createDefaultSession({ sessionId, threadId: `thread_${sessionId.slice("sess_".length)}` }, this.mode, expiresAtSec);
    this.conversationId = `conv_${sessionId.slice("sess_".length)}`;
    this.expiryTimer = deps.clock.setTimeout(() => this.expire(), expiresAtSec * 1000 - nowWallMs);
    this.input = new InputAudio(
      { format: this.session.input_audio_format, sampleRateHz: this.session.input_audio_sampling_rate },
      vadSettingsFrom(this.session.turn_detection),
    );
    this.openedAt = deps.clock.date().toISOString();
  }

  get isOpen(): boolean {
    return this.closedAt === null;
  }

  get apiVersion(): ApiVersion {
    return this.deps.handshake.apiVersion;
  }

  get wordTimestamps(): boolean {
    return this.session.output_audio_timestamp_types.includes("word");
  }

  get sessionContext(): SessionContext {
    return { mode: this.mode, apiVersion: this.deps.handshake.apiVersion };
  }

  /** Sends session.created; call once the socket is open. */
  open(): void {
    this.log.info({ mode: this.mode, apiVersion: this.deps.handshake.apiVersion }, "voice live emulator session opened");
    this.send({ type: "session.created", session: this.session });
  }

  /** The socket closed: stop every timer, send nothing more. */
  dispose(): void {
    if (this.closedAt !== null) return;
    this.closedAt = this.clock.date().toISOString();
    if (this.expiryTimer !== null) this.clock.clearTimeout(this.expiryTimer);
    this.expiryTimer = null;
    this.active?.dispose();
    this.interim?.dispose();
    if (this.latencyTimer !== null) this.clock.clearTimeout(this.latencyTimer);
    this.latencyTimer = null;
    this.log.info({ counters: this.counters }, "voice live emulator session closed");
  }

  /**
   * The session hit its lifetime. Like the OpenAI realtime protocol Voice Live
   * follows: an `error` event `session_expired`, then close 1001 (going away).
   */
  private expire(): void {
    this.expiryTimer = null;
    if (!this.isOpen) return;
    const minutes = Math.round((this.deps.sessionLifetimeMs / 60_000) * 100) / 100;
    const message = `Your session hit the maximum duration of ${minutes} minutes.`;
    this.log.info({ lifetimeMs: this.deps.sessionLifetimeMs }, "voice live emulator session expired");
    this.sendError(new ProtocolError(ErrorCodes.sessionExpired, message), null);
    this.dispose();
    this.deps.transport.close(1001, message);
  }

  handleText(raw: string): void {
    if (!this.isOpen) return;
    this.counters.eventsReceived += 1;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      this.counters.invalidMessages += 1;
      this.deps.recorder.record(this.id, { type: "<invalid json>", text: raw.slice(0, 200) }, Math.min(raw.length, 200));
      this.sendError(new ProtocolError(ErrorCodes.invalidJson, "The event is not valid JSON."), null);
      return;
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed) || typeof (parsed as { type?: unknown }).type !== "string") {
      this.counters.invalidMessages += 1;
      this.deps.recorder.record(this.id, { type: "<missing type>", value: parsed }, raw.length);
      this.sendError(new ProtocolError(ErrorCodes.missingRequiredParameter, "Missing required parameter: 'type'.", "type"), null);
      return;
    }
    const event = parsed as ClientEvent;
    const eventId = typeof event.event_id === "string" ? event.event_id : null;
    try {
      this.dispatch(event, raw.length);
    } catch (error) {
      if (error instanceof ProtocolError) {
        this.sendError(error, eventId);
        return;
      }
      this.log.error({ err: error, type: event.type }, "emulator failed handling a client event");
      this.sendError(new ProtocolError("server_error", "The emulator failed to handle this event.", null, "server_error"), eventId);
    }
  }

  handleBinary(byteLength: number): void {
    this.counters.eventsReceived += 1;
    this.counters.invalidMessages += 1;
    this.deps.recorder.record(this.id, { type: "<binary frame>", bytes: byteLength }, 64);
    this.sendError(new ProtocolError(ErrorCodes.invalidJson, "Binary frames are not supported; send JSON text events."), null);
  }

  private dispatch(event: ClientEvent, rawChars: number): void {
    if (event.type === "input_audio_buffer.append") {
      // Recorded inside the handler: byte counts, never the audio.
      onInputAppend(this, event, this.deps.recorder);
      return;
    }
    this.deps.recorder.record(this.id, event, rawChars);
    if (this.log.isLevelEnabled("debug")) this.log.debug({ type: event.type }, "client event");
    switch (event.type) {
      case "session.update":
        return this.onSessionUpdate(event);
      case "input_audio_buffer.commit":
        return onInputCommit(this);
      case "input_audio_buffer.clear":
        return onInputClear(this);
      case "conversation.item.create":
        return onItemCreate(this, event);
      case "conversation.item.truncate":
        return onItemTruncate(this, event);
      case "conversation.item.retrieve":
        return onItemRetrieve(this, event);
      case "conversation.item.delete":
        return onItemDelete(this, event);
      case "response.create":
        return onResponseCreate(this, event);
      case "response.cancel":
        return onResponseCancel(this, event);
      case "input_text.delta":
      case "input_text.done":
        // Streaming text input exists from 2026-06-01-preview on; older versions do not know the events.
        if (!supportsFeature(this.apiVersion, "inputTextStreaming")) throw invalidValue("type", event.type, CLIENT_EVENT_TYPES.filter((t) => !t.startsWith("input_text.")));
        return event.type === "input_text.delta" ? onInputTextDelta(this, event) : onInputTextDone(this, event);
      case "session.avatar.connect":
        throw new ProtocolError(ErrorCodes.unsupportedParameter, "The emulator has no avatar.", "type");
      default:
        throw invalidValue("type", event.type, CLIENT_EVENT_TYPES);
    }
  }

  private onSessionUpdate(event: ClientEvent): void {
    this.session = applySessionUpdate(this.session, event.session, this.sessionContext);
    this.input.configure(
      { format: this.session.input_audio_format, sampleRateHz: this.session.input_audio_sampling_rate },
      vadSettingsFrom(this.session.turn_detection),
    );
    this.send({ type: "session.updated", session: this.session });
  }

  // ---- sending -------------------------------------------------------------

  send(event: OutgoingEvent): void {
    if (!this.isOpen) return;
    this.counters.eventsSent += 1;
    if (event.type === "response.audio.delta") this.counters.audioDeltasSent += 1;
    else if (event.type === "response.created") this.counters.responses += 1;
    if (!this.deps.transport.send(JSON.stringify({ event_id: this.ids.nextEventId(), ...event }))) this.counters.eventsDropped += 1;
  }

  sendError(error: ProtocolError, clientEventId: string | null): void {
    this.counters.errorsSent += 1;
    this.log.debug({ code: error.code, param: error.param }, "error sent to client");
    this.send({
      type: "error",
      error: { type: error.errorType, code: error.code, message: error.message, param: error.param, event_id: clientEventId },
    });
  }

  // ---- StreamHost ------------------------------------------------------------

  acquireLane(stream: ResponseStream, ready: () => void): void {
    if (this.laneHolder === null) {
      this.laneHolder = stream;
      ready();
      return;
    }
    this.laneQueue.push({ stream, ready });
  }

  releaseLane(stream: ResponseStream): void {
    if (this.laneHolder !== stream) {
      const index = this.laneQueue.findIndex((w) => w.stream === stream);
      if (index >= 0) this.laneQueue.splice(index, 1);
      return;
    }
    this.laneHolder = null;
    const next = this.laneQueue.shift();
    if (next !== undefined) {
      this.laneHolder = next.stream;
      next.ready();
    }
  }

  onFinished(stream: ResponseStream): void {
    onStreamFinished(this, stream);
  }

  inputUsage(): { text_tokens: number; audio_tokens: number } {
    return { text_tokens: Math.ceil(this.conversation.textChars() / 4), audio_tokens: Math.ceil(this.input.timelineMs / 100) };
  }

  snapshot(): ConnectionSnapshot {
    return {
      id: this.id,
      mode: this.mode,
      apiVersion: this.deps.handshake.apiVersion,
      auth: this.deps.handshake.auth,
      openedAt: this.openedAt,
      closedAt: this.closedAt,
      session: structuredClone(this.session),
      turnsTaken: this.turnsTaken,
      activeResponseId: this.active?.id ?? null,
      inputTimelineMs: this.input.timelineMs,
      conversation: this.conversation.snapshot(),
      counters: { ...this.counters },
    };
  }
}

/**
 * The greeting, exactly once per call, and the gate it puts on caller audio:
 * caller audio never reaches Voice Live before the greeting request is sent (so
 * the greeting lands in the conversation before the caller's first turn); with a
 * non-interruptible greeting (a disclaimer) not until the greeting has played.
 */
import type { Logger } from "pino";
import type { CallContext } from "../calls/call-context-token.js";
import type { ConversationLog } from "../calls/conversation-log.js";
import type { Clock, Timer } from "../clock.js";
import type { GreetingConfig } from "../config/call.js";
import { greetingEvents, renderTemplate } from "../voicelive/greeting.js";
import type { VoiceLiveSession } from "../voicelive/session.js";

export type GateState = "before-greeting" | "holding-for-greeting" | "open";

/** A non-interruptible greeting never holds the caller back longer than this. */
const HOLD_MAX_MS = 60_000;

export class GreetingController {
  private gate: GateState = "before-greeting";
  private requested = false;
  private responseId: string | undefined;
  private responseFinished = false;
  private holdTimer: Timer | undefined;
  private recordingPlaying = false;
  private recordingInConversation = false;

  constructor(
    private readonly config: GreetingConfig,
    private readonly context: CallContext,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly conversationLog: ConversationLog,
  ) {}

  get gateState(): GateState {
    return this.gate;
  }

  get callerAudioFlows(): boolean {
    return this.gate === "open";
  }

  /** A non-interruptible greeting is playing: barge-in must not cut it. */
  get protectsGreeting(): boolean {
    return this.gate === "holding-for-greeting";
  }

  /** Requested and its response not finished yet (a recording: not played yet). */
  get inProgress(): boolean {
    return this.requested && (!this.responseFinished || this.recordingPlaying);
  }

  /**
   * A recorded greeting (GREETING_AUDIO): played as soon as the phone leg is
   * known — no Voice Live round trip, so it starts at once even while the
   * session is still connecting — and its words enter the Voice Live
   * conversation as an assistant item once the session is ready, so the model
   * knows what the caller heard. Gate and barge-in rules as for any greeting.
   */
  greetWithRecording(session: VoiceLiveSession | undefined, legReady: boolean, play: () => void, recording: { durationMs: number }): void {
    if (!this.requested && legReady) {
      this.requested = true;
      // Its "response" is the audio itself: finished once it is queued, released when it has played.
      this.responseFinished = true;
      this.recordingPlaying = true;
      play();
      this.gate = this.config.interruptible ? "open" : "holding-for-greeting";
      if (this.gate === "holding-for-greeting") this.holdTimer = this.clock.setTimeout(() => this.releaseHold("timeout"), HOLD_MAX_MS);
      this.log.info({ mode: "recorded", interruptible: this.config.interruptible, durationMs: Math.round(recording.durationMs) }, "recorded greeting playing");
      this.conversationLog.write("greeting", { mode: "recorded", text: renderTemplate(this.config.text, this.context), audioMs: Math.round(recording.durationMs) });
    }
    if (this.requested && !this.recordingInConversation && session?.ready) {
      this.recordingInConversation = true;
      const text = renderTemplate(this.config.text, this.context);
      session.send({ type: "conversation.item.create", item: { type: "message", role: "assistant", content: [{ type: "text", text }] } });
    }
  }

  /** Sends the greeting if it has not been sent and the session is ready; true when sent now. */
  greetIfReady(session: VoiceLiveSession | undefined, legReady: boolean): boolean {
    if (this.requested || !session?.ready || !legReady) return false;
    this.requested = true;
    const { events, text } = greetingEvents(this.config, this.context);
    for (const event of events) {
      if (event.type === "response.create") void session.requestResponse(event.response);
      else session.send(event);
    }
    this.gate = this.config.interruptible ? "open" : "holding-for-greeting";
    if (this.gate === "holding-for-greeting") {
      this.holdTimer = this.clock.setTimeout(() => this.releaseHold("timeout"), HOLD_MAX_MS);
    }
    this.log.info({ mode: this.config.mode, interruptible: this.config.interruptible }, "greeting requested");
    this.conversationLog.write("greeting", { mode: this.config.mode, text });
    return true;
  }

  /** The first response after the greeting request is the greeting's (caller audio is gated until then). */
  responseCreated(responseId: string): void {
    if (this.requested && this.responseId === undefined) this.responseId = responseId;
  }

  responseDone(responseId: string, status: string, legIdle: boolean): void {
    if (responseId !== this.responseId) return;
    this.responseFinished = true;
    // A greeting that failed or was cut plays no further: do not hold the caller for it.
    if (status !== "completed") this.releaseHold(status);
    else if (legIdle) this.releaseHold("played");
  }

  /** Everything sent to the caller has played. */
  drained(): void {
    this.recordingPlaying = false;
    if (this.responseFinished) this.releaseHold("played");
  }

  /** A barge-in cut what was playing (a recording included). */
  interrupted(): void {
    this.recordingPlaying = false;
  }

  close(): void {
    if (this.holdTimer !== undefined) this.clock.clearTimeout(this.holdTimer);
  }

  /** Lets the caller's audio flow (the greeting played, failed, or its session dropped). */
  releaseHold(reason: string): void {
    if (this.gate !== "holding-for-greeting") return;
    if (this.holdTimer !== undefined) this.clock.clearTimeout(this.holdTimer);
    this.gate = "open";
    this.log.info({ reason }, "greeting played; caller audio flows");
  }
}

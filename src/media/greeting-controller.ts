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
import { greetingEvents } from "../voicelive/greeting.js";
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

  /** Requested and its response not finished yet. */
  get inProgress(): boolean {
    return this.requested && !this.responseFinished;
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
    if (this.responseFinished) this.releaseHold("played");
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

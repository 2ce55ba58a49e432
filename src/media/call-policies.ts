/**
 * Rules a phone line needs that Voice Live does not provide, per call:
 *
 * - Caller silence: once the bot has finished speaking, the caller's silence is
 *   counted (speech_started is what counts as the caller speaking, not a loud
 *   frame). After CALLER_SILENCE_MS the bot asks whether they are still there;
 *   after SILENCE_REPROMPTS unanswered reprompts it says goodbye and hangs up.
 *   The count pauses while a tool runs and while the caller's audio is held,
 *   and starts over whenever the bot speaks.
 * - Call duration: a spoken warning CALL_LIMIT_WARNING_MS before
 *   MAX_CALL_DURATION_MS, a goodbye at it, then the hang-up.
 *
 * One timer per call (a few ticks a second), driven by the call's own state.
 */
import type { Clock, Timer } from "../clock.js";
import type { LimitsConfig, SilenceConfig } from "../config/call.js";

export type LineState = "caller_turn" | "bot_speaking" | "paused" | "waiting_for_caller";

export interface PolicyHost {
  /** Where the conversation is now (see LineState). */
  lineState(): LineState;
  /** Speaks exact text (after any response in progress); resolves when it has played. */
  sayAndWait(text: string): Promise<void>;
  /** Ends the call at ACS. */
  hangUp(reason: string): Promise<void>;
  /** A policy acted: count it and log it. */
  note(reason: PolicyReason, fields?: Record<string, unknown>): void;
}

export type PolicyReason = "silence_reprompt" | "silence_hang_up" | "max_duration_warning" | "max_duration_hang_up";

const TICK_MS = 250;
/** The goodbye at a limit gets this long to play before the hang-up happens anyway. */
const GOODBYE_MAX_MS = 15_000;

export class CallPolicies {
  private timer: Timer | undefined;
  private lastTickMs: number;
  private readonly startedMs: number;
  private silentMs = 0;
  private reprompts = 0;
  /** A reprompt, a warning or a goodbye is being said: the policies wait for it. */
  private speaking = false;
  private warned = false;
  private ending = false;

  constructor(
    private readonly deps: { readonly clock: Clock; readonly silence: SilenceConfig; readonly limits: LimitsConfig },
    private readonly host: PolicyHost,
  ) {
    this.startedMs = deps.clock.nowMs();
    this.lastTickMs = this.startedMs;
  }

  start(): void {
    this.timer ??= this.deps.clock.setInterval(() => this.tick(), TICK_MS);
  }

  stop(): void {
    if (this.timer !== undefined) this.deps.clock.clearInterval(this.timer);
    this.timer = undefined;
    this.ending = true;
  }

  /** The caller spoke (speech_started): they are there. */
  callerSpoke(): void {
    this.silentMs = 0;
    this.reprompts = 0;
  }

  private tick(): void {
    const nowMs = this.deps.clock.nowMs();
    const elapsedMs = nowMs - this.lastTickMs;
    this.lastTickMs = nowMs;
    if (this.ending) return;
    const { limits, silence } = this.deps;
    const callMs = nowMs - this.startedMs;
    if (callMs >= limits.maxCallDurationMs) {
      void this.end("max_duration_hang_up", limits.goodbyeText, { callMs: Math.round(callMs) });
      return;
    }
    if (!this.warned && limits.warningBeforeMs > 0 && callMs >= limits.maxCallDurationMs - limits.warningBeforeMs) {
      this.warned = true;
      this.host.note("max_duration_warning", { callMs: Math.round(callMs) });
      void this.say(limits.warningText);
    }
    if (silence.afterMs <= 0 || this.speaking) return;
    const state = this.host.lineState();
    if (state === "caller_turn" || state === "bot_speaking") {
      // Silence is counted from the end of the bot's speech, and the caller's turn is no silence.
      this.silentMs = 0;
      return;
    }
    if (state === "paused") return;
    this.silentMs += elapsedMs;
    if (this.silentMs < silence.afterMs) return;
    this.silentMs = 0;
    if (this.reprompts < silence.reprompts) {
      this.reprompts += 1;
      this.host.note("silence_reprompt", { reprompt: this.reprompts });
      void this.say(silence.repromptText);
    } else {
      void this.end("silence_hang_up", silence.goodbyeText, { reprompts: this.reprompts });
    }
  }

  private async say(text: string): Promise<void> {
    this.speaking = true;
    try {
      await this.host.sayAndWait(text);
    } finally {
      this.speaking = false;
    }
  }

  private async end(reason: PolicyReason, goodbye: string, fields: Record<string, unknown>): Promise<void> {
    this.stop();
    this.host.note(reason, fields);
    await new Promise<void>((resolve) => {
      const timer = this.deps.clock.setTimeout(resolve, GOODBYE_MAX_MS);
      void this.host.sayAndWait(goodbye).finally(() => {
        this.deps.clock.clearTimeout(timer);
        resolve();
      });
    });
    await this.host.hangUp(reason);
  }
}

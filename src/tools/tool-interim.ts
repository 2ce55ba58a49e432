/**
 * The bot's own interim line for slow tools. Voice Live's `tool` trigger speaks
 * a filler for every function call — also for end_call and transfer_to_agent,
 * so callers heard "One moment while I check on that." after the goodbye and
 * before the hand-over. Instead, when a business tool is still running
 * INTERIM_TOOL_MS after it started, the bot asks Voice Live for one short
 * line itself: exact text (a pregenerated message, INTERIM_TEXTS in turn) in
 * static mode, a short model-made phrase (per-response instructions, no tools)
 * in llm mode. Fast tools and the built-in telephony tools never get one.
 */
import type { Clock, Timer } from "../clock.js";
import type { InterimConfig } from "../config/tools.js";
import type { CallSession } from "../media/call-session.js";

export class SlowToolCover {
  private readonly timers = new Map<string, Timer>();
  private readonly covered = new Set<string>();
  private nextText = 0;

  constructor(private readonly deps: { readonly interim: InterimConfig; readonly clock: Clock }) {}

  /** On when interims are wanted and Voice Live's own tool trigger is not in use (never both). */
  get enabled(): boolean {
    const { interim } = this.deps;
    return interim.mode !== "off" && !interim.triggers.includes("tool");
  }

  /**
   * A tool of `responseId` started; once per response, `stillRunning` is asked
   * after the threshold and the caller hears a line if it says so.
   */
  toolStarted(call: CallSession, responseId: string, tool: string, stillRunning: () => boolean): void {
    if (!this.enabled || this.covered.has(responseId) || this.timers.has(responseId)) return;
    const afterMs = this.deps.interim.toolAfterMs;
    const timer = this.deps.clock.setTimeout(
      call.guard("tool_interim", () => {
        this.timers.delete(responseId);
        if (call.closed || !stillRunning()) return;
        this.covered.add(responseId);
        this.speak(call, tool, afterMs);
      }),
      afterMs,
    );
    this.timers.set(responseId, timer);
  }

  /** The round trip of `responseId` is over. */
  finished(responseId: string): void {
    const timer = this.timers.get(responseId);
    if (timer !== undefined) this.deps.clock.clearTimeout(timer);
    this.timers.delete(responseId);
    this.covered.delete(responseId);
  }

  close(): void {
    for (const timer of this.timers.values()) this.deps.clock.clearTimeout(timer);
    this.timers.clear();
    this.covered.clear();
  }

  private speak(call: CallSession, tool: string, afterMs: number): void {
    const { interim } = this.deps;
    const session = call.session;
    if (!session || session.closed) return;
    if (interim.mode === "llm") {
      void session.requestResponse({ instructions: interim.llmInstructions, tool_choice: "none", max_output_tokens: 60 });
      call.logEvent("interim", { mode: "llm", tool, afterMs });
      return;
    }
    const text = interim.texts[this.nextText++ % interim.texts.length]!;
    void call.say(text);
    call.logEvent("interim", { mode: "static", tool, afterMs, text });
  }
}

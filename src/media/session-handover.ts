/**
 * Handing a call from one Voice Live session to the next (renewal before
 * expiry, or a reconnect): the conversation so far goes into the new session as
 * conversation items, and a renewal waits for a quiet moment between turns — no
 * response active or queued, nothing left playing to the caller, no caller turn
 * waiting for its answer, no tool round trip in flight.
 */
import type { Clock } from "../clock.js";
import type { ConversationItem, ServerEvent } from "../voicelive/protocol.js";
import type { ConversationLine } from "./conversation-memory.js";

/** Ids of carried-over items start with this (their conversation.item.created echoes are not new lines). */
export const CARRIED_ITEM_PREFIX = "carried_";

/** The newest lines are carried over, up to this many characters. */
const CARRY_MAX_CHARS = 16_000;
/** A caller turn that got no response within this long no longer holds a switch back. */
const TURN_ANSWER_WAIT_MS = 3000;
const POLL_MS = 50;

/** Conversation items that give a new session the conversation so far (ids let the echoes be recognised). */
export function carryOverItems(lines: readonly ConversationLine[], idPrefix: string): Array<ConversationItem & { readonly id: string }> {
  const items: Array<ConversationItem & { readonly id: string }> = [];
  let chars = 0;
  for (let i = lines.length - 1; i >= 0; i -= 1) {
    const line = lines[i]!;
    chars += line.text.length;
    if (chars > CARRY_MAX_CHARS) break;
    const id = `${idPrefix}${i}`;
    if (line.role === "user") items.push({ id, type: "message", role: "user", content: [{ type: "input_text", text: line.text }] });
    else if (line.role === "assistant") items.push({ id, type: "message", role: "assistant", content: [{ type: "text", text: line.text }] });
    else items.push({ id, type: "message", role: "system", content: [{ type: "input_text", text: `Earlier in this call, ${line.role === "tool_call" ? "a tool was called" : "a tool answered"}: ${line.text}` }] });
  }
  return items.reverse();
}

/** Tracks whether the caller's turn is waiting for its answer, and finds quiet moments between turns. */
export class QuietMoments {
  private turnOpenSinceMs: number | undefined;

  constructor(private readonly clock: Clock) {}

  onVoiceLiveEvent(event: ServerEvent): void {
    if (event.type === "input_audio_buffer.speech_started" || event.type === "input_audio_buffer.speech_stopped") {
      this.turnOpenSinceMs = this.clock.nowMs();
    } else if (event.type === "response.created") {
      this.turnOpenSinceMs = undefined;
    }
  }

  /** The caller is speaking, or stopped and their answer has not started yet. */
  get callerTurnOpen(): boolean {
    return this.turnOpenSinceMs !== undefined && this.clock.nowMs() - this.turnOpenSinceMs < TURN_ANSWER_WAIT_MS;
  }

  /** Resolves once `idle()` holds and no caller turn is open, or at `deadlineMs` (clock.nowMs) at the latest. */
  whenQuiet(deadlineMs: number, idle: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        if ((idle() && !this.callerTurnOpen) || this.clock.nowMs() >= deadlineMs) resolve();
        else this.clock.setTimeout(check, POLL_MS);
      };
      check();
    });
  }
}

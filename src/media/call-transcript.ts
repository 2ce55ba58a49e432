/**
 * One call's transcript as the caller experienced it, fed by the call's Voice
 * Live events and its phone leg: the caller's turns when transcribed, and each
 * assistant line once it is final — played through, or cut by a barge-in at the
 * last word heard. Each line is logged once ("caller", "assistant"), so the
 * conversation log, and every add-on listening to it, hold what was said and
 * heard rather than what was generated.
 */
import type { ServerEvent } from "../voicelive/protocol.js";
import { ConversationMemory, type ConversationLine } from "./conversation-memory.js";
import { CARRIED_ITEM_PREFIX } from "./session-handover.js";

export type TranscriptSink = (type: "caller" | "assistant", fields: Record<string, unknown>) => void;

export class CallTranscript {
  readonly memory = new ConversationMemory();
  /** Assistant items whose transcript is in and whose line is not logged yet. */
  private readonly unlogged = new Set<string>();
  /** Of the assistant's PCM16 audio: 48 at 24 kHz, 32 at 16 kHz. */
  private bytesPerMs = 48;

  constructor(private readonly sink: TranscriptSink) {}

  /** The rate Voice Live's audio deltas come at (how long each one plays). */
  setAudioRate(rateHz: number): void {
    this.bytesPerMs = (rateHz * 2) / 1000;
  }

  onVoiceLiveEvent(event: ServerEvent): void {
    const { memory } = this;
    switch (event.type) {
      case "conversation.item.created": {
        const item = event.item;
        // No id to place it by, or the conversation carried into a new session (already here).
        if (typeof item.id !== "string" || item.id.startsWith(CARRIED_ITEM_PREFIX)) return;
        if (item.type === "function_call") memory.itemCreated(item.id, "tool_call", `${item.name ?? "?"}(${item.arguments ?? ""})`);
        else if (item.type === "function_call_output") memory.itemCreated(item.id, "tool_output", item.output ?? undefined);
        else if (item.role === "user" || item.role === "assistant") {
          const text = item.content?.find((part) => typeof part.text === "string")?.text ?? undefined;
          memory.itemCreated(item.id, item.role, text);
        }
        return;
      }
      case "response.output_item.added":
        if (event.item.type === "message") memory.itemCreated(event.item.id, "assistant");
        return;
      case "response.output_item.done":
        if (event.item.type === "function_call") memory.itemCreated(event.item.id, "tool_call", `${event.item.name ?? "?"}(${event.item.arguments ?? ""})`);
        return;
      case "conversation.item.input_audio_transcription.completed":
        memory.callerTranscript(event.item_id, event.transcript);
        this.sink("caller", { transcript: event.transcript, itemId: event.item_id });
        return;
      case "response.audio.delta":
        memory.assistantAudio(event.item_id, decodedBytes(event.delta) / this.bytesPerMs);
        return;
      case "response.audio_timestamp.delta":
        memory.word(event.item_id, event.audio_offset_ms, event.audio_duration_ms, event.text);
        return;
      case "response.audio_transcript.done":
        memory.assistantTranscript(event.item_id, event.transcript);
        this.unlogged.add(event.item_id);
        this.logIfFinal(event.item_id, event.response_id);
        return;
      default:
        return;
    }
  }

  /** The phone leg began playing `itemId`: everything before it has played in full. */
  itemStarted(itemId: string): void {
    for (const line of this.memory.playedThrough(itemId)) this.logIfFinal(line.itemId);
  }

  /** Nothing left playing: every assistant line so far was heard in full. */
  drained(): void {
    for (const line of this.memory.playedThrough(undefined)) this.logIfFinal(line.itemId);
  }

  /** A barge-in (or the call's end) stopped `itemId` after `heardMs`. */
  cut(itemId: string, heardMs: number): void {
    this.memory.cut(itemId, heardMs);
    this.logIfFinal(itemId);
  }

  /** The call ended: the playing item was heard up to `playing.playedMs`, those after it not at all. */
  callEnded(playing: { itemId: string; playedMs: number } | undefined): void {
    if (playing) {
      this.itemStarted(playing.itemId);
      this.cut(playing.itemId, playing.playedMs);
    } else {
      this.drained();
    }
    for (const itemId of this.memory.unheard()) this.cut(itemId, 0);
  }

  lines(): ConversationLine[] {
    return this.memory.lines();
  }

  private logIfFinal(itemId: string, responseId?: string): void {
    if (!this.unlogged.has(itemId)) return;
    const line = this.memory.finalLine(itemId);
    if (!line || line.role !== "assistant") return;
    this.unlogged.delete(itemId);
    this.sink("assistant", {
      transcript: line.text,
      itemId,
      ...(responseId ? { responseId } : {}),
      ...(line.cut ? { interrupted: true, heardMs: line.heardMs, cut: line.cut, fullTranscript: line.fullText } : {}),
    });
  }
}

/** Bytes a padded base64 string decodes to. */
function decodedBytes(base64: string): number {
  const n = base64.length;
  const padding = n > 0 && base64.charCodeAt(n - 1) === 61 ? (base64.charCodeAt(n - 2) === 61 ? 2 : 1) : 0;
  return (n / 4) * 3 - padding;
}

/**
 * The conversation as the caller experienced it, in order: what they said (as
 * transcribed) and what they heard of the assistant — an answer cut by a
 * barge-in is kept only up to the last word the caller actually heard (Voice
 * Live's word timestamps), or, without timestamps, to a proportional estimate
 * marked as such. It feeds the conversation log, the replay transcript, the
 * truncate sent to Voice Live and the conversation carried into a renewed
 * session.
 */

export type LineRole = "user" | "assistant" | "tool_call" | "tool_output";

export interface ConversationLine {
  readonly role: LineRole;
  /** For the assistant: what the caller heard. */
  readonly text: string;
  readonly itemId: string;
  /** Assistant lines cut by a barge-in: how the cut was placed, and the whole line. */
  readonly cut?: "word" | "estimate";
  readonly fullText?: string;
  readonly heardMs?: number;
}

interface Word {
  readonly startMs: number;
  readonly endMs: number;
  readonly text: string;
}

interface Item {
  readonly itemId: string;
  role: LineRole | undefined;
  text: string | undefined;
  /** Assistant audio received (ms at 24 kHz PCM16). */
  audioMs: number;
  readonly words: Word[];
  /** Set when a barge-in cut the item: how much of it the caller heard. */
  heardMs: number | undefined;
  /** No more audio will play: its line is what the caller heard. */
  final: boolean;
}

/** Items kept per call: a long call's memory stays bounded. */
const MAX_ITEMS = 400;

export class ConversationMemory {
  private readonly items: Item[] = [];
  private readonly byId = new Map<string, Item>();

  /** A conversation item exists (created by the service, or our own): fixes its place in the order. */
  itemCreated(itemId: string, role: LineRole | undefined, text?: string): void {
    const item = this.item(itemId);
    item.role ??= role;
    if (text !== undefined && item.text === undefined) item.text = text;
  }

  callerTranscript(itemId: string, transcript: string): void {
    const item = this.item(itemId);
    item.role ??= "user";
    item.text = transcript;
    item.final = true;
  }

  assistantAudio(itemId: string, audioMs: number): void {
    const item = this.item(itemId);
    item.role ??= "assistant";
    item.audioMs += audioMs;
  }

  word(itemId: string, startMs: number, durationMs: number, text: string): void {
    const item = this.item(itemId);
    item.role ??= "assistant";
    item.words.push({ startMs, endMs: startMs + durationMs, text });
  }

  assistantTranscript(itemId: string, transcript: string): void {
    const item = this.item(itemId);
    item.role ??= "assistant";
    item.text = transcript;
  }

  /** A barge-in: the caller heard `heardMs` of this item and nothing after. */
  cut(itemId: string, heardMs: number): void {
    const item = this.byId.get(itemId);
    if (!item || item.final) return;
    item.heardMs = heardMs;
    item.final = true;
  }

  /**
   * Where to truncate an item the caller heard `heardMs` of: the end of the
   * last whole word heard (never 0 for an item that played), or `heardMs`
   * itself without word timestamps.
   */
  truncateAtMs(itemId: string, heardMs: number): number {
    const words = this.byId.get(itemId)?.words ?? [];
    if (words.length === 0) return Math.max(1, Math.round(heardMs));
    let end = 0;
    for (const word of words) if (word.endMs <= heardMs) end = Math.max(end, word.endMs);
    return Math.max(1, Math.round(end > 0 ? end : heardMs));
  }

  /** Everything before `itemId` (and it, unless cut) has played in full. */
  playedThrough(itemId: string | undefined): ConversationLine[] {
    const finished: ConversationLine[] = [];
    for (const item of this.items) {
      if (item.itemId === itemId) break;
      if (item.role === "assistant" && !item.final) {
        item.final = true;
        const line = this.line(item);
        if (line) finished.push(line);
      }
    }
    return finished;
  }

  /** Assistant items not final yet (never played, or still to play): the caller heard none of them. */
  unheard(): string[] {
    return this.items.filter((item) => item.role === "assistant" && !item.final).map((item) => item.itemId);
  }

  /** The item's line once final (assistant lines become final when played through or cut). */
  finalLine(itemId: string): ConversationLine | undefined {
    const item = this.byId.get(itemId);
    return item?.final ? this.line(item) : undefined;
  }

  /** Every line so far, in conversation order; assistant lines as heard (unfinished ones as sent so far). */
  lines(): ConversationLine[] {
    const lines: ConversationLine[] = [];
    for (const item of this.items) {
      const line = this.line(item);
      if (line && line.text !== "") lines.push(line);
    }
    return lines;
  }

  private line(item: Item): ConversationLine | undefined {
    if (item.role === undefined || item.text === undefined) return undefined;
    if (item.role !== "assistant" || item.heardMs === undefined) {
      return item.text === "" ? undefined : { role: item.role, text: item.text, itemId: item.itemId };
    }
    const heard = heardText(item.text, item.words, item.heardMs, item.audioMs);
    if (heard.text === item.text) return { role: "assistant", text: item.text, itemId: item.itemId };
    return { role: "assistant", text: heard.text, itemId: item.itemId, cut: heard.cut, fullText: item.text, heardMs: Math.round(item.heardMs) };
  }

  private item(itemId: string): Item {
    let item = this.byId.get(itemId);
    if (!item) {
      item = { itemId, role: undefined, text: undefined, audioMs: 0, words: [], heardMs: undefined, final: false };
      this.items.push(item);
      this.byId.set(itemId, item);
      if (this.items.length > MAX_ITEMS) this.byId.delete(this.items.shift()!.itemId);
    }
    return item;
  }
}

/**
 * The part of `text` the caller heard. With word timestamps: up to the last
 * word whose audio ended within `heardMs`, cut in the transcript itself (its
 * punctuation kept). Without: the same share of characters as of audio, back to
 * a word boundary — an estimate.
 */
export function heardText(text: string, words: readonly Word[], heardMs: number, audioMs: number): { text: string; cut: "word" | "estimate" } {
  if (words.length > 0) {
    const lower = text.toLowerCase();
    let at = 0;
    let cutAt = 0;
    let matched = true;
    for (const word of words) {
      const found = lower.indexOf(word.text.toLowerCase(), at);
      if (found < 0) {
        matched = false;
        break;
      }
      at = found + word.text.length;
      if (word.endMs <= heardMs) cutAt = at;
    }
    if (matched) return { text: text.slice(0, cutAt).trim(), cut: "word" };
    return { text: words.filter((w) => w.endMs <= heardMs).map((w) => w.text).join(" "), cut: "word" };
  }
  if (audioMs <= 0 || heardMs >= audioMs) return { text, cut: "estimate" };
  let end = Math.round((text.length * heardMs) / audioMs);
  while (end > 0 && end < text.length && /\S/.test(text[end]!)) end -= 1;
  return { text: text.slice(0, end).trim(), cut: "estimate" };
}

/**
 * The conversation as the emulator keeps it: items in order with their wire
 * shape, plus playback bookkeeping for assistant audio (for truncation).
 * Bounded: past MAX_ITEMS the oldest items are forgotten (a long call must not
 * grow memory without limit).
 */
export const MAX_ITEMS = 2000;

export interface AudioTrack {
  /** Duration of the audio synthesized so far (the whole item once `complete`). */
  totalMs: number;
  /** Every sentence of the item is synthesized (long answers are synthesized sentence by sentence). */
  complete: boolean;
  /** Audio generated and sent so far. */
  sentMs: number;
  /** Emulator clock (monotonic ms) when the first delta of this item was sent. */
  firstDeltaAtMs: number | null;
  truncatedAtMs: number | null;
  /** Each word's end in the item's audio (ms) and in the planned text (characters), in order, as synthesized. */
  readonly words: Array<{ readonly endMs: number; readonly endChar: number }>;
}

export interface StoredItem {
  readonly id: string;
  /** The item as the wire shows it (mutated as the item progresses). */
  readonly wire: Record<string, unknown>;
  /** Text of a message (assistant transcript so far, user transcript or input text). */
  text: string;
  /** Assistant messages: the whole text being spoken (what truncation cuts from). */
  plannedText?: string;
  readonly audio?: AudioTrack;
  /**
   * A user message created with empty text, filled by `input_text.delta` events:
   * it becomes the caller's turn at `input_text.done`.
   */
  inputText?: { done: boolean };
}

/** What the service assumes was heard: real-time playback from the first delta, capped by what was sent. */
export function estimatePlayedMs(track: AudioTrack, nowMs: number): number {
  if (track.firstDeltaAtMs === null) return 0;
  return Math.max(0, Math.min(track.sentMs, nowMs - track.firstDeltaAtMs));
}

/** The words of `text` whose audio had fully played by `playedMs` (the words a caller heard). */
export function heardText(text: string, track: AudioTrack, playedMs: number): string {
  if (track.words.length === 0) return truncateText(text, playedMs, track.totalMs);
  let endChar = 0;
  for (const word of track.words) {
    if (word.endMs > playedMs) break;
    endChar = word.endChar;
  }
  return text.slice(0, endChar).trimEnd();
}

/** The part of `text` heard in `playedMs` of `totalMs`, cut back to a word boundary (no word timings known). */
export function truncateText(text: string, playedMs: number, totalMs: number): string {
  if (totalMs <= 0 || playedMs >= totalMs) return text;
  const chars = Math.floor((text.length * playedMs) / totalMs);
  if (chars <= 0) return "";
  if (chars >= text.length || /\s/.test(text[chars])) return text.slice(0, chars).trimEnd();
  const lastSpace = text.lastIndexOf(" ", chars);
  return lastSpace <= 0 ? "" : text.slice(0, lastSpace).trimEnd();
}

export class Conversation {
  private readonly items = new Map<string, StoredItem>();

  get size(): number {
    return this.items.size;
  }

  lastId(): string | null {
    let last: string | null = null;
    for (const id of this.items.keys()) last = id;
    return last;
  }

  /** Appends the item; returns the id of the item before it (the wire's previous_item_id). */
  add(item: StoredItem): string | null {
    const previous = this.lastId();
    this.items.set(item.id, item);
    if (this.items.size > MAX_ITEMS) {
      const oldest = this.items.keys().next().value;
      if (oldest !== undefined) this.items.delete(oldest);
    }
    return previous;
  }

  get(id: string): StoredItem | undefined {
    return this.items.get(id);
  }

  delete(id: string): boolean {
    return this.items.delete(id);
  }

  has(id: string): boolean {
    return this.items.has(id);
  }

  /** The most recent assistant item with audio, if any. */
  lastAssistantAudio(): StoredItem | undefined {
    let found: StoredItem | undefined;
    for (const item of this.items.values()) {
      if (item.audio !== undefined) found = item;
    }
    return found;
  }

  findFunctionCall(callId: string): StoredItem | undefined {
    for (const item of this.items.values()) {
      if (item.wire.type === "function_call" && item.wire.call_id === callId) return item;
    }
    return undefined;
  }

  /** Rough text size of the conversation, for the usage figures. */
  textChars(): number {
    let chars = 0;
    for (const item of this.items.values()) chars += item.text.length;
    return chars;
  }

  snapshot(): Array<Record<string, unknown>> {
    return [...this.items.values()].map((item) => ({ ...item.wire }));
  }
}

/**
 * One call's audio toward the caller: leg bytes from the converter are packed
 * into exact 20 ms frames and queued; the shared pacer sends them. The stream
 * models ACS playback (queued audio plays back-to-back at real time) so it can
 * say how much of an item the caller has actually heard.
 */
import { createFramePacker, legFrameBytes, legSilenceByte, type FramePacker, type LegFormat } from "../audio/index.js";
import { FRAME_MS } from "../audio/types.js";
import type { PacedStream } from "./pacer.js";

interface Segment {
  itemId: string;
  frames: number;
}

interface ItemPlayback {
  itemId: string;
  sentMs: number;
  /** Scheduled end of the item's last sent frame. */
  scheduledEndMs: number;
}

export interface OutboundStreamEvents {
  /** One frame to put on the socket (a view valid only during the call). */
  sendFrame(frame: Uint8Array): void;
  /** The first frame of an item went out. */
  itemStarted?(itemId: string, nowMs: number): void;
  /** Queue empty and everything sent has played. */
  drained?(nowMs: number): void;
}

/** Per call, so it counts at hundreds of calls: 6.4 KB on a 16 kHz leg instead of 32 KB. */
const INITIAL_QUEUE_FRAMES = 10;

export class OutboundStream implements PacedStream {
  readonly frameBytes: number;
  private readonly packer: FramePacker;
  private readonly silenceByte: number;
  private queue: Buffer;
  private head = 0;
  private tail = 0;
  private readonly segments: Segment[] = [];
  private playheadEndMs = 0;
  private lastItem: ItemPlayback | undefined;
  private pendingItemId: string | undefined;
  private awaitingDrain = false;
  framesSent = 0;

  constructor(format: LegFormat, private readonly events: OutboundStreamEvents) {
    this.frameBytes = legFrameBytes(format);
    this.packer = createFramePacker(this.frameBytes);
    this.silenceByte = legSilenceByte(format);
    // 200 ms to start with (the lead plus a delta or two); it doubles when an answer arrives faster than real time.
    this.queue = Buffer.allocUnsafeSlow(this.frameBytes * INITIAL_QUEUE_FRAMES);
  }

  /** Frames queued and not yet sent. */
  get queuedFrames(): number {
    return (this.tail - this.head) / this.frameBytes;
  }

  /** Audio sent to ACS that has not played yet, at `nowMs`. */
  aheadMs(nowMs: number): number {
    return Math.max(0, this.playheadEndMs - nowMs);
  }

  /** Nothing queued here and nothing left playing at ACS. */
  idle(nowMs: number): boolean {
    return this.tail === this.head && this.packer.pendingBytes === 0 && this.playheadEndMs <= nowMs;
  }

  enqueue(bytes: Uint8Array, itemId: string): void {
    if (this.pendingItemId !== itemId) {
      // A new item must not inherit the previous item's half frame.
      this.flushItem();
      this.pendingItemId = itemId;
    }
    this.append(this.packer.push(bytes), itemId);
  }

  /** End of an item's audio: pad its last partial frame with silence so it plays now. */
  flushItem(): void {
    if (this.pendingItemId === undefined) return;
    this.append(this.packer.flush(this.silenceByte), this.pendingItemId);
  }

  /**
   * Barge-in: drops everything not yet sent. Returns how much of the item that
   * was playing the caller heard (ms) — the caller must also tell ACS to stop.
   */
  clear(nowMs: number): { itemId: string; playedMs: number } | undefined {
    const played = this.lastItem ? { itemId: this.lastItem.itemId, playedMs: this.playedMs(this.lastItem, nowMs) } : undefined;
    this.head = this.tail = 0;
    this.segments.length = 0;
    this.packer.reset();
    this.pendingItemId = undefined;
    this.playheadEndMs = Math.min(this.playheadEndMs, nowMs);
    this.lastItem = undefined;
    this.awaitingDrain = false;
    return played;
  }

  /** The item playing (or last played) and how much of it has played by now. */
  playing(nowMs: number): { itemId: string; playedMs: number } | undefined {
    return this.lastItem ? { itemId: this.lastItem.itemId, playedMs: this.playedMs(this.lastItem, nowMs) } : undefined;
  }

  /** How much of `itemId` has played by now (0 if it never started). */
  playedMsOf(itemId: string, nowMs: number): number {
    return this.lastItem?.itemId === itemId ? this.playedMs(this.lastItem, nowMs) : 0;
  }

  pump(nowMs: number, leadMs: number): void {
    const frameMs = FRAME_MS;
    while (this.tail > this.head && Math.max(nowMs, this.playheadEndMs) + frameMs - nowMs <= leadMs) {
      const segment = this.segments[0]!;
      const frame = this.queue.subarray(this.head, this.head + this.frameBytes);
      this.head += this.frameBytes;
      const startMs = Math.max(nowMs, this.playheadEndMs);
      this.playheadEndMs = startMs + frameMs;
      if (this.lastItem?.itemId !== segment.itemId) {
        this.lastItem = { itemId: segment.itemId, sentMs: 0, scheduledEndMs: 0 };
        this.events.itemStarted?.(segment.itemId, nowMs);
      }
      this.lastItem.sentMs += frameMs;
      this.lastItem.scheduledEndMs = this.playheadEndMs;
      if (--segment.frames === 0) this.segments.shift();
      this.framesSent += 1;
      this.awaitingDrain = true;
      this.events.sendFrame(frame);
    }
    if (this.head === this.tail) this.head = this.tail = 0;
    if (this.awaitingDrain && this.idle(nowMs)) {
      this.awaitingDrain = false;
      this.events.drained?.(nowMs);
    }
  }

  private append(frames: Buffer, itemId: string): void {
    if (frames.length === 0) return;
    if (this.tail + frames.length > this.queue.length) {
      const live = this.tail - this.head;
      if (live + frames.length > this.queue.length) {
        const grown = Buffer.allocUnsafeSlow(Math.max(this.queue.length * 2, live + frames.length));
        this.queue.copy(grown, 0, this.head, this.tail);
        this.queue = grown;
      } else {
        this.queue.copyWithin(0, this.head, this.tail);
      }
      this.head = 0;
      this.tail = live;
    }
    frames.copy(this.queue, this.tail);
    this.tail += frames.length;
    const count = frames.length / this.frameBytes;
    const last = this.segments[this.segments.length - 1];
    if (last && last.itemId === itemId) last.frames += count;
    else this.segments.push({ itemId, frames: count });
  }

  private playedMs(item: ItemPlayback, nowMs: number): number {
    const unplayed = Math.min(item.sentMs, Math.max(0, item.scheduledEndMs - nowMs));
    return item.sentMs - unplayed;
  }
}

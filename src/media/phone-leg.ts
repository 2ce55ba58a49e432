/**
 * The caller's side of one call: the ACS media socket (it may be replaced when
 * ACS re-establishes the stream), the leg format, both converters and the paced
 * outbound stream. Bytes and samples in, bytes and samples out; samples are at
 * Voice Live's rate for the call (the leg's own rate when Voice Live has it).
 */
import type { Socket } from "node:net";
import type WebSocket from "ws";
import {
  createBase64Decoder,
  createInboundConverter,
  createOutboundConverter,
  type InboundConverter,
  type LegFormat,
  type OutboundConverterWithBytes,
  type VoiceLiveRateHz,
} from "../audio/index.js";
import type { CallAudioLevels } from "./call-session.js";
import { encodeAcsAudioData } from "./acs-codec.js";
import { ACS_STOP_AUDIO } from "./acs-protocol.js";
import { OutboundStream } from "./outbound-stream.js";
import type { PacedStream, Pacer } from "./pacer.js";

export interface PhoneLegEvents {
  /** The first frame of an assistant item went out to the caller. */
  itemStarted(itemId: string, nowMs: number): void;
  /** Everything sent has played; nothing queued. */
  drained(nowMs: number): void;
  /** The socket had more than MAX_CALLER_BUFFERED_BYTES unsent: it was closed. */
  overflow(bufferedBytes: number): void;
  /** A frame toward the caller could not be sent (no open socket). */
  frameDropped(reason: "caller_socket_closed"): void;
}

/**
 * ACS reads our frames as fast as we send them (it queues, then plays). Unsent
 * bytes piling up mean a dead or stalled peer; past ~8 s of audio the socket is
 * closed rather than left to grow memory (the call's reconnect grace applies).
 */
export const MAX_CALLER_BUFFERED_BYTES = 512 * 1024;

/** A recorded greeting goes to the converter a second (at most) at a time. */
const RECORDING_CHUNK_SAMPLES = 16_000;

export class PhoneLeg {
  private socket: WebSocket | undefined;
  private currentFormat: LegFormat | undefined;
  private currentRateHz: VoiceLiveRateHz | undefined;
  private inbound: InboundConverter | undefined;
  private outbound: OutboundConverterWithBytes | undefined;
  private stream: OutboundStream | undefined;
  /** What the pacer pumps: the stream, inside one corked write. */
  private paced: PacedStream | undefined;
  // Per call, so they count at hundreds of calls: sized for a 20 ms frame, grown to the largest payload seen.
  private readonly callerBase64 = createBase64Decoder(1024, { strict: true });
  private readonly assistantBase64 = createBase64Decoder(1024, { strict: true });

  constructor(
    private readonly pacer: Pacer,
    private readonly events: PhoneLegEvents,
    private readonly levels?: CallAudioLevels,
  ) {}

  get format(): LegFormat | undefined {
    return this.currentFormat;
  }

  get connected(): boolean {
    return this.socket !== undefined;
  }

  /** Returns the socket it replaced, if any. */
  attach(socket: WebSocket): WebSocket | undefined {
    const previous = this.socket;
    this.socket = socket;
    return previous === socket ? undefined : previous;
  }

  /** True if `socket` was the live one (and is now detached). */
  detach(socket: WebSocket): boolean {
    if (socket !== this.socket) return false;
    this.socket = undefined;
    return true;
  }

  /**
   * Sets up (or switches) the leg format and Voice Live's rate on the other
   * side of the converters; false if both are already so.
   */
  setFormat(format: LegFormat, voiceLiveRateHz: VoiceLiveRateHz): boolean {
    const current = this.currentFormat;
    if (current && current.encoding === format.encoding && current.sampleRateHz === format.sampleRateHz && this.currentRateHz === voiceLiveRateHz) return false;
    this.currentFormat = format;
    this.currentRateHz = voiceLiveRateHz;
    this.inbound = createInboundConverter(format, { voiceLiveRateHz });
    this.outbound = createOutboundConverter(format, { voiceLiveRateHz });
    if (this.paced) this.pacer.remove(this.paced);
    const stream = new OutboundStream(format, {
      sendFrame: (frame) => {
        if (this.levels?.active) this.levels.bot(frame, format);
        this.send(encodeAcsAudioData(frame));
      },
      itemStarted: (itemId, nowMs) => this.events.itemStarted(itemId, nowMs),
      drained: (nowMs) => this.events.drained(nowMs),
    });
    this.stream = stream;
    // Frames of one top-up leave in one socket write (ws writes each frame on its own otherwise).
    this.paced = { pump: (nowMs, leadMs) => this.corked(() => stream.pump(nowMs, leadMs)) };
    this.pacer.add(this.paced);
    return true;
  }

  private corked(work: () => void): void {
    const transport = (this.socket as unknown as { _socket?: Socket } | undefined)?._socket;
    if (!transport || typeof transport.cork !== "function") return work();
    transport.cork();
    try {
      work();
    } finally {
      transport.uncork();
    }
  }

  get delaysMs(): { inbound: number; outbound: number } {
    return { inbound: this.inbound?.delayMs ?? 0, outbound: this.outbound?.delayMs ?? 0 };
  }

  /** Caller audio → samples at Voice Live's rate (a view valid until the next call). Throws AudioError on bad payloads. */
  decodeCallerAudio(base64: string): Int16Array {
    return this.inbound!.push(this.callerBase64.decode(base64));
  }

  /**
   * Assistant audio (a base64 PCM16 delta at Voice Live's rate) toward the caller; false when
   * there is no leg yet. An odd byte is carried to the next delta by the
   * converter. Throws AudioError on an absurdly large delta.
   */
  playAssistant(itemId: string, base64Delta: string): boolean {
    const stream = this.stream;
    if (!stream || !this.outbound) return false;
    const wasIdle = stream.queuedFrames === 0;
    stream.enqueue(this.outbound.pushPcm16Bytes(this.assistantBase64.decode(base64Delta)), itemId);
    // The first audio of an answer should not wait for the next tick.
    if (wasIdle && this.paced) this.pacer.kick(this.paced);
    return true;
  }

  /** Audio the bot has itself (a recorded greeting, PCM16 at Voice Live's rate) as one item toward the caller. */
  playRecording(itemId: string, samples: Int16Array): boolean {
    const stream = this.stream;
    if (!stream || !this.outbound) return false;
    const wasIdle = stream.queuedFrames === 0;
    // In pushes the converter accepts (it refuses more than a few seconds at once).
    for (let at = 0; at < samples.length; at += RECORDING_CHUNK_SAMPLES) {
      stream.enqueue(this.outbound.push(samples.subarray(at, at + RECORDING_CHUNK_SAMPLES)), itemId);
    }
    stream.flushItem();
    if (wasIdle && this.paced) this.pacer.kick(this.paced);
    return true;
  }

  /** End of an item's audio: its last partial frame goes out padded. */
  endItem(): void {
    this.stream?.flushItem();
  }

  /** The assistant item playing at `nowMs` and how much of it has played, unless everything sent has played. */
  playing(nowMs: number): { itemId: string; playedMs: number } | undefined {
    const stream = this.stream;
    return stream && !stream.idle(nowMs) ? stream.playing(nowMs) : undefined;
  }

  idle(nowMs: number): boolean {
    return !this.stream || this.stream.idle(nowMs);
  }

  /**
   * Barge-in: drop what is queued here, reset the outbound converter, and tell
   * ACS to flush what it queued. Undefined when nothing was playing; else what
   * the caller heard of the item that was playing (if one had started).
   */
  stopPlayback(nowMs: number): { heard: { itemId: string; playedMs: number } | undefined } | undefined {
    const stream = this.stream;
    if (!stream || stream.idle(nowMs)) return undefined;
    const heard = stream.clear(nowMs);
    this.outbound?.reset();
    this.send(ACS_STOP_AUDIO);
    return { heard };
  }

  send(text: string): void {
    const socket = this.socket;
    if (!socket || socket.readyState !== 1) {
      this.events.frameDropped("caller_socket_closed");
      return;
    }
    if (socket.bufferedAmount > MAX_CALLER_BUFFERED_BYTES) {
      const buffered = socket.bufferedAmount;
      // terminate: a peer that does not read will not read a close frame either.
      socket.terminate();
      this.events.overflow(buffered);
      return;
    }
    socket.send(text);
  }

  close(reason: string): void {
    if (this.paced) this.pacer.remove(this.paced);
    const socket = this.socket;
    this.socket = undefined;
    if (socket && socket.readyState === 1) socket.close(1000, reason.slice(0, 120));
  }
}

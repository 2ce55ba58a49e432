/**
 * The assistant message of one response: its item, its synthesized speech and
 * the streaming of audio, transcript and word-timestamp deltas in step. Each
 * advance() sends up to N chunks of `deltaMs` audio; the transcript delta (and,
 * when the session asked for word timestamps, the `response.audio_timestamp.delta`)
 * for a word goes out with the chunk where the word starts, so they stay
 * aligned with the audio. Text-only responses send response.text.delta at the
 * same pace, without audio.
 *
 * Speech is synthesized one sentence at a time, off the event loop (the voice
 * runs in a worker thread): every sentence is requested when the message is
 * created, the audio starts as soon as the first one is ready, and the stream
 * waits at a sentence that is not ready yet (the service's TTS does the same).
 */
import type { StoredItem } from "./conversation.js";
import { createOutputEncoder, type OutputEncoder } from "./output-audio.js";
import type { ResponsePlan, StreamHost } from "./response-stream.js";
import { splitSentences } from "./sentences.js";
import { synthesizeSpeech } from "./speech.js";
import { samplesToMs, SPEECH_SAMPLE_RATE_HZ, type SynthesizedSpeech } from "./voice.js";

export type AdvanceResult =
  | { readonly kind: "tick" }
  | { readonly kind: "pause"; readonly ms: number }
  /** The next sentence's speech is still being synthesized: advance again once `ready` settles. */
  | { readonly kind: "wait"; readonly ready: Promise<void> }
  | { readonly kind: "end" };

const TICK: AdvanceResult = { kind: "tick" };
const END: AdvanceResult = { kind: "end" };

/** One sentence of the message: its text (with its leading space), where it starts in the item's text, its stall. */
export interface PieceText {
  readonly text: string;
  readonly charBase: number;
  /** A scripted stall before this piece (only the first piece of a segment after the first). */
  readonly pauseBeforeMs: number;
}

interface Piece extends PieceText {
  speech: SynthesizedSpeech | null;
  /** Settles when `speech` is set. */
  ready: Promise<void>;
  /** First sample of this piece in the item's audio timeline (set when the stream reaches it). */
  startSample: number;
  entered: boolean;
}

/** The sentences a message speaks, in order: segments after the first are joined with a space. */
export function messagePieces(segments: ResponsePlan["segments"]): PieceText[] {
  const pieces: PieceText[] = [];
  let charBase = 0;
  segments.forEach((segment, i) => {
    splitSentences(i === 0 ? segment.text : ` ${segment.text}`).forEach((text, k) => {
      pieces.push({ text, charBase, pauseBeforeMs: k === 0 && i > 0 ? segment.pauseBeforeMs : 0 });
      charBase += text.length;
    });
  });
  return pieces;
}

export class MessageStreamer {
  readonly item: StoredItem;
  /** Text sent so far (transcript deltas or text deltas). */
  transcript = "";
  /** Audio sent so far for this message, ms. */
  audioSentMs = 0;
  private readonly host: StreamHost;
  private readonly plan: ResponsePlan;
  private readonly ref: Record<string, unknown>;
  private readonly pieces: Piece[];
  private readonly encoder: OutputEncoder | null;
  private readonly deltaSamples: number;
  private readonly wordTimestamps: boolean;
  private piece = 0;
  private offset = 0;
  private wordCursor = 0;
  private charCursor = 0;
  /** Samples of the pieces the stream has reached: where the next one starts in the item's audio. */
  private reachedSamples = 0;

  constructor(host: StreamHost, plan: ResponsePlan, responseId: string, readonly outputIndex: number) {
    this.host = host;
    this.plan = plan;
    this.pieces = messagePieces(plan.segments).map((text) => {
      const piece: Piece = { ...text, speech: null, ready: Promise.resolve(), startSample: 0, entered: false };
      if (plan.audio) {
        piece.ready = host.voice.synthesize(text.text, plan.voice).then((speech) => void (piece.speech = speech));
      } else {
        // Text-only responses need the pacing, not the audio: the buzz times them without a synthesizer.
        piece.speech = synthesizeSpeech(text.text);
      }
      return piece;
    });
    this.encoder = plan.audio ? createOutputEncoder(plan.outputFormat) : null;
    this.wordTimestamps = plan.audio && host.wordTimestamps;
    this.deltaSamples = Math.max(1, Math.round((host.streaming.deltaMs * SPEECH_SAMPLE_RATE_HZ) / 1000));
    const wire: Record<string, unknown> = {
      id: host.ids.next("item"),
      object: "realtime.item",
      type: "message",
      status: "in_progress",
      role: "assistant",
      content: [],
    };
    const id = wire.id as string;
    const plannedText = this.pieces.map((p) => p.text).join("");
    this.item = plan.audio
      ? { id, wire, text: "", plannedText, audio: { totalMs: 0, complete: false, sentMs: 0, firstDeltaAtMs: null, truncatedAtMs: null, words: [] } }
      : { id, wire, text: "", plannedText };
    this.ref = { response_id: responseId, item_id: id, output_index: outputIndex, content_index: 0 };
  }

  /** The stream reaches a piece (in order): its place in the item's audio, and the audio track learns its words. */
  private enter(piece: Piece, speech: SynthesizedSpeech): void {
    piece.entered = true;
    piece.startSample = this.reachedSamples;
    this.reachedSamples += speech.samples.length;
    const track = this.item.audio;
    if (track !== undefined) {
      for (const word of speech.words) track.words.push({ endMs: samplesToMs(piece.startSample + word.endSample), endChar: piece.charBase + word.endChar });
      track.totalMs = samplesToMs(this.reachedSamples);
      track.complete = piece === this.pieces[this.pieces.length - 1];
    }
  }

  /** output_item.added, conversation.item.created (unless out of band), content_part.added. */
  open(): void {
    const wire = this.item.wire;
    this.host.send({ type: "response.output_item.added", response_id: this.ref.response_id, output_index: this.outputIndex, item: { ...wire } });
    if (this.plan.addToConversation) {
      const previous = this.host.conversation.add(this.item);
      this.host.send({ type: "conversation.item.created", previous_item_id: previous, item: { ...wire } });
    }
    this.host.send({
      ...this.ref,
      type: "response.content_part.added",
      part: this.plan.audio ? { type: "audio", transcript: "" } : { type: "text", text: "" },
    });
  }

  /** Sends up to `chunks` deltas; says whether to go on next tick, pause first, or finish. */
  advance(chunks: number): AdvanceResult {
    for (let n = 0; n < chunks; ) {
      const piece = this.pieces[this.piece];
      const speech = piece.speech;
      if (speech === null) return { kind: "wait", ready: piece.ready };
      if (!piece.entered) this.enter(piece, speech);
      if (this.offset >= speech.samples.length) {
        this.emitText(piece.text.slice(this.charCursor));
        this.piece += 1;
        if (this.piece >= this.pieces.length) return END;
        this.offset = 0;
        this.wordCursor = 0;
        this.charCursor = 0;
        const pauseMs = this.pieces[this.piece].pauseBeforeMs;
        if (pauseMs > 0) return { kind: "pause", ms: pauseMs };
        continue;
      }
      const end = Math.min(this.offset + this.deltaSamples, speech.samples.length);
      const words = speech.words;
      while (this.wordCursor < words.length && words[this.wordCursor].startSample < end) {
        const word = words[this.wordCursor];
        this.emitText(piece.text.slice(this.charCursor, word.endChar));
        this.charCursor = word.endChar;
        if (this.wordTimestamps) this.emitWordTimestamp(word.text, piece.startSample + word.startSample, word.endSample - word.startSample);
        this.wordCursor += 1;
      }
      if (this.encoder !== null) this.sendAudio(speech.samples.subarray(this.offset, end));
      this.offset = end;
      n += 1;
    }
    return TICK;
  }

  /** audio.done, [audio_timestamp.done], audio_transcript.done (or text.done), content_part.done, output_item.done. */
  finish(status: "completed" | "incomplete"): void {
    const part = this.plan.audio ? { type: "audio", transcript: this.transcript } : { type: "text", text: this.transcript };
    if (this.plan.audio) {
      this.host.send({ ...this.ref, type: "response.audio.done" });
      if (this.wordTimestamps) this.host.send({ ...this.ref, type: "response.audio_timestamp.done" });
      this.host.send({ ...this.ref, type: "response.audio_transcript.done", transcript: this.transcript });
    } else {
      this.host.send({ ...this.ref, type: "response.text.done", text: this.transcript });
    }
    this.host.send({ ...this.ref, type: "response.content_part.done", part });
    const wire = this.item.wire;
    wire.status = status;
    if (this.item.audio?.truncatedAtMs == null) wire.content = [part]; // a truncated item keeps its cut text
    this.host.send({ type: "response.output_item.done", response_id: this.ref.response_id, output_index: this.outputIndex, item: { ...wire } });
  }

  private emitText(delta: string): void {
    if (delta === "") return;
    this.transcript += delta;
    if (this.item.audio?.truncatedAtMs == null) this.item.text = this.transcript;
    this.host.send({ ...this.ref, type: this.plan.audio ? "response.audio_transcript.delta" : "response.text.delta", delta });
  }

  /** One word of the item's audio: its offset and duration in the item's audio timeline (ms). */
  private emitWordTimestamp(word: string, startSample: number, lengthSamples: number): void {
    this.host.send({
      ...this.ref,
      type: "response.audio_timestamp.delta",
      audio_offset_ms: Math.round(samplesToMs(startSample)),
      audio_duration_ms: Math.round(samplesToMs(lengthSamples)),
      text: word,
      timestamp_type: "word",
    });
  }

  private sendAudio(samples: Int16Array): void {
    const track = this.item.audio!;
    if (track.firstDeltaAtMs === null) track.firstDeltaAtMs = this.host.clock.nowMs();
    this.host.send({ ...this.ref, type: "response.audio.delta", delta: this.encoder!.encode(samples) });
    const chunkMs = samplesToMs(samples.length);
    track.sentMs += chunkMs;
    this.audioSentMs += chunkMs;
  }
}

/**
 * The assistant message of one response: its item, its synthesized speech and
 * the streaming of audio and transcript deltas in step. Each advance() sends up
 * to N chunks of `deltaMs` audio; the transcript delta for a word goes out with
 * the chunk where the word starts, so transcript and audio stay aligned.
 * Text-only responses send response.text.delta at the same pace, without audio.
 */
import type { StoredItem } from "./conversation.js";
import { createOutputEncoder, type OutputEncoder } from "./output-audio.js";
import type { ResponsePlan, StreamHost } from "./response-stream.js";
import { SPEECH_SAMPLE_RATE_HZ, synthesizeSpeech, type SynthesizedSpeech } from "./speech.js";

export type AdvanceResult = { readonly kind: "tick" } | { readonly kind: "pause"; readonly ms: number } | { readonly kind: "end" };

const TICK: AdvanceResult = { kind: "tick" };
const END: AdvanceResult = { kind: "end" };

export class MessageStreamer {
  readonly item: StoredItem;
  /** Text sent so far (transcript deltas or text deltas). */
  transcript = "";
  /** Audio sent so far for this message, ms. */
  audioSentMs = 0;
  private readonly host: StreamHost;
  private readonly plan: ResponsePlan;
  private readonly ref: Record<string, unknown>;
  private readonly texts: string[];
  private readonly speeches: SynthesizedSpeech[];
  private readonly encoder: OutputEncoder | null;
  private readonly deltaSamples: number;
  private seg = 0;
  private offset = 0;
  private wordCursor = 0;
  private charCursor = 0;

  constructor(host: StreamHost, plan: ResponsePlan, responseId: string, readonly outputIndex: number) {
    this.host = host;
    this.plan = plan;
    // Segments after the first are joined with a space, which is also a short pause in the audio.
    this.texts = plan.segments.map((s, i) => (i === 0 ? s.text : ` ${s.text}`));
    this.speeches = this.texts.map((t) => synthesizeSpeech(t));
    this.encoder = plan.audio ? createOutputEncoder(plan.outputFormat) : null;
    this.deltaSamples = Math.max(1, Math.round((host.streaming.deltaMs * SPEECH_SAMPLE_RATE_HZ) / 1000));
    const totalMs = this.speeches.reduce((sum, s) => sum + s.durationMs, 0);
    const wire: Record<string, unknown> = {
      id: host.ids.next("item"),
      object: "realtime.item",
      type: "message",
      status: "in_progress",
      role: "assistant",
      content: [],
    };
    const id = wire.id as string;
    const plannedText = this.texts.join("");
    this.item = plan.audio
      ? { id, wire, text: "", plannedText, audio: { totalMs, sentMs: 0, firstDeltaAtMs: null, truncatedAtMs: null } }
      : { id, wire, text: "", plannedText };
    this.ref = { response_id: responseId, item_id: id, output_index: outputIndex, content_index: 0 };
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
      const speech = this.speeches[this.seg];
      const text = this.texts[this.seg];
      if (this.offset >= speech.samples.length) {
        this.emitText(text.slice(this.charCursor));
        this.seg += 1;
        if (this.seg >= this.speeches.length) return END;
        this.offset = 0;
        this.wordCursor = 0;
        this.charCursor = 0;
        const pauseMs = this.plan.segments[this.seg].pauseBeforeMs;
        if (pauseMs > 0) return { kind: "pause", ms: pauseMs };
        continue;
      }
      const end = Math.min(this.offset + this.deltaSamples, speech.samples.length);
      const words = speech.words;
      while (this.wordCursor < words.length && words[this.wordCursor].startSample < end) {
        this.emitText(text.slice(this.charCursor, words[this.wordCursor].endChar));
        this.charCursor = words[this.wordCursor].endChar;
        this.wordCursor += 1;
      }
      if (this.encoder !== null) this.sendAudio(speech.samples.subarray(this.offset, end));
      this.offset = end;
      n += 1;
    }
    return TICK;
  }

  /** audio.done, audio_transcript.done (or text.done), content_part.done, output_item.done. */
  finish(status: "completed" | "incomplete"): void {
    const part = this.plan.audio ? { type: "audio", transcript: this.transcript } : { type: "text", text: this.transcript };
    if (this.plan.audio) {
      this.host.send({ ...this.ref, type: "response.audio.done" });
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

  private sendAudio(samples: Int16Array): void {
    const track = this.item.audio!;
    if (track.firstDeltaAtMs === null) track.firstDeltaAtMs = this.host.clock.nowMs();
    this.host.send({ ...this.ref, type: "response.audio.delta", delta: this.encoder!.encode(samples) });
    const chunkMs = (samples.length * 1000) / SPEECH_SAMPLE_RATE_HZ;
    track.sentMs += chunkMs;
    this.audioSentMs += chunkMs;
  }
}

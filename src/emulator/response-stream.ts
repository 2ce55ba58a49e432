/**
 * One response, as a timer-driven sequence of server events:
 * response.created → (lead delay) → message item [output_item.added,
 * conversation.item.created, content_part.added, audio/transcript deltas,
 * audio.done, audio_transcript.done, content_part.done, output_item.done] →
 * function_call items [output_item.added, conversation.item.created,
 * function_call_arguments.delta…/done, output_item.done] → response.done.
 *
 * Audio goes out faster than real time, as the service does: `deltasPerTick`
 * deltas of `deltaMs` audio every `tickMs` (default 2 × 100 ms per 20 ms: 10×
 * real time). `cancel()` closes the open item as `incomplete` and sends
 * `response.done` with status `cancelled`, synchronously.
 */
import type { Clock, Timer } from "../clock.js";
import type { Conversation, StoredItem } from "./conversation.js";
import { MessageStreamer, messagePieces } from "./message-streamer.js";
import type { IdSource } from "./rng.js";
import type { OutgoingEvent } from "./server-events.js";
import type { OutputAudioFormat } from "./session-config.js";
import type { InterimResponseConfig } from "./session-fields.js";
import type { SpeechVoice } from "./voice.js";

export interface StreamingOptions {
  /** Audio carried by one response.audio.delta, in ms. */
  readonly deltaMs: number;
  /** Deltas sent per tick. */
  readonly deltasPerTick: number;
  /** Interval between ticks, in ms. */
  readonly tickMs: number;
}

export const DEFAULT_STREAMING: StreamingOptions = { deltaMs: 100, deltasPerTick: 2, tickMs: 20 };

export interface PlannedSegment {
  readonly text: string;
  /** Stall before this segment's audio (a slow model mid-answer). */
  readonly pauseBeforeMs: number;
}

export interface PlannedToolCall {
  readonly name: string;
  readonly argumentsJson: string;
  readonly callId: string;
  readonly pauseBeforeMs: number;
}

export interface ResponsePlan {
  readonly kind: "main" | "interim";
  /** Time from response.created to the first output item. */
  readonly leadDelayMs: number;
  /** Spoken message; empty for a response that only calls tools. */
  readonly segments: readonly PlannedSegment[];
  readonly toolCalls: readonly PlannedToolCall[];
  /** `audio` in the modalities: speak; otherwise text deltas only. */
  readonly audio: boolean;
  readonly modalities: readonly string[];
  readonly outputFormat: OutputAudioFormat;
  /** `conversation: "none"` (out of band) keeps items out of the conversation. */
  readonly addToConversation: boolean;
  readonly metadata?: Record<string, string> | null;
  /** The voice configuration (session's or the request's): picks the synthesizer's voice, echoed in the response. */
  readonly voice: unknown;
  /** Interim config covering this response (latency) and the wait for its tool calls (tool). */
  readonly interim: InterimResponseConfig | null;
  readonly maxOutputTokens?: number | "inf";
}

export type ResponseStatus = "in_progress" | "completed" | "cancelled";

export interface StreamHost {
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly conversation: Conversation;
  /** `conv_…`: the default conversation's id (response.conversation_id). */
  readonly conversationId: string;
  readonly streaming: StreamingOptions;
  readonly voice: SpeechVoice;
  /** `session.output_audio_timestamp_types` includes "word": send response.audio_timestamp.* events. */
  readonly wordTimestamps: boolean;
  send(event: OutgoingEvent): void;
  /** Calls `ready` when no other response is producing output (audio is one lane). */
  acquireLane(stream: ResponseStream, ready: () => void): void;
  releaseLane(stream: ResponseStream): void;
  onFinished(stream: ResponseStream): void;
  inputUsage(): { text_tokens: number; audio_tokens: number };
}

const ARGUMENT_DELTA_CHARS = 24;

export class ResponseStream {
  readonly id: string;
  readonly plan: ResponsePlan;
  readonly createdAtMs: number;
  status: ResponseStatus = "in_progress";
  firstOutputAtMs: number | null = null;
  /** call_ids of the function calls this response made (once emitted). */
  readonly callIds: string[] = [];
  private readonly host: StreamHost;
  private readonly output: Record<string, unknown>[] = [];
  private timer: Timer | null = null;
  private waitingForLane = false;
  private holdsLane = false;
  private message: MessageStreamer | null = null;
  private spokenText = "";
  private toolIndex = 0;
  private toolPauseDone = false;
  private audioSentMs = 0;

  constructor(host: StreamHost, plan: ResponsePlan) {
    this.host = host;
    this.plan = plan;
    this.id = host.ids.next("resp");
    this.createdAtMs = host.clock.nowMs();
  }

  get isActive(): boolean {
    return this.status === "in_progress";
  }

  /** Sends response.created and schedules the output. */
  start(): void {
    this.host.send({ type: "response.created", response: this.responseObject(null) });
    // The voice starts on every sentence now, in order: a scripted delay and the lane wait overlap with it.
    if (this.plan.audio) for (const piece of messagePieces(this.plan.segments)) void this.host.voice.synthesize(piece.text, this.plan.voice);
    this.schedule(this.plan.leadDelayMs, () => {
      this.waitingForLane = true;
      this.host.acquireLane(this, () => {
        this.waitingForLane = false;
        this.holdsLane = true;
        this.beginOutput();
      });
    });
  }

  /** Stops the response now: the open item ends `incomplete`, response.done says `cancelled`. */
  cancel(reason: "turn_detected" | "client_cancelled"): void {
    if (this.status !== "in_progress") return;
    this.clearTimer();
    if (this.message !== null) this.finishMessage("incomplete");
    this.status = "cancelled";
    this.host.send({ type: "response.done", response: this.responseObject({ type: "cancelled", reason }) });
    this.finish();
  }

  /** The connection closed: stop timers without sending anything. */
  dispose(): void {
    this.clearTimer();
    if (this.status === "in_progress") this.status = "cancelled";
  }

  private finish(): void {
    if (this.waitingForLane || this.holdsLane) this.host.releaseLane(this);
    this.waitingForLane = false;
    this.holdsLane = false;
    this.host.onFinished(this);
  }

  private beginOutput(): void {
    if (this.plan.segments.length > 0) {
      this.openMessage();
      this.tick();
    } else {
      this.nextTool();
    }
  }

  private markFirstOutput(): void {
    if (this.firstOutputAtMs === null) this.firstOutputAtMs = this.host.clock.nowMs();
  }

  private openMessage(): void {
    this.markFirstOutput();
    this.message = new MessageStreamer(this.host, this.plan, this.id, this.output.length);
    this.output.push(this.message.item.wire);
    this.message.open();
  }

  private tick(): void {
    const result = (this.message as MessageStreamer).advance(this.host.streaming.deltasPerTick);
    if (result.kind === "tick") {
      this.schedule(this.host.streaming.tickMs, () => this.tick());
    } else if (result.kind === "pause") {
      this.schedule(result.ms, () => this.tick());
    } else if (result.kind === "wait") {
      const message = this.message;
      void result.ready.then(() => {
        if (this.status === "in_progress" && this.message === message && this.timer === null) this.tick();
      });
    } else {
      this.finishMessage("completed");
      this.nextTool();
    }
  }

  private finishMessage(status: "completed" | "incomplete"): void {
    const message = this.message as MessageStreamer;
    this.message = null;
    message.finish(status);
    this.spokenText = message.transcript;
    this.audioSentMs = message.audioSentMs;
  }

  private nextTool(): void {
    if (this.toolIndex >= this.plan.toolCalls.length) {
      this.complete();
      return;
    }
    const call = this.plan.toolCalls[this.toolIndex];
    if (call.pauseBeforeMs > 0 && !this.toolPauseDone) {
      this.toolPauseDone = true;
      this.schedule(call.pauseBeforeMs, () => this.nextTool());
      return;
    }
    this.toolPauseDone = false;
    this.toolIndex += 1;
    this.emitToolCall(call);
    this.nextTool();
  }

  private emitToolCall(call: PlannedToolCall): void {
    this.markFirstOutput();
    const wire: Record<string, unknown> = {
      id: this.host.ids.next("item"),
      object: "realtime.item",
      type: "function_call",
      status: "in_progress",
      name: call.name,
      call_id: call.callId,
      arguments: "",
    };
    const item: StoredItem = { id: wire.id as string, wire, text: "" };
    const outputIndex = this.output.length;
    this.output.push(wire);
    this.callIds.push(call.callId);
    this.host.send({ type: "response.output_item.added", response_id: this.id, output_index: outputIndex, item: { ...wire } });
    if (this.plan.addToConversation) {
      const previous = this.host.conversation.add(item);
      this.host.send({ type: "conversation.item.created", previous_item_id: previous, item: { ...wire } });
    }
    const ref = { response_id: this.id, item_id: item.id, output_index: outputIndex, call_id: call.callId };
    for (let i = 0; i < call.argumentsJson.length; i += ARGUMENT_DELTA_CHARS) {
      this.host.send({ ...ref, type: "response.function_call_arguments.delta", delta: call.argumentsJson.slice(i, i + ARGUMENT_DELTA_CHARS) });
    }
    this.host.send({ ...ref, type: "response.function_call_arguments.done", name: call.name, arguments: call.argumentsJson });
    wire.status = "completed";
    wire.arguments = call.argumentsJson;
    this.host.send({ type: "response.output_item.done", response_id: this.id, output_index: outputIndex, item: { ...wire } });
  }

  private complete(): void {
    this.status = "completed";
    this.host.send({ type: "response.done", response: this.responseObject(null) });
    this.finish();
  }

  private responseObject(statusDetails: Record<string, unknown> | null): Record<string, unknown> {
    const outputText = this.output.reduce((sum, item) => sum + String(item.arguments ?? "").length, this.spokenText.length);
    const textTokens = Math.ceil(outputText / 4);
    const audioTokens = Math.ceil(this.audioSentMs / 50);
    const input = this.status === "in_progress" ? { text_tokens: 0, audio_tokens: 0 } : this.host.inputUsage();
    const inputTokens = input.text_tokens + input.audio_tokens;
    return {
      id: this.id,
      object: "realtime.response",
      status: this.status,
      status_details: statusDetails,
      output: this.output.map((item) => ({ ...item })),
      conversation_id: this.plan.addToConversation ? this.host.conversationId : null,
      modalities: [...this.plan.modalities],
      voice: this.plan.voice,
      output_audio_format: this.plan.outputFormat,
      ...(this.plan.maxOutputTokens === undefined ? {} : { max_output_tokens: this.plan.maxOutputTokens }),
      ...(this.plan.metadata === undefined ? {} : { metadata: this.plan.metadata }),
      usage: {
        total_tokens: inputTokens + textTokens + audioTokens,
        input_tokens: inputTokens,
        output_tokens: textTokens + audioTokens,
        // cached_tokens_details and image_tokens: the SDK's deserializer requires them (the reference omits them).
        input_token_details: {
          cached_tokens: 0,
          text_tokens: input.text_tokens,
          audio_tokens: input.audio_tokens,
          image_tokens: 0,
          cached_tokens_details: { text_tokens: 0, audio_tokens: 0, image_tokens: 0 },
        },
        output_token_details: { text_tokens: textTokens, audio_tokens: audioTokens },
      },
    };
  }

  private schedule(ms: number, fn: () => void): void {
    this.clearTimer();
    this.timer = this.host.clock.setTimeout(() => {
      this.timer = null;
      if (this.status === "in_progress") fn();
    }, ms);
  }

  private clearTimer(): void {
    if (this.timer !== null) {
      this.host.clock.clearTimeout(this.timer);
      this.timer = null;
    }
  }
}

/**
 * Voice Live realtime WebSocket: the client events we send and the server events
 * we handle (protocols.md §4; flat, OpenAI-beta-style shapes, snake_case on the wire).
 */

export interface VoiceConfig {
  readonly type: "azure-standard" | "azure-custom" | "openai";
  readonly name: string;
  readonly temperature?: number;
  readonly endpoint_id?: string;
}

export interface TurnDetection {
  readonly type: "azure_semantic_vad" | "azure_semantic_vad_multilingual" | "server_vad";
  readonly threshold?: number;
  readonly prefix_padding_ms?: number;
  readonly silence_duration_ms?: number;
  readonly create_response?: boolean;
  readonly interrupt_response?: boolean;
  readonly auto_truncate?: boolean;
}

export interface FunctionTool {
  readonly type: "function";
  readonly name: string;
  readonly description: string;
  readonly parameters: Record<string, unknown>;
}

export type InterimResponseConfig =
  | {
      readonly type: "static_interim_response";
      readonly triggers: readonly ("tool" | "latency")[];
      readonly latency_threshold_ms?: number;
      readonly texts: readonly string[];
    }
  | {
      readonly type: "llm_interim_response";
      readonly triggers: readonly ("tool" | "latency")[];
      readonly latency_threshold_ms?: number;
      readonly instructions?: string;
      readonly max_completion_tokens?: number;
    };

export interface SessionSettings {
  readonly modalities?: readonly ("text" | "audio")[];
  readonly instructions?: string;
  readonly voice?: VoiceConfig;
  readonly input_audio_format?: "pcm16" | "g711_ulaw" | "g711_alaw";
  readonly output_audio_format?: "pcm16" | "pcm16_8000hz" | "pcm16_16000hz" | "g711_ulaw" | "g711_alaw";
  readonly input_audio_sampling_rate?: 16000 | 24000;
  readonly turn_detection?: TurnDetection | null;
  readonly input_audio_noise_reduction?: { readonly type: "azure_deep_noise_suppression" | "near_field" | "far_field" } | null;
  readonly input_audio_echo_cancellation?: { readonly type: "server_echo_cancellation" } | null;
  readonly input_audio_transcription?: { readonly model: string; readonly language?: string } | null;
  readonly tools?: readonly FunctionTool[];
  readonly tool_choice?: "auto" | "none" | "required";
  readonly interim_response?: InterimResponseConfig;
  /** Word timestamps for the assistant's audio (response.audio_timestamp.delta); GA and later. */
  readonly output_audio_timestamp_types?: readonly "word"[];
}

export type ContentPart =
  | { readonly type: "input_text"; readonly text: string }
  | { readonly type: "text"; readonly text: string };

export type ConversationItem =
  | { readonly type: "message"; readonly role: "system" | "user" | "assistant"; readonly content: readonly ContentPart[] }
  | { readonly type: "function_call_output"; readonly call_id: string; readonly output: string };

/** response.create's `response` (GA 2026-07-15: per-response settings override the session's for this response). */
export interface ResponseOptions {
  readonly pre_generated_assistant_message?: {
    readonly type: "message";
    readonly role: "assistant";
    readonly content: readonly [{ readonly type: "text"; readonly text: string }];
  };
  readonly instructions?: string;
  readonly tool_choice?: "auto" | "none" | "required";
  readonly max_output_tokens?: number;
}

export type ClientEvent =
  | { readonly type: "session.update"; readonly session: SessionSettings }
  | { readonly type: "input_audio_buffer.append"; readonly audio: string }
  | { readonly type: "input_audio_buffer.clear" }
  | { readonly type: "conversation.item.create"; readonly item: ConversationItem }
  | { readonly type: "conversation.item.truncate"; readonly item_id: string; readonly content_index: number; readonly audio_end_ms: number }
  | { readonly type: "response.create"; readonly response?: ResponseOptions }
  | { readonly type: "response.cancel" };

export interface VoiceLiveError {
  readonly type?: string | null;
  readonly code?: string | null;
  readonly message?: string | null;
  readonly param?: string | null;
  readonly event_id?: string | null;
}

export interface OutputItem {
  readonly id: string;
  readonly type: "message" | "function_call" | string;
  readonly role?: string | null;
  readonly name?: string | null;
  readonly call_id?: string | null;
  readonly arguments?: string | null;
  readonly output?: string | null;
  readonly content?: ReadonlyArray<{ readonly type?: string; readonly text?: string | null; readonly transcript?: string | null }>;
}

export type ResponseStatus = "completed" | "cancelled" | "canceled" | "incomplete" | "failed" | "in_progress";

export type ServerEvent =
  | { readonly type: "session.created"; readonly session: { readonly id: string } & Record<string, unknown> }
  | { readonly type: "session.updated"; readonly session: { readonly id: string } & Record<string, unknown> }
  | { readonly type: "input_audio_buffer.speech_started"; readonly audio_start_ms: number; readonly item_id: string }
  | { readonly type: "input_audio_buffer.speech_stopped"; readonly audio_end_ms: number; readonly item_id: string }
  | { readonly type: "conversation.item.created"; readonly item: OutputItem }
  | { readonly type: "conversation.item.input_audio_transcription.completed"; readonly item_id: string; readonly transcript: string }
  | { readonly type: "conversation.item.input_audio_transcription.failed"; readonly item_id: string; readonly error?: VoiceLiveError }
  | { readonly type: "conversation.item.truncated"; readonly item_id: string; readonly audio_end_ms: number }
  | { readonly type: "response.created"; readonly response: { readonly id: string } }
  | { readonly type: "response.output_item.added"; readonly response_id: string; readonly output_index: number; readonly item: OutputItem }
  | { readonly type: "response.output_item.done"; readonly response_id: string; readonly output_index: number; readonly item: OutputItem }
  | { readonly type: "response.audio.delta"; readonly response_id: string; readonly item_id: string; readonly delta: string }
  | { readonly type: "response.audio.done"; readonly response_id: string; readonly item_id: string }
  | {
      /** One spoken word: where it sits in the item's audio (with output_audio_timestamp_types: ["word"]). */
      readonly type: "response.audio_timestamp.delta";
      readonly response_id: string;
      readonly item_id: string;
      readonly audio_offset_ms: number;
      readonly audio_duration_ms: number;
      readonly text: string;
    }
  | { readonly type: "response.audio_transcript.done"; readonly response_id: string; readonly item_id: string; readonly transcript: string }
  | {
      readonly type: "response.function_call_arguments.done";
      readonly response_id: string;
      readonly item_id?: string;
      readonly call_id: string;
      readonly name?: string;
      readonly arguments: string;
    }
  | {
      readonly type: "response.done";
      readonly response: {
        readonly id: string;
        readonly status: ResponseStatus;
        readonly status_details?: unknown;
        readonly output?: readonly OutputItem[];
        readonly usage?: unknown;
      };
    }
  | { readonly type: "error"; readonly error: VoiceLiveError }
  | { readonly type: "ignored"; readonly rawType: string };

/** Server errors that mean "already so", not a fault. */
export const BENIGN_ERROR_CODES = new Set([
  "response_cancel_not_active",
  "conversation_already_has_active_response",
  "item_already_truncated",
]);

/**
 * The Voice Live boundary: every server frame is parsed and checked against the
 * shape of its event type before any handler sees it. A frame that is not JSON,
 * not an object, of an unknown type, or missing/mistyping a field we act on
 * comes back as a rejection with a reason (counted and logged by the session),
 * never as an exception. Extra fields are allowed: the service adds them.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import type { ServerEvent } from "./protocol.js";

export type DropReason = "not_json" | "not_object" | "no_type" | "unknown_type" | "invalid_fields" | "invalid_audio" | "binary" | "too_large";

export type ParsedServerEvent =
  | { readonly ok: true; readonly event: ServerEvent }
  | { readonly ok: false; readonly reason: DropReason; readonly type?: string; readonly detail: string };

export type ServerEventParser = (text: string) => ParsedServerEvent;

const MAX_ID = 512;
const MAX_TEXT = 64 * 1024;

const id = { type: "string", minLength: 1, maxLength: MAX_ID } as const;
const text = { type: "string", maxLength: MAX_TEXT } as const;
const nullableText = { type: ["string", "null"], maxLength: MAX_TEXT } as const;
const nonNegative = { type: "number", minimum: 0 } as const;
const index = { type: "integer", minimum: 0 } as const;
/** Optional fields may be null on the wire (the service sends e.g. "name": null on message items). */
const nullableId = { type: ["string", "null"], minLength: 1, maxLength: MAX_ID } as const;
const item = {
  type: "object",
  required: ["type"],
  properties: {
    id,
    type: { type: "string", maxLength: 64 },
    role: { type: ["string", "null"], maxLength: 64 },
    name: { type: ["string", "null"], maxLength: MAX_ID },
    call_id: nullableId,
    arguments: nullableText,
    output: nullableText,
    content: {
      type: "array",
      maxItems: 64,
      // transcript is null until transcription completes (input_audio parts).
      items: { type: "object", properties: { type: { type: "string", maxLength: 64 }, text: nullableText, transcript: nullableText } },
    },
  },
} as const;
const session = { type: "object", required: ["id"], properties: { id, expires_at: { type: "number" } } } as const;
const errorBody = {
  type: "object",
  properties: {
    type: { type: ["string", "null"] },
    code: { type: ["string", "null"] },
    message: { type: ["string", "null"] },
    param: { type: ["string", "null"] },
    event_id: { type: ["string", "null"] },
  },
} as const;

/** Required fields (and their types) of every event the bot acts on. */
const SCHEMAS: Record<string, object> = {
  "session.created": { required: ["session"], properties: { session } },
  "session.updated": { required: ["session"], properties: { session } },
  "input_audio_buffer.speech_started": { required: ["audio_start_ms", "item_id"], properties: { audio_start_ms: nonNegative, item_id: id } },
  "input_audio_buffer.speech_stopped": { required: ["audio_end_ms", "item_id"], properties: { audio_end_ms: nonNegative, item_id: id } },
  "conversation.item.created": { required: ["item"], properties: { item } },
  "conversation.item.input_audio_transcription.completed": { required: ["item_id", "transcript"], properties: { item_id: id, transcript: text } },
  "conversation.item.input_audio_transcription.failed": { required: ["item_id"], properties: { item_id: id, error: errorBody } },
  "conversation.item.truncated": { required: ["item_id", "audio_end_ms"], properties: { item_id: id, audio_end_ms: nonNegative } },
  "response.created": { required: ["response"], properties: { response: { type: "object", required: ["id"], properties: { id } } } },
  "response.output_item.added": { required: ["response_id", "output_index", "item"], properties: { response_id: id, output_index: index, item } },
  "response.output_item.done": { required: ["response_id", "output_index", "item"], properties: { response_id: id, output_index: index, item } },
  "response.audio.delta": { required: ["response_id", "item_id", "delta"], properties: { response_id: id, item_id: id, delta: { type: "string" } } },
  "response.audio.done": { required: ["response_id", "item_id"], properties: { response_id: id, item_id: id } },
  "response.audio_timestamp.delta": {
    required: ["response_id", "item_id", "audio_offset_ms", "audio_duration_ms", "text"],
    properties: { response_id: id, item_id: id, audio_offset_ms: nonNegative, audio_duration_ms: nonNegative, text: { type: "string", maxLength: 1024 } },
  },
  "response.audio_transcript.done": { required: ["response_id", "item_id", "transcript"], properties: { response_id: id, item_id: id, transcript: text } },
  "response.function_call_arguments.done": {
    required: ["response_id", "call_id", "arguments"],
    properties: { response_id: id, item_id: id, call_id: id, name: { type: "string", maxLength: MAX_ID }, arguments: text },
  },
  "response.done": {
    required: ["response"],
    properties: {
      response: {
        type: "object",
        required: ["id", "status"],
        properties: {
          id,
          status: { enum: ["completed", "cancelled", "canceled", "incomplete", "failed", "in_progress"] },
          output: { type: "array", items: item },
        },
      },
    },
  },
  error: { required: ["error"], properties: { error: errorBody } },
};

/** Documented server events the bot has no use for: passed on as "ignored", not counted as drops. */
const KNOWN_UNHANDLED = new Set([
  "conversation.item.deleted",
  "conversation.item.retrieved",
  "conversation.item.input_audio_transcription.delta",
  "input_audio_buffer.committed",
  "input_audio_buffer.cleared",
  "response.content_part.added",
  "response.content_part.done",
  "response.text.delta",
  "response.text.done",
  "response.audio_transcript.delta",
  "response.function_call_arguments.delta",
  "response.audio_timestamp.done",
  "response.animation_viseme.delta",
  "response.animation_viseme.done",
  "response.animation_blendshapes.delta",
  "response.animation_blendshapes.done",
  "rate_limits.updated",
  "warning",
]);

/**
 * Compiles the validators once (per bot); the returned parser is pure.
 * `audioDeltaFastPath: false` checks deltas with the schema validator too
 * (tests hold both to the same answers).
 */
export function createServerEventParser(options: { audioDeltaFastPath?: boolean } = {}): ServerEventParser {
  const fastPath = options.audioDeltaFastPath ?? true;
  const ajv = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true });
  const validators = new Map<string, ValidateFunction>();
  for (const [type, schema] of Object.entries(SCHEMAS)) {
    validators.set(type, ajv.compile({ type: "object", ...schema }));
  }
  return (text) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return { ok: false, reason: "not_json", detail: "frame is not JSON" };
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      return { ok: false, reason: "not_object", detail: `frame is JSON ${parsed === null ? "null" : Array.isArray(parsed) ? "array" : typeof parsed}, not an object` };
    }
    const type = (parsed as { type?: unknown }).type;
    if (typeof type !== "string") return { ok: false, reason: "no_type", detail: "event has no string type" };
    // Fifty a second per call: the same checks as its schema, written out (the compiled schema adds about a
    // quarter to the JSON.parse of a 20 ms delta; these are a few comparisons).
    if (fastPath && type === AUDIO_DELTA) return checkAudioDelta(parsed as Record<string, unknown>);
    const validate = validators.get(type);
    if (!validate) {
      if (KNOWN_UNHANDLED.has(type)) return { ok: true, event: { type: "ignored", rawType: type } };
      return { ok: false, reason: "unknown_type", type: truncate(type), detail: "event type not in the Voice Live protocol" };
    }
    if (!validate(parsed)) return { ok: false, reason: "invalid_fields", type, detail: describe(validate.errors) };
    // Padded base64 has a length divisible by 4; the characters are checked while decoding
    // (a regex here would cost three times the JSON.parse of the frame).
    if (type === AUDIO_DELTA && (parsed as { delta: string }).delta.length % 4 !== 0) {
      return { ok: false, reason: "invalid_audio", type, detail: "delta is not padded base64" };
    }
    return { ok: true, event: parsed as ServerEvent };
  };
}

const AUDIO_DELTA = "response.audio.delta";

/** SCHEMAS["response.audio.delta"], by hand; test/voicelive-delta-fast-path.test.ts holds both to the same answers. */
function checkAudioDelta(event: Record<string, unknown>): ParsedServerEvent {
  const { response_id: responseId, item_id: itemId, delta } = event;
  if (responseId === undefined) return invalid("(event) must have required property 'response_id'");
  if (itemId === undefined) return invalid("(event) must have required property 'item_id'");
  if (delta === undefined) return invalid("(event) must have required property 'delta'");
  if (!isId(responseId)) return invalid("/response_id must be a string of 1–512 characters");
  if (!isId(itemId)) return invalid("/item_id must be a string of 1–512 characters");
  if (typeof delta !== "string") return invalid("/delta must be string");
  // Padded base64 has a length divisible by 4; the characters are checked while decoding
  // (a regex here would cost three times the JSON.parse of the frame).
  if (delta.length % 4 !== 0) return { ok: false, reason: "invalid_audio", type: AUDIO_DELTA, detail: "delta is not padded base64" };
  return { ok: true, event: event as unknown as ServerEvent };
}

function isId(value: unknown): boolean {
  return typeof value === "string" && value.length >= 1 && value.length <= MAX_ID;
}

function invalid(detail: string): ParsedServerEvent {
  return { ok: false, reason: "invalid_fields", type: AUDIO_DELTA, detail };
}

function describe(errors: ErrorObject[] | null | undefined): string {
  const first = errors?.[0];
  if (!first) return "invalid event";
  return `${first.instancePath || "(event)"} ${first.message ?? "is invalid"}`;
}

function truncate(value: string): string {
  return value.length > 64 ? `${value.slice(0, 64)}…` : value;
}

/**
 * `response.create {response: {...}}`: the per-response options, validated like
 * the service (same rules as the session's fields), into a ResponseRequest.
 * Honoured: modalities, output_audio_format, conversation ("none" = out of
 * band), metadata, voice (picks the synthesizer's voice), interim_response
 * (this response's own config; `null` = none), pre_generated_assistant_message.
 * Validated and echoed or stored, without changing what the scripted assistant
 * says: instructions, tools, tool_choice, temperature, max_output_tokens.
 */
import { supportsFeature } from "./api-versions.js";
import type { ClientEvent, EmulatorConnection } from "./connection.js";
import { ErrorCodes, ProtocolError, invalidValue } from "./protocol-error.js";
import { checkedInstructions, checkedInterim, OUTPUT_AUDIO_FORMATS, unknownBeforeVersion, type OutputAudioFormat } from "./session-config.js";
import {
  isObject,
  numberIn,
  parseMaxTokens,
  parseMetadata,
  parseModalities,
  parseToolChoice,
  parseTools,
  parseVoice,
  type InterimResponseConfig,
} from "./session-fields.js";

export interface ResponseRequest {
  readonly origin: "client" | "turn_detection";
  readonly modalities: readonly string[];
  readonly outputFormat: OutputAudioFormat;
  readonly pregeneratedText?: string;
  readonly addToConversation: boolean;
  readonly metadata?: Record<string, string> | null;
  /** The voice this response speaks with (the session's unless the request names one). */
  readonly voice: unknown;
  /** This response's interim config: the session's unless the request carried its own (or null). */
  readonly interim: InterimResponseConfig | null;
  readonly maxOutputTokens?: number | "inf";
  readonly clientEventId: string | null;
}

/** A response Voice Live starts itself (turn detection) or a bare response.create: the session's settings. */
export function sessionResponseRequest(conn: EmulatorConnection, origin: ResponseRequest["origin"]): ResponseRequest {
  return {
    origin,
    modalities: conn.session.modalities,
    outputFormat: conn.session.output_audio_format,
    addToConversation: true,
    voice: conn.session.voice,
    interim: conn.session.interim_response,
    clientEventId: null,
  };
}

/** Exactly one text part, as the service requires for pre_generated_assistant_message. */
function parsePregenerated(value: unknown): string {
  const p = "response.pre_generated_assistant_message";
  if (!isObject(value)) throw new ProtocolError(ErrorCodes.invalidValue, `Invalid value for '${p}': expected a message object.`, p);
  if (value.type !== undefined && value.type !== "message") throw invalidValue(`${p}.type`, value.type, ["message"]);
  if (value.role !== undefined && value.role !== "assistant") throw invalidValue(`${p}.role`, value.role, ["assistant"]);
  const content = value.content;
  if (!Array.isArray(content) || content.length !== 1) {
    throw new ProtocolError(ErrorCodes.invalidValue, `Invalid value for '${p}.content': expected exactly one text part.`, `${p}.content`);
  }
  const part = content[0];
  if (!isObject(part) || (part.type !== "text" && part.type !== "output_text") || typeof part.text !== "string" || part.text.trim() === "") {
    throw new ProtocolError(ErrorCodes.invalidValue, `Invalid value for '${p}.content[0]': expected {"type":"text","text":"…"} with non-empty text.`, `${p}.content[0]`);
  }
  return part.text;
}

export function parseResponseCreate(conn: EmulatorConnection, event: ClientEvent): ResponseRequest {
  const options = event.response ?? {};
  if (!isObject(options)) throw new ProtocolError(ErrorCodes.invalidValue, "Invalid value for 'response': expected an object.", "response");
  const ctx = conn.sessionContext;
  const base = sessionResponseRequest(conn, "client");
  let request: ResponseRequest = { ...base, clientEventId: typeof event.event_id === "string" ? event.event_id : null };
  for (const [key, value] of Object.entries(options)) {
    const p = `response.${key}`;
    if (value === undefined) continue;
    switch (key) {
      case "modalities":
        request = { ...request, modalities: parseModalities(value, p) };
        break;
      case "output_audio_format":
        if (!(OUTPUT_AUDIO_FORMATS as readonly unknown[]).includes(value)) throw invalidValue(p, value, OUTPUT_AUDIO_FORMATS);
        request = { ...request, outputFormat: value as OutputAudioFormat };
        break;
      case "conversation":
        if (value !== "auto" && value !== "none") throw invalidValue(p, value, ["auto", "none"]);
        request = { ...request, addToConversation: value !== "none" };
        break;
      case "metadata":
        request = { ...request, metadata: parseMetadata(p, value) };
        break;
      case "voice":
        request = { ...request, voice: parseVoice(p, value) };
        break;
      case "interim_response":
        request = { ...request, interim: checkedInterim(p, value, ctx) };
        break;
      case "pre_generated_assistant_message":
        if (!supportsFeature(ctx.apiVersion, "preGeneratedAssistantMessage")) throw unknownBeforeVersion(p, "2026-01-01-preview");
        request = { ...request, pregeneratedText: parsePregenerated(value) };
        break;
      case "instructions":
        checkedInstructions(p, value, ctx.mode);
        break;
      case "tools":
        parseTools(p, value);
        break;
      case "tool_choice":
        parseToolChoice(p, value);
        break;
      case "temperature":
        numberIn(p, value, 0.6, 1.2);
        break;
      case "max_output_tokens":
        request = { ...request, maxOutputTokens: parseMaxTokens(p, value) };
        break;
      default:
        // Options the emulator does not model (commit, cancel_previous, input_items, reasoning_effort, …) are accepted.
        break;
    }
  }
  return request;
}

/**
 * Validators for the fields `session.update` and `response.create` share
 * (voice, tools, modalities, interim responses, turn detection …). Each one
 * returns the accepted value or throws the ProtocolError the service answers
 * with, naming the offending parameter path.
 */
import { ErrorCodes, ProtocolError, invalidValue } from "./protocol-error.js";

export const TURN_DETECTION_TYPES = [
  "server_vad",
  "azure_semantic_vad",
  "azure_semantic_vad_en",
  "azure_semantic_vad_multilingual",
  "semantic_vad",
] as const;
const EOU_MODELS = ["semantic_detection_v1", "semantic_detection_v1_en", "semantic_detection_v1_multilingual"] as const;
const EOU_THRESHOLD_LEVELS = ["low", "medium", "high", "default"] as const;
const MODALITIES = ["text", "audio", "animation", "avatar"] as const;
const VOICE_TYPES = ["openai", "azure-standard", "azure-custom", "azure-personal", "azure-avatar-voice-sync", "azure-realtime-native"] as const;
const INTERIM_TYPES = ["static_interim_response", "llm_interim_response"] as const;
const INTERIM_TRIGGERS = ["tool", "latency"] as const;
export const AUDIO_TIMESTAMP_TYPES = ["word"] as const;

export interface TurnDetection {
  [key: string]: unknown;
  type: string;
  threshold: number;
  prefix_padding_ms: number;
  silence_duration_ms: number;
  create_response: boolean;
  interrupt_response: boolean;
  auto_truncate: boolean;
}

export interface InterimResponseConfig {
  [key: string]: unknown;
  type: (typeof INTERIM_TYPES)[number];
  triggers: Array<(typeof INTERIM_TRIGGERS)[number]>;
  latency_threshold_ms: number;
  texts?: string[];
}

export function defaultTurnDetection(type = "server_vad"): TurnDetection {
  return {
    type,
    threshold: 0.5,
    prefix_padding_ms: 300,
    silence_duration_ms: 500,
    create_response: true,
    interrupt_response: true,
    auto_truncate: false,
  };
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function oneOf<T extends string | number>(param: string, value: unknown, allowed: readonly T[]): T {
  if (!(allowed as readonly unknown[]).includes(value)) throw invalidValue(param, value, allowed);
  return value as T;
}

export function numberIn(param: string, value: unknown, min: number, max: number, integer = false): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new ProtocolError(
      ErrorCodes.invalidValue,
      `Invalid value for '${param}': expected ${integer ? "an integer" : "a number"} between ${min} and ${max}, got ${JSON.stringify(value)}.`,
      param,
    );
  }
  return value;
}

export function bool(param: string, value: unknown): boolean {
  if (typeof value !== "boolean") throw new ProtocolError(ErrorCodes.invalidValue, `Invalid value for '${param}': expected a boolean.`, param);
  return value;
}

export function text(param: string, value: unknown): string {
  if (typeof value !== "string") throw new ProtocolError(ErrorCodes.invalidValue, `Invalid value for '${param}': expected a string.`, param);
  return value;
}

export function objectOrNull(param: string, value: unknown): Record<string, unknown> | null {
  if (value !== null && !isObject(value)) throw new ProtocolError(ErrorCodes.invalidValue, `Invalid value for '${param}': expected an object or null.`, param);
  return value;
}

/** `end_of_utterance_detection` inside turn detection: the semantic end-of-utterance model and its knobs. */
function parseEndOfUtterance(p: string, value: unknown): void {
  if (value === null) return;
  if (!isObject(value)) throw new ProtocolError(ErrorCodes.invalidValue, `Invalid value for '${p}': expected an object or null.`, p);
  oneOf(`${p}.model`, value.model, EOU_MODELS);
  if (value.threshold_level !== undefined) oneOf(`${p}.threshold_level`, value.threshold_level, EOU_THRESHOLD_LEVELS);
  if (value.timeout_ms !== undefined) numberIn(`${p}.timeout_ms`, value.timeout_ms, 0, 60_000);
}

export function parseTurnDetection(value: unknown, current: TurnDetection | null): TurnDetection | null {
  if (value === null) return null;
  const p = "session.turn_detection";
  if (!isObject(value)) throw new ProtocolError(ErrorCodes.invalidValue, `Invalid value for '${p}': expected an object or null.`, p);
  const type = oneOf(`${p}.type`, value.type ?? current?.type ?? "server_vad", TURN_DETECTION_TYPES);
  // A turn_detection object is complete: fields it omits take their defaults.
  const next: TurnDetection = { ...defaultTurnDetection(type), ...value, type };
  if (value.threshold !== undefined) numberIn(`${p}.threshold`, value.threshold, 0, 1);
  for (const ms of ["prefix_padding_ms", "silence_duration_ms", "speech_duration_ms"] as const) {
    if (value[ms] !== undefined) numberIn(`${p}.${ms}`, value[ms], 0, 10_000, true);
  }
  for (const flag of ["create_response", "interrupt_response", "auto_truncate", "remove_filler_words"] as const) {
    if (value[flag] !== undefined) bool(`${p}.${flag}`, value[flag]);
  }
  if (value.end_of_utterance_detection !== undefined) parseEndOfUtterance(`${p}.end_of_utterance_detection`, value.end_of_utterance_detection);
  if (value.languages !== undefined && (!Array.isArray(value.languages) || !value.languages.every((l) => typeof l === "string"))) {
    throw new ProtocolError(ErrorCodes.invalidValue, `Invalid value for '${p}.languages': expected an array of strings.`, `${p}.languages`);
  }
  if (value.appended_text_after_truncation !== undefined) text(`${p}.appended_text_after_truncation`, value.appended_text_after_truncation);
  if (next.auto_truncate && !next.interrupt_response) {
    throw new ProtocolError(ErrorCodes.invalidValue, "auto_truncate requires interrupt_response to be true.", `${p}.auto_truncate`);
  }
  return next;
}

/** An interim_response config (`p` is its parameter path: session.… or response.…); `null` turns interims off. */
export function parseInterim(p: string, value: unknown): InterimResponseConfig | null {
  if (value === null) return null;
  if (!isObject(value)) throw new ProtocolError(ErrorCodes.invalidValue, `Invalid value for '${p}': expected an object or null.`, p);
  const type = oneOf(`${p}.type`, value.type, INTERIM_TYPES);
  const triggersRaw = value.triggers ?? ["latency"];
  if (!Array.isArray(triggersRaw) || triggersRaw.length === 0) {
    throw new ProtocolError(ErrorCodes.invalidValue, `Invalid value for '${p}.triggers': expected a non-empty array.`, `${p}.triggers`);
  }
  const triggers = triggersRaw.map((t, i) => oneOf(`${p}.triggers[${i}]`, t, INTERIM_TRIGGERS));
  const latency = value.latency_threshold_ms === undefined ? 2000 : numberIn(`${p}.latency_threshold_ms`, value.latency_threshold_ms, 0, 600_000, true);
  const config: InterimResponseConfig = { ...value, type, triggers, latency_threshold_ms: latency };
  if (type === "static_interim_response") {
    const texts = value.texts;
    if (!Array.isArray(texts) || texts.length === 0 || !texts.every((t) => typeof t === "string" && t.trim() !== "")) {
      throw new ProtocolError(ErrorCodes.invalidValue, `Invalid value for '${p}.texts': expected a non-empty array of non-empty strings.`, `${p}.texts`);
    }
    config.texts = texts as string[];
  }
  if (value.max_completion_tokens !== undefined) numberIn(`${p}.max_completion_tokens`, value.max_completion_tokens, 1, 4096, true);
  if (value.instructions !== undefined) text(`${p}.instructions`, value.instructions);
  return config;
}

export function parseTools(p: string, value: unknown): Array<Record<string, unknown>> {
  if (!Array.isArray(value)) throw new ProtocolError(ErrorCodes.invalidValue, `Invalid value for '${p}': expected an array.`, p);
  value.forEach((tool, i) => {
    if (!isObject(tool)) throw new ProtocolError(ErrorCodes.invalidValue, `Invalid value for '${p}[${i}]': expected an object.`, `${p}[${i}]`);
    oneOf(`${p}[${i}].type`, tool.type, ["function"]);
    if (typeof tool.name !== "string" || tool.name === "") {
      throw new ProtocolError(ErrorCodes.invalidValue, `Invalid value for '${p}[${i}].name': expected a non-empty string.`, `${p}[${i}].name`);
    }
    if (tool.parameters !== undefined && !isObject(tool.parameters)) {
      throw new ProtocolError(ErrorCodes.invalidValue, `Invalid value for '${p}[${i}].parameters': expected a JSON schema object.`, `${p}[${i}].parameters`);
    }
  });
  return value as Array<Record<string, unknown>>;
}

/** `"auto" | "none" | "required"` or `{type: "function", name}`. */
export function parseToolChoice(p: string, value: unknown): unknown {
  if (typeof value === "string") return oneOf(p, value, ["auto", "none", "required"]);
  if (!isObject(value)) throw new ProtocolError(ErrorCodes.invalidValue, `Invalid value for '${p}': expected "auto", "none", "required" or {"type":"function","name":…}.`, p);
  oneOf(`${p}.type`, value.type, ["function"]);
  if (typeof value.name !== "string" || value.name === "") {
    throw new ProtocolError(ErrorCodes.invalidValue, `Invalid value for '${p}.name': expected a non-empty string.`, `${p}.name`);
  }
  return value;
}

export function parseVoice(p: string, value: unknown): unknown {
  if (typeof value === "string" && value !== "") return value;
  if (!isObject(value)) throw new ProtocolError(ErrorCodes.invalidValue, `Invalid value for '${p}': expected an object.`, p);
  oneOf(`${p}.type`, value.type, VOICE_TYPES);
  if (typeof value.name !== "string" || value.name === "") {
    throw new ProtocolError(ErrorCodes.invalidValue, `Invalid value for '${p}.name': expected a non-empty string.`, `${p}.name`);
  }
  if (value.temperature !== undefined) numberIn(`${p}.temperature`, value.temperature, 0, 2);
  return value;
}

export function parseModalities(value: unknown, param: string): string[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new ProtocolError(ErrorCodes.invalidValue, `Invalid value for '${param}': expected a non-empty array.`, param);
  }
  value.forEach((m, i) => oneOf(`${param}[${i}]`, m, MODALITIES));
  if (!value.includes("text")) {
    throw new ProtocolError(ErrorCodes.invalidValue, `Invalid value for '${param}': audio-only output is not supported; include 'text'.`, param);
  }
  return value as string[];
}

/** `output_audio_timestamp_types`: an array of timestamp kinds (only "word" exists), possibly empty. */
export function parseTimestampTypes(p: string, value: unknown): string[] {
  if (value === null) return [];
  if (!Array.isArray(value)) throw new ProtocolError(ErrorCodes.invalidValue, `Invalid value for '${p}': expected an array like ["word"].`, p);
  value.forEach((t, i) => oneOf(`${p}[${i}]`, t, AUDIO_TIMESTAMP_TYPES));
  return [...new Set(value as string[])];
}

/** Up to 16 string pairs: keys ≤ 64 characters, values ≤ 512 (the reference's limits). */
export function parseMetadata(p: string, value: unknown): Record<string, string> | null {
  if (value === null) return null;
  if (!isObject(value)) throw new ProtocolError(ErrorCodes.invalidValue, `Invalid value for '${p}': expected an object of string values.`, p);
  const entries = Object.entries(value);
  if (entries.length > 16) throw new ProtocolError(ErrorCodes.invalidValue, `Invalid value for '${p}': at most 16 keys.`, p);
  for (const [key, v] of entries) {
    if (key.length > 64) throw new ProtocolError(ErrorCodes.invalidValue, `Invalid value for '${p}': keys are at most 64 characters.`, `${p}.${key.slice(0, 64)}`);
    if (typeof v !== "string" || v.length > 512) {
      throw new ProtocolError(ErrorCodes.invalidValue, `Invalid value for '${p}.${key}': expected a string of at most 512 characters.`, `${p}.${key}`);
    }
  }
  return value as Record<string, string>;
}

export function parseMaxTokens(p: string, value: unknown): number | "inf" {
  return value === "inf" ? "inf" : numberIn(p, value, 1, 4096, true);
}

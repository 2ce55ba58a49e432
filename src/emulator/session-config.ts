/**
 * The session as the emulator holds it: defaults at `session.created`, merged by
 * `session.update` and validated the way the service documents it. A rejected
 * update changes nothing (the error names the first bad field).
 */
import { ErrorCodes, ProtocolError, invalidValue } from "./protocol-error.js";

export const INPUT_AUDIO_FORMATS = ["pcm16", "g711_ulaw", "g711_alaw"] as const;
export const OUTPUT_AUDIO_FORMATS = ["pcm16", "pcm16_8000hz", "pcm16_16000hz", "g711_ulaw", "g711_alaw"] as const;
export const TURN_DETECTION_TYPES = [
  "server_vad",
  "azure_semantic_vad",
  "azure_semantic_vad_en",
  "azure_semantic_vad_multilingual",
  "semantic_vad",
] as const;
const PCM16_INPUT_RATES_HZ = [16000, 24000] as const;
const G711_INPUT_RATE_HZ = 8000;
const MODALITIES = ["text", "audio", "animation", "avatar"] as const;
const VOICE_TYPES = ["openai", "azure-standard", "azure-custom", "azure-personal"] as const;
const INTERIM_TYPES = ["static_interim_response", "llm_interim_response"] as const;
const INTERIM_TRIGGERS = ["tool", "latency"] as const;

export type InputAudioFormat = (typeof INPUT_AUDIO_FORMATS)[number];
export type OutputAudioFormat = (typeof OUTPUT_AUDIO_FORMATS)[number];

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

export interface SessionState {
  [key: string]: unknown;
  id: string;
  object: "realtime.session";
  modalities: string[];
  instructions: string;
  voice: unknown;
  input_audio_format: InputAudioFormat;
  input_audio_sampling_rate: number;
  output_audio_format: OutputAudioFormat;
  turn_detection: TurnDetection | null;
  input_audio_transcription: Record<string, unknown> | null;
  tools: Array<Record<string, unknown>>;
  tool_choice: unknown;
  temperature: number;
  max_response_output_tokens: number | "inf";
  interim_response: InterimResponseConfig | null;
}

export type ConnectionMode =
  | { kind: "model"; model: string }
  | { kind: "agent"; agentName: string; projectName: string; agentVersion?: string; conversationId?: string };

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

export function createDefaultSession(id: string, mode: ConnectionMode): SessionState {
  const session: SessionState = {
    id,
    object: "realtime.session",
    modalities: ["text", "audio"],
    instructions: "",
    voice: { type: "azure-standard", name: "en-US-Ava:DragonHDLatestNeural" },
    input_audio_format: "pcm16",
    input_audio_sampling_rate: 24000,
    output_audio_format: "pcm16",
    turn_detection: defaultTurnDetection(),
    input_audio_noise_reduction: null,
    input_audio_echo_cancellation: null,
    input_audio_transcription: null,
    tools: [],
    tool_choice: "auto",
    temperature: 0.8,
    max_response_output_tokens: "inf",
    interim_response: null,
  };
  if (mode.kind === "model") {
    session.model = mode.model;
  } else {
    session.agent = {
      type: "agent",
      name: mode.agentName,
      project_name: mode.projectName,
      ...(mode.agentVersion === undefined ? {} : { version: mode.agentVersion }),
      ...(mode.conversationId === undefined ? {} : { conversation_id: mode.conversationId }),
    };
  }
  return session;
}

/** Interim responses are documented as unsupported with realtime audio models (gpt-realtime*, gpt-4o-realtime*). */
export function isRealtimeAudioModel(model: string): boolean {
  return /realtime/i.test(model);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function oneOf<T extends string | number>(param: string, value: unknown, allowed: readonly T[]): T {
  if (!(allowed as readonly unknown[]).includes(value)) throw invalidValue(param, value, allowed);
  return value as T;
}

function numberIn(param: string, value: unknown, min: number, max: number, integer = false): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new ProtocolError(
      ErrorCodes.invalidValue,
      `Invalid value for '${param}': expected ${integer ? "an integer" : "a number"} between ${min} and ${max}, got ${JSON.stringify(value)}.`,
      param,
    );
  }
  return value;
}

function bool(param: string, value: unknown): boolean {
  if (typeof value !== "boolean") {
    throw new ProtocolError(ErrorCodes.invalidValue, `Invalid value for '${param}': expected a boolean.`, param);
  }
  return value;
}

function parseTurnDetection(value: unknown, current: TurnDetection | null): TurnDetection | null {
  if (value === null) return null;
  const p = "session.turn_detection";
  if (!isObject(value)) throw new ProtocolError(ErrorCodes.invalidValue, `Invalid value for '${p}': expected an object or null.`, p);
  const type = oneOf(`${p}.type`, value.type ?? current?.type ?? "server_vad", TURN_DETECTION_TYPES);
  // A turn_detection object is complete: fields it omits take their defaults.
  const next: TurnDetection = { ...defaultTurnDetection(type), ...value, type };
  if (value.threshold !== undefined) numberIn(`${p}.threshold`, value.threshold, 0, 1);
  if (value.prefix_padding_ms !== undefined) numberIn(`${p}.prefix_padding_ms`, value.prefix_padding_ms, 0, 10_000, true);
  if (value.silence_duration_ms !== undefined) numberIn(`${p}.silence_duration_ms`, value.silence_duration_ms, 0, 10_000, true);
  if (value.speech_duration_ms !== undefined) numberIn(`${p}.speech_duration_ms`, value.speech_duration_ms, 0, 10_000, true);
  for (const flag of ["create_response", "interrupt_response", "auto_truncate"] as const) {
    if (value[flag] !== undefined) bool(`${p}.${flag}`, value[flag]);
  }
  if (value.appended_text_after_truncation !== undefined && typeof value.appended_text_after_truncation !== "string") {
    throw new ProtocolError(ErrorCodes.invalidValue, `Invalid value for '${p}.appended_text_after_truncation': expected a string.`, `${p}.appended_text_after_truncation`);
  }
  if (next.auto_truncate && !next.interrupt_response) {
    throw new ProtocolError(
      ErrorCodes.invalidValue,
      "auto_truncate requires interrupt_response to be true.",
      `${p}.auto_truncate`,
    );
  }
  return next;
}

function parseInterim(value: unknown, mode: ConnectionMode): InterimResponseConfig | null {
  if (value === null) return null;
  const p = "session.interim_response";
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
  if (mode.kind === "model" && isRealtimeAudioModel(mode.model)) {
    throw new ProtocolError(
      ErrorCodes.unsupportedParameter,
      `interim_response is not supported with realtime audio model '${mode.model}'; it needs agent mode or a text LLM in cascaded mode with an Azure voice.`,
      p,
    );
  }
  return config;
}

function parseTools(value: unknown): Array<Record<string, unknown>> {
  const p = "session.tools";
  if (!Array.isArray(value)) throw new ProtocolError(ErrorCodes.invalidValue, `Invalid value for '${p}': expected an array.`, p);
  value.forEach((tool, i) => {
    if (!isObject(tool)) throw new ProtocolError(ErrorCodes.invalidValue, `Invalid value for '${p}[${i}]': expected an object.`, `${p}[${i}]`);
    oneOf(`${p}[${i}].type`, tool.type, ["function"]);
    if (typeof tool.name !== "string" || tool.name === "") {
      throw new ProtocolError(ErrorCodes.invalidValue, `Invalid value for '${p}[${i}].name': expected a non-empty string.`, `${p}[${i}].name`);
    }
  });
  return value as Array<Record<string, unknown>>;
}

function parseVoice(value: unknown): unknown {
  if (typeof value === "string" && value !== "") return value;
  const p = "session.voice";
  if (!isObject(value)) throw new ProtocolError(ErrorCodes.invalidValue, `Invalid value for '${p}': expected an object.`, p);
  oneOf(`${p}.type`, value.type, VOICE_TYPES);
  if (typeof value.name !== "string" || value.name === "") {
    throw new ProtocolError(ErrorCodes.invalidValue, `Invalid value for '${p}.name': expected a non-empty string.`, `${p}.name`);
  }
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


/** Returns the new effective session or throws the ProtocolError the service would answer with. */
export function applySessionUpdate(current: SessionState, update: unknown, mode: ConnectionMode): SessionState {
  if (!isObject(update)) {
    throw new ProtocolError(ErrorCodes.missingRequiredParameter, "Missing required parameter: 'session'.", "session");
  }
  const next: SessionState = { ...current };
  for (const [key, value] of Object.entries(update)) {
    const p = `session.${key}`;
    switch (key) {
      case "id":
      case "object":
      case "model":
      case "agent":
        break; // identity fields are the service's; a client cannot change them
      case "instructions":
        if (mode.kind === "agent") {
          throw new ProtocolError(ErrorCodes.unsupportedParameter, "instructions are not allowed in agent mode; the agent defines them.", p);
        }
        if (typeof value !== "string") throw new ProtocolError(ErrorCodes.invalidValue, `Invalid value for '${p}': expected a string.`, p);
        next.instructions = value;
        break;
      case "modalities":
        next.modalities = parseModalities(value, p);
        break;
      case "voice":
        next.voice = parseVoice(value);
        break;
      case "input_audio_format": {
        const format = oneOf(p, value, INPUT_AUDIO_FORMATS);
        next.input_audio_format = format;
        if (update.input_audio_sampling_rate === undefined) {
          next.input_audio_sampling_rate = format === "pcm16" ? (current.input_audio_format === "pcm16" ? current.input_audio_sampling_rate : 24000) : G711_INPUT_RATE_HZ;
        }
        break;
      }
      case "input_audio_sampling_rate":
        next.input_audio_sampling_rate = numberIn(p, value, 1, 192_000, true);
        break;
      case "output_audio_format":
        next.output_audio_format = oneOf(p, value, OUTPUT_AUDIO_FORMATS);
        break;
      case "turn_detection":
        next.turn_detection = parseTurnDetection(value, current.turn_detection);
        break;
      case "interim_response":
        next.interim_response = parseInterim(value, mode);
        break;
      case "tools":
        next.tools = parseTools(value);
        break;
      case "temperature":
        next.temperature = numberIn(p, value, 0.6, 1.2);
        break;
      case "max_response_output_tokens":
        next.max_response_output_tokens = value === "inf" ? "inf" : numberIn(p, value, 1, 4096, true);
        break;
      case "input_audio_transcription":
      case "input_audio_noise_reduction":
      case "input_audio_echo_cancellation":
        if (value !== null && !isObject(value)) {
          throw new ProtocolError(ErrorCodes.invalidValue, `Invalid value for '${p}': expected an object or null.`, p);
        }
        next[key] = value;
        break;
      default:
        // Fields the emulator does not model (avatar, animation, tool_choice, …) are kept and echoed.
        next[key] = value;
    }
  }
  const rates: readonly number[] = next.input_audio_format === "pcm16" ? PCM16_INPUT_RATES_HZ : [G711_INPUT_RATE_HZ];
  if (!rates.includes(next.input_audio_sampling_rate)) {
    throw invalidValue("session.input_audio_sampling_rate", next.input_audio_sampling_rate, rates);
  }
  return next;
}

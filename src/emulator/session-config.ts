/**
 * The session as the emulator holds it: defaults at `session.created`, merged by
 * `session.update` and validated the way the service documents it. A rejected
 * update changes nothing (the error names the first bad field). The field
 * validators live in session-fields.ts (response.create shares them).
 */
import { supportsFeature, type ApiVersion } from "./api-versions.js";
import { ErrorCodes, ProtocolError, invalidValue } from "./protocol-error.js";
import {
  defaultTurnDetection,
  isObject,
  numberIn,
  objectOrNull,
  oneOf,
  parseInterim,
  parseMaxTokens,
  parseMetadata,
  parseModalities,
  parseTimestampTypes,
  parseToolChoice,
  parseTools,
  parseTurnDetection,
  parseVoice,
  text,
  type InterimResponseConfig,
  type TurnDetection,
} from "./session-fields.js";

export { defaultTurnDetection, parseModalities, TURN_DETECTION_TYPES, type InterimResponseConfig, type TurnDetection } from "./session-fields.js";

export const INPUT_AUDIO_FORMATS = ["pcm16", "g711_ulaw", "g711_alaw"] as const;
export const OUTPUT_AUDIO_FORMATS = ["pcm16", "pcm16_8000hz", "pcm16_16000hz", "g711_ulaw", "g711_alaw"] as const;
/** The SDK documents 8000 too for pcm16; the reference names 16000 and 24000. */
const PCM16_INPUT_RATES_HZ = [8000, 16000, 24000] as const;
const G711_INPUT_RATE_HZ = 8000;

export type InputAudioFormat = (typeof INPUT_AUDIO_FORMATS)[number];
export type OutputAudioFormat = (typeof OUTPUT_AUDIO_FORMATS)[number];

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
  output_audio_timestamp_types: string[];
  tools: Array<Record<string, unknown>>;
  tool_choice: unknown;
  temperature: number;
  max_response_output_tokens: number | "inf";
  interim_response: InterimResponseConfig | null;
  /** Unix seconds; set by the service, never by session.update. */
  expires_at: number;
}

export type ConnectionMode =
  | { kind: "model"; model: string }
  | { kind: "agent"; agentName: string; projectName: string; agentVersion?: string; conversationId?: string };

/** What validation depends on besides the update itself. */
export interface SessionContext {
  readonly mode: ConnectionMode;
  readonly apiVersion: ApiVersion;
}

export function createDefaultSession(ids: { sessionId: string; threadId: string }, mode: ConnectionMode, expiresAtSec: number): SessionState {
  const session: SessionState = {
    id: ids.sessionId,
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
    output_audio_timestamp_types: [],
    tools: [],
    tool_choice: "auto",
    temperature: 0.8,
    max_response_output_tokens: "inf",
    interim_response: null,
    expires_at: expiresAtSec,
  };
  if (mode.kind === "model") {
    session.model = mode.model;
  } else {
    // The SDK's AgentConfig requires agent_id and thread_id; the rest mirrors the connection's query.
    session.agent = {
      type: "agent",
      name: mode.agentName,
      agent_id: mode.agentVersion === undefined ? mode.agentName : `${mode.agentName}:${mode.agentVersion}`,
      thread_id: mode.conversationId ?? ids.threadId,
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

/** A field that exists only from some api-version on: older versions do not know the parameter. */
export function unknownBeforeVersion(param: string, since: string): ProtocolError {
  return new ProtocolError("unknown_parameter", `Unknown parameter: '${param}'. It needs api-version ${since} or later.`, param);
}

/** interim_response (session or per response): version, realtime-model and shape checks. */
export function checkedInterim(p: string, value: unknown, ctx: SessionContext): InterimResponseConfig | null {
  if (!supportsFeature(ctx.apiVersion, "interimResponse")) throw unknownBeforeVersion(p, "2026-01-01-preview");
  const config = parseInterim(p, value);
  if (config !== null && ctx.mode.kind === "model" && isRealtimeAudioModel(ctx.mode.model)) {
    throw new ProtocolError(
      ErrorCodes.unsupportedParameter,
      `interim_response is not supported with realtime audio model '${ctx.mode.model}'; it needs agent mode or a text LLM in cascaded mode with an Azure voice.`,
      p,
    );
  }
  return config;
}

export function checkedInstructions(p: string, value: unknown, mode: ConnectionMode): string {
  if (mode.kind === "agent") throw new ProtocolError(ErrorCodes.unsupportedParameter, "instructions are not allowed in agent mode; the agent defines them.", p);
  return text(p, value);
}

/** Returns the new effective session or throws the ProtocolError the service would answer with. */
export function applySessionUpdate(current: SessionState, update: unknown, ctx: SessionContext): SessionState {
  if (!isObject(update)) {
    throw new ProtocolError(ErrorCodes.missingRequiredParameter, "Missing required parameter: 'session'.", "session");
  }
  const next: SessionState = { ...current };
  for (const [key, value] of Object.entries(update)) {
    const p = `session.${key}`;
    if (value === undefined) continue;
    switch (key) {
      case "id":
      case "object":
      case "model":
      case "agent":
      case "expires_at":
        break; // the service's own fields; a client cannot change them
      case "instructions":
        next.instructions = checkedInstructions(p, value, ctx.mode);
        break;
      case "modalities":
        next.modalities = parseModalities(value, p);
        break;
      case "voice":
        next.voice = parseVoice(p, value);
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
        next.interim_response = checkedInterim(p, value, ctx);
        break;
      case "output_audio_timestamp_types":
        next.output_audio_timestamp_types = parseTimestampTypes(p, value);
        break;
      case "tools":
        next.tools = parseTools(p, value);
        break;
      case "tool_choice":
        next.tool_choice = parseToolChoice(p, value);
        break;
      case "temperature":
        next.temperature = numberIn(p, value, 0.6, 1.2);
        break;
      case "max_response_output_tokens":
        next.max_response_output_tokens = parseMaxTokens(p, value);
        break;
      case "metadata":
        next.metadata = parseMetadata(p, value);
        break;
      case "input_audio_transcription":
      case "input_audio_noise_reduction":
      case "input_audio_echo_cancellation":
        next[key] = objectOrNull(p, value);
        break;
      default:
        // Fields the emulator does not model (avatar, animation, include, reasoning_effort, …) are kept and echoed.
        next[key] = value;
    }
  }
  const rates: readonly number[] = next.input_audio_format === "pcm16" ? PCM16_INPUT_RATES_HZ : [G711_INPUT_RATE_HZ];
  if (!rates.includes(next.input_audio_sampling_rate)) {
    throw invalidValue("session.input_audio_sampling_rate", next.input_audio_sampling_rate, rates);
  }
  return next;
}

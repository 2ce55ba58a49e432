import type { EnvReader } from "./env-reader.js";

export type VoiceLiveMode =
  | { readonly kind: "model"; readonly model: string }
  | {
      readonly kind: "agent";
      readonly agentName: string;
      readonly projectName: string;
      readonly agentVersion: string | undefined;
      readonly foundryResourceOverride: string | undefined;
      readonly authenticationIdentityClientId: string | undefined;
    };

export interface VoiceLiveConfig {
  /** Undefined: the bot runs the embedded Voice Live emulator (local mode). */
  readonly endpoint: URL | undefined;
  readonly apiVersion: string;
  readonly mode: VoiceLiveMode;
  /** Model mode only; otherwise Entra (DefaultAzureCredential, scope https://ai.azure.com/.default). */
  readonly apiKey: string | undefined;
  readonly voice: string;
  readonly voiceTemperature: number | undefined;
  /** Undefined in agent mode (the agent carries its own instructions). */
  readonly instructions: string | undefined;
  readonly transcriptionModel: string;
  readonly transcriptionLanguage: string;
  readonly vadThreshold: number;
  readonly vadSilenceMs: number;
  readonly vadPrefixPaddingMs: number;
  /** Server-side truncation of an interrupted answer; off → the bot sends conversation.item.truncate. */
  readonly autoTruncate: boolean;
  readonly connectTimeoutMs: number;
  /**
   * "leg": Voice Live takes and gives audio at the phone leg's rate when it can
   * (PCM16 16 or 24 kHz: no resampling in the bot); "24000": always 24 kHz.
   */
  readonly audioRate: "leg" | "24000";
  /** Local mode only: the embedded emulator's scenario script (default: a friendly assistant that answers anything). */
  readonly emulatorScenarioPath: string | undefined;
}

/**
 * Voice Live GA (what the official SDK defaults to): it carries pregenerated
 * assistant messages, interim responses, per-response settings and word
 * timestamps. Previews get retired; VOICELIVE_API_VERSION pins another.
 */
export const DEFAULT_VOICELIVE_API_VERSION = "2026-07-15";
/** Cascaded text LLM (speech → text model → Azure TTS): interim responses work with it; realtime audio models don't support them. */
export const DEFAULT_VOICELIVE_MODEL = "gpt-4.1";
export const DEFAULT_VOICE = "en-US-Ava:DragonHDLatestNeural";
export const DEFAULT_INSTRUCTIONS =
  "You are the phone assistant of Contoso. You are speaking with a caller on a phone line: answer in short, " +
  "natural spoken sentences, one question at a time, no lists or markdown. If you cannot help, offer to transfer " +
  "the caller to a person.";

export function readVoiceLiveConfig(env: EnvReader): VoiceLiveConfig {
  const endpoint = env.url("VOICELIVE_ENDPOINT", env.raw("VOICELIVE_ENDPOINT"), {
    secure: ["https", "wss"],
    insecure: ["http", "ws"],
  });
  if (endpoint && endpoint.pathname !== "/" && endpoint.pathname !== "") {
    env.problems.push("VOICELIVE_ENDPOINT must be the resource origin (https://<resource>.services.ai.azure.com), without a path");
  }
  const agentName = env.raw("AGENT_NAME");
  const apiKey = env.raw("VOICELIVE_API_KEY");
  let mode: VoiceLiveMode;
  if (agentName !== undefined) {
    const projectName = env.requiredString("AGENT_PROJECT_NAME", "agent mode needs the Foundry project of AGENT_NAME");
    if (env.has("VOICELIVE_MODEL")) env.problems.push("VOICELIVE_MODEL and AGENT_NAME are exclusive: agent mode takes its model from the agent");
    if (apiKey !== undefined) {
      env.problems.push("VOICELIVE_API_KEY cannot be used with AGENT_NAME: agent mode accepts Entra ID tokens only (unset the key; the bot uses DefaultAzureCredential)");
    }
    if (env.has("VOICELIVE_INSTRUCTIONS")) {
      env.problems.push("VOICELIVE_INSTRUCTIONS cannot be used with AGENT_NAME: the agent's instructions live in Foundry Agent Service");
    }
    mode = {
      kind: "agent",
      agentName,
      projectName,
      agentVersion: env.raw("AGENT_VERSION"),
      foundryResourceOverride: env.raw("FOUNDRY_RESOURCE_OVERRIDE"),
      authenticationIdentityClientId: env.raw("AGENT_AUTHENTICATION_IDENTITY_CLIENT_ID"),
    };
  } else {
    mode = { kind: "model", model: env.string("VOICELIVE_MODEL", DEFAULT_VOICELIVE_MODEL) };
  }
  const temperature = env.raw("VOICELIVE_VOICE_TEMPERATURE");
  let voiceTemperature: number | undefined;
  if (temperature !== undefined) {
    voiceTemperature = Number(temperature);
    if (!Number.isFinite(voiceTemperature) || voiceTemperature < 0 || voiceTemperature > 1) {
      env.problems.push(`VOICELIVE_VOICE_TEMPERATURE must be a number from 0 to 1, got "${temperature}"`);
    }
  }
  return {
    endpoint,
    apiVersion: env.string("VOICELIVE_API_VERSION", DEFAULT_VOICELIVE_API_VERSION),
    mode,
    apiKey,
    voice: env.string("VOICELIVE_VOICE", DEFAULT_VOICE),
    voiceTemperature,
    instructions: mode.kind === "agent" ? undefined : env.string("VOICELIVE_INSTRUCTIONS", DEFAULT_INSTRUCTIONS),
    transcriptionModel: env.string("VOICELIVE_TRANSCRIPTION_MODEL", "azure-speech"),
    transcriptionLanguage: env.string("VOICELIVE_LANGUAGE", "en-US"),
    vadThreshold: env.integer("VOICELIVE_VAD_THRESHOLD_PERCENT", 50, { min: 1, max: 99 }) / 100,
    vadSilenceMs: env.integer("VOICELIVE_VAD_SILENCE_MS", 500, { min: 100, max: 5000 }),
    vadPrefixPaddingMs: env.integer("VOICELIVE_VAD_PREFIX_PADDING_MS", 300, { min: 0, max: 2000 }),
    autoTruncate: env.boolean("VOICELIVE_AUTO_TRUNCATE", true),
    connectTimeoutMs: env.integer("VOICELIVE_CONNECT_TIMEOUT_MS", 5000, { min: 500, max: 60_000 }),
    audioRate: env.oneOf("VOICELIVE_AUDIO_RATE", ["leg", "24000"] as const, "leg"),
    emulatorScenarioPath: env.raw("EMULATOR_SCENARIO"),
  };
}

/** The session.update we send, from settings (and the tools layer's declarations). */
import type { VoiceLiveConfig } from "../config/voicelive.js";
import type { FunctionTool, InterimResponseConfig, SessionSettings } from "./protocol.js";

export interface SessionExtras {
  readonly tools?: readonly FunctionTool[];
  readonly interimResponse?: InterimResponseConfig;
}

export function buildSessionSettings(config: VoiceLiveConfig, extras: SessionExtras = {}): SessionSettings {
  return {
    modalities: ["text", "audio"],
    ...(config.instructions !== undefined ? { instructions: config.instructions } : {}),
    voice: {
      type: "azure-standard",
      name: config.voice,
      ...(config.voiceTemperature !== undefined ? { temperature: config.voiceTemperature } : {}),
    },
    // The audio layer hands Voice Live 24 kHz PCM16 whatever the phone leg is.
    input_audio_format: "pcm16",
    input_audio_sampling_rate: 24000,
    output_audio_format: "pcm16",
    turn_detection: {
      type: "azure_semantic_vad",
      threshold: config.vadThreshold,
      prefix_padding_ms: config.vadPrefixPaddingMs,
      silence_duration_ms: config.vadSilenceMs,
      create_response: true,
      interrupt_response: true,
      auto_truncate: config.autoTruncate,
    },
    input_audio_noise_reduction: { type: "azure_deep_noise_suppression" },
    input_audio_echo_cancellation: { type: "server_echo_cancellation" },
    input_audio_transcription: { model: config.transcriptionModel, language: config.transcriptionLanguage },
    ...(extras.tools && extras.tools.length > 0 ? { tools: extras.tools, tool_choice: "auto" as const } : {}),
    ...(extras.interimResponse ? { interim_response: extras.interimResponse } : {}),
    // Where each spoken word sits in the audio: what a caller who barged in heard is cut at a word.
    ...(supportsWordTimestamps(config.apiVersion) ? { output_audio_timestamp_types: ["word"] as const } : {}),
  };
}

/** Word timestamps are documented from the GA version on; older versions may refuse the field. */
export function supportsWordTimestamps(apiVersion: string): boolean {
  return /^\d{4}-\d{2}-\d{2}/.test(apiVersion) && apiVersion.slice(0, 10) >= "2026-07-15";
}

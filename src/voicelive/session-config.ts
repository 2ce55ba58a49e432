/** The session.update we send, from settings (and the tools layer's declarations). */
import type { LegFormat, VoiceLiveRateHz } from "../audio/index.js";
import type { VoiceLiveConfig } from "../config/voicelive.js";
import type { FunctionTool, InterimResponseConfig, SessionSettings } from "./protocol.js";

export interface SessionExtras {
  readonly tools?: readonly FunctionTool[];
  readonly interimResponse?: InterimResponseConfig;
}

/**
 * The rate Voice Live's audio is exchanged at for a leg: the leg's own rate
 * when Voice Live has it (PCM16 16 or 24 kHz), so the bot relays audio without
 * resampling it; 24 kHz otherwise (μ-law and 8 kHz legs are resampled).
 */
export function voiceLiveRateFor(audioRate: VoiceLiveConfig["audioRate"], leg: LegFormat): VoiceLiveRateHz {
  return audioRate === "leg" && leg.encoding === "pcm16" && leg.sampleRateHz === 16000 ? 16000 : 24000;
}

/** The session fields that set Voice Live's audio rate, both ways. */
export function audioFormatSettings(rateHz: VoiceLiveRateHz): Pick<SessionSettings, "input_audio_format" | "input_audio_sampling_rate" | "output_audio_format"> {
  return {
    input_audio_format: "pcm16",
    input_audio_sampling_rate: rateHz,
    output_audio_format: rateHz === 16000 ? "pcm16_16000hz" : "pcm16",
  };
}

/** Voice Live's audio rate in settings this module built (24 kHz when they do not say). */
export function audioRateOf(settings: SessionSettings): VoiceLiveRateHz {
  return settings.input_audio_sampling_rate === 16000 ? 16000 : 24000;
}

export function buildSessionSettings(config: VoiceLiveConfig, extras: SessionExtras = {}, audioRateHz: VoiceLiveRateHz = 24000): SessionSettings {
  return {
    modalities: ["text", "audio"],
    ...(config.instructions !== undefined ? { instructions: config.instructions } : {}),
    voice: {
      type: "azure-standard",
      name: config.voice,
      ...(config.voiceTemperature !== undefined ? { temperature: config.voiceTemperature } : {}),
    },
    // PCM16 at the call's rate (see voiceLiveRateFor); a call whose leg turns out otherwise switches it.
    ...audioFormatSettings(audioRateHz),
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

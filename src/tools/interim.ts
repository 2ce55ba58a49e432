/**
 * Interim responses: Voice Live speaks a short filler ("One moment while I check…")
 * while a tool runs or a response is slow. Supported in agent mode and with
 * cascaded text models; not with realtime audio models (gpt-realtime*).
 */
import type { Logger } from "pino";
import type { ToolsConfig } from "../config/tools.js";
import type { VoiceLiveConfig } from "../config/voicelive.js";
import type { InterimResponseConfig } from "../voicelive/protocol.js";

export function isRealtimeAudioModel(model: string): boolean {
  return /realtime/i.test(model);
}

export function interimResponseConfig(tools: ToolsConfig, voiceLive: VoiceLiveConfig, log: Logger): InterimResponseConfig | undefined {
  const interim = tools.interim;
  if (interim.mode === "off") return undefined;
  if (voiceLive.mode.kind === "model" && isRealtimeAudioModel(voiceLive.mode.model)) {
    log.warn(
      { model: voiceLive.mode.model },
      "interim responses are not supported with realtime audio models: they are left out of the session, so callers may hear " +
        "silence while tools run. Use a cascaded text model (e.g. VOICELIVE_MODEL=gpt-4.1) or agent mode, or set INTERIM_MODE=off to silence this warning",
    );
    return undefined;
  }
  if (interim.mode === "llm") {
    return {
      type: "llm_interim_response",
      triggers: interim.triggers,
      latency_threshold_ms: interim.latencyThresholdMs,
      instructions: interim.llmInstructions,
      max_completion_tokens: 50,
    };
  }
  return { type: "static_interim_response", triggers: interim.triggers, latency_threshold_ms: interim.latencyThresholdMs, texts: interim.texts };
}

/**
 * The local Voice Live emulator: the embedded default for local mode and the
 * peer every test talks to. Built from the documented protocol; imports
 * nothing from the bot's Voice Live client.
 */
export { startVoiceLiveEmulator, DEFAULT_SESSION_LIFETIME_MS, type VoiceLiveEmulator, type VoiceLiveEmulatorOptions } from "./server.js";
export { SUPPORTED_API_VERSIONS, VERSIONED_FEATURES, type ApiVersion } from "./api-versions.js";
export { createBuzzVoice, type SpeechVoice } from "./voice.js";
export { defaultVoice, loadDefaultVoice, loadVoice, pendingVoice, type PendingVoice } from "./tts/default-voice.js";
export { splitSentences } from "./sentences.js";
export { SERVER_EVENT_TYPES, type ServerEventType } from "./server-events.js";
export {
  DEFAULT_SCENARIO,
  loadScenario,
  parseScenario,
  ScenarioError,
  OUTPUT_PLACEHOLDER,
  USER_PLACEHOLDER,
  type Scenario,
  type ScenarioStep,
  type ScenarioTurn,
  type ScenarioFallback,
} from "./scenario.js";
export type { EventRecord, RecordedEvent, EventFilter } from "./recorder.js";
export type { ConnectionSnapshot, ConnectionCounters } from "./connection.js";
export { REALTIME_PATH } from "./handshake.js";
export { DEFAULT_STREAMING, type StreamingOptions } from "./response-stream.js";
export { synthesizeSpeech, speechDurationMs, SPEECH_MS_PER_CHAR, SPEECH_SAMPLE_RATE_HZ, type SynthesizedSpeech, type SpokenWord } from "./speech.js";
export { LLM_INTERIM_TEXT } from "./response-events.js";
export { ErrorCodes } from "./protocol-error.js";

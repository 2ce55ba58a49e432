/**
 * Every setting the bot reads, once: its group, whether its value is a secret
 * (never printed) and whether it wires the bot to its peers (ACS, Voice Live,
 * the public origin) rather than shaping what callers hear. `.env.example`, the
 * start-up summary and the replay tools are checked against this list.
 */
export type SettingGroup = "server" | "acs" | "voicelive" | "agent" | "greeting" | "media" | "policies" | "tools" | "interim" | "dtmf";

export interface SettingInfo {
  readonly name: string;
  readonly group: SettingGroup;
  /** The value is a credential: print only whether it is set. */
  readonly secret?: boolean;
  /**
   * Connects the bot to ACS, Voice Live or its public origin. Replays and the
   * demo run their own peers, so a user's value of these does not apply there.
   */
  readonly wiring?: boolean;
}

const S = (group: SettingGroup, names: string, flags: { secret?: boolean; wiring?: boolean } = {}): SettingInfo[] =>
  names.split(/\s+/).filter(Boolean).map((name) => ({ name, group, ...flags }));

export const SETTINGS: readonly SettingInfo[] = [
  ...S("server", "PORT HOST PUBLIC_BASE_URL", { wiring: true }),
  ...S("server", "SHUTDOWN_GRACE_MS LOG_LEVEL LOG_FORMAT WORKERS PROFILES_FILE"),
  ...S("server", "METRICS_TOKEN CONSOLE_TOKEN", { secret: true }),
  ...S("acs", "ACS_CONNECTION_STRING", { secret: true, wiring: true }),
  ...S("acs", "ACS_ENDPOINT ACS_RESOURCE_ID ACS_JWKS_URL ACS_JWT_ISSUER", { wiring: true }),
  ...S("acs", "EVENTGRID_SECRETS MEDIA_CONTEXT_SECRET", { secret: true, wiring: true }),
  ...S("acs", "ACS_AUDIO_FORMAT ACS_DTMF_TONES ACS_REQUEST_TIMEOUT_MS"),
  ...S("voicelive", "VOICELIVE_ENDPOINT", { wiring: true }),
  ...S("voicelive", "VOICELIVE_API_KEY", { secret: true, wiring: true }),
  ...S("voicelive", "VOICELIVE_API_VERSION VOICELIVE_CONNECT_TIMEOUT_MS", { wiring: true }),
  ...S(
    "voicelive",
    "VOICELIVE_MODEL VOICELIVE_VOICE VOICELIVE_VOICE_TEMPERATURE VOICELIVE_INSTRUCTIONS VOICELIVE_LANGUAGE " +
      "VOICELIVE_TRANSCRIPTION_MODEL VOICELIVE_VAD_THRESHOLD_PERCENT VOICELIVE_VAD_SILENCE_MS VOICELIVE_VAD_PREFIX_PADDING_MS " +
      "VOICELIVE_AUTO_TRUNCATE VOICELIVE_APPEND_MS VOICELIVE_AUDIO_RATE EMULATOR_SCENARIO",
  ),
  ...S("agent", "AGENT_NAME AGENT_PROJECT_NAME AGENT_VERSION FOUNDRY_RESOURCE_OVERRIDE AGENT_AUTHENTICATION_IDENTITY_CLIENT_ID"),
  ...S("greeting", "GREETING_MODE GREETING_TEXT GREETING_INSTRUCTIONS GREETING_INTERRUPTIBLE GREETING_AUDIO"),
  ...S("media", "OUTBOUND_LEAD_MS OUTBOUND_TICK_MS PREWARM_TIMEOUT_MS MEDIA_RECONNECT_GRACE_MS RECONNECT_TEXT ERROR_TEXT CALL_LOG_DIR RECORD_DIR"),
  ...S(
    "policies",
    "CALLER_SILENCE_MS SILENCE_REPROMPTS SILENCE_REPROMPT_TEXT SILENCE_GOODBYE_TEXT MAX_CALL_DURATION_MS CALL_LIMIT_WARNING_MS " +
      "CALL_LIMIT_WARNING_TEXT CALL_LIMIT_GOODBYE_TEXT MEDIA_CONNECT_TIMEOUT_MS VOICELIVE_STALL_MS",
  ),
  ...S("tools", "TRANSFER_TARGET TRANSFER_TEXT TRANSFER_FAILED_TEXT END_CALL_ENABLED GOODBYE_TEXT TOOLS_FILE TOOL_TIMEOUT_MS"),
  ...S("interim", "INTERIM_MODE INTERIM_TEXTS INTERIM_TRIGGERS INTERIM_LATENCY_MS INTERIM_TOOL_MS INTERIM_INSTRUCTIONS"),
  ...S("dtmf", "DTMF_TRANSFER_DIGIT DTMF_INTER_DIGIT_MS"),
];

const BY_NAME = new Map(SETTINGS.map((setting) => [setting.name, setting]));

export function settingInfo(name: string): SettingInfo | undefined {
  return BY_NAME.get(name);
}

/** A value safe to print: secrets show only that they are set. */
export function printableValue(name: string, value: string): string {
  return settingInfo(name)?.secret ? "<set>" : value;
}

/** The bot's own settings in an environment (everything else in it, PATH and friends, is left out). */
export function botSettingsIn(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const setting of SETTINGS) {
    const value = env[setting.name];
    if (value !== undefined && value.trim() !== "") picked[setting.name] = value;
  }
  return picked;
}

/**
 * Replaying against a running bot (`--url`): the bot has its own settings, not
 * the fixture's. From what the peers saw (the webhook's status, the bot's ACS
 * requests, the media connection, the session.update and greeting Voice Live
 * received) this names every setting whose effect differs from what the fixture
 * needs, so "StopAudio count 0..0" becomes "GREETING_TEXT differs".
 */
import pino from "pino";
import type { CallContext } from "../calls/call-context-token.js";
import { loadConfig, type Config } from "../config/index.js";
import { errorMessage } from "../errors.js";
import { interimResponseConfig } from "../tools/index.js";
import { renderTemplate } from "../voicelive/greeting.js";
import { buildSessionSettings } from "../voicelive/session-config.js";
import type { Fixture } from "./fixture.js";
import type { ReplayEvidence } from "./runner.js";

/** The settings this fixture needs on a running bot: the peers' wiring, then the fixture's own. */
export function settingsNeeded(fixture: Fixture, peersEnv: Readonly<Record<string, string>>): Record<string, string> {
  return { ...peersEnv, ...fixture.env };
}

export function runningBotDifferences(fixture: Fixture, peersEnv: Readonly<Record<string, string>>, evidence: ReplayEvidence): string[] {
  const needed = settingsNeeded(fixture, peersEnv);
  let config: Config;
  try {
    config = loadConfig(needed);
  } catch (error) {
    return [`the fixture's settings do not load: ${errorMessage(error)}`];
  }
  const differences: string[] = [];
  const want = (name: string, effect: string): string =>
    fixture.env[name] !== undefined || peersEnv[name] !== undefined ? `${name}=${JSON.stringify(needed[name])}` : `${name} unset (${effect})`;
  const add = (name: string, observed: string, effect: string): void => void differences.push(`${name}: the bot ${observed}; this fixture needs ${want(name, effect)}`);

  // Event Grid → the webhook.
  const delivery = evidence.deliveries[0];
  if (delivery && delivery.status === undefined) {
    return [`nothing answered the webhook (${delivery.error ?? "no reply"}): is the bot running at this --url?`];
  }
  if (delivery?.status === 401) add("EVENTGRID_SECRETS", "refused the webhook's ?code= (HTTP 401)", "no ?code= check");
  else if (delivery && (delivery.status! < 200 || delivery.status! > 204)) differences.push(`the webhook answered HTTP ${delivery.status}: is this --url the bot?`);

  // The bot → ACS (the stub checks the key, or the token).
  if (evidence.acsRefusals.length > 0) add("ACS_CONNECTION_STRING", "signs its ACS requests with another access key (the ACS stub refused them, HTTP 401)", "required");
  const answer = evidence.restRequests.find((r) => r.operation === "answer");
  if (delivery?.status === 200 && !answer && evidence.acsRefusals.length === 0) {
    add("ACS_CONNECTION_STRING", "accepted the call but never reached the replay's ACS stub (its ACS endpoint differs)", "required");
  }
  if (answer) {
    const body = (answer.body ?? {}) as { callbackUri?: string; mediaStreamingOptions?: { audioFormat?: string; enableDtmfTones?: boolean } };
    const callbackOrigin = originOf(body.callbackUri);
    if (callbackOrigin !== config.server.publicBaseUrl.origin) {
      add("PUBLIC_BASE_URL", `asked ACS for callbacks at ${callbackOrigin ?? "?"}${answer.refused ? ` (ACS refused: ${answer.refused.message})` : ""}`, "required");
    } else if (answer.refused) {
      differences.push(`ACS refused the bot's answer: ${answer.refused.message}`);
    }
    const format = body.mediaStreamingOptions?.audioFormat;
    if (format !== undefined && format !== config.acs.audioFormat) add("ACS_AUDIO_FORMAT", `asked for ${format}`, `default ${config.acs.audioFormat}`);
    const dtmf = body.mediaStreamingOptions?.enableDtmfTones === true;
    if (body.mediaStreamingOptions && dtmf !== config.acs.enableDtmfTones) add("ACS_DTMF_TONES", `asked for DTMF tones ${dtmf ? "on" : "off"}`, `default ${config.acs.enableDtmfTones}`);
  }
  const refusedCallback = evidence.callbacks.find((c) => c.status === 401);
  if (evidence.end?.mediaFailure !== undefined || refusedCallback) {
    differences.push(
      `ACS_RESOURCE_ID / ACS_JWKS_URL: the bot refused ACS's signed ${refusedCallback ? "callbacks" : "media connection"} ` +
        `(${evidence.end?.mediaFailure ?? "HTTP 401"}); this fixture needs ACS_RESOURCE_ID=${needed.ACS_RESOURCE_ID} and ACS_JWKS_URL=${needed.ACS_JWKS_URL}`,
    );
  }

  // The bot → Voice Live.
  const voiceLive = evidence.voiceLive;
  if (answer && !answer.refused && voiceLive.connections.length === 0) {
    add("VOICELIVE_ENDPOINT", "never connected to the replay's Voice Live emulator", "required");
    return differences;
  }
  const connection = voiceLive.connections[0];
  if (connection) {
    if (connection.apiVersion !== config.voiceLive.apiVersion) add("VOICELIVE_API_VERSION", `connected with api-version ${connection.apiVersion}`, `default ${config.voiceLive.apiVersion}`);
    const mode = connection.mode as { kind?: string; model?: string; agentName?: string };
    const wanted = config.voiceLive.mode;
    if (wanted.kind === "model" && mode.model !== wanted.model) add("VOICELIVE_MODEL", `asked for ${mode.model ? `model ${mode.model}` : `agent ${mode.agentName}`}`, `default ${wanted.model}`);
    if (wanted.kind === "agent" && mode.agentName !== wanted.agentName) add("AGENT_NAME", `asked for ${mode.agentName ? `agent ${mode.agentName}` : `model ${mode.model}`}`, "model mode");
  }
  const sessionUpdate = voiceLive.clientEvents.find((e) => e.type === "session.update")?.event.session as Record<string, unknown> | undefined;
  if (sessionUpdate) checkSession(config, sessionUpdate, add);
  checkGreeting(config, fixture, voiceLive.clientEvents, add);
  return differences;
}

type Add = (name: string, observed: string, effect: string) => void;

function checkSession(config: Config, observed: Record<string, unknown>, add: Add): void {
  const expected = buildSessionSettings(config.voiceLive, {
    interimResponse: interimResponseConfig(config.tools, config.voiceLive, pino({ level: "silent" })),
  }) as unknown as Record<string, unknown>;
  const at = (object: Record<string, unknown> | undefined, path: string): unknown =>
    path.split(".").reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], object);
  const checks: Array<[string, string]> = [
    ["voice.name", "VOICELIVE_VOICE"],
    ["voice.temperature", "VOICELIVE_VOICE_TEMPERATURE"],
    ["instructions", "VOICELIVE_INSTRUCTIONS"],
    ["turn_detection.threshold", "VOICELIVE_VAD_THRESHOLD_PERCENT"],
    ["turn_detection.silence_duration_ms", "VOICELIVE_VAD_SILENCE_MS"],
    ["turn_detection.prefix_padding_ms", "VOICELIVE_VAD_PREFIX_PADDING_MS"],
    ["turn_detection.auto_truncate", "VOICELIVE_AUTO_TRUNCATE"],
    ["input_audio_transcription.model", "VOICELIVE_TRANSCRIPTION_MODEL"],
    ["input_audio_transcription.language", "VOICELIVE_LANGUAGE"],
    ["interim_response.type", "INTERIM_MODE"],
    ["interim_response.texts", "INTERIM_TEXTS"],
    ["interim_response.triggers", "INTERIM_TRIGGERS"],
    ["interim_response.latency_threshold_ms", "INTERIM_LATENCY_MS"],
    ["interim_response.instructions", "INTERIM_INSTRUCTIONS"],
  ];
  for (const [path, setting] of checks) {
    const seen = at(observed, path);
    const wanted = at(expected, path);
    if (JSON.stringify(seen) !== JSON.stringify(wanted)) add(setting, `sends ${path} ${show(seen)}`, `default, ${show(wanted)}`);
  }
  const toolNames = new Set(((observed.tools ?? []) as Array<{ name?: string }>).map((t) => t.name));
  if (toolNames.has("transfer_to_agent") !== (config.tools.transferTarget !== undefined)) {
    add("TRANSFER_TARGET", `${toolNames.has("transfer_to_agent") ? "offers" : "does not offer"} transfer_to_agent`, "no transfer");
  }
  if (toolNames.has("end_call") !== config.tools.endCallEnabled) add("END_CALL_ENABLED", `${toolNames.has("end_call") ? "offers" : "does not offer"} end_call`, "default true");
}

function checkGreeting(config: Config, fixture: Fixture, events: ReplayEvidence["voiceLive"]["clientEvents"], add: Add): void {
  const greeting = config.call.greeting;
  const firstResponse = events.find((e) => e.type === "response.create");
  if (!firstResponse) return;
  const said = (firstResponse.event.response as { pre_generated_assistant_message?: { content?: Array<{ text?: string }> } } | undefined)
    ?.pre_generated_assistant_message?.content?.[0]?.text;
  if (greeting.mode === "llm") {
    if (said !== undefined) add("GREETING_MODE", `greeted with the exact text "${said}"`, "pregenerated");
    return;
  }
  if (said === undefined) {
    add("GREETING_MODE", "let the model greet (llm)", "default pregenerated");
    return;
  }
  const context: CallContext = {
    correlationId: "",
    serverCallId: "",
    callerRawId: `4:${fixture.from}`,
    callerNumber: fixture.from,
    calleeRawId: `4:${fixture.to}`,
    calleeNumber: fixture.to,
    callerDisplayName: fixture.callerName,
  };
  const expected = renderTemplate(greeting.text, context);
  if (said !== expected) add("GREETING_TEXT", `greeted "${said}"`, `default "${expected}"`);
}

function originOf(url: string | undefined): string | undefined {
  try {
    return url === undefined ? undefined : new URL(url).origin;
  } catch {
    return undefined;
  }
}

function show(value: unknown): string {
  return value === undefined ? "nothing" : JSON.stringify(value);
}

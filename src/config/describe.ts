/**
 * The effective configuration in a few words, for the start-up log line and the
 * doctor: what the bot will do and whom it will talk to, never a secret (keys,
 * connection strings, tokens and HMAC keys appear only as "set").
 */
import type { Config } from "./index.js";

export interface ConfigSummary {
  readonly mode: "local" | "public";
  readonly listen: string;
  readonly publicBaseUrl: string;
  readonly webhook: string;
  readonly acs: { readonly endpoint: string; readonly auth: string; readonly legFormat: string; readonly dtmf: boolean };
  readonly jwtChecks: string;
  readonly eventGridSecret: string;
  readonly mediaContextSecret: string;
  readonly voiceLive: {
    readonly endpoint: string;
    readonly apiVersion: string;
    readonly auth: string;
    readonly target: string;
    readonly voice: string;
    readonly transcription: string;
  };
  readonly greeting: string;
  readonly tools: string;
  readonly interim: string;
  readonly metrics: string;
  readonly recording: string;
}

export function describeConfig(config: Config): ConfigSummary {
  const { server, acs, voiceLive, call, tools } = config;
  const origin = server.publicBaseUrl.origin;
  const mode = voiceLive.mode;
  const target =
    mode.kind === "model"
      ? `model ${mode.model}`
      : `agent ${mode.agentName}${mode.agentVersion ? ` v${mode.agentVersion}` : ""} in project ${mode.projectName}`;
  const toolNames = [
    ...(tools.transferTarget ? [`transfer_to_agent → ${tools.transferTarget}`] : []),
    ...(tools.endCallEnabled ? ["end_call"] : []),
    ...tools.httpTools.map((tool) => tool.name),
  ];
  return {
    mode: server.local ? "local" : "public",
    listen: `${server.host}:${server.port}`,
    publicBaseUrl: origin,
    webhook: `${origin}/api/incoming-call${acs.eventGridSecrets.length > 0 ? "?code=<EVENTGRID_SECRETS>" : ""}`,
    acs: {
      endpoint: acs.credential.endpoint,
      auth: acs.credential.kind === "connectionString" ? "access key (ACS_CONNECTION_STRING)" : "Entra ID (DefaultAzureCredential)",
      legFormat: acs.audioFormat,
      dtmf: acs.enableDtmfTones,
    },
    jwtChecks: acs.jwt ? `on (audience ${acs.jwt.audience}, keys ${acs.jwt.jwksUrl.href})` : "OFF (ACS_RESOURCE_ID unset)",
    eventGridSecret: acs.eventGridSecrets.length > 0 ? `on (${acs.eventGridSecrets.length} accepted)` : "OFF (EVENTGRID_SECRETS unset)",
    mediaContextSecret: { configured: "set", "derived-from-access-key": "derived from the ACS key", ephemeral: "per process (single replica only)" }[
      acs.mediaContextSecretSource
    ],
    voiceLive: {
      endpoint: voiceLive.endpoint ? voiceLive.endpoint.origin : "embedded emulator (VOICELIVE_ENDPOINT unset)",
      apiVersion: voiceLive.apiVersion,
      auth: voiceLive.endpoint === undefined ? "none (local)" : voiceLive.apiKey !== undefined ? "api-key" : "Entra ID (DefaultAzureCredential)",
      target,
      voice: voiceLive.voice,
      transcription: `${voiceLive.transcriptionModel} ${voiceLive.transcriptionLanguage}`,
    },
    greeting: `${call.greeting.mode}${call.greeting.interruptible ? "" : ", not interruptible"}`,
    tools: toolNames.length > 0 ? toolNames.join(", ") : "none",
    interim: tools.interim.mode === "off" ? "off" : `${tools.interim.mode} (${tools.interim.triggers.join("+")})`,
    metrics: server.metricsToken !== undefined ? "behind METRICS_TOKEN" : server.local ? "open (local run)" : "off (set METRICS_TOKEN)",
    recording: [call.recordDir ? `RECORD_DIR ${call.recordDir} (caller audio!)` : "", call.callLogDir ? `CALL_LOG_DIR ${call.callLogDir}` : ""]
      .filter(Boolean)
      .join(", ") || "off",
  };
}

/** One line a person reads at start-up. */
export function formatConfigSummary(summary: ConfigSummary): string {
  const vl = summary.voiceLive;
  return [
    `${summary.mode} mode on ${summary.listen}, public ${summary.publicBaseUrl}`,
    `Voice Live ${vl.target} at ${vl.endpoint} (api-version ${vl.apiVersion}, ${vl.auth}), voice ${vl.voice}`,
    `ACS ${summary.acs.endpoint} (${summary.acs.auth}), leg ${summary.acs.legFormat}`,
    `JWT checks ${summary.jwtChecks}`,
    `Event Grid secret ${summary.eventGridSecret}`,
    `greeting ${summary.greeting}, tools ${summary.tools}, interim ${summary.interim}`,
  ].join("; ");
}

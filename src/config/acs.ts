import { createHmac, randomBytes } from "node:crypto";
import type { EnvReader } from "./env-reader.js";
import { isLoopbackHost } from "./env-reader.js";

export type AcsAudioFormat = "pcm24KMono" | "pcm16KMono";

export const ACS_DEFAULT_ISSUER = "https://acscallautomation.communication.azure.com";
export const ACS_DEFAULT_JWKS_URL = "https://acscallautomation.communication.azure.com/calling/keys";

export type AcsCredentialConfig =
  | { readonly kind: "connectionString"; readonly connectionString: string; readonly endpoint: string }
  | { readonly kind: "entra"; readonly endpoint: string };

export interface AcsConfig {
  readonly credential: AcsCredentialConfig;
  /** Plain http to the ACS endpoint: only ever for a loopback stub. */
  readonly allowInsecureConnection: boolean;
  readonly audioFormat: AcsAudioFormat;
  readonly eventGridSecrets: readonly string[];
  /** JWT checks on callbacks and the media upgrade; off only when ACS_RESOURCE_ID is unset on a local run. */
  readonly jwt: { readonly audience: string; readonly issuer: string; readonly jwksUrl: URL } | undefined;
  /** HMAC key for the call context carried on the media transportUrl. */
  readonly mediaContextSecret: Buffer;
  readonly mediaContextSecretSource: "configured" | "derived-from-access-key" | "ephemeral";
  /** DTMF tones streamed on the media socket. */
  readonly enableDtmfTones: boolean;
  /** Deadline for one Call Automation request (answer, hang-up, transfer), the SDK's retries included. */
  readonly requestTimeoutMs: number;
}

export function readAcsConfig(env: EnvReader, local: boolean): AcsConfig {
  const connectionString = env.raw("ACS_CONNECTION_STRING");
  const endpointSetting = env.raw("ACS_ENDPOINT");
  let credential: AcsCredentialConfig = { kind: "entra", endpoint: "https://invalid.local/" };
  let accessKey: string | undefined;
  if (connectionString !== undefined) {
    const parts = parseConnectionString(connectionString);
    if (!parts) {
      env.problems.push('ACS_CONNECTION_STRING must look like "endpoint=https://<resource>.communication.azure.com/;accesskey=<key>"');
    } else {
      credential = { kind: "connectionString", connectionString, endpoint: parts.endpoint };
      accessKey = parts.accessKey;
    }
  } else if (endpointSetting !== undefined) {
    credential = { kind: "entra", endpoint: endpointSetting };
  } else {
    env.problems.push("ACS_CONNECTION_STRING or ACS_ENDPOINT is required (the Azure Communication Services resource)");
  }
  const endpointUrl = env.url(
    connectionString !== undefined ? "ACS_CONNECTION_STRING endpoint" : "ACS_ENDPOINT",
    connectionString !== undefined || endpointSetting !== undefined ? credential.endpoint : undefined,
    { secure: ["https"], insecure: ["http"] },
  );
  const allowInsecureConnection = endpointUrl?.protocol === "http:" && isLoopbackHost(endpointUrl.hostname);

  const audience = env.raw("ACS_RESOURCE_ID");
  const issuer = env.string("ACS_JWT_ISSUER", ACS_DEFAULT_ISSUER);
  const jwksUrl = env.url("ACS_JWKS_URL", env.string("ACS_JWKS_URL", ACS_DEFAULT_JWKS_URL), {
    secure: ["https"],
    insecure: ["http"],
  });
  if (audience !== undefined && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(audience)) {
    env.problems.push(`ACS_RESOURCE_ID must be the resource's immutable id (a GUID), got "${audience}"`);
  }
  if (audience === undefined && !local) {
    env.problems.push(
      "ACS_RESOURCE_ID is required when PUBLIC_BASE_URL is not loopback: it is the audience of the JWTs ACS signs callbacks and media connections with (the ACS resource's immutable resource id)",
    );
  }

  const configuredSecret = env.raw("MEDIA_CONTEXT_SECRET");
  let mediaContextSecret: Buffer;
  let mediaContextSecretSource: AcsConfig["mediaContextSecretSource"];
  if (configuredSecret !== undefined) {
    if (configuredSecret.length < 32) env.problems.push("MEDIA_CONTEXT_SECRET must be at least 32 characters");
    mediaContextSecret = Buffer.from(configuredSecret, "utf8");
    mediaContextSecretSource = "configured";
  } else if (accessKey !== undefined) {
    // Every replica holds the same connection string, so they all derive the same key.
    mediaContextSecret = createHmac("sha256", Buffer.from(accessKey, "base64")).update("media-context-v1").digest();
    mediaContextSecretSource = "derived-from-access-key";
  } else {
    mediaContextSecret = randomBytes(32);
    mediaContextSecretSource = "ephemeral";
  }

  return {
    credential,
    allowInsecureConnection,
    audioFormat: env.oneOf("ACS_AUDIO_FORMAT", ["pcm24KMono", "pcm16KMono"] as const, "pcm24KMono"),
    eventGridSecrets: env.list("EVENTGRID_SECRETS"),
    jwt: audience === undefined || !jwksUrl ? undefined : { audience, issuer, jwksUrl },
    mediaContextSecret,
    mediaContextSecretSource,
    enableDtmfTones: env.boolean("ACS_DTMF_TONES", true),
    requestTimeoutMs: env.integer("ACS_REQUEST_TIMEOUT_MS", 10_000, { min: 500, max: 10_000 }),
  };
}

export function parseConnectionString(value: string): { endpoint: string; accessKey: string } | undefined {
  const fields = new Map<string, string>();
  for (const part of value.split(";")) {
    const index = part.indexOf("=");
    if (index <= 0) continue;
    fields.set(part.slice(0, index).trim().toLowerCase(), part.slice(index + 1).trim());
  }
  const endpoint = fields.get("endpoint");
  const accessKey = fields.get("accesskey");
  if (!endpoint || !accessKey) return undefined;
  return { endpoint, accessKey };
}

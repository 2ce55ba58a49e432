/**
 * The WebSocket upgrade check, before any socket is accepted: path, query and
 * credentials as the service requires them. A rejection becomes a plain HTTP
 * response (401/400/404) with a JSON body `{error:{code,message}}`.
 */
import type { IncomingHttpHeaders } from "node:http";
import { isSupportedApiVersion, SUPPORTED_API_VERSIONS, type ApiVersion } from "./api-versions.js";
import type { ConnectionMode } from "./session-config.js";

export const REALTIME_PATH = "/voice-live/realtime";

export interface CredentialPolicy {
  /** Accepts an `api-key` (header or query). Default: any non-empty key. */
  readonly acceptApiKey?: (key: string) => boolean;
  /** Accepts an `Authorization: Bearer` token. Default: any non-empty token. */
  readonly acceptBearer?: (token: string) => boolean;
  /** Accepts an `api-version` (a retired preview is refused with 400). Default: any. */
  readonly acceptApiVersion?: (version: string) => boolean;
}

export interface HandshakeAccepted {
  readonly ok: true;
  readonly apiVersion: ApiVersion;
  readonly mode: ConnectionMode;
  readonly auth: "api-key" | "bearer";
  /** All query parameters, for the record (the api-key query value is redacted). */
  readonly query: Readonly<Record<string, string>>;
}

export interface HandshakeRejected {
  readonly ok: false;
  readonly status: 400 | 401 | 404;
  readonly code: string;
  readonly message: string;
}

function reject(status: 400 | 401 | 404, code: string, message: string): HandshakeRejected {
  return { ok: false, status, code, message };
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function checkHandshake(
  request: { url?: string; headers: IncomingHttpHeaders },
  policy: CredentialPolicy,
): HandshakeAccepted | HandshakeRejected {
  const url = new URL(request.url ?? "/", "http://emulator.local");
  if (url.pathname !== REALTIME_PATH) return reject(404, "not_found", `No WebSocket endpoint at ${url.pathname}; use ${REALTIME_PATH}.`);

  const apiKey = header(request.headers, "api-key") ?? url.searchParams.get("api-key") ?? undefined;
  const authorization = header(request.headers, "authorization");
  const bearer = authorization !== undefined && /^Bearer\s+\S/i.test(authorization) ? authorization.replace(/^Bearer\s+/i, "").trim() : undefined;
  if ((apiKey === undefined || apiKey === "") && bearer === undefined) {
    return reject(401, "unauthorized", "Access denied: provide an 'api-key' header or 'Authorization: Bearer <token>'.");
  }

  const apiVersion = url.searchParams.get("api-version");
  if (apiVersion === null || apiVersion === "") return reject(400, "missing_api_version", "The 'api-version' query parameter is required.");
  if (!isSupportedApiVersion(apiVersion)) {
    // Azure AI services answer an unknown version with this code and message; the list is the emulator's addition.
    return reject(400, "BadRequest", `API version not supported: '${apiVersion}'. Supported versions: ${SUPPORTED_API_VERSIONS.join(", ")}.`);
  }
  if (policy.acceptApiVersion && !policy.acceptApiVersion(apiVersion)) {
    return reject(400, "unsupported_api_version", `The api-version '${apiVersion}' is not supported (retired or unknown).`);
  }

  const model = url.searchParams.get("model");
  const agentName = url.searchParams.get("agent-name");
  const projectName = url.searchParams.get("agent-project-name");
  let mode: ConnectionMode;
  if (model !== null && model !== "") {
    if (agentName !== null) return reject(400, "conflicting_target", "Use either 'model' or 'agent-name', not both.");
    mode = { kind: "model", model };
  } else if (agentName !== null && agentName !== "") {
    if (projectName === null || projectName === "") {
      return reject(400, "missing_agent_project", "Agent mode needs 'agent-project-name' with 'agent-name'.");
    }
    const agentVersion = url.searchParams.get("agent-version") ?? undefined;
    const conversationId = url.searchParams.get("conversation-id") ?? undefined;
    mode = { kind: "agent", agentName, projectName, ...(agentVersion ? { agentVersion } : {}), ...(conversationId ? { conversationId } : {}) };
  } else {
    return reject(400, "missing_model", "Either 'model' or 'agent-name' with 'agent-project-name' is required.");
  }

  let auth: "api-key" | "bearer";
  if (mode.kind === "agent" && apiKey !== undefined && apiKey !== "") {
    return reject(401, "agent_requires_entra", "Agent mode does not support key-based authentication; use a Microsoft Entra token.");
  }
  if (bearer !== undefined) {
    if (!(policy.acceptBearer ?? (() => true))(bearer)) return reject(401, "invalid_token", "Access denied: the bearer token was not accepted.");
    auth = "bearer";
  } else {
    if (!(policy.acceptApiKey ?? ((key: string) => key !== ""))(apiKey as string)) {
      return reject(401, "invalid_api_key", "Access denied: the api-key was not accepted.");
    }
    auth = "api-key";
  }

  const query: Record<string, string> = {};
  for (const [key, value] of url.searchParams) query[key] = key === "api-key" ? "<redacted>" : value;
  return { ok: true, apiVersion, mode, auth, query };
}

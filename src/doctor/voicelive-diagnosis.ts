/** Why Voice Live refused the doctor, and what to change: HTTP refusals, session errors, the endpoint host, whose token it was. */
import { DEFAULT_VOICELIVE_API_VERSION } from "../config/voicelive.js";
import { decodeJwt } from "jose";
import { isLoopbackHost } from "../config/env-reader.js";
import type { StepResult } from "./steps.js";
import type { ServerEvent } from "./voicelive-socket.js";

/** The GA version that carries pregenerated messages and interim responses (the bot's default). */
export const GA_API_VERSION = DEFAULT_VOICELIVE_API_VERSION;
const AREA = "Voice Live";

export function refusal(
  response: { status: number; body: string },
  context: { url: string; who: string; apiKey: boolean; agent: boolean; apiVersion: string; hostHint: string },
): StepResult {
  const { status, body } = response;
  const detail = `${context.url} refused: HTTP ${status}${body ? ` ${body.slice(0, 300)}` : ""}`;
  const base = { area: AREA, step: "handshake", status: "fail" as const, detail };
  if ((status === 400 || status === 404) && /api[-_ ]?version/i.test(body)) {
    return {
      ...base,
      fix: `the service does not offer api-version ${context.apiVersion} (a retired preview, or a typo): VOICELIVE_API_VERSION=${GA_API_VERSION}`,
      cause: "voicelive_api_version",
    };
  }
  if (status === 404) return { ...base, fix: `this host does not serve Voice Live (wrong endpoint host). ${context.hostHint}`, cause: "voicelive_not_voice_live" };
  if (status === 401 || status === 403) {
    if (context.apiKey && (context.agent || /entra|agent/i.test(body))) {
      return { ...base, fix: "agent mode accepts Entra ID tokens only: unset VOICELIVE_API_KEY (the bot then uses DefaultAzureCredential)", cause: "voicelive_agent_needs_entra" };
    }
    if (context.apiKey) {
      return {
        ...base,
        fix:
          "VOICELIVE_API_KEY was refused: copy Key 1 of THIS resource (portal → the AI resource → Keys and Endpoint; keys belong to one resource),\n" +
          "or unset it to use Entra ID. If the resource has key access disabled (disableLocalAuth), use Entra ID.",
        cause: "voicelive_key_refused",
      };
    }
    return {
      ...base,
      fix:
        `the ${context.who} was refused. Most often a missing role: give that identity ${context.agent ? "Azure AI User on the Foundry project (and on the resource)" : "Cognitive Services User on the AI resource"}\n` +
        "(az role assignment create --assignee-object-id <oid> --role \"Cognitive Services User\" --scope <AI resource id>; roles take minutes to apply),\n" +
        "and check the token's tenant is the resource's (AZURE_TENANT_ID).",
      cause: "voicelive_token_refused",
    };
  }
  if (status === 429 || status >= 500) return { ...base, fix: "the service is busy or failing: retry in a minute", cause: "voicelive_unavailable" };
  return { ...base, fix: "the handshake's query (model or agent, api-version) was refused: check VOICELIVE_MODEL / AGENT_NAME and VOICELIVE_API_VERSION", cause: "voicelive_refused" };
}

export function sessionRefused(event: ServerEvent): StepResult {
  const error = (event.error ?? {}) as { code?: string; message?: string; param?: string };
  const param = error.param ?? "";
  const fix = /interim_response/.test(param)
    ? "interim responses need a cascaded text model or agent mode: VOICELIVE_MODEL=gpt-4.1, or INTERIM_MODE=off"
    : /instructions/.test(param)
      ? "agent mode takes its instructions from the agent: unset VOICELIVE_INSTRUCTIONS"
      : /voice/.test(param)
        ? "VOICELIVE_VOICE must be an Azure voice name, e.g. en-US-Ava:DragonHDLatestNeural"
        : `a setting behind ${param || "the session"} is not accepted by this service or api-version`;
  return {
    area: AREA,
    step: "session.update",
    status: "fail",
    detail: `the bot's settings were refused: ${error.code ?? "error"}${param ? ` (${param})` : ""} ${error.message ?? ""}`.trim(),
    fix,
    cause: "voicelive_session_refused",
  };
}

export function hostAdvice(hostname: string): string {
  if (isLoopbackHost(hostname)) return "for a local emulator: npm run emulator, then VOICELIVE_ENDPOINT=ws://127.0.0.1:8765";
  if (/\.(services\.ai|cognitiveservices)\.azure\.com$/i.test(hostname)) {
    return "VOICELIVE_ENDPOINT is https://<resource>.services.ai.azure.com: check the resource name (portal → the AI resource → Keys and Endpoint)";
  }
  return `Voice Live is served at https://<resource>.services.ai.azure.com (or .cognitiveservices.azure.com), not ${hostname}`;
}

/** Who a token is for, from its claims (not verified: only to name the identity in a fix). */
export function tokenOwner(token: string): string {
  try {
    const claims = decodeJwt(token) as Record<string, unknown>;
    const parts = [
      claims.upn ? `user ${String(claims.upn)}` : claims.oid ? `object id ${String(claims.oid)}` : "",
      claims.tid ? `tenant ${String(claims.tid)}` : "",
    ].filter(Boolean);
    return parts.length > 0 ? parts.join(", ") : "identity not named in the token";
  } catch {
    return "opaque token";
  }
}


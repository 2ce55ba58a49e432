/**
 * ACS with the bot's own credentials, harmlessly: the Call Automation SDK asks
 * for the properties of a call connection id made up on the spot. ACS answers
 * 404 when it accepted the key or token (no such call), 401 when it did not,
 * 403 when the identity has no role. Then ACS's signing keys, which the bot
 * fetches to check every callback.
 */
import { randomUUID } from "node:crypto";
import type { TokenCredential } from "@azure/identity";
import { CallAutomationClient } from "@azure/communication-call-automation";
import type { Config } from "../config/index.js";
import { isLoopbackHost } from "../config/env-reader.js";
import { errorMessage } from "../errors.js";
import { networkFailure, NETWORK_FIXES } from "./net-errors.js";
import { withDeadline, type StepResult } from "./steps.js";

const AREA = "ACS";

export async function checkAcs(deps: { config: Config; credential: () => TokenCredential; timeoutMs: number; fetch?: typeof fetch }): Promise<StepResult[]> {
  const { config, timeoutMs } = deps;
  const acs = config.acs;
  const entra = acs.credential.kind === "entra";
  const endpoint = new URL(acs.credential.endpoint);
  const how = entra ? "Entra ID (ACS_ENDPOINT)" : "access key (ACS_CONNECTION_STRING)";
  const steps: StepResult[] = [];
  const callId = randomUUID();
  const step = `harmless call (properties of made-up call ${callId.slice(0, 8)}…, ${how})`;
  // As the bot builds it, without retries: the doctor wants the first error, not a deadline after five attempts.
  const options = { allowInsecureConnection: acs.allowInsecureConnection, retryOptions: { maxRetries: 0 } };
  const client =
    acs.credential.kind === "connectionString"
      ? new CallAutomationClient(acs.credential.connectionString, options)
      : new CallAutomationClient(acs.credential.endpoint, deps.credential(), options);
  try {
    await withDeadline(
      client.getCallConnection(callId).getCallConnectionProperties({ abortSignal: AbortSignal.timeout(timeoutMs) }),
      timeoutMs + 250,
      `ACS at ${endpoint.host}`,
    );
    steps.push({ area: AREA, step, status: "ok", detail: `${endpoint.origin} accepted the credentials` });
  } catch (error) {
    steps.push(diagnoseAcsError(error, { step, endpoint, entra }));
  }

  if (acs.jwt) {
    const jwks = acs.jwt.jwksUrl;
    try {
      const response = await (deps.fetch ?? fetch)(jwks, { signal: AbortSignal.timeout(timeoutMs) });
      const body = (await response.json().catch(() => undefined)) as { keys?: unknown[] } | undefined;
      if (!response.ok || !Array.isArray(body?.keys) || body.keys.length === 0) throw Object.assign(new Error(`HTTP ${response.status}, ${Array.isArray(body?.keys) ? body.keys.length : "no"} keys`), { status: response.status });
      steps.push({
        area: AREA,
        step: "signing keys",
        status: "ok",
        detail: `${body.keys.length} key(s) at ${jwks.href}; callbacks must be for audience ACS_RESOURCE_ID=${acs.jwt.audience} (the resource's immutableResourceId: not checkable from here)`,
      });
    } catch (error) {
      const failure = networkFailure(error, jwks.host);
      steps.push({
        area: AREA,
        step: "signing keys",
        status: "fail",
        detail: `${jwks.href}: ${(error as { status?: number }).status !== undefined ? errorMessage(error) : failure.detail}`,
        fix: "the bot fetches these keys to verify every ACS callback and media connection: allow outbound HTTPS to acscallautomation.communication.azure.com (leave ACS_JWKS_URL unset)",
        cause: "acs_keys_unreachable",
      });
    }
  } else {
    steps.push({ area: AREA, step: "signing keys", status: config.server.local ? "skip" : "warn", detail: "ACS_RESOURCE_ID is unset: callbacks and media connections are not verified" });
  }
  return steps;
}

/** An ACS SDK failure as a cause and a fix (exported for tests: the SDK sends Entra tokens only over https, and the local ACS stub is http). */
export function diagnoseAcsError(error: unknown, context: { step: string; endpoint: URL; entra: boolean }): StepResult {
  const base = { area: AREA, step: context.step, status: "fail" as const };
  const status = (error as { statusCode?: number }).statusCode;
  const name = (error as { name?: string }).name ?? "";
  const message = errorMessage(error).split("\n")[0]!.slice(0, 300);
  const hostAdvice = isLoopbackHost(context.endpoint.hostname)
    ? "for a local stub, check its port"
    : "the endpoint is https://<resource>.communication.azure.com (portal → the ACS resource → Keys, \"Endpoint\")";
  if (/non-TLS/.test(message)) {
    return { ...base, detail: message, fix: "Entra tokens travel only over https: a local http ACS stub takes ACS_CONNECTION_STRING", cause: "acs_entra_needs_https" };
  }
  if (/CredentialUnavailable|AuthenticationRequired|AggregateAuthentication/.test(name) || (status === undefined && /credential|az login|token/i.test(message))) {
    return {
      ...base,
      detail: `no Entra token for ACS: ${message}`,
      fix: "locally: `az login`; in Azure: a managed identity on the app with AZURE_CLIENT_ID; or use ACS_CONNECTION_STRING instead of ACS_ENDPOINT",
      cause: "acs_no_token",
    };
  }
  if (status === 404) return { area: AREA, step: context.step, status: "ok", detail: `${context.endpoint.origin} accepted the credentials (404 for the made-up call, as expected)` };
  if (status === 401) {
    return context.entra
      ? {
          ...base,
          detail: `HTTP 401: the Entra token was refused (${message})`,
          fix: "the identity must belong to the ACS resource's tenant (AZURE_TENANT_ID), and ACS_ENDPOINT must be this resource's endpoint",
          cause: "acs_token_refused",
        }
      : {
          ...base,
          detail: `HTTP 401: the access key in ACS_CONNECTION_STRING was refused (${message})`,
          fix: "copy the connection string again (portal → the ACS resource → Keys); after a key was regenerated only the new one works",
          cause: "acs_key_refused",
        };
  }
  if (status === 403) {
    return {
      ...base,
      detail: `HTTP 403: the identity has no role on the ACS resource (${message})`,
      fix: "missing role: give the bot's identity Contributor on the ACS resource\n(az role assignment create --assignee-object-id <oid> --role Contributor --scope <ACS resource id>; roles take minutes to apply)",
      cause: "acs_missing_role",
    };
  }
  if (status !== undefined) return { ...base, detail: `HTTP ${status}: ${message}`, fix: "an unexpected answer: check ACS_ENDPOINT / the connection string's endpoint", cause: "acs_unexpected" };
  const failure = networkFailure(error, context.endpoint.host);
  return {
    ...base,
    detail: failure.detail,
    fix: failure.cause === "dns" || failure.cause === "refused" ? `wrong ACS endpoint host? ${hostAdvice}` : NETWORK_FIXES[failure.cause] || hostAdvice,
    cause: failure.cause === "dns" ? "acs_host_not_found" : "acs_unreachable",
  };
}

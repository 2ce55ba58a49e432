/**
 * PUBLIC_BASE_URL from the bot's own machine: does it reach a running bot (its
 * /healthz), and does that bot answer Event Grid's validation handshake with this
 * configuration's ?code= — what Event Grid does when the subscription is created.
 * Reachable from here does not prove reachable from Azure, but unreachable from
 * here means ACS cannot reach it either.
 */
import { randomUUID } from "node:crypto";
import type { Config } from "../config/index.js";
import { networkFailure } from "./net-errors.js";
import type { StepResult } from "./steps.js";

const AREA = "Public URL";

export async function checkPublicUrl(deps: { config: Config; timeoutMs: number; fetch?: typeof fetch }): Promise<StepResult[]> {
  const { config, timeoutMs } = deps;
  const doFetch = deps.fetch ?? fetch;
  const origin = config.server.publicBaseUrl.origin;
  const host = config.server.publicBaseUrl.host;
  const port = config.server.port;
  const startHint = `start the bot (npm run dev, PORT=${port}) and a tunnel to that port; PUBLIC_BASE_URL is the tunnel's https URL`;
  const steps: StepResult[] = [];

  let health: Response;
  try {
    health = await doFetch(`${origin}/healthz`, { signal: AbortSignal.timeout(timeoutMs), redirect: "manual" });
  } catch (error) {
    const failure = networkFailure(error, host);
    return [
      {
        area: AREA,
        step: "GET /healthz",
        status: "fail",
        detail: `${origin}: ${failure.detail}`,
        fix:
          failure.cause === "dns"
            ? "the host does not resolve: is the tunnel running? Many tunnels get a new URL on every start: update PUBLIC_BASE_URL"
            : failure.cause === "tls"
              ? "the URL's certificate is not trusted: ACS needs a publicly trusted certificate (tunnels and Container Apps provide one)"
              : `nothing answers: ${startHint}`,
        cause: "public_url_unreachable",
      },
    ];
  }
  const body = (await health.json().catch(() => undefined)) as { status?: unknown } | undefined;
  if (health.status !== 200 || body?.status !== "ok") {
    const gateway = health.status === 502 || health.status === 503 || health.status === 504;
    return [
      {
        area: AREA,
        step: "GET /healthz",
        status: "fail",
        detail: `${origin}/healthz answered HTTP ${health.status}${body ? ` ${JSON.stringify(body).slice(0, 120)}` : ""}`,
        fix: gateway
          ? `the tunnel (or load balancer) answers, but no bot behind it: ${startHint}`
          : `something other than this bot answers at PUBLIC_BASE_URL: point the tunnel at the bot's PORT (${port})`,
        cause: "public_url_not_the_bot",
      },
    ];
  }
  steps.push(
    config.server.local
      ? { area: AREA, step: "GET /healthz", status: "warn", detail: `${origin} reaches the bot, but it is loopback: ACS cannot call it (fine for replays)`, fix: "for real calls, PUBLIC_BASE_URL is a public https URL (a tunnel while developing)", cause: "public_url_loopback" }
      : { area: AREA, step: "GET /healthz", status: "ok", detail: `${origin} reaches a running bot` },
  );

  // Event Grid's handshake, exactly as it comes when a subscription is created.
  const code = `doctor-${randomUUID()}`;
  const secret = config.acs.eventGridSecrets[0];
  const webhook = `${origin}/api/incoming-call${secret ? `?code=${encodeURIComponent(secret)}` : ""}`;
  const shown = `${origin}/api/incoming-call${secret ? "?code=<EVENTGRID_SECRETS>" : ""}`;
  try {
    const response = await doFetch(webhook, {
      method: "POST",
      signal: AbortSignal.timeout(timeoutMs),
      headers: { "content-type": "application/json", "aeg-event-type": "SubscriptionValidation" },
      body: JSON.stringify([
        {
          id: randomUUID(),
          topic: "/doctor",
          subject: "",
          eventType: "Microsoft.EventGrid.SubscriptionValidationEvent",
          eventTime: new Date().toISOString(),
          data: { validationCode: code, validationUrl: "https://invalid.example/validate" },
          dataVersion: "1",
          metadataVersion: "1",
        },
      ]),
    });
    const answer = (await response.json().catch(() => undefined)) as { validationResponse?: unknown } | undefined;
    if (response.status === 200 && answer?.validationResponse === code) {
      steps.push({ area: AREA, step: "Event Grid handshake", status: "ok", detail: `${shown} answers the validation handshake: an Event Grid subscription to it can be created` });
    } else if (response.status === 401) {
      steps.push({
        area: AREA,
        step: "Event Grid handshake",
        status: "fail",
        detail: `${shown} refused the ?code= (HTTP 401)`,
        fix: "the bot running there has other EVENTGRID_SECRETS than this configuration: the subscription's ?code= must be one of the bot's values",
        cause: "webhook_secret_mismatch",
      });
    } else {
      steps.push({ area: AREA, step: "Event Grid handshake", status: "fail", detail: `${shown} answered HTTP ${response.status}`, fix: "PUBLIC_BASE_URL must reach this bot", cause: "webhook_unexpected" });
    }
  } catch (error) {
    steps.push({ area: AREA, step: "Event Grid handshake", status: "fail", detail: networkFailure(error, host).detail, cause: "webhook_unreachable" });
  }
  return steps;
}

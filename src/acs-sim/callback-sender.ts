/**
 * Posts what ACS posts: Event Grid deliveries to the IncomingCall webhook and
 * Call Automation callbacks (one CloudEvent per request, each with a fresh
 * ACS-signed bearer token). Every attempt is recorded with its HTTP status or
 * the transport error, so a test can see what the bot answered.
 */
import type { CloudEvent } from "./acs-events.js";

export interface DeliveryRecord {
  /** "IncomingCall" for Event Grid, else the callback type without its prefix. */
  readonly type: string;
  readonly url: string;
  /** HTTP status, or undefined when the request failed before any reply. */
  readonly status: number | undefined;
  readonly error: string | undefined;
  /** performance.now() when the request was sent, and how long the reply took. */
  readonly atMs: number;
  readonly durationMs: number;
}

export interface PostOptions {
  readonly timeoutMs: number;
}

export async function postJson(
  type: string,
  url: string,
  body: unknown,
  headers: Record<string, string>,
  options: PostOptions,
): Promise<DeliveryRecord> {
  const atMs = performance.now();
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8", ...headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    await response.arrayBuffer().catch(() => undefined);
    return { type, url, status: response.status, error: undefined, atMs, durationMs: performance.now() - atMs };
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { type, url, status: undefined, error: message, atMs, durationMs: performance.now() - atMs };
  }
}

/** Event Grid's delivery headers (they are not authentication; `?code=` on the URL is). */
export function eventGridHeaders(deliveryCount: number): Record<string, string> {
  return {
    "aeg-event-type": "Notification",
    "aeg-subscription-name": "ACS-SIM-INCOMING-CALL",
    "aeg-delivery-count": String(deliveryCount),
    "aeg-data-version": "1.0",
    "aeg-metadata-version": "1",
  };
}

export function callbackTypeOf(event: CloudEvent): string {
  return event.type.replace(/^Microsoft\.Communication\./, "");
}

/**
 * Operator-facing counters (GET /metrics). One registry per app instance: no
 * module-level state, so tests and replays can run several bots in one process.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from "prom-client";

export interface Metrics {
  readonly registry: Registry;
  readonly webhookRejected: Counter<"route" | "reason">;
  readonly incomingCalls: Counter<"outcome">;
  readonly callbackEvents: Counter<"type">;
  readonly activeCalls: Gauge;
}

export function createMetrics(options: { defaultMetrics: boolean }): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry });
  return {
    registry,
    webhookRejected: new Counter({
      name: "bot_webhook_rejected_total",
      help: "Webhook requests refused (bad secret, bad token, malformed body)",
      labelNames: ["route", "reason"],
      registers: [registry],
    }),
    incomingCalls: new Counter({
      name: "bot_incoming_calls_total",
      help: "IncomingCall events by outcome (answered, duplicate, answer_failed, draining)",
      labelNames: ["outcome"],
      registers: [registry],
    }),
    callbackEvents: new Counter({
      name: "bot_callback_events_total",
      help: "ACS callback events received, by type",
      labelNames: ["type"],
      registers: [registry],
    }),
    activeCalls: new Gauge({ name: "bot_active_calls", help: "Calls this replica currently holds", registers: [registry] }),
  };
}

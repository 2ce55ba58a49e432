/**
 * POST /api/incoming-call — the Event Grid subscription's webhook. Replies at once;
 * answering happens in the background so Event Grid never waits on ACS.
 */
import type { FastifyInstance } from "fastify";
import type { Metrics } from "../metrics.js";
import type { CallService } from "./call-service.js";
import { EventGridParseError, parseEventGridDelivery } from "./eventgrid.js";
import { createSecretMatcher } from "./webhook-secret.js";

export interface IncomingCallRouteDeps {
  readonly calls: CallService;
  readonly metrics: Metrics;
  readonly eventGridSecrets: readonly string[];
}

export async function incomingCallRoute(app: FastifyInstance, deps: IncomingCallRouteDeps): Promise<void> {
  const matches = createSecretMatcher(deps.eventGridSecrets);
  if (!matches) app.log.warn("EVENTGRID_SECRETS is not set: /api/incoming-call accepts deliveries without ?code=");

  app.post("/api/incoming-call", {
    onRequest: async (request, reply) => {
      if (matches && !matches((request.query as Record<string, unknown>).code)) {
        deps.metrics.webhookRejected.inc({ route: "incoming-call", reason: "secret" });
        request.log.warn("incoming-call delivery with a missing or wrong ?code= secret refused");
        return reply.code(401).send({ error: { code: "eventgrid_secret_invalid", message: "missing or wrong ?code= secret" } });
      }
    },
    handler: async (request, reply) => {
      let items;
      try {
        items = parseEventGridDelivery(request.body);
      } catch (error) {
        if (!(error instanceof EventGridParseError)) throw error;
        deps.metrics.webhookRejected.inc({ route: "incoming-call", reason: "malformed" });
        request.log.warn({ reason: error.message }, "malformed Event Grid delivery refused");
        return reply.code(400).send({ error: { code: error.code, message: error.message } });
      }
      const calls = items.filter((item) => item.kind === "incomingCall");
      if (calls.length > 0 && deps.calls.draining) {
        // Event Grid retries elsewhere; this replica is going away.
        deps.metrics.incomingCalls.inc({ outcome: "draining" }, calls.length);
        return reply.code(503).send({ error: { code: "draining", message: "this instance is shutting down" } });
      }
      let validationCode: string | undefined;
      for (const item of items) {
        if (item.kind === "validation") {
          validationCode = item.validationCode;
          request.log.info("Event Grid subscription validation answered");
        } else if (item.kind === "incomingCall") {
          deps.calls.acceptIncomingCall(item.call);
        } else {
          request.log.debug({ eventType: item.eventType }, "Event Grid event type ignored");
        }
      }
      return validationCode !== undefined ? reply.code(200).send({ validationResponse: validationCode }) : reply.code(200).send();
    },
  });

  // CloudEvents-schema subscriptions validate with an OPTIONS handshake.
  app.options("/api/incoming-call", async (request, reply) => {
    if (matches && !matches((request.query as Record<string, unknown>).code)) return reply.code(401).send();
    const origin = request.headers["webhook-request-origin"];
    if (typeof origin === "string") reply.header("WebHook-Allowed-Origin", origin);
    return reply.code(200).send();
  });
}

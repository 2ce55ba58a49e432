/** POST /api/callbacks — ACS mid-call events, every element of the array, behind the ACS JWT. */
import type { FastifyInstance } from "fastify";
import { AppError } from "../errors.js";
import type { Metrics } from "../metrics.js";
import { CallbackParseError, parseCallbackDelivery } from "./acs-callback-events.js";
import type { AcsJwtVerifier } from "./acs-jwt.js";
import type { CallService } from "./call-service.js";

export interface CallbacksRouteDeps {
  readonly calls: CallService;
  readonly metrics: Metrics;
  /** Undefined only on a local run without ACS_RESOURCE_ID. */
  readonly verifier: AcsJwtVerifier | undefined;
}

export async function callbacksRoute(app: FastifyInstance, deps: CallbacksRouteDeps): Promise<void> {
  app.post("/api/callbacks", {
    onRequest: async (request, reply) => {
      if (!deps.verifier) return;
      try {
        await deps.verifier.verify(request.headers.authorization);
      } catch (error) {
        const code = error instanceof AppError ? error.code : "acs_jwt_invalid";
        deps.metrics.webhookRejected.inc({ route: "callbacks", reason: "token" });
        request.log.warn({ reason: (error as Error).message }, "callback with an invalid ACS token refused");
        return reply.code(401).send({ error: { code, message: (error as Error).message } });
      }
    },
    handler: async (request, reply) => {
      let events;
      try {
        events = parseCallbackDelivery(request.body);
      } catch (error) {
        if (!(error instanceof CallbackParseError)) throw error;
        deps.metrics.webhookRejected.inc({ route: "callbacks", reason: "malformed" });
        request.log.warn({ reason: error.message }, "malformed callback delivery refused");
        return reply.code(400).send({ error: { code: error.code, message: error.message } });
      }
      deps.calls.applyCallbackEvents(events);
      return reply.code(200).send();
    },
  });
}

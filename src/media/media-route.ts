/**
 * GET /media — the ACS media streaming WebSocket. The ACS JWT and the signed call
 * context are checked in preValidation, i.e. before the upgrade is accepted and
 * before any Voice Live session is opened for it.
 */
import type {} from "@fastify/websocket";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type WebSocket from "ws";
import type { AcsJwtVerifier } from "../calls/acs-jwt.js";
import { CALL_CONTEXT_PARAM, verifyCallContext, type CallContext } from "../calls/call-context-token.js";
import type { Clock } from "../clock.js";
import { AppError, errorMessage } from "../errors.js";
import type { Metrics } from "../metrics.js";
import type { MediaSessions } from "./media-sessions.js";

export interface MediaRouteDeps {
  readonly sessions: MediaSessions;
  readonly verifier: AcsJwtVerifier | undefined;
  readonly contextSecret: Buffer;
  readonly clock: Clock;
  readonly metrics: Metrics;
  /** True for a call this replica saw end: its media URL must not start a new session. */
  readonly callEnded: (correlationId: string) => boolean;
}

export async function mediaRoute(app: FastifyInstance, deps: MediaRouteDeps): Promise<void> {
  // The verified call context, handed from preValidation to the socket handler.
  const contexts = new WeakMap<FastifyRequest, CallContext>();
  app.route({
    method: "GET",
    url: "/media",
    websocket: true,
    preValidation: async (request, reply) => {
      const refuse = (status: number, code: string, message: string) => {
        deps.metrics.mediaRejected.inc({ reason: code });
        request.log.warn({ code, reason: message }, "media connection refused");
        return reply.code(status).send({ error: { code, message } });
      };
      if (deps.verifier) {
        try {
          await deps.verifier.verify(request.headers.authorization);
        } catch (error) {
          return refuse(401, error instanceof AppError ? error.code : "acs_jwt_invalid", errorMessage(error));
        }
      }
      const token = (request.query as Record<string, unknown>)[CALL_CONTEXT_PARAM];
      if (typeof token !== "string") return refuse(403, "call_context_missing", `media URL has no ${CALL_CONTEXT_PARAM} parameter`);
      let context: CallContext;
      try {
        context = verifyCallContext(token, deps.contextSecret, deps.clock.date().getTime());
      } catch (error) {
        return refuse(403, error instanceof AppError ? error.code : "call_context_invalid", errorMessage(error));
      }
      if (deps.callEnded(context.correlationId)) {
        return refuse(403, "call_ended", "this call has ended; its media URL is no longer valid");
      }
      const headerCorrelation = request.headers["x-ms-call-correlation-id"];
      if (typeof headerCorrelation === "string" && headerCorrelation !== context.correlationId) {
        return refuse(403, "call_context_mismatch", "x-ms-call-correlation-id does not match the call context");
      }
      contexts.set(request, context);
    },
    handler: (socket: WebSocket, request: FastifyRequest) => {
      const context = contexts.get(request)!;
      const connectionId = request.headers["x-ms-call-connection-id"];
      deps.sessions.connect(socket, context, typeof connectionId === "string" ? connectionId : undefined);
    },
  });
}

/**
 * GET /console/softphone — the browser softphone's WebSocket. The page speaks
 * the ACS media protocol (AudioMetadata, then PCM16 24 kHz AudioData in 20 ms
 * frames; DtmfData for keys) and gets the bot's audioData / stopAudio back, so
 * the call runs the bot's very media path (MediaSessions.connect) with a call
 * context minted here: no ACS, no phone number, no JWT — the console's access
 * rule instead. There is no ACS call connection: hanging up is closing the
 * socket, from either side.
 */
import { randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type WebSocket from "ws";
import type { CallContext } from "../calls/call-context-token.js";
import type { CallService } from "../calls/call-service.js";
import type { MediaSessions } from "../media/media-sessions.js";
import type { CallMonitor } from "./call-monitor.js";

export interface SoftphoneRouteDeps {
  readonly authorize: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  readonly monitor: CallMonitor;
  readonly media: MediaSessions;
  readonly calls: CallService;
  readonly maxCalls?: number;
}

/** Each softphone call holds a Voice Live session (cost): a handful at once is plenty for trying the bot. */
const MAX_SOFTPHONE_CALLS = 8;

export function softphoneContext(correlationId: string): CallContext {
  return {
    correlationId,
    serverCallId: correlationId,
    callerRawId: "softphone:browser",
    callerNumber: undefined,
    calleeRawId: "softphone:bot",
    calleeNumber: undefined,
    callerDisplayName: undefined,
  };
}

export async function softphoneRoute(app: FastifyInstance, deps: SoftphoneRouteDeps): Promise<void> {
  const open = new Set<WebSocket>();
  const maxCalls = deps.maxCalls ?? MAX_SOFTPHONE_CALLS;
  app.route({
    method: "GET",
    url: "/console/softphone",
    websocket: true,
    preValidation: async (request, reply) => {
      await deps.authorize(request, reply);
      if (reply.sent) return;
      if (deps.calls.draining) return reply.code(503).send({ error: { code: "draining", message: "the bot is shutting down" } });
      if (open.size >= maxCalls) return reply.code(503).send({ error: { code: "softphone_busy", message: `at most ${maxCalls} softphone calls at once` } });
    },
    handler: (socket: WebSocket, request: FastifyRequest) => {
      const correlationId = `softphone-${randomUUID()}`;
      open.add(socket);
      socket.on("close", () => open.delete(socket));
      request.log.info({ correlationId }, "softphone call from the console");
      deps.monitor.expectSoftphone(correlationId);
      deps.media.connect(socket, softphoneContext(correlationId), undefined);
    },
  });
}

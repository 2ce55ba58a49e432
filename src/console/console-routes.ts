/**
 * /console — the operations console: the page and its assets, a small JSON API
 * (sign-in, calls, recent calls from the conversation logs), live updates over
 * a WebSocket, and the browser softphone (src/console/softphone-route.ts).
 * Access: src/console/console-access.ts. With the console off, no route exists.
 */
import type {} from "@fastify/websocket";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type WebSocket from "ws";
import type { CallService } from "../calls/call-service.js";
import type { Clock } from "../clock.js";
import type { MediaSessions } from "../media/media-sessions.js";
import { loadConsoleAssets } from "./assets.js";
import type { CallLogReader } from "./call-log-reader.js";
import type { CallMonitor } from "./call-monitor.js";
import type { ConsoleAccess } from "./console-access.js";
import { softphoneRoute } from "./softphone-route.js";

export interface ConsoleRoutesDeps {
  readonly access: ConsoleAccess;
  readonly monitor: CallMonitor;
  readonly logs: CallLogReader;
  readonly media: MediaSessions;
  readonly calls: CallService;
  readonly clock: Clock;
}

/** A console reads little; a backlog this large means it stopped reading. */
const MAX_WATCHER_BACKLOG_BYTES = 1024 * 1024;
const MAX_WATCHERS = 32;
/** Wrong tokens allowed per minute (the token is long; this only keeps the log quiet). */
const SIGN_IN_FAILURES_PER_MINUTE = 20;

const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; media-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cache-control": "no-store",
};

export async function consoleRoutes(app: FastifyInstance, deps: ConsoleRoutesDeps): Promise<void> {
  const { access, monitor, logs, clock } = deps;
  if (access.mode === "off") {
    app.log.info("the console (/console) is off: set CONSOLE_TOKEN to use it on a public deployment");
    return;
  }
  const assets = await loadConsoleAssets();
  const authorize = async (request: FastifyRequest, reply: FastifyReply) => {
    const decision = access.check(request);
    if (!decision.ok) {
      void reply.headers(SECURITY_HEADERS).code(decision.status).send({ error: { code: decision.code, message: decision.message } });
    }
  };
  app.addHook("onSend", async (request, reply) => {
    if (request.url.startsWith("/console")) reply.headers(SECURITY_HEADERS);
  });

  app.get("/console", async (_request, reply) => reply.type("text/html; charset=utf-8").send(assets.page));
  app.get<{ Params: { name: string } }>("/console/assets/:name", async (request, reply) => {
    const asset = assets.files.get(request.params.name);
    if (!asset) return reply.code(404).send({ error: { code: "not_found", message: "no such asset" } });
    return reply.type(asset.contentType).send(asset.body);
  });

  app.get("/console/api/access", async (request) => ({
    mode: access.mode,
    signedIn: access.check(request).ok,
    callLogs: logs.enabled,
  }));
  let failures: number[] = [];
  app.post<{ Body: { token?: unknown } }>("/console/api/session", async (request, reply) => {
    if (access.mode !== "token") return reply.code(404).send({ error: { code: "not_found", message: "this run has no console token" } });
    if (!access.sameOrigin(request)) return reply.code(403).send({ error: { code: "console_origin_mismatch", message: "the request comes from another site" } });
    const nowMs = clock.nowMs();
    failures = failures.filter((atMs) => atMs > nowMs - 60_000);
    if (failures.length >= SIGN_IN_FAILURES_PER_MINUTE) return reply.code(429).send({ error: { code: "console_sign_in_throttled", message: "too many wrong tokens; wait a minute" } });
    const token = request.body?.token;
    if (typeof token !== "string" || !access.tokenMatches(token)) {
      failures.push(nowMs);
      request.log.warn("console sign-in refused: wrong token");
      return reply.code(401).send({ error: { code: "console_token_invalid", message: "wrong console token" } });
    }
    return reply.header("set-cookie", access.sessionCookie()).code(204).send();
  });
  app.delete("/console/api/session", async (_request, reply) => reply.header("set-cookie", access.clearedCookie()).code(204).send());

  app.get("/console/api/calls", { preValidation: authorize }, async () => monitor.snapshot());
  app.get<{ Querystring: { limit?: string } }>("/console/api/recent", { preValidation: authorize }, async (request) => {
    const limit = Math.min(200, Math.max(1, Number.parseInt(request.query.limit ?? "50", 10) || 50));
    return { enabled: logs.enabled, calls: await logs.recent(limit) };
  });
  app.get<{ Params: { name: string } }>("/console/api/recent/:name", { preValidation: authorize }, async (request, reply) => {
    const call = await logs.read(request.params.name);
    return call ?? reply.code(404).send({ error: { code: "not_found", message: "no such call log" } });
  });

  app.route({
    method: "GET",
    url: "/console/live",
    websocket: true,
    preValidation: async (request, reply) => {
      await authorize(request, reply);
      if (!reply.sent && monitor.watching >= MAX_WATCHERS) {
        return reply.code(503).send({ error: { code: "console_busy", message: `at most ${MAX_WATCHERS} consoles at once` } });
      }
    },
    handler: (socket: WebSocket) => {
      const stop = monitor.watch({
        send: (text) => socket.send(text),
        get backlogged() {
          return socket.bufferedAmount > MAX_WATCHER_BACKLOG_BYTES;
        },
        close: (code, reason) => socket.close(code, reason),
      });
      // The console only listens; anything it sends is ignored.
      socket.on("close", stop);
      socket.on("error", stop);
    },
  });

  await app.register(softphoneRoute, { authorize, monitor, media: deps.media, calls: deps.calls });
}

/**
 * The composition root: takes config and collaborators, builds the Fastify app.
 * Tests, replays and `main` all build the bot through here.
 */
import { DefaultAzureCredential, type TokenCredential } from "@azure/identity";
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { callbacksRoute } from "./calls/callbacks-route.js";
import { createAcsJwtVerifier, type AcsJwtVerifier } from "./calls/acs-jwt.js";
import { createAcsCallControl, createCallAutomationClient, type CallControl } from "./calls/call-control.js";
import { CallService } from "./calls/call-service.js";
import { incomingCallRoute } from "./calls/incoming-call-route.js";
import { createSystemClock, type Clock } from "./clock.js";
import type { Config } from "./config/index.js";
import { healthRoutes } from "./health-routes.js";
import { createMetrics, type Metrics } from "./metrics.js";

export interface BotDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly clock?: Clock;
  /** Defaults to the Call Automation SDK built from config. */
  readonly callControl?: CallControl;
  /** Entra credential for ACS_ENDPOINT (and Voice Live); defaults to DefaultAzureCredential. */
  readonly credential?: TokenCredential;
  /** Process-wide metrics (default Node metrics) only for the real process. */
  readonly defaultMetrics?: boolean;
}

export interface Bot {
  readonly server: FastifyInstance;
  readonly calls: CallService;
  readonly metrics: Metrics;
  /** Stops taking calls, waits up to graceMs for calls in progress, hangs up the rest, closes. */
  shutdown(graceMs: number): Promise<void>;
}

export async function createBot(deps: BotDeps): Promise<Bot> {
  const { config, logger } = deps;
  const clock = deps.clock ?? createSystemClock();
  const metrics = createMetrics({ defaultMetrics: deps.defaultMetrics ?? false });
  let credential = deps.credential;
  const getCredential = (): TokenCredential => (credential ??= new DefaultAzureCredential());
  const callControl =
    deps.callControl ?? createAcsCallControl(createCallAutomationClient(config.acs, getCredential));

  const verifier: AcsJwtVerifier | undefined = config.acs.jwt ? createAcsJwtVerifier(config.acs.jwt, clock) : undefined;
  if (!verifier) {
    logger.warn("ACS_RESOURCE_ID is not set: ACS tokens on callbacks and media connections are NOT verified (local mode only)");
  }
  if (config.acs.mediaContextSecretSource === "ephemeral") {
    logger.warn("MEDIA_CONTEXT_SECRET is not set and there is no ACS access key to derive it from: media URLs are signed with a per-process key, so run a single replica");
  }

  const calls = new CallService({ config, callControl, clock, logger, metrics });

  const server = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // Webhooks log what they did; per-request access lines add nothing but noise.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    return503OnClosing: true,
  });
  server.setErrorHandler((error: FastifyError, request, reply) => {
    const status = typeof error.statusCode === "number" && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, "request failed");
    else request.log.warn({ reason: error.message, code: error.code }, "request refused");
    return reply.code(status).send({
      error: { code: status >= 500 ? "internal_error" : (error.code ?? "bad_request"), message: status >= 500 ? "internal error" : error.message },
    });
  });
  server.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: { code: "not_found", message: `no route ${request.method} ${request.url.split("?")[0]}` } }),
  );

  await server.register(healthRoutes, { calls, metrics });
  await server.register(incomingCallRoute, { calls, metrics, eventGridSecrets: config.acs.eventGridSecrets });
  await server.register(callbacksRoute, { calls, metrics, verifier });

  let shutdownPromise: Promise<void> | undefined;
  const shutdown = (graceMs: number): Promise<void> =>
    (shutdownPromise ??= (async () => {
      calls.startDraining();
      const deadline = clock.nowMs() + graceMs;
      while (calls.registry.size > 0 && clock.nowMs() < deadline) {
        await new Promise((resolve) => clock.setTimeout(() => resolve(undefined), 100));
      }
      const remaining = [...calls.registry.all()];
      if (remaining.length > 0) logger.warn({ calls: remaining.length }, "grace period over: hanging up calls in progress");
      await Promise.all(remaining.map((record) => calls.hangUp(record, "shutdown")));
      await calls.settle();
      await server.close();
    })());

  return { server, calls, metrics, shutdown };
}

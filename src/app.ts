/**
 * The composition root: takes config and collaborators, builds the Fastify app.
 * Tests, replays and `main` all build the bot through here.
 */
import { mkdir } from "node:fs/promises";
import { DefaultAzureCredential, type TokenCredential } from "@azure/identity";
import fastifyWebsocket from "@fastify/websocket";
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { buildProfileRuntimes, type ProfileRuntimes } from "./call-profiles.js";
import type { ClusterWorkerLink } from "./cluster-worker.js";
import { createAcsJwtVerifier, type AcsJwtVerifier } from "./calls/acs-jwt.js";
import { createAcsCallControl, createCallAutomationClient, withRequestDeadlines, type CallControl } from "./calls/call-control.js";
import { CallService, type CallServiceHooks } from "./calls/call-service.js";
import { callbacksRoute } from "./calls/callbacks-route.js";
import { incomingCallRoute } from "./calls/incoming-call-route.js";
import { createSystemClock, type Clock, type Timer } from "./clock.js";
import type { Config } from "./config/index.js";
import { createConsole, type OperationsConsole } from "./console/index.js";
import { loadScenario, startVoiceLiveEmulator, type VoiceLiveEmulator } from "./emulator/index.js";
import { healthRoutes } from "./health-routes.js";
import { mediaRoute } from "./media/media-route.js";
import type { CallContext } from "./calls/call-context-token.js";
import type { CallSessionExtension } from "./media/call-session.js";
import { MediaSessions } from "./media/media-sessions.js";
import { createPacer } from "./media/pacer.js";
import { createMetrics, type Metrics } from "./metrics.js";
import type { ToolDefinition, ToolRegistry } from "./tools/index.js";
import type { VoiceLiveConnector } from "./voicelive/connector.js";
import { entraAuth, type VoiceLiveTarget } from "./voicelive/endpoint.js";

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
  /** Extra tools (in-process), besides the built-in telephony tools and TOOLS_FILE. */
  readonly tools?: readonly ToolDefinition[];
  /** Extra per-call add-ons (in-process), after the tools layer's and the recorder's. */
  readonly extensions?: (call: { context: CallContext; log: Logger }) => CallSessionExtension[];
  /** Set in a WORKERS cluster worker: metrics aggregated across workers, pre-warm hand-offs. */
  readonly cluster?: ClusterWorkerLink;
}

export interface Bot {
  readonly server: FastifyInstance;
  readonly calls: CallService;
  readonly media: MediaSessions;
  readonly metrics: Metrics;
  /** The default profile's Voice Live connector and tools. */
  readonly voiceLive: VoiceLiveConnector;
  readonly tools: ToolRegistry;
  /** Every profile's runtime (one, "default", without PROFILES_FILE). */
  readonly profiles: ProfileRuntimes;
  /** The embedded Voice Live emulator, when VOICELIVE_ENDPOINT is unset. */
  readonly emulator: VoiceLiveEmulator | undefined;
  /** The operations console and softphone (/console); off on a public deployment without CONSOLE_TOKEN. */
  readonly console: OperationsConsole;
  /** Stops taking calls, waits up to graceMs for calls in progress, hangs up the rest, closes. */
  shutdown(graceMs: number): Promise<void>;
}

export async function createBot(deps: BotDeps): Promise<Bot> {
  const { config, logger } = deps;
  const clock = deps.clock ?? createSystemClock();
  const metrics = createMetrics({ defaultMetrics: deps.defaultMetrics ?? false });
  let credential = deps.credential;
  const getCredential = (): TokenCredential => (credential ??= new DefaultAzureCredential());
  const callControl = withRequestDeadlines(
    deps.callControl ?? createAcsCallControl(createCallAutomationClient(config.acs, getCredential)),
    { clock, timeoutMs: config.acs.requestTimeoutMs, metrics },
  );

  const verifier: AcsJwtVerifier | undefined = config.acs.jwt ? createAcsJwtVerifier(config.acs.jwt, clock) : undefined;
  if (!verifier) {
    logger.warn("ACS_RESOURCE_ID is not set: ACS tokens on callbacks and media connections are NOT verified (local mode only)");
  }
  if (config.call.callLogDir) await mkdir(config.call.callLogDir, { recursive: true });
  if (config.call.recordDir) {
    logger.warn({ dir: config.call.recordDir }, "RECORD_DIR is set: every call is recorded as a fixture, caller audio included");
  }
  if (config.acs.mediaContextSecretSource === "ephemeral") {
    logger.warn("MEDIA_CONTEXT_SECRET is not set and there is no ACS access key to derive it from: media URLs are signed with a per-process key, so run a single replica");
  }

  // The pre-warm hook is set once the profiles' Voice Live connectors exist.
  const hooks: CallServiceHooks = {};
  const calls = new CallService({ config, callControl, clock, logger, metrics, hooks, profileOf: (context) => profiles.forNumber(dialedNumber(context)).name, profileConfigOf: (context) => profiles.forNumber(dialedNumber(context)).config });
  const { target, emulator } = await resolveVoiceLive(config, logger, getCredential, clock);
  const profiles = await buildProfileRuntimes({
    config,
    logger,
    clock,
    metrics,
    calls,
    callControl,
    target: { endpoint: target.endpoint, auth: target.auth },
    extraTools: deps.tools ?? [],
    extraExtensions: deps.extensions,
  }).catch(async (error: unknown) => {
    await emulator?.close();
    throw error;
  });
  if (profiles.all.length > 1) logger.info({ profiles: profiles.all.map((p) => p.name) }, "call profiles loaded (PROFILES_FILE)");
  hooks.onAnswering = (record) => {
    const { connector } = profiles.forNumber(dialedNumber(record.context));
    connector.prewarm(record.correlationId, record.log);
    // A call that ends before its media socket claimed the session (failed answer, caller gave up) frees it at once.
    record.addDisposer(() => connector.release(record.correlationId, record.endReason === "answer_failed" ? "answer_failed" : "call_ended"));
  };
  const pacer = createPacer({
    clock,
    leadMs: config.call.media.outboundLeadMs,
    tickMs: config.call.media.outboundTickMs,
    onError: (error) => logger.error({ err: error }, "outbound audio pump failed"),
  });
  const operations = createConsole({ config, clock, logger, calls });
  const media = new MediaSessions({
    config,
    clock,
    pacer,
    metrics,
    profileFor: (context) => profiles.forNumber(dialedNumber(context)),
    calls,
    callControl,
    logger,
    onPrewarmMiss: deps.cluster ? (correlationId) => deps.cluster!.announceMediaClaim(correlationId) : undefined,
    observer: operations.observer,
  });
  deps.cluster?.onMediaClaimedElsewhere((correlationId) => profiles.forEachConnector((connector) => connector.release(correlationId, "other_worker")));
  deps.cluster?.serveMetrics(metrics.registry);

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

  await server.register(healthRoutes, {
    calls,
    metrics,
    metricsAccess: { token: config.server.metricsToken, openWithoutToken: config.server.local },
    metricsText: deps.cluster ? () => deps.cluster!.metricsText() : undefined,
  });
  await server.register(incomingCallRoute, { calls, metrics, eventGridSecrets: config.acs.eventGridSecrets });
  await server.register(callbacksRoute, { calls, metrics, verifier });
  // Media frames are ~1.3 KB; anything near this cap is not ACS.
  await server.register(fastifyWebsocket, { options: { maxPayload: 256 * 1024 } });
  await server.register(mediaRoute, {
    sessions: media,
    verifier,
    contextSecret: config.acs.mediaContextSecret,
    clock,
    metrics,
    callEnded: (correlationId) => calls.hasEnded(correlationId),
  });
  await server.register(operations.routes, { media });

  let shutdownPromise: Promise<void> | undefined;
  const shutdown = (graceMs: number): Promise<void> =>
    (shutdownPromise ??= drain({ graceMs, clock, logger, calls, media, close: async () => {
      profiles.forEachConnector((connector) => connector.close());
      operations.close();
      pacer.stop();
      await closeServer(server, clock, CLOSE_MS * 0.8);
      await emulator?.close();
    } }));

  return { server, calls, media, metrics, voiceLive: profiles.default.connector, tools: profiles.default.tools, profiles, emulator, console: operations, shutdown };
}

/** The number the caller dialed, as profiles know it. */
function dialedNumber(context: CallContext): string | undefined {
  return context.calleeNumber ?? context.calleeRawId;
}

/** After the grace period: the hang-ups get this long, then closing sockets and servers gets CLOSE_MS. */
const HANG_UP_MS = 800;
const CLOSE_MS = 400;

/**
 * Shutdown keeps its promise whatever the peers do: calls get `graceMs` to end,
 * those still up get a hang-up bounded by HANG_UP_MS, requests still in flight
 * are abandoned, and closing is bounded too — at most graceMs + 1.2 s in all.
 */
async function drain(deps: {
  graceMs: number;
  clock: Clock;
  logger: Logger;
  calls: CallService;
  media: MediaSessions;
  close: () => Promise<void>;
}): Promise<void> {
  const { clock, calls, media, logger } = deps;
  calls.startDraining();
  const deadline = clock.nowMs() + deps.graceMs;
  while (calls.registry.size > 0 && clock.nowMs() < deadline) {
    await new Promise((resolve) => clock.setTimeout(() => resolve(undefined), 100));
  }
  const remaining = [...calls.registry.all()];
  if (remaining.length > 0) logger.warn({ calls: remaining.length }, "grace period over: hanging up calls in progress");
  await Promise.all(remaining.map((record) => calls.hangUp(record, "shutdown", { timeoutMs: HANG_UP_MS })));
  calls.abandonRequests();
  await calls.settle();
  media.closeAll("shutdown");
  if ((await within(clock, CLOSE_MS, deps.close())) === "timeout") logger.warn({ timeoutMs: CLOSE_MS }, "closing took too long; leaving the rest to the process exit");
}

/** Fastify's close waits for every connection; one that never ends must not hold the process. */
async function closeServer(server: FastifyInstance, clock: Clock, timeoutMs: number): Promise<void> {
  if ((await within(clock, timeoutMs, server.close())) === "timeout") {
    server.log.warn({ timeoutMs }, "connections still open at shutdown; closing them");
    server.server.closeAllConnections();
  }
}

async function within(clock: Clock, timeoutMs: number, work: Promise<unknown>): Promise<"done" | "timeout"> {
  let timer: Timer | undefined;
  const timedOut = new Promise<"timeout">((resolve) => (timer = clock.setTimeout(() => resolve("timeout"), timeoutMs)));
  const outcome = await Promise.race([work.then(() => "done" as const), timedOut]);
  if (timer !== undefined) clock.clearTimeout(timer);
  return outcome;
}

/** The configured Voice Live, or the embedded emulator when no endpoint is set (local mode). */
async function resolveVoiceLive(
  config: Config,
  logger: Logger,
  credential: () => TokenCredential,
  clock: Clock,
): Promise<{ target: VoiceLiveTarget; emulator: VoiceLiveEmulator | undefined }> {
  const settings = config.voiceLive;
  if (settings.endpoint) {
    const auth = settings.apiKey !== undefined ? { kind: "apiKey" as const, apiKey: settings.apiKey } : entraAuth(credential);
    return { target: { endpoint: settings.endpoint, config: settings, auth }, emulator: undefined };
  }
  const scenario = settings.emulatorScenarioPath ? await loadScenario(settings.emulatorScenarioPath) : undefined;
  const emulator = await startVoiceLiveEmulator({ host: "127.0.0.1", port: 0, logger: logger.child({ component: "voicelive-emulator" }), scenario, clock });
  logger.info(
    { url: emulator.url, scenario: settings.emulatorScenarioPath ?? "built-in default" },
    "VOICELIVE_ENDPOINT is not set: started the embedded Voice Live emulator (local mode, no Azure)",
  );
  const auth = settings.mode.kind === "agent"
    ? { kind: "token" as const, getToken: async () => "local-emulator" }
    : { kind: "apiKey" as const, apiKey: "local-emulator" };
  return { target: { endpoint: new URL(emulator.url), config: settings, auth }, emulator };
}

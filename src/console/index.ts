/**
 * The operations console, assembled: who may use it, the live call monitor
 * (the media layer's call observer), recent calls from the conversation logs,
 * and the routes (page, API, live updates, softphone).
 */
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import type { CallService } from "../calls/call-service.js";
import type { Clock } from "../clock.js";
import type { Config } from "../config/index.js";
import type { CallObserver } from "../media/call-observer.js";
import type { MediaSessions } from "../media/media-sessions.js";
import { CallLogReader } from "./call-log-reader.js";
import { CallMonitor } from "./call-monitor.js";
import { ConsoleAccess } from "./console-access.js";
import { consoleRoutes } from "./console-routes.js";
import { createRedactor, secretValues } from "./redact.js";

export interface OperationsConsole {
  readonly access: ConsoleAccess;
  readonly monitor: CallMonitor;
  /** Undefined when the console is off: calls are not observed at all. */
  readonly observer: CallObserver | undefined;
  /** A Fastify plugin; needs the media sessions the softphone dials into. */
  routes(app: FastifyInstance, options: { media: MediaSessions }): Promise<void>;
  close(): void;
}

export function createConsole(deps: { config: Config; clock: Clock; logger: Logger; calls: CallService }): OperationsConsole {
  const { config, clock, calls } = deps;
  const access = new ConsoleAccess(
    { token: config.server.consoleToken, local: config.server.local, secure: config.server.publicBaseUrl.protocol === "https:" },
    clock,
  );
  const redact = createRedactor(secretValues(config));
  const monitor = new CallMonitor({ clock, registry: calls.registry, redact, logger: deps.logger.child({ component: "console" }) });
  const logs = new CallLogReader({ dir: config.call.callLogDir, redact });
  return {
    access,
    monitor,
    observer: access.mode === "off" ? undefined : monitor,
    routes: (app, options) => consoleRoutes(app, { access, monitor, logs, media: options.media, calls, clock }),
    close: () => monitor.close(),
  };
}

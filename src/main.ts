/** The process: load config, listen, shut down gracefully on SIGTERM/SIGINT. */
import { resolve } from "node:path";
import pino from "pino";
import { createBot } from "./app.js";
import { clusterLogFields, isClusterPrimary, runPrimary } from "./cluster.js";
import { clusterWorkerLink } from "./cluster-worker.js";
import { ConfigError, loadConfig, readEnvironment } from "./config/index.js";

/** drain() itself finishes by grace + 1.2 s; this is the last resort. */
const SHUTDOWN_OVERRUN_MS = 1600;

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(readEnvironment(resolve(process.cwd(), ".env"), process.env));
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\nSee README.md ("Settings") for every setting.\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = pino({ level: config.server.logLevel, base: { service: "acs-voicelive-bot", ...clusterLogFields() } });
  // WORKERS > 1: this process forks the workers and supervises them (src/cluster.ts).
  if (isClusterPrimary(config)) return runPrimary({ config, logger });
  const cluster = clusterWorkerLink();
  const bot = await createBot({ config, logger, defaultMetrics: true, cluster });
  await bot.server.listen({ host: config.server.host, port: config.server.port });
  logger.info({ publicBaseUrl: config.server.publicBaseUrl.origin }, "bot ready for calls");

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) {
      logger.warn({ signal }, "second signal: exiting now");
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal, graceMs: config.server.shutdownGraceMs }, "shutting down: draining calls");
    // The promise to the platform (e.g. Container Apps kills ~30 s after SIGTERM): out by grace + 2 s, whatever happens.
    setTimeout(() => {
      logger.error("shutdown overran its deadline; exiting now");
      process.exit(1);
    }, config.server.shutdownGraceMs + SHUTDOWN_OVERRUN_MS).unref();
    bot.shutdown(config.server.shutdownGraceMs).then(
      () => {
        logger.info("shut down cleanly");
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  if (cluster) {
    cluster.onShutdown(stop);
  } else {
    process.on("SIGTERM", () => stop("SIGTERM"));
    process.on("SIGINT", () => stop("SIGINT"));
  }
  process.on("unhandledRejection", (reason) => logger.error({ err: reason }, "unhandled rejection"));
}

main().catch((error: unknown) => {
  process.stderr.write(`fatal: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});

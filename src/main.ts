/** The process: load config, listen, shut down gracefully on SIGTERM/SIGINT. */
import { resolve } from "node:path";
import { createBot } from "./app.js";
import { describeConfig, formatConfigSummary } from "./config/describe.js";
import { ConfigError, loadConfig, readEnvironment, type Config } from "./config/index.js";
import { errorMessage } from "./errors.js";
import { createProcessLogger } from "./log-output.js";
import { clusterLogFields, isClusterPrimary, runPrimary } from "./cluster.js";
import { clusterWorkerLink } from "./cluster-worker.js";

/** drain() itself finishes by grace + 1.2 s; this is the last resort. */
const SHUTDOWN_OVERRUN_MS = 1600;

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(readEnvironment(resolve(process.cwd(), ".env"), process.env));
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\nSee .env.example (every setting, grouped and commented) and README.md ("Settings").\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = await createProcessLogger({
    level: config.server.logLevel,
    format: config.server.logFormat,
    base: { service: "acs-voicelive-bot", ...clusterLogFields() },
  });
  // WORKERS > 1: this process forks the workers and supervises them (src/cluster.ts).
  if (isClusterPrimary(config)) return runPrimary({ config, logger });
  const cluster = clusterWorkerLink();
  const bot = await createBot({ config, logger, defaultMetrics: true, cluster });
  try {
    await bot.server.listen({ host: config.server.host, port: config.server.port });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const where = `${config.server.host}:${config.server.port}`;
    if (code === "EADDRINUSE" || code === "EACCES" || code === "EADDRNOTAVAIL") {
      const why = {
        EADDRINUSE: "is already in use (another bot or program listens there)",
        EACCES: "needs privileges this user does not have",
        EADDRNOTAVAIL: "is not an address of this machine",
      }[code];
      process.stderr.write(`cannot listen on ${where}: it ${why}. Stop the other process, or set PORT (and HOST) to a free port, e.g. PORT=8081.\n`);
    } else {
      process.stderr.write(`cannot listen on ${where}: ${errorMessage(error)}\n`);
    }
    await bot.shutdown(0).catch(() => undefined);
    process.exit(1);
  }
  const summary = describeConfig(config);
  logger.info({ settings: summary }, `bot ready for calls: ${formatConfigSummary(summary)}`);

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

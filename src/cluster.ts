/**
 * WORKERS: the bot on every core of its container. One Node process uses one
 * core for its JavaScript; with WORKERS=N (or "auto": one per CPU the container
 * is given) the process becomes a small primary that forks N workers sharing
 * the port (node:cluster, round-robin), restarts a worker that dies, forwards
 * shutdown, and aggregates /metrics across workers. This is safe because any
 * process can serve any call: callbacks carry ids, and the media socket's URL
 * carries the signed call context. The cost: a media socket lands on the
 * worker that pre-warmed its Voice Live session only 1 time in N (the others
 * connect on the spot and tell the rest to release the unused session).
 */
import cluster, { type Worker } from "node:cluster";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import type { Logger } from "pino";
import { AggregatorRegistry } from "prom-client";
import type { Config } from "./config/index.js";

/** Worker crashes tolerated per minute before the primary gives up (the platform restarts the container). */
const MAX_RESTARTS_PER_MINUTE = 5;
const RESTART_DELAY_MS = 1000;
export const METRICS_TIMEOUT_MS = 3000;
/** Must match main.ts: the workers' own drain finishes by grace + this. */
const SHUTDOWN_OVERRUN_MS = 1600;

/** What the primary and its workers say to each other over IPC. */
export type ClusterMessage =
  | { readonly bot: "shutdown" }
  | { readonly bot: "metrics-request"; readonly id: number }
  | { readonly bot: "metrics-collect"; readonly id: number }
  | { readonly bot: "metrics-reply"; readonly id: number; readonly metrics: unknown }
  | { readonly bot: "metrics-aggregated"; readonly id: number; readonly text: string }
  | { readonly bot: "prewarm-claimed"; readonly correlationId: string };

/**
 * CPUs this process may use: its affinity mask, capped by a cgroup CPU quota
 * (a container limited to 2 vCPUs on a 16-core host gets 2 workers, not 16).
 */
export function availableCpus(readQuota: () => number | undefined = cgroupCpuQuota): number {
  const quota = readQuota();
  const affinity = availableParallelism();
  return Math.max(1, quota === undefined ? affinity : Math.min(affinity, Math.ceil(quota)));
}

/** cgroup v2 cpu.max ("200000 100000" = 2 CPUs; "max …" = none), else cgroup v1's cfs quota. */
export function cgroupCpuQuota(read: (path: string) => string = (path) => readFileSync(path, "utf8")): number | undefined {
  try {
    const [quota, period] = read("/sys/fs/cgroup/cpu.max").trim().split(/\s+/);
    if (quota === "max") return undefined;
    return Number(quota) / Number(period);
  } catch {
    try {
      const quota = Number(read("/sys/fs/cgroup/cpu/cpu.cfs_quota_us").trim());
      const period = Number(read("/sys/fs/cgroup/cpu/cpu.cfs_period_us").trim());
      return quota > 0 && period > 0 ? quota / period : undefined;
    } catch {
      return undefined;
    }
  }
}

export function workerCount(setting: number | "auto", cpus = availableCpus()): number {
  return setting === "auto" ? cpus : setting;
}

/** True in the process that should fork workers instead of serving calls itself. */
export function isClusterPrimary(config: Config): boolean {
  return cluster.isPrimary && workerCount(config.server.workers) > 1;
}

/**
 * The primary: forks the workers and supervises them until a signal, then
 * asks each to drain and exits when they have (bounded like a single process).
 */
export function runPrimary(options: { config: Config; logger: Logger; env?: NodeJS.ProcessEnv }): void {
  const { config, logger } = options;
  const count = workerCount(config.server.workers);
  const env: NodeJS.ProcessEnv = { ...(options.env ?? process.env) };
  if (config.acs.mediaContextSecretSource === "ephemeral") {
    // Every worker must verify the media URLs every other worker signs.
    env.MEDIA_CONTEXT_SECRET = randomBytes(32).toString("base64url");
    logger.warn("MEDIA_CONTEXT_SECRET is not set and there is no ACS access key to derive it from: this replica's workers share a key made at start-up, so run a single replica");
  }
  let stopping = false;
  const restarts: number[] = [];
  /** Metric collections in progress: who asked (and under which id), the replies so far. */
  const pending = new Map<number, { from: Worker; requestId: number; replies: unknown[]; expected: number; timer: ReturnType<typeof setTimeout> }>();
  let nextCollect = 1;

  const fork = (): void => {
    const worker = cluster.fork(env);
    worker.on("message", (message: ClusterMessage) => onMessage(worker, message));
  };
  const live = (): Worker[] => Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead());

  const finishCollect = (id: number): void => {
    const entry = pending.get(id);
    if (!entry) return;
    pending.delete(id);
    clearTimeout(entry.timer);
    AggregatorRegistry.aggregate(entry.replies as Parameters<typeof AggregatorRegistry.aggregate>[0])
      .metrics()
      .then(
        (text) => sendTo(entry.from, { bot: "metrics-aggregated", id: entry.requestId, text }),
        (error: unknown) => logger.warn({ err: error }, "aggregating worker metrics failed"),
      );
  };

  const onMessage = (worker: Worker, message: ClusterMessage): void => {
    switch (message?.bot) {
      case "metrics-request": {
        const id = nextCollect++;
        const workers = live();
        const timer = setTimeout(() => finishCollect(id), METRICS_TIMEOUT_MS);
        pending.set(id, { from: worker, requestId: message.id, replies: [], expected: workers.length, timer });
        for (const w of workers) sendTo(w, { bot: "metrics-collect", id });
        return;
      }
      case "metrics-reply": {
        const entry = pending.get(message.id);
        if (!entry) return;
        entry.replies.push(message.metrics);
        if (entry.replies.length >= entry.expected) finishCollect(message.id);
        return;
      }
      case "prewarm-claimed":
        // The media socket landed elsewhere: whoever pre-warmed this call releases the session now.
        for (const w of live()) if (w !== worker) sendTo(w, message);
        return;
      default:
        return;
    }
  };
  const sendTo = (worker: Worker, message: ClusterMessage): void => {
    if (!worker.isDead() && worker.isConnected()) worker.send(message);
  };

  cluster.on("exit", (worker, code, signal) => {
    if (stopping) return;
    if (code === 2) {
      logger.fatal({ workerPid: worker.process.pid }, "a worker refused the configuration; exiting");
      process.exit(2);
    }
    const now = Date.now();
    restarts.push(now);
    while (restarts.length > 0 && restarts[0]! < now - 60_000) restarts.shift();
    if (restarts.length > MAX_RESTARTS_PER_MINUTE) {
      logger.fatal({ restarts: restarts.length }, "workers keep dying; exiting so the platform restarts the container");
      for (const w of live()) w.process.kill("SIGKILL");
      process.exit(1);
    }
    logger.error({ workerPid: worker.process.pid, code, signal }, "worker died; starting another");
    setTimeout(() => {
      if (!stopping) fork();
    }, RESTART_DELAY_MS).unref();
  });

  const stop = (signal: string): void => {
    if (stopping) {
      logger.warn({ signal }, "second signal: stopping workers now");
      for (const w of live()) w.process.kill("SIGKILL");
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal, workers: live().length }, "shutting down: workers drain their calls");
    for (const w of live()) sendTo(w, { bot: "shutdown" });
    // Workers keep their own deadline; this one is for a worker that does not.
    setTimeout(() => {
      logger.error("workers overran the shutdown deadline; exiting now");
      for (const w of live()) w.process.kill("SIGKILL");
      process.exit(1);
    }, config.server.shutdownGraceMs + SHUTDOWN_OVERRUN_MS + 400).unref();
    let failed = false;
    cluster.on("exit", (_worker, code) => {
      if (code !== 0) failed = true;
      if (live().length === 0) {
        logger.info("all workers stopped");
        process.exit(failed ? 1 : 0);
      }
    });
    if (live().length === 0) process.exit(0);
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));

  logger.info({ workers: count, cpus: availableCpus() }, "starting workers");
  for (let i = 0; i < count; i++) fork();
}

/** Which process a log line came from, in a cluster (nothing otherwise). */
export function clusterLogFields(): Record<string, number> {
  if (cluster.isWorker) return { worker: cluster.worker!.id, pid: process.pid };
  return workerCountFromEnv() > 1 ? { pid: process.pid } : {};
}

function workerCountFromEnv(): number {
  const value = process.env.WORKERS?.trim().toLowerCase();
  if (!value) return 1;
  return value === "auto" ? availableCpus() : Number(value) || 1;
}

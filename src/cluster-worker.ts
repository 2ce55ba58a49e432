/**
 * A WORKERS worker's side of the cluster (see cluster.ts): /metrics answered
 * with every worker's figures through the primary, drain on the primary's
 * word, pre-warmed sessions released when another worker serves the media.
 */
import cluster from "node:cluster";
import type { Registry } from "prom-client";
import { METRICS_TIMEOUT_MS, type ClusterMessage } from "./cluster.js";

/** What a worker needs from the primary; undefined outside a cluster. */
export interface ClusterWorkerLink {
  /** /metrics of every worker, aggregated by the primary. */
  metricsText(): Promise<string>;
  /** Answers the primary's metric collections with this worker's registry. */
  serveMetrics(registry: Registry): void;
  /** Drains on the primary's word; signals to the process group are the primary's to handle. */
  onShutdown(stop: (reason: string) => void): void;
  /** This worker claimed no pre-warmed session for the call: the others release theirs. */
  announceMediaClaim(correlationId: string): void;
  /** Another worker serves this call's media. */
  onMediaClaimedElsewhere(release: (correlationId: string) => void): void;
}

export function clusterWorkerLink(): ClusterWorkerLink | undefined {
  if (!cluster.isWorker || !process.send) return undefined;
  const send = (message: ClusterMessage): void => {
    if (process.connected) process.send!(message);
  };
  const waiting = new Map<number, (text: string) => void>();
  let nextId = 1;
  let registry: Registry | undefined;
  let release: ((correlationId: string) => void) | undefined;
  let stop: ((reason: string) => void) | undefined;
  process.on("message", (message: ClusterMessage) => {
    switch (message?.bot) {
      case "metrics-collect":
        void registry?.getMetricsAsJSON().then((metrics) => send({ bot: "metrics-reply", id: message.id, metrics }));
        return;
      case "metrics-aggregated":
        waiting.get(message.id)?.(message.text);
        waiting.delete(message.id);
        return;
      case "prewarm-claimed":
        release?.(message.correlationId);
        return;
      case "shutdown":
        stop?.("primary");
        return;
      default:
        return;
    }
  });
  return {
    metricsText() {
      const id = nextId++;
      return new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(id);
          reject(new Error("the primary did not aggregate metrics in time"));
        }, METRICS_TIMEOUT_MS + 1000);
        waiting.set(id, (text) => {
          clearTimeout(timer);
          resolve(text);
        });
        send({ bot: "metrics-request", id });
      });
    },
    serveMetrics(value) {
      registry = value;
    },
    onShutdown(handler) {
      stop = handler;
      // Ctrl-C reaches the whole process group; the primary forwards it once.
      process.on("SIGINT", () => undefined);
      process.on("SIGTERM", () => undefined);
      // The primary is gone: nobody will ask us to drain, so drain now.
      process.on("disconnect", () => handler("primary_gone"));
    },
    announceMediaClaim(correlationId) {
      send({ bot: "prewarm-claimed", correlationId });
    },
    onMediaClaimedElsewhere(handler) {
      release = handler;
    },
  };
}

/**
 * Liveness, readiness (503 while draining) and Prometheus metrics. Metrics are
 * open on a local run; on a public deployment only with METRICS_TOKEN (the
 * public origin serves ACS, not the world).
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyInstance } from "fastify";
import type { CallService } from "./calls/call-service.js";
import type { Metrics } from "./metrics.js";

export interface HealthRoutesDeps {
  readonly calls: CallService;
  readonly metrics: Metrics;
  readonly metricsAccess: { readonly token: string | undefined; readonly openWithoutToken: boolean };
  /** The exposition text to serve instead of this process's registry (WORKERS: every worker's, aggregated). */
  readonly metricsText?: () => Promise<string>;
}

export async function healthRoutes(app: FastifyInstance, deps: HealthRoutesDeps): Promise<void> {
  app.get("/healthz", async () => ({ status: "ok" }));
  app.get("/readyz", async (_request, reply) =>
    deps.calls.draining
      ? reply.code(503).send({ status: "draining", activeCalls: deps.calls.registry.size })
      : reply.send({ status: "ready", activeCalls: deps.calls.registry.size }),
  );
  const { token, openWithoutToken } = deps.metricsAccess;
  const expected = token === undefined ? undefined : digest(`Bearer ${token}`);
  if (token === undefined && !openWithoutToken) {
    app.log.info("GET /metrics is off: set METRICS_TOKEN to scrape metrics from a public deployment");
    return;
  }
  app.get("/metrics", async (request, reply) => {
    if (expected && !timingSafeEqual(digest(request.headers.authorization ?? ""), expected)) {
      return reply.code(401).send({ error: { code: "metrics_token_invalid", message: "GET /metrics needs Authorization: Bearer <METRICS_TOKEN>" } });
    }
    const text = deps.metricsText ? await deps.metricsText() : await deps.metrics.registry.metrics();
    return reply.header("content-type", deps.metrics.registry.contentType).send(text);
  });
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}

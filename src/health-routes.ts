/** Liveness, readiness (503 while draining) and Prometheus metrics. */
import type { FastifyInstance } from "fastify";
import type { CallService } from "./calls/call-service.js";
import type { Metrics } from "./metrics.js";

export async function healthRoutes(app: FastifyInstance, deps: { calls: CallService; metrics: Metrics }): Promise<void> {
  app.get("/healthz", async () => ({ status: "ok" }));
  app.get("/readyz", async (_request, reply) =>
    deps.calls.draining
      ? reply.code(503).send({ status: "draining", activeCalls: deps.calls.registry.size })
      : reply.send({ status: "ready", activeCalls: deps.calls.registry.size }),
  );
  app.get("/metrics", async (_request, reply) =>
    reply.header("content-type", deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics()),
  );
}

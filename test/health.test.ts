import { describe, expect, it } from "vitest";
import { incomingCallEvent, METRICS_TOKEN, postJson, startHarness } from "./support/bot-harness.js";

describe("health and graceful shutdown", () => {
  it("serves metrics on a public deployment only with the metrics token", async () => {
    const h = await startHarness();
    try {
      expect((await fetch(`${h.baseUrl}/metrics`)).status).toBe(401);
      expect((await fetch(`${h.baseUrl}/metrics`, { headers: { authorization: "Bearer nope" } })).status).toBe(401);
      const ok = await fetch(`${h.baseUrl}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toMatch(/bot_active_calls 0/);
    } finally {
      await h.close();
    }
    const closed = await startHarness({ METRICS_TOKEN: "" });
    try {
      expect((await fetch(`${closed.baseUrl}/metrics`)).status).toBe(404);
    } finally {
      await closed.close();
    }
  });

  it("is alive and ready, then drains: readyz 503, new calls refused, calls in progress hung up after the grace period", async () => {
    const h = await startHarness();
    try {
      expect(await (await fetch(`${h.baseUrl}/healthz`)).json()).toEqual({ status: "ok" });
      expect((await fetch(`${h.baseUrl}/readyz`)).status).toBe(200);
      await postJson(`${h.baseUrl}/api/incoming-call`, [incomingCallEvent()]);
      await h.bot.calls.settle();
      const [record] = [...h.bot.calls.registry.all()];

      const shutdown = h.bot.shutdown(300);
      const ready = await fetch(`${h.baseUrl}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ status: "draining", activeCalls: 1 });
      // Event Grid retries a 503 elsewhere; this replica answers nothing new.
      expect((await postJson(`${h.baseUrl}/api/incoming-call`, [incomingCallEvent()])).status).toBe(503);
      await shutdown;
      const hangUps = h.acs.requests.filter((r) => r.path === `/calling/callConnections/${record!.callConnectionId}:terminate`);
      expect(hangUps).toHaveLength(1);
      expect(h.acs.requests.filter((r) => r.path.endsWith(":answer"))).toHaveLength(1);
    } finally {
      await h.close();
    }
  });
});

import type { AddressInfo } from "node:net";
import pino from "pino";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import { createBot } from "../src/app.js";
import { loadConfig } from "../src/config/index.js";
import { eventually } from "./support/call-harness.js";
import { incomingCallEvent, METRICS_TOKEN, postJson, PUBLIC_BASE_URL, startHarness, TEST_RESOURCE_ID } from "./support/bot-harness.js";

describe("pre-warm and replicas", () => {
  it("closes a pre-warmed Voice Live session that no media socket claims", async () => {
    const h = await startHarness({ PREWARM_TIMEOUT_MS: "1000" });
    try {
      await postJson(`${h.baseUrl}/api/incoming-call`, [incomingCallEvent()]);
      await h.bot.calls.settle();
      const emulator = h.bot.emulator!;
      await eventually("the pre-warmed session", () => emulator.connections().length === 1, 3000);
      expect(emulator.connections()[0]!.closedAt).toBeNull();
      await eventually("the unclaimed session to close", () => emulator.connections()[0]!.closedAt !== null, 3000);
    } finally {
      await h.close();
    }
  });

  it("serves the media socket on a replica that never saw the IncomingCall, from the signed URL alone", async () => {
    const a = await startHarness();
    // Replica B: same settings (so the same derived media key), its own process state.
    const config = loadConfig({
      PUBLIC_BASE_URL,
      ACS_CONNECTION_STRING: a.acs.connectionString,
      ACS_RESOURCE_ID: TEST_RESOURCE_ID,
      ACS_JWKS_URL: a.issuer.jwksUrl,
      METRICS_TOKEN,
      GREETING_TEXT: "Hello {callerName}, you reached replica B.",
    });
    const b = await createBot({ config, logger: pino({ level: "silent" }) });
    await b.server.listen({ host: "127.0.0.1", port: 0 });
    const bUrl = `http://127.0.0.1:${(b.server.server.address() as AddressInfo).port}`;
    try {
      const event = incomingCallEvent();
      await postJson(`${a.baseUrl}/api/incoming-call`, [event]);
      const [answer] = await a.acs.waitFor((r) => r.path.endsWith(":answer"));
      await a.bot.calls.settle();
      const transport = new URL((answer!.body as any).mediaStreamingOptions.transportUrl);
      const ws = new WebSocket(`${bUrl.replace("http", "ws")}/media${transport.search}`, {
        headers: {
          authorization: `Bearer ${await a.issuer.mint({ expiresInS: 86_400 })}`,
          "x-ms-call-connection-id": answer!.callConnectionId!,
          "x-ms-call-correlation-id": event.data.correlationId,
        },
      });
      const frames: string[] = [];
      ws.on("message", (data) => frames.push(data.toString()));
      await new Promise((resolve, reject) => {
        ws.once("open", resolve);
        ws.once("error", reject);
      });
      ws.send(JSON.stringify({ kind: "AudioMetadata", audioMetadata: { encoding: "PCM", sampleRate: 24000, channels: 1, length: 960 } }));
      await eventually("greeting audio from replica B", () => frames.length > 5, 5000);
      expect(b.calls.registry.size).toBe(0);
      expect(b.media.size).toBe(1);
      // B connected its own Voice Live session and greeted with the caller's name from the signed context.
      const create = await b.emulator!.events.waitFor((e) => e.type === "response.create", 3000);
      expect((create.event as any).response.pre_generated_assistant_message.content[0].text).toBe("Hello Jane Caller, you reached replica B.");
      ws.close();
      await eventually("B to let go of the call", () => b.media.size === 0, 3000);
    } finally {
      await b.shutdown(0);
      await a.close();
    }
  });
});

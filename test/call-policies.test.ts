/**
 * Rules a phone line needs beyond Voice Live: a recorded greeting that plays
 * before Voice Live is even ready, a Voice Live that goes quiet, a call whose
 * media never connects, and start-up refusing a profile that cannot work.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createBot } from "../src/app.js";
import { ConfigError, loadConfig } from "../src/config/index.js";
import { incomingCallEvent, postJson, startHarness, type Harness } from "./support/bot-harness.js";
import { eventually, startCallHarness, type CallHarness } from "./support/call-harness.js";
import { startVoiceLiveProxy, type VoiceLiveProxy } from "./support/voicelive-proxy.js";

const GREETING = "Welcome to Contoso! Thanks for calling. How can we help you today?";

let h: CallHarness | undefined;
let bh: Harness | undefined;
let proxy: VoiceLiveProxy | undefined;
afterEach(async () => {
  await h?.close();
  await bh?.close();
  await proxy?.close();
  h = undefined;
  bh = undefined;
  proxy = undefined;
});

describe("a recorded greeting (GREETING_AUDIO)", () => {
  it("plays at once, before a slow Voice Live is even configured, and its words reach the conversation afterwards", async () => {
    h = await startCallHarness({
      env: { GREETING_AUDIO: "fixtures/greetings/contoso-welcome.wav", GREETING_TEXT: GREETING },
      voiceLiveVia: async (url) => (proxy = await startVoiceLiveProxy(url, { acceptDelayMs: 1500 })).url,
    });
    const call = await h.call();
    const media = await call.mediaConnected;
    const greeting = await media.waitForBotAudio({ timeoutMs: 10_000 });
    const heardAtWall = media.connectedAt()!.getTime() + greeting.startMs;
    const update = await h.emulator.events.waitFor((e) => e.type === "session.update", 10_000);
    // Heard before Voice Live had its session.update: no round trip was needed.
    expect(heardAtWall).toBeLessThan(Date.parse(update.receivedAt));
    const item = await h.emulator.events.waitFor((e) => e.type === "conversation.item.create", 10_000);
    expect((item.event as any).item).toEqual({ type: "message", role: "assistant", content: [{ type: "text", text: GREETING }] });
    // The whole recording (5.2 s) plays, uncut.
    await media.waitForBotQuiet({ quietMs: 300, timeoutMs: 30_000 });
    expect(media.heardRuns()[0]!.endMs - media.heardRuns()[0]!.startMs).toBeGreaterThan(5000);
  });
});

describe("a Voice Live session that goes quiet while it owes a response", () => {
  it("is treated as dropped: the call reconnects and goes on", async () => {
    // After the greeting's response.created, this session's events stop reaching the bot.
    let swallowing = false;
    h = await startCallHarness({
      env: { VOICELIVE_STALL_MS: "1500", RECONNECT_TEXT: "Sorry about that, I'm back." },
      voiceLiveVia: async (url) =>
        (proxy = await startVoiceLiveProxy(url, {
          rewrite: (text, connection) => {
            if (connection.index !== 0) return text;
            if (swallowing) return undefined;
            if (JSON.parse(text).type === "response.created") swallowing = true;
            return text;
          },
        })).url,
    });
    const call = await h.call();
    const media = await call.mediaConnected;
    await proxy!.waitForConnection(1, 15_000);
    await h.emulator.events.waitFor((e) => e.connectionId === "c2" && JSON.stringify(e.event).includes("Sorry about that"), 10_000);
    await media.waitForBotAudio({ timeoutMs: 10_000 });
    expect(call.state).toBe("connected");
    expect(await h.bot.metrics.registry.getSingleMetricAsString("bot_call_policies_total")).toMatch(/reason="voicelive_stalled",profile="default"\} 1/);
  });
});

describe("an answered call whose media never connects", () => {
  it("is hung up after MEDIA_CONNECT_TIMEOUT_MS instead of leaving the caller in silence", async () => {
    bh = await startHarness({ MEDIA_CONNECT_TIMEOUT_MS: "800" });
    const event = incomingCallEvent();
    await postJson(`${bh.baseUrl}/api/incoming-call`, [event]);
    const [hangUp] = await bh.acs.waitFor((r) => r.path.endsWith(":terminate"), 1, 10_000);
    expect(hangUp).toBeDefined();
    await eventually("the call released", () => bh!.bot.calls.registry.size === 0, 5000);
    expect(await bh.bot.metrics.registry.getSingleMetricAsString("bot_call_policies_total")).toMatch(/reason="media_not_connected",profile="default"\} 1/);
  });
});

describe("start-up with profiles that cannot work", () => {
  async function startUp(env: Record<string, string>): Promise<readonly string[]> {
    const config = loadConfig({ PUBLIC_BASE_URL: "http://127.0.0.1:8080", ACS_CONNECTION_STRING: "endpoint=http://127.0.0.1:9/;accesskey=c2VjcmV0", VOICELIVE_ENDPOINT: "http://127.0.0.1:9", VOICELIVE_API_KEY: "k", ...env });
    try {
      const bot = await createBot({ config, logger: pino({ level: "silent" }) });
      await bot.shutdown(0);
      return [];
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
  }

  it("names every profile's unknown tool and unusable recorded greeting at once", async () => {
    const dir = mkdtempSync(join(tmpdir(), "profiles-"));
    writeFileSync(join(dir, "not-a-wav.wav"), "hello");
    writeFileSync(
      join(dir, "profiles.json"),
      JSON.stringify({
        profiles: {
          sales: { numbers: ["+14255550101"], tools: ["end_call", "book_demo"] },
          support: { numbers: ["+14255550102"], greeting: { audio: join(dir, "not-a-wav.wav") } },
          nightly: { numbers: ["+14255550103"], tools: ["transfer_to_agent"] },
        },
      }),
    );
    const problems = (await startUp({ PROFILES_FILE: join(dir, "profiles.json") })).join("\n");
    expect(problems).toMatch(/profile "sales": tool "book_demo" is not available/);
    expect(problems).toMatch(/profile "support": GREETING_AUDIO .*not a usable WAV file/);
    expect(problems).toMatch(/profile "nightly": tool "transfer_to_agent" is not available .*transfer target/);
  });

  it("starts with the example profiles when their tools exist", async () => {
    expect(await startUp({ PROFILES_FILE: "fixtures/profiles/profiles.example.json", TOOLS_FILE: "fixtures/tools/tools.example.json", ORDERS_API_URL: "http://127.0.0.1:9", ORDERS_API_KEY: "k" })).toEqual([]);
  });
});

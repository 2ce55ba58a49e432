/**
 * A whole call over real sockets: the bot (src/app.ts) on 127.0.0.1:0, the Voice
 * Live emulator with a scenario, and the simulated ACS (Event Grid, REST for the
 * real SDK, callbacks, media socket) reaching the bot through a "tunnel" from the
 * public https origin, as a dev tunnel or load balancer would.
 */
import type { AddressInfo } from "node:net";
import pino from "pino";
import { startAcsSimulator, tunnelTo, type AcsSimulator, type PlaceCallOptions, type SimulatedCall } from "../../src/acs-sim/index.js";
import { createBot, type Bot, type BotDeps } from "../../src/app.js";
import { loadConfig } from "../../src/config/index.js";
import { createCallTimeClocks } from "../../src/replay/call-time.js";
import { parseScenario, startVoiceLiveEmulator, type VoiceLiveEmulator, type VoiceLiveEmulatorOptions } from "../../src/emulator/index.js";

export const PUBLIC_BASE_URL = "https://bot.example.test";

export interface CallHarness {
  readonly bot: Bot;
  readonly emulator: VoiceLiveEmulator;
  readonly sim: AcsSimulator;
  readonly botUrl: string;
  call(options?: Partial<PlaceCallOptions>): Promise<SimulatedCall>;
  close(): Promise<void>;
}

export interface CallHarnessOptions {
  readonly env?: Record<string, string>;
  /** Scenario JSON (parsed with the emulator's own parser). */
  readonly scenario?: unknown;
  readonly emulator?: Partial<VoiceLiveEmulatorOptions>;
  readonly bot?: Partial<Omit<BotDeps, "config" | "logger">>;
  /** Where every peer logs (default: silent, or TEST_LOG_LEVEL). */
  readonly logger?: pino.Logger;
  /** Puts something between the bot and the emulator: maps the emulator's URL to the one the bot uses. */
  readonly voiceLiveVia?: (emulatorUrl: string) => Promise<string>;
}

export async function startCallHarness(options: CallHarnessOptions = {}): Promise<CallHarness> {
  const logger = options.logger ?? pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });
  // Every peer on call time: a span the busy host starves this process is not part of the call.
  const clocks = createCallTimeClocks(1);
  const clock = clocks.unscaled;
  const emulator = await startVoiceLiveEmulator({
    port: 0,
    clock,
    logger: logger.child({ peer: "emulator" }),
    ...(options.scenario !== undefined ? { scenario: parseScenario(options.scenario) } : {}),
    ...options.emulator,
  });
  let botUrl = "";
  const sim = await startAcsSimulator({ clock, tunnel: (url) => tunnelTo(botUrl)(url) });
  const config = loadConfig({
    PUBLIC_BASE_URL,
    ACS_CONNECTION_STRING: sim.connectionString,
    ACS_RESOURCE_ID: sim.resourceId,
    ACS_JWKS_URL: sim.jwksUrl,
    VOICELIVE_ENDPOINT: options.voiceLiveVia ? await options.voiceLiveVia(emulator.url) : emulator.url,
    VOICELIVE_API_KEY: "test-key",
    // Short, so tests spend their time on what they test.
    GREETING_TEXT: "Contoso, hello.",
    ...options.env,
  });
  const bot = await createBot({ config, logger: logger.child({ peer: "bot" }), clock, ...options.bot });
  await bot.server.listen({ host: "127.0.0.1", port: 0 });
  botUrl = `http://127.0.0.1:${(bot.server.server.address() as AddressInfo).port}`;
  return {
    bot,
    emulator,
    sim,
    botUrl,
    call: (overrides = {}) =>
      sim.placeCall({ webhookUrl: `${PUBLIC_BASE_URL}/api/incoming-call`, from: "+12065551212", to: "+14255551212", ...overrides }),
    async close() {
      await sim.close();
      await bot.shutdown(0);
      await emulator.close();
      clocks.stop();
    },
  };
}

/** Resolves when `predicate` holds, polling; fails with `what` after `timeoutMs`. */
export async function eventually<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

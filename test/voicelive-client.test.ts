import pino from "pino";
import { WebSocketServer } from "ws";
import { afterEach, describe, expect, it } from "vitest";
import type { TokenCredential } from "@azure/identity";
import { createBot, type Bot } from "../src/app.js";
import { loadConfig } from "../src/config/index.js";
import { startVoiceLiveEmulator, type VoiceLiveEmulator } from "../src/emulator/index.js";
import { buildRealtimeUrl, entraAuth } from "../src/voicelive/endpoint.js";
import { buildSessionSettings } from "../src/voicelive/session-config.js";
import { interimResponseConfig } from "../src/tools/interim.js";
import { VoiceLiveSession } from "../src/voicelive/session.js";
import { createServerEventParser } from "../src/voicelive/server-events.js";
import { createSystemClock } from "../src/clock.js";
import { createMetrics } from "../src/metrics.js";
import { openVoiceLiveConnection } from "../src/voicelive/connection.js";

const base = {
  PUBLIC_BASE_URL: "http://127.0.0.1:8080",
  ACS_CONNECTION_STRING: "endpoint=http://127.0.0.1:9/;accesskey=c2VjcmV0",
};
const silent = pino({ level: "silent" });
const sessionDeps = () => ({ clock: createSystemClock(), metrics: createMetrics({ defaultMetrics: false }), parse: createServerEventParser() });

let emulator: VoiceLiveEmulator | undefined;
let bot: Bot | undefined;
afterEach(async () => {
  await bot?.shutdown(0);
  await emulator?.close();
  bot = undefined;
  emulator = undefined;
});

describe("Voice Live endpoint and auth", () => {
  it("builds the model-mode URL with the GA API version and a cascaded default model", () => {
    const config = loadConfig({ ...base, VOICELIVE_ENDPOINT: "https://contoso.services.ai.azure.com", VOICELIVE_API_KEY: "k" });
    const url = new URL(buildRealtimeUrl({ endpoint: config.voiceLive.endpoint!, config: config.voiceLive, auth: { kind: "apiKey", apiKey: "k" } }));
    expect(`${url.origin}${url.pathname}`).toBe("wss://contoso.services.ai.azure.com/voice-live/realtime");
    expect(Object.fromEntries(url.searchParams)).toEqual({ "api-version": "2026-07-15", model: "gpt-4.1" });
  });

  it("builds the agent-mode URL from the seed's settings", () => {
    const config = loadConfig({
      ...base,
      VOICELIVE_ENDPOINT: "https://contoso.services.ai.azure.com/",
      AGENT_NAME: "support-agent",
      AGENT_PROJECT_NAME: "contoso-project",
      AGENT_VERSION: "3",
      FOUNDRY_RESOURCE_OVERRIDE: "other-foundry",
      AGENT_AUTHENTICATION_IDENTITY_CLIENT_ID: "11111111-2222-3333-4444-555555555555",
    });
    const url = new URL(buildRealtimeUrl({ endpoint: config.voiceLive.endpoint!, config: config.voiceLive, auth: { kind: "apiKey", apiKey: "x" } }, { conversationId: "conv-1" }));
    expect(Object.fromEntries(url.searchParams)).toEqual({
      "api-version": "2026-07-15",
      "agent-name": "support-agent",
      "agent-project-name": "contoso-project",
      "agent-version": "3",
      "foundry-resource-override": "other-foundry",
      "agent-authentication-identity-client-id": "11111111-2222-3333-4444-555555555555",
      "conversation-id": "conv-1",
    });
    // The agent carries its own instructions: none are sent.
    expect(buildSessionSettings(config.voiceLive).instructions).toBeUndefined();
  });

  it("refuses agent mode with an API key, or with instructions, and plain ws to a remote host", () => {
    expect(() => loadConfig({ ...base, AGENT_NAME: "a", AGENT_PROJECT_NAME: "p", VOICELIVE_API_KEY: "k" })).toThrow(/Entra ID tokens only/);
    expect(() => loadConfig({ ...base, AGENT_NAME: "a", AGENT_PROJECT_NAME: "p", VOICELIVE_INSTRUCTIONS: "be nice" })).toThrow(/VOICELIVE_INSTRUCTIONS cannot be used/);
    expect(() => loadConfig({ ...base, AGENT_NAME: "a" })).toThrow(/AGENT_PROJECT_NAME is required/);
    expect(() => loadConfig({ ...base, VOICELIVE_ENDPOINT: "ws://voicelive.example.com" })).toThrow(/loopback/);
  });

  it("connects in agent mode with a fresh Entra token for https://ai.azure.com/.default", async () => {
    const scopes: string[] = [];
    let issued = 0;
    const credential: TokenCredential = {
      async getToken(scope) {
        scopes.push(String(scope));
        issued += 1;
        return { token: `entra-token-${issued}`, expiresOnTimestamp: Date.now() + 3600_000 };
      },
    };
    const seen: string[] = [];
    emulator = await startVoiceLiveEmulator({ port: 0, acceptBearer: (token) => (seen.push(token), token.startsWith("entra-token-")) });
    const config = loadConfig({ ...base, VOICELIVE_ENDPOINT: emulator.url, AGENT_NAME: "support-agent", AGENT_PROJECT_NAME: "proj", AGENT_VERSION: "2" });
    const target = { endpoint: config.voiceLive.endpoint!, config: config.voiceLive, auth: entraAuth(() => credential) };
    for (let i = 0; i < 2; i += 1) {
      const session = await VoiceLiveSession.open({ target, settings: buildSessionSettings(config.voiceLive), logger: silent, ...sessionDeps() });
      await session.whenReady(5000);
      session.close("test");
    }
    expect(scopes).toEqual(["https://ai.azure.com/.default", "https://ai.azure.com/.default"]);
    expect(seen).toEqual(["entra-token-1", "entra-token-2"]);
    expect(emulator.connections()[0]!.mode).toMatchObject({ kind: "agent", agentName: "support-agent", projectName: "proj", agentVersion: "2" });
    expect(emulator.connections()[0]!.auth).toBe("bearer");
  });

  it("does not offer permessage-deflate, so a peer that would accept it cannot make every frame a deflate", async () => {
    const server = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: true });
    await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    const offered = new Promise<{ header: string | undefined; negotiated: string }>((resolve) =>
      server.once("connection", (socket, request) => resolve({ header: request.headers["sec-websocket-extensions"], negotiated: socket.extensions })),
    );
    try {
      const url = `ws://127.0.0.1:${(server.address() as { port: number }).port}/voice-live/realtime`;
      const connection = await openVoiceLiveConnection(
        url,
        { "api-key": "k" },
        { onEvent: () => undefined, onRejected: () => undefined, onHandlerError: () => undefined, onClose: () => undefined },
        { logger: silent, connectTimeoutMs: 5000, parse: createServerEventParser() },
      );
      expect(await offered).toEqual({ header: undefined, negotiated: "" });
      connection.close("test");
    } finally {
      for (const client of server.clients) client.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("sends one response.create at a time: a second request waits for response.done", async () => {
    emulator = await startVoiceLiveEmulator({ port: 0 });
    const config = loadConfig({ ...base, VOICELIVE_ENDPOINT: emulator.url, VOICELIVE_API_KEY: "k" });
    const session = await VoiceLiveSession.open({
      target: { endpoint: config.voiceLive.endpoint!, config: config.voiceLive, auth: { kind: "apiKey", apiKey: "k" } },
      settings: buildSessionSettings(config.voiceLive),
      logger: silent,
      ...sessionDeps(),
    });
    session.attach({ onEvent: () => undefined, onDropped: () => undefined, onFault: (error) => { throw error; } });
    await session.whenReady(5000);
    const say = (text: string) => ({ pre_generated_assistant_message: { type: "message" as const, role: "assistant" as const, content: [{ type: "text" as const, text }] as [{ type: "text"; text: string }] } });
    const [first, second] = await Promise.all([session.requestResponse(say("First.")), session.requestResponse(say("Second."))]);
    expect(first.status).toBe("completed");
    expect(second.status).toBe("completed");
    expect(first.responseId).not.toBe(second.responseId);
    const errors = emulator.connections()[0]!.counters;
    expect(errors.errorsSent).toBe(0);
    session.close("test");
  });

  it("starts the embedded emulator when VOICELIVE_ENDPOINT is unset, and says so", async () => {
    const lines: string[] = [];
    const logger = pino({ level: "info" }, { write: (line: string) => void lines.push(line) });
    bot = await createBot({ config: loadConfig(base), logger });
    expect(bot.emulator).toBeDefined();
    expect(bot.voiceLive.target.endpoint.href).toBe(`${bot.emulator!.url}/`);
    expect(lines.join("")).toMatch(/started the embedded Voice Live emulator/);
  });
});

describe("interim responses", () => {
  it("are left out, with a warning that explains, for a realtime audio model", () => {
    const lines: string[] = [];
    const logger = pino({ level: "warn" }, { write: (line: string) => void lines.push(line) });
    const config = loadConfig({ ...base, VOICELIVE_MODEL: "gpt-realtime" });
    expect(interimResponseConfig(config.tools, config.voiceLive, logger)).toBeUndefined();
    expect(lines.join("")).toMatch(/not supported with realtime audio models/);
  });

  it("can use the LLM-generated form", () => {
    const config = loadConfig({ ...base, INTERIM_MODE: "llm", INTERIM_TRIGGERS: "tool", INTERIM_LATENCY_MS: "800" });
    expect(interimResponseConfig(config.tools, config.voiceLive, silent)).toMatchObject({
      type: "llm_interim_response",
      triggers: ["tool"],
      latency_threshold_ms: 800,
      max_completion_tokens: 50,
    });
  });
});

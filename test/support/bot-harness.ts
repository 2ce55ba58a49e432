/**
 * Builds the real bot on 127.0.0.1:0 against local peers: the ACS REST stub (real
 * SDK over HTTP) and a token issuer with its own RSA key and JWKS.
 */
import type { AddressInfo } from "node:net";
import pino from "pino";
import { startAcsRestStub, type AcsRestStub } from "../../src/acs-sim/acs-rest-stub.js";
import { startTokenIssuer, type TokenIssuer } from "../../src/acs-sim/token-issuer.js";
import { createBot, type Bot, type BotDeps } from "../../src/app.js";
import { loadConfig } from "../../src/config/index.js";

export const TEST_RESOURCE_ID = "5f6c3a2e-8a41-4d5b-9c1e-2b7d0e4f1a93";
export const PUBLIC_BASE_URL = "https://bot.example.test";
export const METRICS_TOKEN = "test-metrics-token";

export async function scrapeMetrics(baseUrl: string): Promise<string> {
  return (await fetch(`${baseUrl}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
}

export interface Harness {
  readonly bot: Bot;
  readonly acs: AcsRestStub;
  readonly issuer: TokenIssuer;
  /** http://127.0.0.1:<port> of the running bot. */
  readonly baseUrl: string;
  close(): Promise<void>;
}

export async function startHarness(
  env: Record<string, string> = {},
  deps: Partial<Omit<BotDeps, "config">> = {},
): Promise<Harness> {
  const acs = await startAcsRestStub();
  const issuer = await startTokenIssuer({ audience: TEST_RESOURCE_ID });
  const config = loadConfig({
    PUBLIC_BASE_URL,
    ACS_CONNECTION_STRING: acs.connectionString,
    ACS_RESOURCE_ID: TEST_RESOURCE_ID,
    ACS_JWKS_URL: issuer.jwksUrl,
    METRICS_TOKEN: METRICS_TOKEN,
    ...env,
  });
  const logger = deps.logger ?? pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });
  const bot = await createBot({ config, ...deps, logger });
  await bot.server.listen({ host: "127.0.0.1", port: 0 });
  const address = bot.server.server.address() as AddressInfo;
  return {
    bot,
    acs,
    issuer,
    baseUrl: `http://127.0.0.1:${address.port}`,
    async close() {
      await bot.shutdown(0);
      await acs.close();
      await issuer.close();
    },
  };
}

export function incomingCallEvent(overrides: { correlationId?: string; serverCallId?: string; id?: string } = {}) {
  const correlationId = overrides.correlationId ?? crypto.randomUUID();
  return {
    id: overrides.id ?? crypto.randomUUID(),
    topic: "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Communication/communicationServices/acs",
    subject: "/caller/4:+12065551212/recipient/4:+14255551212",
    eventType: "Microsoft.Communication.IncomingCall",
    dataVersion: "1.0",
    metadataVersion: "1",
    eventTime: new Date().toISOString(),
    data: {
      to: { kind: "phoneNumber", rawId: "4:+14255551212", phoneNumber: { value: "+14255551212" } },
      from: { kind: "phoneNumber", rawId: "4:+12065551212", phoneNumber: { value: "+12065551212" } },
      serverCallId: overrides.serverCallId ?? `server-${correlationId}`,
      callerDisplayName: "Jane Caller",
      customContext: { sipHeaders: {}, voipHeaders: {} },
      incomingCallContext: `opaque-context-${correlationId}`,
      correlationId,
    },
  };
}

export function callbackEvent(type: string, data: Record<string, unknown>) {
  return {
    id: crypto.randomUUID(),
    source: `calling/callConnections/${String(data.callConnectionId ?? "")}`,
    type: `Microsoft.Communication.${type}`,
    specversion: "1.0",
    time: new Date().toISOString(),
    datacontenttype: "application/json",
    data,
  };
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

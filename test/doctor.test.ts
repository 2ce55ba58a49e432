import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { AccessToken, TokenCredential } from "@azure/identity";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAcsRestStub, startAcsSimulator, type AcsRestStub, type AcsSimulator } from "../src/acs-sim/index.js";
import { createBot, type Bot } from "../src/app.js";
import { loadConfig } from "../src/config/index.js";
import { RestError } from "@azure/core-rest-pipeline";
import { diagnoseAcsError } from "../src/doctor/acs-check.js";
import { networkFailure } from "../src/doctor/net-errors.js";
import { runDoctor } from "../src/doctor/run.js";
import type { StepResult } from "../src/doctor/steps.js";
import { startVoiceLiveEmulator, type VoiceLiveEmulator } from "../src/emulator/index.js";

const root = new URL("..", import.meta.url).pathname;
const SUPPORTED_VERSIONS = ["2025-10-01", "2026-01-01-preview", "2026-04-10", "2026-06-01-preview", "2026-07-15"];

/** An Entra credential handing out fixed tokens per audience (or failing like DefaultAzureCredential without a login). */
function credentialWith(tokens: { voiceLive?: string; acs?: string; fail?: boolean }): () => TokenCredential {
  return () => ({
    async getToken(scopes: string | string[]): Promise<AccessToken> {
      if (tokens.fail) throw Object.assign(new Error("DefaultAzureCredential failed to retrieve a token from the included credentials. Please run 'az login'."), { name: "CredentialUnavailableError" });
      const scope = Array.isArray(scopes) ? scopes[0]! : scopes;
      const token = scope.startsWith("https://ai.azure.com") ? tokens.voiceLive : tokens.acs;
      if (!token) throw new Error(`no token for ${scope}`);
      return { token, expiresOnTimestamp: Date.now() + 3_600_000 };
    },
  });
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let emulator: VoiceLiveEmulator;
const emulatorTokens = new Set(["vl-good-token"]);
let restStub: AcsRestStub;
let sim: AcsSimulator;
let bot: Bot;
let botUrl: string;
let silent: Server;
const held: Socket[] = [];
let env: Record<string, string>;

beforeAll(async () => {
  emulator = await startVoiceLiveEmulator({
    acceptApiKey: (key) => key === "vl-right-key",
    acceptBearer: (token) => emulatorTokens.has(token),
    acceptApiVersion: (version) => SUPPORTED_VERSIONS.includes(version),
  });
  restStub = await startAcsRestStub();
  sim = await startAcsSimulator({ restStub });
  const port = await closedPort();
  botUrl = `http://127.0.0.1:${port}`;
  env = {
    PUBLIC_BASE_URL: botUrl,
    PORT: String(port),
    ACS_CONNECTION_STRING: sim.connectionString,
    ACS_RESOURCE_ID: sim.resourceId,
    ACS_JWKS_URL: sim.jwksUrl,
    VOICELIVE_ENDPOINT: emulator.url,
    VOICELIVE_API_KEY: "vl-right-key",
    VOICELIVE_API_VERSION: "2026-07-15",
    EVENTGRID_SECRETS: "eg-secret-1",
  };
  bot = await createBot({ config: loadConfig(env), logger: pino({ level: "silent" }) });
  await bot.server.listen({ host: "127.0.0.1", port });
  // Accepts connections and never answers: every step must give up on its own deadline.
  silent = createServer((socket) => void held.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
});

afterAll(async () => {
  for (const socket of held) socket.destroy();
  silent.close();
  await bot.shutdown(0);
  await sim.close();
  await restStub.close();
  await emulator.close();
});

const doctor = (overrides: Record<string, string | undefined>, options: { credential?: () => TokenCredential; timeoutMs?: number; only?: Array<"voicelive" | "acs" | "public-url"> } = {}): Promise<StepResult[]> => {
  const merged: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...env, ...overrides })) if (value !== undefined) merged[key] = value;
  return runDoctor({ env: merged, credential: options.credential ?? credentialWith({}), timeoutMs: options.timeoutMs ?? 5000, ...(options.only ? { only: options.only } : {}) });
};
const stepOf = (steps: StepResult[], area: string, step: string): StepResult => {
  const found = steps.find((s) => s.area === area && s.step.startsWith(step));
  expect(found, `${area} / ${step} in ${JSON.stringify(steps, null, 1)}`).toBeDefined();
  return found!;
};

describe("npm run doctor against working peers", () => {
  it("passes every step, with a pregenerated response whose audio came back and one harmless ACS request", async () => {
    const before = restStub.requests.length;
    const steps = await doctor({});
    expect(steps.filter((s) => s.status === "fail")).toEqual([]);
    expect(stepOf(steps, "Voice Live", "handshake").status).toBe("ok");
    expect(stepOf(steps, "Voice Live", "session.update").detail).toMatch(/the bot's settings accepted .*voice en-US-Ava:DragonHDLatestNeural, 1 tool\(s\), interim static_interim_response/);
    expect(stepOf(steps, "Voice Live", "pregenerated response").detail).toMatch(/came back as \d+\.\d s of audio/);
    expect(stepOf(steps, "ACS", "harmless call").detail).toMatch(/accepted the credentials \(404 for the made-up call, as expected\)/);
    expect(stepOf(steps, "ACS", "signing keys").status).toBe("ok");
    // Loopback reaches the bot, but ACS could not: a warning, not a pass.
    expect(stepOf(steps, "Public URL", "GET /healthz")).toMatchObject({ status: "warn", cause: "public_url_loopback" });
    expect(stepOf(steps, "Public URL", "Event Grid handshake").status).toBe("ok");
    // Harmless: one read of a call that does not exist, nothing else.
    expect(restStub.requests.slice(before).map((r) => r.method)).toEqual(["GET"]);
    // The session it configured was the bot's own, and it asked for exactly one response.
    const connection = emulator.connections().at(-1)!;
    expect(connection.session).toMatchObject({ voice: { name: "en-US-Ava:DragonHDLatestNeural" }, turn_detection: { type: "azure_semantic_vad" } });
    const sent = emulator.events.list({ connectionId: connection.id }).map((e) => e.type);
    expect(sent).toEqual(["session.update", "response.create"]);
    // …and the doctor let go of it (the emulator sees the close a moment later).
    const deadline = Date.now() + 10_000;
    while (emulator.connection(connection.id)?.closedAt === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(emulator.connection(connection.id)?.closedAt).not.toBeNull();
  });

  it("works with an Entra token for Voice Live, and names whose token it was", async () => {
    // A token shaped like Entra's: the doctor reads (never verifies) its claims to name the identity in a fix.
    const claims = Buffer.from(JSON.stringify({ oid: "11111111-2222-3333-4444-555555555555", tid: "contoso-tenant" })).toString("base64url");
    const token = `eyJhbGciOiJub25lIn0.${claims}.sig`;
    emulatorTokens.add(token);
    const steps = await doctor({ VOICELIVE_API_KEY: undefined }, { credential: credentialWith({ voiceLive: token }), only: ["voicelive"] });
    expect(steps.filter((s) => s.status === "fail")).toEqual([]);
    expect(stepOf(steps, "Voice Live", "handshake").detail).toMatch(/accepted \(Entra token \(object id 11111111-2222-3333-4444-555555555555, tenant contoso-tenant\)\)/);
  });
});

describe("npm run doctor names the cause and the fix", () => {
  it("wrong Voice Live host: a server that is not Voice Live (404)", async () => {
    const step = stepOf(await doctor({ VOICELIVE_ENDPOINT: botUrl }, { only: ["voicelive"] }), "Voice Live", "handshake");
    expect(step).toMatchObject({ status: "fail", cause: "voicelive_not_voice_live" });
    expect(step.fix).toMatch(/wrong endpoint host/);
  });

  it("wrong Voice Live host: nothing listens", async () => {
    const step = stepOf(await doctor({ VOICELIVE_ENDPOINT: `ws://127.0.0.1:${await closedPort()}` }, { only: ["voicelive"] }), "Voice Live", "handshake");
    expect(step).toMatchObject({ status: "fail", cause: "voicelive_unreachable" });
    expect(step.detail).toMatch(/connection refused/);
    expect(step.fix).toMatch(/wrong endpoint host\? for a local emulator: npm run emulator/);
  });

  it("a host name that does not resolve is told apart from the rest", () => {
    const error = Object.assign(new Error("getaddrinfo ENOTFOUND contoso-typo.services.ai.azure.com"), { code: "ENOTFOUND" });
    expect(networkFailure(error, "contoso-typo.services.ai.azure.com")).toEqual({ cause: "dns", detail: "the host contoso-typo.services.ai.azure.com does not resolve (DNS: ENOTFOUND)" });
    // The SDK's RestError keeps the socket error only in its message.
    expect(networkFailure(new Error("request to https://x failed, reason: getaddrinfo EAI_AGAIN x"), "x").cause).toBe("dns");
  });

  it("a Voice Live key that is refused", async () => {
    const step = stepOf(await doctor({ VOICELIVE_API_KEY: "vl-wrong-key" }, { only: ["voicelive"] }), "Voice Live", "handshake");
    expect(step).toMatchObject({ status: "fail", cause: "voicelive_key_refused" });
    expect(step.detail).toMatch(/HTTP 401 .*invalid_api_key/);
    expect(step.fix).toMatch(/Key 1 of THIS resource/);
  });

  it("an Entra token Voice Live refuses: most often the missing role", async () => {
    const step = stepOf(
      await doctor({ VOICELIVE_API_KEY: undefined }, { credential: credentialWith({ voiceLive: "vl-token-without-role" }), only: ["voicelive"] }),
      "Voice Live",
      "handshake",
    );
    expect(step).toMatchObject({ status: "fail", cause: "voicelive_token_refused" });
    expect(step.fix).toMatch(/missing role: give that identity Cognitive Services User on the AI resource/);
  });

  it("no Entra credential at all (key vs Entra): az login or a key", async () => {
    const step = stepOf(await doctor({ VOICELIVE_API_KEY: undefined }, { credential: credentialWith({ fail: true }), only: ["voicelive"] }), "Voice Live", "Entra token");
    expect(step).toMatchObject({ status: "fail", cause: "voicelive_no_token" });
    expect(step.fix).toMatch(/az login.*or set VOICELIVE_API_KEY/);
  });

  it("a retired preview API version, refused with 400", async () => {
    const steps = await doctor({ VOICELIVE_API_VERSION: "2025-05-01-preview" }, { only: ["voicelive"] });
    expect(stepOf(steps, "Voice Live", "api-version")).toMatchObject({ status: "warn", cause: "voicelive_preview_api_version" });
    const step = stepOf(steps, "Voice Live", "handshake");
    expect(step).toMatchObject({ status: "fail", cause: "voicelive_api_version" });
    expect(step.detail).toMatch(/HTTP 400 .*API version not supported/);
    expect(step.fix).toMatch(/VOICELIVE_API_VERSION=2026-07-15/);
  });

  it("a Voice Live that never answers gives up on the deadline", async () => {
    const port = (silent.address() as AddressInfo).port;
    const step = stepOf(await doctor({ VOICELIVE_ENDPOINT: `ws://127.0.0.1:${port}` }, { only: ["voicelive"], timeoutMs: 500 }), "Voice Live", "handshake");
    expect(step).toMatchObject({ status: "fail", cause: "voicelive_unreachable" });
    expect(step.detail).toMatch(/timed out/i);
  });

  it("an ACS access key that is refused (401)", async () => {
    const wrong = sim.connectionString.replace(/accesskey=.*/, `accesskey=${Buffer.from("not the key").toString("base64")}`);
    const step = stepOf(await doctor({ ACS_CONNECTION_STRING: wrong }, { only: ["acs"] }), "ACS", "harmless call");
    expect(step).toMatchObject({ status: "fail", cause: "acs_key_refused" });
    expect(step.fix).toMatch(/copy the connection string again/);
    expect(restStub.refusals.at(-1)).toMatchObject({ status: 401, method: "GET" });
  });

  it("an ACS identity without a role (403) and a token ACS refuses (401), as the SDK reports them", () => {
    // The SDK sends Entra tokens only over https and the local ACS stub is http: these are the SDK's own errors.
    const context = { step: "harmless call", endpoint: new URL("https://contoso.communication.azure.com/"), entra: true };
    const missingRole = diagnoseAcsError(new RestError("Forbidden", { statusCode: 403 }), context);
    expect(missingRole).toMatchObject({ status: "fail", cause: "acs_missing_role" });
    expect(missingRole.fix).toMatch(/missing role: give the bot's identity Contributor on the ACS resource/);
    expect(diagnoseAcsError(new RestError("Unauthorized", { statusCode: 401 }), context)).toMatchObject({ status: "fail", cause: "acs_token_refused" });
    expect(diagnoseAcsError(new RestError("Not found", { statusCode: 404 }), context)).toMatchObject({ status: "ok" });
  });

  it("ACS with Entra against a plain-http endpoint says tokens need https", async () => {
    const step = stepOf(
      await doctor({ ACS_CONNECTION_STRING: undefined, ACS_ENDPOINT: restStub.endpoint }, { credential: credentialWith({ acs: "acs-token" }), only: ["acs"] }),
      "ACS",
      "harmless call",
    );
    expect(step).toMatchObject({ status: "fail", cause: "acs_entra_needs_https" });
  });

  it("an ACS endpoint where nothing listens", async () => {
    const step = stepOf(await doctor({ ACS_CONNECTION_STRING: `endpoint=http://127.0.0.1:${await closedPort()}/;accesskey=a2V5` }, { only: ["acs"] }), "ACS", "harmless call");
    expect(step).toMatchObject({ status: "fail", cause: "acs_unreachable" });
    expect(step.detail).toMatch(/connection refused/);
  });

  it("a public URL nothing answers at, one another server answers at, and a bot with another ?code=", async () => {
    const [nothing, other, secret] = await Promise.all([
      doctor({ PUBLIC_BASE_URL: `http://127.0.0.1:${await closedPort()}` }, { only: ["public-url"] }),
      doctor({ PUBLIC_BASE_URL: emulator.url.replace(/^ws/, "http") }, { only: ["public-url"] }),
      doctor({ EVENTGRID_SECRETS: "eg-secret-other" }, { only: ["public-url"] }),
    ]);
    const unreachable = stepOf(nothing, "Public URL", "GET /healthz");
    expect(unreachable).toMatchObject({ status: "fail", cause: "public_url_unreachable" });
    expect(unreachable.fix).toContain(`nothing answers: start the bot (npm run dev, PORT=${env.PORT}) and a tunnel to that port`);
    expect(stepOf(other, "Public URL", "GET /healthz")).toMatchObject({ status: "fail", cause: "public_url_not_the_bot" });
    expect(stepOf(secret, "Public URL", "Event Grid handshake")).toMatchObject({ status: "fail", cause: "webhook_secret_mismatch" });
  });
});

describe("the doctor CLI", () => {
  const loader = pathToFileURL(join(root, "node_modules/tsx/dist/loader.mjs")).href;
  const run = (args: string[], extraEnv: Record<string, string>) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ["--import", loader, join(root, "src/doctor/cli.ts"), ...args], {
        cwd: mkdtempSync(join(tmpdir(), "doctor-")),
        env: { PATH: process.env.PATH ?? "", ...extraEnv },
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      child.on("exit", (code) => resolve({ code, stdout, stderr }));
    });

  it("prints each step with its fix and exits 1 when one fails", async () => {
    const result = await run(["--timeout-ms", "5000"], { ...env, VOICELIVE_API_KEY: "vl-wrong-key" });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^Configuration {2}✓ settings: local mode/m);
    expect(result.stdout).toMatch(/^Voice Live {5}✗ handshake: .* refused: HTTP 401/m);
    expect(result.stdout).toMatch(/^ {17}fix: VOICELIVE_API_KEY was refused/m);
    expect(result.stdout).toMatch(/^ACS {12}✓ harmless call/m);
    expect(result.stdout).toMatch(/1 problem\(s\), 1 warning\(s\)\./);
    expect(result.stdout).not.toContain("vl-wrong-key");
  });

  it("exits 2 on a configuration that does not load, and has --help", async () => {
    const bad = await run([], { PUBLIC_BASE_URL: "ftp://x" });
    expect(bad.code).toBe(2);
    expect(bad.stdout).toMatch(/✗ settings: PUBLIC_BASE_URL must use https/);
    const help = await run(["--help"], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: npm run doctor/);
  });
});

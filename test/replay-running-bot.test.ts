import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes, randomUUID } from "node:crypto";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { createBot, type Bot } from "../src/app.js";
import { loadConfig } from "../src/config/index.js";
import { runningBotDifferences } from "../src/replay/bot-settings-check.js";
import { loadFixture } from "../src/replay/fixture.js";
import { startReplayPeers } from "../src/replay/peers.js";
import { replayFixture, ReplayCallError, type ReplayEvidence } from "../src/replay/runner.js";

const root = new URL("..", import.meta.url).pathname;

function listenOn(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** Three consecutive free loopback ports (the replay's --peers-port N uses N, N+1, N+2). */
async function freePortBase(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 40_000);
    if ((await listenOn(base)) && (await listenOn(base + 1)) && (await listenOn(base + 2))) return base;
  }
  throw new Error("no three free consecutive ports");
}

async function startBot(env: Record<string, string>): Promise<{ bot: Bot; url: string }> {
  const bot = await createBot({ config: loadConfig(env), logger: pino({ level: "silent" }) });
  await bot.server.listen({ host: "127.0.0.1", port: 0 });
  return { bot, url: `http://127.0.0.1:${(bot.server.server.address() as AddressInfo).port}` };
}

describe("replay --url against a running bot", () => {
  it("prints every setting the fixture needs, and names the one the running bot has otherwise", async () => {
    const out = mkdtempSync(join(tmpdir(), "replay-url-"));
    const base = await freePortBase();
    // The peers keep their keys in a state file; written first so the bot can be started before the replay.
    const state = { resourceId: randomUUID(), accessKey: randomBytes(32).toString("base64") };
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, ".replay-peers.json"), JSON.stringify(state));
    // Started with the wiring the replay prints, but not the fixture's own GREETING_TEXT.
    const { bot, url } = await startBot({
      PUBLIC_BASE_URL: "https://bot.replay.invalid",
      ACS_CONNECTION_STRING: `endpoint=http://127.0.0.1:${base}/;accesskey=${state.accessKey}`,
      ACS_RESOURCE_ID: state.resourceId,
      ACS_JWKS_URL: `http://127.0.0.1:${base + 1}/calling/keys`,
      VOICELIVE_ENDPOINT: `ws://127.0.0.1:${base + 2}`,
      VOICELIVE_API_KEY: "replay",
    });
    try {
      const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ["--import", "tsx", "src/replay/cli.ts", "hangup-mid-answer", "--url", url, "--peers-port", String(base), "--out", out, "--quiet"], {
          cwd: root,
          env: { PATH: process.env.PATH ?? "" },
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        child.on("exit", (code) => resolve({ code, stdout, stderr }));
      });
      expect(run.stderr).toBe("");
      const printed = run.stdout.slice(0, run.stdout.indexOf("▶"));
      for (const line of [
        "  PUBLIC_BASE_URL=https://bot.replay.invalid",
        `  ACS_CONNECTION_STRING="endpoint=http://127.0.0.1:${base}/;accesskey=${state.accessKey}"`,
        `  ACS_RESOURCE_ID=${state.resourceId}`,
        `  VOICELIVE_ENDPOINT=ws://127.0.0.1:${base + 2}`,
        '  GREETING_TEXT="Thank you for calling Contoso. How can I help you today?"',
      ]) {
        expect(printed).toContain(line);
      }
      expect(run.stdout).toContain("What the peers saw of the running bot, against what this fixture needs:");
      expect(run.stdout).toContain(
        `GREETING_TEXT: the bot greeted "Thank you for calling Contoso. You're speaking with our virtual assistant. How can I help you today?"; ` +
          'this fixture needs GREETING_TEXT="Thank you for calling Contoso. How can I help you today?"',
      );
      // Only the greeting differs: nothing else is named.
      expect(run.stdout.match(/^ {4}[A-Z_]+(?: \/ [A-Z_]+)?: /gm)).toHaveLength(1);
    } finally {
      await bot.shutdown(0);
    }
  }, 60_000);

  it("turns 'not answered before media connected' into the settings that caused it", async () => {
    const fixture = loadFixture(join(root, "fixtures/calls/hangup-mid-answer"));
    const attempt = async (override: (env: Record<string, string>) => Record<string, string>): Promise<string[]> => {
      // The bot's port first, so the peers can point at it and the bot can be started with theirs.
      const botPort = await new Promise<number>((resolve) => {
        const probe = createServer().listen(0, "127.0.0.1", () => {
          const port = (probe.address() as AddressInfo).port;
          probe.close(() => resolve(port));
        });
      });
      const peers = await startReplayPeers({ botUrl: `http://127.0.0.1:${botPort}`, portBase: 0, stateFile: join(mkdtempSync(join(tmpdir(), "peers-")), "state.json"), speed: 1 });
      const bot = await createBot({ config: loadConfig(override({ ...peers.botEnv, ...fixture.env })), logger: pino({ level: "silent" }) });
      await bot.server.listen({ host: "127.0.0.1", port: botPort });
      try {
        const error = await replayFixture(fixture, { speed: 1, target: peers.target }).then(
          () => undefined,
          (caught: unknown) => caught,
        );
        expect(error).toBeInstanceOf(ReplayCallError);
        expect((error as ReplayCallError).message).toMatch(/before media connected/);
        return runningBotDifferences(fixture, peers.botEnv, (error as ReplayCallError).evidence);
      } finally {
        await peers.close();
        await bot.shutdown(0);
      }
    };
    const [wrongKey, localUrl] = await Promise.all([
      attempt((env) => ({ ...env, ACS_CONNECTION_STRING: env.ACS_CONNECTION_STRING!.replace(/accesskey=.*/, `accesskey=${randomBytes(32).toString("base64")}`) })),
      attempt((env) => ({ ...env, PUBLIC_BASE_URL: "http://127.0.0.1:8080" })),
    ]);
    expect(wrongKey).toEqual([expect.stringMatching(/^ACS_CONNECTION_STRING: the bot signs its ACS requests with another access key \(the ACS stub refused them, HTTP 401\)/)]);
    expect(localUrl).toEqual([
      expect.stringMatching(/^PUBLIC_BASE_URL: the bot asked ACS for callbacks at http:\/\/127\.0\.0\.1:8080 \(ACS refused: The field CallbackUri is invalid\.\); this fixture needs PUBLIC_BASE_URL="https:\/\/bot\.replay\.invalid"/),
    ]);
  }, 60_000);
});

describe("what the peers saw, read as settings", () => {
  const fixture = loadFixture(join(root, "fixtures/calls/greeting-question"));
  const peersEnv = {
    PUBLIC_BASE_URL: "https://bot.replay.invalid",
    ACS_CONNECTION_STRING: "endpoint=http://127.0.0.1:9400/;accesskey=a2V5",
    ACS_RESOURCE_ID: "5f6c3a2e-8a41-4d5b-9c1e-2b7d0e4f1a93",
    ACS_JWKS_URL: "http://127.0.0.1:9401/calling/keys",
    VOICELIVE_ENDPOINT: "ws://127.0.0.1:9402",
    VOICELIVE_API_KEY: "replay",
  };
  const evidence = (patch: Partial<ReplayEvidence>): ReplayEvidence => ({
    deliveries: [{ type: "IncomingCall", url: "", status: 200, error: undefined, atMs: 0, durationMs: 1 }],
    callbacks: [],
    restRequests: [{ operation: "answer", atMs: 1, body: { callbackUri: "https://bot.replay.invalid/api/callbacks", mediaStreamingOptions: { audioFormat: "pcm24KMono", enableDtmfTones: true } } }],
    acsRefusals: [],
    end: undefined,
    voiceLive: { connections: [], clientEvents: [] },
    ...patch,
  });

  it("a webhook refused with 401 is EVENTGRID_SECRETS", () => {
    const lines = runningBotDifferences(fixture, peersEnv, evidence({ deliveries: [{ type: "IncomingCall", url: "", status: 401, error: undefined, atMs: 0, durationMs: 1 }], restRequests: [] }));
    expect(lines[0]).toMatch(/^EVENTGRID_SECRETS: the bot refused the webhook's \?code= \(HTTP 401\); this fixture needs EVENTGRID_SECRETS unset/);
  });

  it("a bot that never reaches the replay's Voice Live is VOICELIVE_ENDPOINT", () => {
    expect(runningBotDifferences(fixture, peersEnv, evidence({}))).toEqual([expect.stringMatching(/^VOICELIVE_ENDPOINT: the bot never connected to the replay's Voice Live emulator/)]);
  });

  it("a refused media connection is the JWT audience or keys", () => {
    const lines = runningBotDifferences(fixture, peersEnv, evidence({ end: { reason: "mediaFailed", by: "caller", atMs: 1, mediaFailure: "upgrade refused: HTTP 401" } }));
    expect(lines[0]).toMatch(/^ACS_RESOURCE_ID \/ ACS_JWKS_URL: the bot refused ACS's signed media connection \(upgrade refused: HTTP 401\)/);
  });

  it("a different voice, VAD and model show as their settings", () => {
    const lines = runningBotDifferences(
      fixture,
      peersEnv,
      evidence({
        voiceLive: {
          connections: [{ apiVersion: "2025-10-01", auth: "api-key", mode: { kind: "model", model: "gpt-realtime" } }],
          clientEvents: [
            {
              type: "session.update",
              event: {
                session: {
                  voice: { type: "azure-standard", name: "en-GB-Ryan:DragonHDLatestNeural" },
                  turn_detection: { threshold: 0.5, silence_duration_ms: 900, prefix_padding_ms: 300, auto_truncate: true },
                  input_audio_transcription: { model: "azure-speech", language: "en-US" },
                  tools: [{ name: "end_call" }],
                },
              },
            },
          ],
        },
      }),
    );
    const names = lines.map((line) => line.split(":")[0]);
    expect(names).toEqual(expect.arrayContaining(["VOICELIVE_API_VERSION", "VOICELIVE_MODEL", "VOICELIVE_VOICE", "VOICELIVE_VAD_SILENCE_MS", "INTERIM_MODE"]));
    expect(names).not.toContain("VOICELIVE_LANGUAGE");
  });
});

/**
 * SIGTERM keeps its promise whatever the peers do: the real process (src/main.ts)
 * exits within SHUTDOWN_GRACE_MS + 2 s with a hung ACS, a hung Voice Live, a
 * media socket that never closes and a webhook request that never finishes —
 * and the calls still up at the deadline get their hang-up attempt.
 */
import { spawn } from "node:child_process";
import { connect, createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startAcsRestStub, type AcsRestStub } from "../src/acs-sim/acs-rest-stub.js";
import { incomingCallEvent } from "./support/bot-harness.js";
import { freePort } from "../src/free-port.js";

const GRACE_MS = 1500;


interface Process {
  readonly stdout: () => string;
  readonly exited: Promise<{ code: number | null; atMs: number }>;
  kill(): number;
}

function startBot(env: Record<string, string>): Process {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: new URL("..", import.meta.url).pathname,
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise<{ code: number | null; atMs: number }>((resolve) => child.on("exit", (code) => resolve({ code, atMs: performance.now() })));
  return {
    stdout: () => stdout,
    exited,
    kill: () => {
      child.kill("SIGTERM");
      return performance.now();
    },
  };
}

async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function hungPeer(): Promise<string> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    socket.resume();
    sockets.add(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  cleanups.push(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function setup(options: { voiceLive?: string } = {}): Promise<{ acs: AcsRestStub; bot: Process; baseUrl: string }> {
  const acs = await startAcsRestStub();
  cleanups.push(() => acs.close());
  const port = await freePort();
  const bot = startBot({
    HOST: "127.0.0.1",
    PORT: String(port),
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    ACS_CONNECTION_STRING: acs.connectionString,
    SHUTDOWN_GRACE_MS: String(GRACE_MS),
    ACS_REQUEST_TIMEOUT_MS: "10000",
    LOG_LEVEL: "info",
    ...(options.voiceLive ? { VOICELIVE_ENDPOINT: options.voiceLive, VOICELIVE_API_KEY: "k" } : {}),
  });
  cleanups.push(() => bot.kill());
  // tsx compiles the bot on start: slow on a busy machine.
  await until("the bot to listen", () => /bot ready for calls/.test(bot.stdout()), 60_000);
  return { acs, bot, baseUrl: `http://127.0.0.1:${port}` };
}

async function ring(baseUrl: string): Promise<ReturnType<typeof incomingCallEvent>> {
  const event = incomingCallEvent();
  const response = await fetch(`${baseUrl}/api/incoming-call`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify([event]) });
  expect(response.status).toBe(200);
  return event;
}

async function stopAndTime(bot: Process, label: string): Promise<number> {
  const sentAt = bot.kill();
  const { code, atMs } = await bot.exited;
  const tookMs = Math.round(atMs - sentAt);
  console.log(`shutdown with ${label}: exited in ${tookMs} ms (grace ${GRACE_MS} ms), code ${code}`);
  return tookMs;
}

describe("shutdown", () => {
  it("exits in time while ACS hangs on an answer", async () => {
    const { acs, bot, baseUrl } = await setup();
    acs.delay("answer", 60_000);
    await ring(baseUrl);
    await acs.waitFor((r) => r.path.endsWith(":answer"));
    expect(await stopAndTime(bot, "a hung ACS answer")).toBeLessThan(GRACE_MS + 2000);
  }, 120_000);

  it("exits in time with a call up on a hung Voice Live and a media socket that never closes, and hangs that call up", async () => {
    const { acs, bot, baseUrl } = await setup({ voiceLive: await hungPeer() });
    const event = await ring(baseUrl);
    const [answer] = await acs.waitFor((r) => r.path.endsWith(":answer"));
    const transportUrl = new URL((answer!.body as { mediaStreamingOptions: { transportUrl: string } }).mediaStreamingOptions.transportUrl);
    const media = new WebSocket(`${baseUrl.replace("http", "ws")}/media${transportUrl.search}`, {
      headers: { "x-ms-call-correlation-id": event.data.correlationId },
    });
    await new Promise<void>((resolve, reject) => {
      media.once("open", () => resolve());
      media.once("error", reject);
    });
    // From now on this peer reads nothing: close frames included.
    (media as unknown as { _socket: Socket })._socket.pause();
    cleanups.push(() => media.terminate());
    expect(await stopAndTime(bot, "a hung Voice Live and a media socket that never closes")).toBeLessThan(GRACE_MS + 2000);
    expect(acs.requests.filter((r) => r.path.endsWith(":terminate"))).toHaveLength(1);
  }, 120_000);

  it("exits in time with a webhook request that never finishes", async () => {
    const { bot, baseUrl } = await setup();
    const { port } = new URL(baseUrl);
    const slow = connect(Number(port), "127.0.0.1");
    cleanups.push(() => slow.destroy());
    await new Promise<void>((resolve) => slow.once("connect", () => resolve()));
    // Headers promise a body that never comes.
    slow.write(`POST /api/incoming-call HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n[{"eventType":`);
    slow.on("error", () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await stopAndTime(bot, "a webhook request in flight")).toBeLessThan(GRACE_MS + 2000);
  }, 120_000);

  it("exits in time with all of them at once", async () => {
    const { acs, bot, baseUrl } = await setup({ voiceLive: await hungPeer() });
    await ring(baseUrl);
    await acs.waitFor((r) => r.path.endsWith(":answer"));
    acs.delay("answer", 60_000);
    acs.delay("terminate", 60_000);
    await ring(baseUrl);
    await acs.waitFor((r) => r.path.endsWith(":answer"), 2);
    const slow = connect(Number(new URL(baseUrl).port), "127.0.0.1");
    cleanups.push(() => slow.destroy());
    slow.on("error", () => undefined);
    slow.write(`POST /api/callbacks HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n[`);
    expect(await stopAndTime(bot, "everything hung at once")).toBeLessThan(GRACE_MS + 2000);
    expect(acs.requests.filter((r) => r.path.endsWith(":terminate")).length).toBeGreaterThanOrEqual(1);
  }, 120_000);
});

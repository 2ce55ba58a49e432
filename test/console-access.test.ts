import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { createBot, type Bot } from "../src/app.js";
import { createSystemClock, type Clock } from "../src/clock.js";
import { loadConfig } from "../src/config/index.js";
import { ConsoleAccess, SESSION_TTL_MS } from "../src/console/console-access.js";
import { startHarness, type Harness } from "./support/bot-harness.js";
import { freePort } from "../src/free-port.js";

const TOKEN = "console-token-for-tests-0123456789";

/** Opens a WebSocket; resolves with its first message, or the HTTP status that refused the upgrade. */
function openSocket(url: string, headers: Record<string, string>): Promise<{ status: number; first?: any; socket?: WebSocket }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    socket.once("unexpected-response", (_request, response) => {
      resolve({ status: response.statusCode ?? 0 });
      socket.terminate();
    });
    socket.once("message", (data) => resolve({ status: 101, first: JSON.parse(data.toString()), socket }));
    socket.once("error", (error) => (error.message.includes("Unexpected server response") ? undefined : reject(error)));
  });
}

async function signIn(baseUrl: string, token = TOKEN, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${baseUrl}/console/api/session`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ token }) });
}

const cookieOf = (response: Response) => response.headers.get("set-cookie")!.split(";")[0]!;

let h: Harness | undefined;
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.terminate();
  await h?.close();
  h = undefined;
});

describe("who may use the console", () => {
  it("has no console at all on a public deployment without CONSOLE_TOKEN", async () => {
    h = await startHarness();
    for (const path of ["/console", "/console/api/calls", "/console/api/recent", "/console/assets/console.js"]) {
      expect((await fetch(`${h.baseUrl}${path}`)).status, path).toBe(404);
    }
    const ws = h.baseUrl.replace("http", "ws");
    expect((await openSocket(`${ws}/console/live`, {})).status).toBe(404);
    expect((await openSocket(`${ws}/console/softphone`, {})).status).toBe(404);
  });

  it("with CONSOLE_TOKEN serves the page to anyone but calls only to a signed-in console or the bearer token", async () => {
    h = await startHarness({ CONSOLE_TOKEN: TOKEN });
    const page = await fetch(`${h.baseUrl}/console`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(page.headers.get("x-frame-options")).toBe("DENY");

    const refused = await fetch(`${h.baseUrl}/console/api/calls`);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as any).error.code).toBe("console_sign_in_required");
    expect((await fetch(`${h.baseUrl}/console/api/calls`, { headers: { authorization: "Bearer wrong-token-wrong-token" } })).status).toBe(401);
    expect((await fetch(`${h.baseUrl}/console/api/calls`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    expect(await (await fetch(`${h.baseUrl}/console/api/access`)).json()).toEqual({ mode: "token", signedIn: false, callLogs: false });

    expect((await signIn(h.baseUrl, "not-the-console-token")).status).toBe(401);
    const signedIn = await signIn(h.baseUrl);
    expect(signedIn.status).toBe(204);
    const setCookie = signedIn.headers.get("set-cookie")!;
    // A browser keeps it from scripts and from other sites, and sends it only over https here.
    expect(setCookie).toMatch(/^console_session=v1\.\d+\.[\w-]+\.[\w-]+; Path=\/console; Max-Age=28800; HttpOnly; SameSite=Strict; Secure$/);
    const cookie = cookieOf(signedIn);
    expect((await fetch(`${h.baseUrl}/console/api/calls`, { headers: { cookie } })).status).toBe(200);
    expect(await (await fetch(`${h.baseUrl}/console/api/access`, { headers: { cookie } })).json()).toMatchObject({ signedIn: true });

    // A forged or altered ticket is refused.
    const [name, value] = cookie.split("=");
    const parts = value!.split(".");
    const later = `${name}=${[parts[0], String(Number(parts[1]) + 3600), parts[2], parts[3]].join(".")}`;
    expect((await fetch(`${h.baseUrl}/console/api/calls`, { headers: { cookie: later } })).status).toBe(401);

    // The live feed upgrade carries the cookie (a browser cannot set headers on a WebSocket).
    const ws = h.baseUrl.replace("http", "ws");
    expect((await openSocket(`${ws}/console/live`, {})).status).toBe(401);
    const live = await openSocket(`${ws}/console/live`, { cookie });
    if (live.socket) sockets.push(live.socket);
    expect(live.status).toBe(101);
    expect(live.first).toMatchObject({ type: "hello", calls: [], ended: [] });

    // Signing out clears the cookie.
    const out = await fetch(`${h.baseUrl}/console/api/session`, { method: "DELETE", headers: { cookie } });
    expect(out.headers.get("set-cookie")).toMatch(/^console_session=; Path=\/console; Max-Age=0/);
  });

  it("refuses requests another site makes from the operator's browser", async () => {
    h = await startHarness({ CONSOLE_TOKEN: TOKEN });
    const evil = { origin: "https://evil.example" };
    expect((await signIn(h.baseUrl, TOKEN, evil)).status).toBe(403);
    const cookie = cookieOf(await signIn(h.baseUrl));
    const ws = h.baseUrl.replace("http", "ws");
    expect((await openSocket(`${ws}/console/live`, { cookie, ...evil })).status).toBe(403);
    expect((await openSocket(`${ws}/console/softphone`, { cookie, ...evil })).status).toBe(403);
    const own = await openSocket(`${ws}/console/live`, { cookie, origin: h.baseUrl });
    if (own.socket) sockets.push(own.socket);
    expect(own.status).toBe(101);
  });

  it("signs the console out after a working day, and when the token is rotated", async () => {
    let offsetMs = 0;
    const system = createSystemClock();
    const clock: Clock = { ...system, date: () => new Date(Date.now() + offsetMs) };
    h = await startHarness({ CONSOLE_TOKEN: TOKEN }, { clock });
    const cookie = cookieOf(await signIn(h.baseUrl));
    offsetMs = SESSION_TTL_MS - 60_000;
    expect((await fetch(`${h.baseUrl}/console/api/calls`, { headers: { cookie } })).status).toBe(200);
    offsetMs = SESSION_TTL_MS + 1000;
    expect((await fetch(`${h.baseUrl}/console/api/calls`, { headers: { cookie } })).status).toBe(401);

    // Another deployment (another token) does not take this one's ticket.
    offsetMs = 0;
    const rotated = await startHarness({ CONSOLE_TOKEN: `${TOKEN}-rotated` });
    try {
      expect((await fetch(`${rotated.baseUrl}/console/api/calls`, { headers: { cookie } })).status).toBe(401);
    } finally {
      await rotated.close();
    }
  });

  it("refuses a console token too short to guess-proof", () => {
    expect(() => loadConfig({ PUBLIC_BASE_URL: "https://bot.example.test", ACS_CONNECTION_STRING: "endpoint=https://x.communication.azure.com/;accesskey=a2V5", ACS_RESOURCE_ID: "5f6c3a2e-8a41-4d5b-9c1e-2b7d0e4f1a93", CONSOLE_TOKEN: "short" })).toThrow(/CONSOLE_TOKEN must be at least 16 characters/);
  });
});

describe("a local run", () => {
  let bot: Bot | undefined;
  afterEach(async () => {
    await bot?.shutdown(0);
    bot = undefined;
  });

  it("opens the console without a token to clients on this machine", async () => {
    const port = await freePort();
    bot = await createBot({
      config: loadConfig({ PUBLIC_BASE_URL: `http://127.0.0.1:${port}`, ACS_CONNECTION_STRING: "endpoint=http://127.0.0.1:9/;accesskey=a2V5a2V5a2V5" }),
      logger: pino({ level: "silent" }),
    });
    await bot.server.listen({ host: "127.0.0.1", port });
    const base = `http://127.0.0.1:${port}`;
    expect(await (await fetch(`${base}/console/api/access`)).json()).toEqual({ mode: "local", signedIn: true, callLogs: false });
    expect((await fetch(`${base}/console/api/calls`)).status).toBe(200);
  });

  it("keeps the console from the rest of the network (HOST may be 0.0.0.0)", () => {
    const access = new ConsoleAccess({ token: undefined, local: true, secure: false }, createSystemClock());
    const from = (remoteAddress: string) => ({ headers: {}, socket: { remoteAddress } }) as any;
    expect(access.check(from("127.0.0.1"))).toEqual({ ok: true });
    expect(access.check(from("::1"))).toEqual({ ok: true });
    expect(access.check(from("::ffff:127.0.0.1"))).toEqual({ ok: true });
    expect(access.check(from("192.168.1.20"))).toMatchObject({ ok: false, status: 403, code: "console_loopback_only" });
    expect(access.check(from("::ffff:10.0.0.7"))).toMatchObject({ ok: false, code: "console_loopback_only" });
  });
});


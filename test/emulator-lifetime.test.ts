import { spawn } from "node:child_process";
import WebSocket from "ws";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_SESSION_LIFETIME_MS, startVoiceLiveEmulator, type VoiceLiveEmulator } from "../src/emulator/index.js";
import { TestClient } from "./emulator-helpers.js";

let emulator: VoiceLiveEmulator;

afterEach(async () => {
  await emulator?.close();
});

/** Resolves with the close code and reason once the socket closes. */
function closed(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() })));
}

describe("Voice Live emulator: session lifetime", () => {
  it("announces expires_at (Unix seconds) in session.created and session.updated, 30 minutes ahead by default; a client cannot change it", async () => {
    emulator = await startVoiceLiveEmulator({ port: 0 });
    const before = Date.now();
    const client = await TestClient.connect(emulator);
    const created = client.all("session.created")[0].session;
    expect(DEFAULT_SESSION_LIFETIME_MS).toBe(30 * 60_000);
    expect(Number.isInteger(created.expires_at)).toBe(true);
    expect(created.expires_at * 1000).toBeGreaterThanOrEqual(before + DEFAULT_SESSION_LIFETIME_MS);
    expect(created.expires_at * 1000).toBeLessThanOrEqual(Date.now() + DEFAULT_SESSION_LIFETIME_MS + 1000);
    const updated = await client.updateSession({ expires_at: 1, instructions: "Be brief." });
    expect(updated.session.expires_at).toBe(created.expires_at);
    await client.close();
  });

  it("ends the session at expires_at: an error session_expired, then close 1001 (going away); nothing follows", async () => {
    emulator = await startVoiceLiveEmulator({ port: 0, sessionLifetimeMs: 1500 });
    const client = await TestClient.connect(emulator);
    const expiresAtMs = client.all("session.created")[0].session.expires_at * 1000;
    const closing = closed(client.ws);
    // A long answer is still streaming when the session ends.
    client.send({
      type: "response.create",
      response: { pre_generated_assistant_message: { type: "message", role: "assistant", content: [{ type: "text", text: "word ".repeat(300).trim() }] } },
    });
    const error = await client.next("error", 10_000);
    expect(error.error).toMatchObject({ type: "invalid_request_error", code: "session_expired", param: null, event_id: null });
    expect(error.error.message).toMatch(/maximum duration/);
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAtMs - 50);
    const { code, reason } = await closing;
    expect(code).toBe(1001);
    expect(reason).toBe(error.error.message);
    expect(client.events[client.events.length - 1]).toBe(error);
    expect(emulator.connection("c1")?.closedAt).not.toBeNull();
  });

  it("npm run emulator takes --session-lifetime-ms and VOICELIVE_EMULATOR_VOICE", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/emulator/cli.ts", "--port", "0", "--session-lifetime-ms", "1200"], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, VOICELIVE_EMULATOR_VOICE: "buzz" },
    });
    try {
      const ready = await new Promise<any>((resolve, reject) => {
        let out = "";
        const timer = setTimeout(() => reject(new Error(`emulator did not start: ${out}`)), 15_000);
        child.stdout.on("data", (chunk: Buffer) => {
          out += chunk.toString();
          const line = out.split("\n").find((l) => l.includes('"voice live emulator ready"'));
          if (line) {
            clearTimeout(timer);
            resolve(JSON.parse(line));
          }
        });
      });
      expect(ready).toMatchObject({ voice: "buzz", sessionLifetimeMs: 1200 });
      expect(ready.sdkEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const ws = new WebSocket(`${ready.url}?api-version=2026-07-15&model=gpt-4.1`, { headers: { "api-key": "k" } });
      ws.on("error", () => {});
      const messages: any[] = [];
      ws.on("message", (data) => messages.push(JSON.parse(data.toString())));
      const { code } = await closed(ws);
      expect(code).toBe(1001);
      expect(messages.map((m) => m.type)).toEqual(["session.created", "error"]);
      expect(messages[1].error.code).toBe("session_expired");
    } finally {
      child.kill("SIGTERM");
    }
  });
});

import { spawn } from "node:child_process";
import { createServer, type Server } from "node:net";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createProcessLogger } from "../src/log-output.js";

const cwd = new URL("..", import.meta.url).pathname;

function runMain(env: Record<string, string>) {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], { cwd, env: { PATH: process.env.PATH ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<{ code: number | null }>((resolve) => child.on("exit", (code) => resolve({ code })));
  return {
    done,
    stdout: () => stdout,
    stderr: () => stderr,
    kill: () => child.kill("SIGTERM"),
    async waitFor(pattern: RegExp, timeoutMs = 60_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(stdout) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(stdout).toMatch(pattern);
    },
  };
}

const base = {
  HOST: "127.0.0.1",
  PUBLIC_BASE_URL: "http://127.0.0.1:8080",
  ACS_CONNECTION_STRING: "endpoint=http://127.0.0.1:9/;accesskey=c2VjcmV0LWFjY2Vzcy1rZXk=",
  SHUTDOWN_GRACE_MS: "0",
};

describe("starting the bot", () => {
  it("logs one start-up line with the effective configuration and no secret", async () => {
    const run = runMain({ ...base, PORT: "0", EVENTGRID_SECRETS: "eg-secret-value", METRICS_TOKEN: "metrics-secret-value", VOICELIVE_MODEL: "gpt-4.1-mini" });
    await run.waitFor(/bot ready for calls/);
    run.kill();
    await run.done;
    const ready = run.stdout().split("\n").find((line) => line.includes("bot ready for calls"))!;
    const entry = JSON.parse(ready) as { msg: string; settings: Record<string, unknown> };
    expect(entry.msg).toMatch(/local mode on 127\.0\.0\.1:0/);
    expect(entry.msg).toMatch(/model gpt-4\.1-mini at embedded emulator/);
    expect(entry.msg).toMatch(/api-version 2026-07-15/);
    expect(entry.msg).toMatch(/leg pcm24KMono/);
    expect(entry.msg).toMatch(/JWT checks OFF/);
    expect(entry.msg).toMatch(/Event Grid secret on \(1 accepted\)/);
    expect(entry.settings).toMatchObject({ mode: "local", voiceLive: { apiVersion: "2026-07-15" } });
    expect(run.stdout()).not.toMatch(/eg-secret-value|metrics-secret-value|c2VjcmV0LWFjY2Vzcy1rZXk/);
  });

  it("says in one line that the port is busy and how to pick another, with no stack trace", async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const run = runMain({ ...base, PORT: String(port) });
      const { code } = await run.done;
      expect(code).toBe(1);
      const lines = run.stderr().trim().split("\n");
      expect(lines).toEqual([`cannot listen on 127.0.0.1:${port}: it is already in use (another bot or program listens there). Stop the other process, or set PORT (and HOST) to a free port, e.g. PORT=8081.`]);
    } finally {
      blocker.close();
    }
  });

  it("writes readable lines with LOG_FORMAT=pretty", async () => {
    const run = runMain({ ...base, PORT: "0", LOG_FORMAT: "pretty" });
    await run.waitFor(/bot ready for calls/);
    run.kill();
    await run.done;
    const ready = run.stdout().split("\n").find((line) => line.includes("bot ready for calls"))!;
    expect(ready.trim().startsWith("{")).toBe(false);
    expect(ready).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO.*bot ready for calls: local mode/);
  });
});

describe("the pretty log option without pino-pretty (the production image)", () => {
  it("falls back to JSON and says why, once", async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(...chunk.toString().split("\n").filter(Boolean));
        callback();
      },
    });
    const logger = await createProcessLogger({
      level: "info",
      format: "pretty",
      destination,
      loadPretty: async () => {
        throw Object.assign(new Error("Cannot find package 'pino-pretty'"), { code: "ERR_MODULE_NOT_FOUND" });
      },
    });
    logger.info("hello");
    const parsed = lines.map((line) => JSON.parse(line) as { msg: string });
    expect(parsed.map((p) => p.msg)).toEqual([expect.stringMatching(/LOG_FORMAT=pretty needs pino-pretty, a dev dependency/), "hello"]);
  });
});

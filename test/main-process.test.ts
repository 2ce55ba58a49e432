import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";

function runMain(env: Record<string, string>): { done: Promise<{ code: number | null; stdout: string; stderr: string }>; kill: (signal: NodeJS.Signals) => void; stdout: () => string } {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: new URL("..", import.meta.url).pathname,
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on("exit", (code) => resolve({ code, stdout, stderr })),
  );
  return { done, kill: (signal) => child.kill(signal), stdout: () => stdout };
}

describe("the bot process", () => {
  it("refuses to start with one message listing every configuration problem", async () => {
    const { code, stderr } = await runMain({ PORT: "x" }).done;
    expect(code).toBe(2);
    expect(stderr).toMatch(/Invalid configuration/);
    expect(stderr).toMatch(/PORT must be an integer/);
    expect(stderr).toMatch(/PUBLIC_BASE_URL is required/);
    expect(stderr).toMatch(/ACS_CONNECTION_STRING or ACS_ENDPOINT is required/);
  });

  it("listens, then exits cleanly on SIGTERM", async () => {
    const run = runMain({
      PORT: "0",
      HOST: "127.0.0.1",
      PUBLIC_BASE_URL: "http://127.0.0.1:8080",
      ACS_CONNECTION_STRING: "endpoint=http://127.0.0.1:9/;accesskey=c2VjcmV0",
      SHUTDOWN_GRACE_MS: "0",
    });
    // tsx compiles the bot on start: slow on a busy machine.
    const deadline = Date.now() + 45_000;
    while (!/bot ready for calls/.test(run.stdout()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(run.stdout()).toMatch(/bot ready for calls/);
    run.kill("SIGTERM");
    const { code, stdout } = await run.done;
    expect(code).toBe(0);
    expect(stdout).toMatch(/shut down cleanly/);
  });
});

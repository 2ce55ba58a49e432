import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { LoadTestResult } from "../src/loadtest/run.js";

/** Runs `npm run loadtest` for three calls; returns its output and report. */
async function loadtest(extraArgs: string[]): Promise<{ output: string; result: LoadTestResult }> {
  const dir = await mkdtemp(join(tmpdir(), "loadtest-"));
  try {
    const json = join(dir, "report.json");
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "src/loadtest/cli.ts", "--steps", "3", "--hold", "2", "--settle", "0.5", "--no-pin", "--quiet", "--json", json, ...extraArgs],
      { cwd: new URL("..", import.meta.url).pathname, env: { PATH: process.env.PATH ?? "" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect(code, output).toBe(0);
    return { output, result: JSON.parse(await readFile(json, "utf8")) as LoadTestResult };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `npm run loadtest` at a size that takes seconds: the tool works and its numbers are sane (no speed goals here). */
describe("npm run loadtest", () => {
  it("measures the floor relay the bot is compared with: every frame of three calls carried both ways", async () => {
    const { output, result } = await loadtest(["--floor"]);
    expect(output).toMatch(/FLOOR relay/);
    const [step] = result.steps;
    expect(step!.flowing).toBe(3);
    expect(step!.lostFrames).toEqual({ inbound: 0, outbound: 0 });
    expect(step!.misroutedFrames).toBe(0);
    expect(step!.usPerFramePair).toBeGreaterThan(0);
  }, 120_000);

  it("runs three calls through a bot process and reports what each direction carried", async () => {
    const { output, result } = await loadtest([]);
    expect(output).toMatch(/\| calls \| bot CPU/);
    expect(result.steps).toHaveLength(1);
    const [step] = result.steps;
    expect(step!.calls).toBe(3);
    expect(step!.flowing).toBe(3);
    expect(step!.failedCalls).toBe(0);
    // Caller audio reached Voice Live and assistant audio reached the callers, every frame, none crossed calls.
    expect(step!.lostFrames).toEqual({ inbound: 0, outbound: 0 });
    expect(step!.misroutedFrames).toBe(0);
    expect(step!.relayMs.p50).toBeGreaterThan(0);
    expect(step!.relayMs.max).toBeGreaterThanOrEqual(step!.relayMs.p99);
    expect(step!.relayMs.max).toBeLessThan(10_000);
    expect(step!.outboundGapP99Ms).toBeGreaterThan(0);
    expect(step!.botCpuPercent).toBeGreaterThan(0);
    expect(step!.usPerFramePair).toBeGreaterThan(0);
    expect(Number.isFinite(step!.rssPerCallKB)).toBe(true);
    expect(result.prewarmHitRate).toBe(1);
    expect(result.voiceLiveSessions?.sessionsOpened).toBe(3);
  }, 120_000);
});

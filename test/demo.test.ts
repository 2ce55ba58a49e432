import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decodeWav } from "../src/audio/index.js";
import { readFileSync } from "node:fs";

describe("npm run demo (the README's first command)", () => {
  it("runs a whole call on the embedded default and writes what the caller heard", () => {
    const out = mkdtempSync(join(tmpdir(), "demo-"));
    // Same entry point as `npm run demo`, at 4× so the suite stays quick.
    const run = spawnSync(process.execPath, ["--import", "tsx", "src/replay/demo.ts", "--fast", "--out", out], {
      encoding: "utf8",
      timeout: 60_000,
      env: { PATH: process.env.PATH ?? "" },
    });
    expect(run.stderr).toBe("");
    // On failure, say which checks failed (the ✗ lines), not just the exit code.
    expect(run.status, run.stdout.split("\n").filter((line) => line.includes("✗")).join("\n")).toBe(0);
    expect(run.stdout).toMatch(/ACS {8}IncomingCall \+12065551212 → \+14255551212 delivered \(HTTP 200 in \d+ ms\)/);
    expect(run.stdout).toMatch(/bot {8}starts speaking/);
    expect(run.stdout).toMatch(/call ended: callerHungUp/);
    expect(run.stdout).toMatch(/The call worked\./);
    const wavPath = join(out, "demo", "heard.wav");
    expect(run.stdout).toContain(`What the caller heard: ${wavPath}`);
    expect(existsSync(wavPath)).toBe(true);
    const heard = decodeWav(readFileSync(wavPath));
    // ACS's default leg: PCM16 24 kHz.
    expect(heard.sampleRateHz).toBe(24000);
    // About 30 s of call; the bot spoke for a good part of it.
    expect(heard.samples.length / 24000).toBeGreaterThan(25);
    let loud = 0;
    for (const sample of heard.samples) if (Math.abs(sample) > 1000) loud += 1;
    expect(loud / 24000).toBeGreaterThan(5);
  }, 90_000);
});

import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { encodeWav } from "../src/audio/index.js";
import { loadFixture } from "../src/replay/fixture.js";
import { replayEachFixture } from "./support/replay-suite.js";

describe("recorded call fixtures on ACS's default leg (PCM16 24 kHz), replayed at 4× real time", () => {
  replayEachFixture(undefined);
});

describe("the replay tool", () => {
  it("exits non-zero and names an expectation that does not hold", () => {
    const dir = join(mkdtempSync(join(tmpdir(), "broken-")), "greeting-too-slow");
    cpSync("fixtures/calls/greeting-question", dir, { recursive: true });
    const expectations = JSON.parse(readFileSync(join(dir, "expect.json"), "utf8"));
    expectations.expectations.unshift({ type: "greeting_starts_within", ms: 1 });
    writeFileSync(join(dir, "expect.json"), JSON.stringify(expectations));
    const out = mkdtempSync(join(tmpdir(), "replay-out-"));
    const run = spawnSync(process.execPath, ["--import", "tsx", "src/replay/cli.ts", dir, "--fast", "--quiet", "--out", out], { encoding: "utf8", timeout: 60_000 });
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/✗ greeting-too-slow: greeting starts within 1 ms of media connect — first bot audio at \d+ ms/);
    expect(run.stdout).toMatch(/0\/1 fixture\(s\) passed/);
    const report = JSON.parse(readFileSync(join(out, "greeting-too-slow", "report.json"), "utf8"));
    expect(report.passed).toBe(false);
    expect(readFileSync(join(out, "greeting-too-slow", "transcript.txt"), "utf8")).toMatch(/^Bot: Thank you for calling Contoso/m);
  }, 90_000);

  it("refuses a fixture whose caller audio is not μ-law 8 kHz", () => {
    const dir = join(mkdtempSync(join(tmpdir(), "bad-")), "pcm");
    cpSync("fixtures/calls/greeting-question", dir, { recursive: true });
    const pcm = encodeWav(new Int16Array(1600), 16000);
    writeFileSync(join(dir, "caller.wav"), pcm);
    expect(() => loadFixture(dir)).toThrow(/caller.wav must be G.711 μ-law 8 kHz mono/);
  });
});

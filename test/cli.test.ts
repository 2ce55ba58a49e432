import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";

const root = new URL("..", import.meta.url).pathname;
// An absolute loader, so a CLI can run from another working directory (where its .env is).
const tsxLoader = pathToFileURL(join(root, "node_modules/tsx/dist/loader.mjs")).href;

function runCli(script: string, args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", tsxLoader, join(root, script), ...args], {
      cwd: options.cwd ?? root,
      env: { PATH: process.env.PATH ?? "", ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("--help on every CLI", () => {
  for (const [script, first] of [
    ["src/replay/cli.ts", "usage: npm run replay -- <fixture> [options]"],
    ["src/replay/demo.ts", "usage: npm run demo [-- options]"],
    ["src/emulator/cli.ts", "usage: npm run emulator [-- options]"],
  ] as const) {
    it(`${script} --help prints its usage and exits 0`, async () => {
      const run = await runCli(script, ["--help"]);
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      expect(run.stdout.split("\n")[0]).toBe(first);
      expect(run.stdout).toMatch(/-h, --help/);
    });
  }

  it("an unknown option names itself and shows the usage, exit 2", async () => {
    const run = await runCli("src/replay/cli.ts", ["all", "--fats"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/Unknown option '--fats'/);
    expect(run.stderr).toMatch(/usage: npm run replay/);
  });
});

describe("npm run replay with the user's settings", () => {
  it("applies the environment over .env over the fixture's env, shows it in the transcript, and still judges the fixture", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "replay-env-"));
    writeFileSync(
      join(cwd, ".env"),
      ["GREETING_TEXT=Ahoy from the env file", "INTERIM_MODE=off", "VOICELIVE_ENDPOINT=https://contoso.services.ai.azure.com", ""].join("\n"),
    );
    const run = await runCli("src/replay/cli.ts", [join(root, "fixtures/calls/hangup-mid-answer"), "--speed", "2", "--quiet", "--out", join(cwd, "out")], {
      cwd,
      env: { GREETING_TEXT: "Ahoy, caller {callerName}" },
    });
    expect(run.stderr).toBe("");
    expect(run.stdout).toContain("GREETING_TEXT=Ahoy, caller {callerName}  (from the environment)");
    expect(run.stdout).toContain("INTERIM_MODE=off  (from .env)");
    expect(run.stdout).toContain("Not applied (the replay runs its own ACS and Voice Live): VOICELIVE_ENDPOINT");
    // The changed greeting is what Voice Live was asked to say, and what it kept.
    const transcript = readFileSync(join(cwd, "out/hangup-mid-answer/transcript.txt"), "utf8");
    expect(transcript.split("\n")[0]).toBe("Bot: Ahoy, caller Jane Caller");
    // The fixture's expectations were judged (whether a time budget held on a busy machine is not this test's subject).
    expect(run.stdout).toMatch(/[✓✗] call ends: callerHungUp/);
    expect(run.stdout).toMatch(/^[01]\/1 fixture\(s\) passed$/m);
  }, 60_000);

  it("--ignore-env runs the fixture's settings only", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "replay-noenv-"));
    writeFileSync(join(cwd, ".env"), "GREETING_TEXT=Ahoy\n");
    const run = await runCli("src/replay/cli.ts", [join(root, "fixtures/calls/hangup-mid-answer"), "--speed", "2", "--quiet", "--ignore-env", "--out", join(cwd, "out")], {
      cwd,
      env: { GREETING_TEXT: "Ahoy from the environment" },
    });
    expect(run.stdout).not.toContain("Your settings");
    const transcript = readFileSync(join(cwd, "out/hangup-mid-answer/transcript.txt"), "utf8");
    expect(transcript).toMatch(/^Bot: Thank you for calling Contoso/);
    expect(transcript).not.toContain("Ahoy");
  }, 60_000);

  it("replays every fixture in a folder", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "replay-folder-"));
    const folder = join(cwd, "my-calls");
    mkdirSync(folder);
    for (const name of ["hangup-mid-answer", "transfer"]) cpSync(join(root, "fixtures/calls", name), join(folder, name), { recursive: true });
    const run = await runCli("src/replay/cli.ts", [folder, "--speed", "2", "--quiet", "--out", join(cwd, "out")], { cwd });
    expect(run.stdout).toMatch(/▶ hangup-mid-answer/);
    expect(run.stdout).toMatch(/▶ transfer/);
    expect(run.stdout).toMatch(/^[012]\/2 fixture\(s\) passed$/m);
    expect(existsSync(join(cwd, "out/hangup-mid-answer/heard.wav"))).toBe(true);
    expect(existsSync(join(cwd, "out/transfer/heard.wav"))).toBe(true);
  }, 90_000);

  it("a folder with no fixture, or an unknown name, says what it accepts", async () => {
    const empty = mkdtempSync(join(tmpdir(), "replay-empty-"));
    const run = await runCli("src/replay/cli.ts", [empty]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/no fixture in .*: neither it nor any folder directly inside it has a call\.json/);
    const unknown = await runCli("src/replay/cli.ts", ["no-such-call"]);
    expect(unknown.stderr).toMatch(/one of: barge-in-long-answer, .*dtmf, greeting-question/);
  });
});

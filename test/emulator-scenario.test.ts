import { spawn } from "node:child_process";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { DEFAULT_SCENARIO, loadScenario, parseScenario, ScenarioError } from "../src/emulator/index.js";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "emulator-scenario-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function rejects(json: unknown, messagePart: string): void {
  let caught: unknown;
  try {
    parseScenario(json);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ScenarioError);
  expect((caught as ScenarioError).code).toBe("scenario_invalid");
  expect((caught as ScenarioError).message).toContain(messagePart);
}

describe("scenario scripts", () => {
  it("parses a full scenario and fills the default fallback", () => {
    const scenario = parseScenario({
      version: 1,
      name: "x",
      greeting: [{ say: "Hi." }],
      turns: [{ user: "Order?", assistant: [{ say: "Checking." }, { tool: "lookup", arguments: { id: 1 }, answer: "It is {{output}}." }, { delayMs: 300 }, { say: "Bye." }] }],
    });
    expect(scenario.turns[0].assistant[1]).toEqual({ tool: "lookup", arguments: { id: 1 }, answer: "It is {{output}}." });
    expect(scenario.fallback).toEqual(DEFAULT_SCENARIO.fallback);
    expect(parseScenario({ version: 1, turns: [{ user: "a", assistant: [{ tool: "t" }] }] }).turns[0].assistant[0]).toEqual({ tool: "t", arguments: {} });
  });

  it("rejects bad scripts with the path of the problem", () => {
    rejects([], "scenario: expected a JSON object");
    rejects({ turns: [] }, "scenario.version");
    rejects({ version: 1, turn: [] }, 'unknown key "turn"');
    rejects({ version: 1, turns: {} }, "scenario.turns: expected an array");
    rejects({ version: 1, turns: [{ user: "", assistant: [{ say: "x" }] }] }, "scenario.turns[0].user");
    rejects({ version: 1, turns: [{ user: "a", assistant: [{ say: "x", delayMs: 3 }] }] }, "scenario.turns[0].assistant[0]: a step needs exactly one");
    rejects({ version: 1, turns: [{ user: "a", assistant: [{ speak: "x" }] }] }, "found none");
    rejects({ version: 1, turns: [{ user: "a", assistant: [{ delayMs: -1 }, { say: "x" }] }] }, "scenario.turns[0].assistant[0].delayMs");
    rejects({ version: 1, turns: [{ user: "a", assistant: [{ delayMs: 100 }] }] }, 'needs at least one "say" or "tool"');
    rejects({ version: 1, turns: [{ user: "a", assistant: [{ tool: "bad name" }] }] }, "scenario.turns[0].assistant[0].tool");
    rejects({ version: 1, turns: [{ user: "a", assistant: [{ tool: "t", arguments: [1] }] }] }, "arguments: expected a JSON object");
    rejects({ version: 1, turns: [{ user: "a", assistant: [{ tool: "t", result: "x" }] }] }, 'unknown key "result"');
    rejects({ version: 1, fallback: { replies: [] } }, "scenario.fallback.replies");
  });

  it("the default local-mode fixture is the built-in default script", async () => {
    expect(await loadScenario("fixtures/scenarios/local-default.json")).toEqual(DEFAULT_SCENARIO);
  });

  it("every fixture scenario parses", async () => {
    const files = (await readdir("fixtures/scenarios")).filter((f) => f.endsWith(".json"));
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const file of files) await expect(loadScenario(join("fixtures/scenarios", file))).resolves.toMatchObject({ version: 1 });
  });

  it("loadScenario names the file and says what is wrong", async () => {
    await expect(loadScenario(join(dir, "missing.json"))).rejects.toMatchObject({ code: "scenario_unreadable" });
    await writeFile(join(dir, "broken.json"), "{ nope");
    await expect(loadScenario(join(dir, "broken.json"))).rejects.toMatchObject({ code: "scenario_invalid_json" });
    await writeFile(join(dir, "invalid.json"), JSON.stringify({ version: 2 }));
    const error = await loadScenario(join(dir, "invalid.json")).catch((e: unknown) => e as ScenarioError);
    expect(error).toMatchObject({ code: "scenario_invalid" });
    expect((error as ScenarioError).message).toContain("invalid.json");
    expect((error as ScenarioError).message).toContain("scenario.version");
  });
});

describe("npm run emulator (src/emulator/cli.ts)", () => {
  it("starts on the given port with a scenario file, serves a session, and stops cleanly on SIGTERM", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/emulator/cli.ts", "--port", "0", "--scenario", "fixtures/scenarios/order-status.json", "--seed", "5"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = "";
        const timer = setTimeout(() => reject(new Error(`emulator did not start: ${out}`)), 15_000);
        child.stdout.on("data", (chunk: Buffer) => {
          out += chunk.toString();
          const match = /"url":"(ws:\/\/[^"]+)"/.exec(out);
          if (match) {
            clearTimeout(timer);
            resolve(match[1]);
          }
        });
        child.once("exit", (code) => reject(new Error(`emulator exited early (${code}): ${out}`)));
      });
      expect(url).toMatch(/\/voice-live\/realtime$/);
      const ws = new WebSocket(`${url}?api-version=2026-01-01-preview&model=gpt-4.1`, { headers: { "api-key": "k" } });
      ws.on("error", () => {});
      const first = await new Promise<any>((resolve) => ws.once("message", (data) => resolve(JSON.parse(data.toString()))));
      expect(first.type).toBe("session.created");
      ws.close();
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });

  it("refuses an invalid scenario file with a clear message and a non-zero exit", async () => {
    await writeFile(join(dir, "bad.json"), JSON.stringify({ version: 1, turns: [{ user: "a", assistant: [] }] }));
    const child = spawn(process.execPath, ["--import", "tsx", "src/emulator/cli.ts", "--port", "0", "--scenario", join(dir, "bad.json")], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
    expect(code).toBe(1);
    expect(stderr).toContain("scenario.turns[0].assistant");
  });
});

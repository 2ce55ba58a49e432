/**
 * npm run latency [-- all | <fixture>] [--speed 4] [--leg mulaw8k|pcm16k|pcm24k]
 *
 * Replays fixtures with the bot in-process and prints per-turn latency two ways:
 * the bot's own figure from each call's conversation log (Voice Live
 * speech_stopped → first bot frame sent, the bot_response_start_ms histogram)
 * and the wait at the caller's ear (end of the caller's utterance in caller.wav →
 * first bot audio heard; it includes Voice Live's end-of-turn silence). Then
 * p50/p95 over every turn of every fixture. Figures, not pass/fail.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { LegName } from "../src/acs-sim/index.js";
import { formatSummary, summarizeLatency } from "../src/latency-stats.js";
import { fixtureDirs, loadFixture } from "../src/replay/fixture.js";
import { callerLatency } from "../src/replay/latency.js";
import { replayFixture } from "../src/replay/runner.js";

const { values, positionals } = parseArgs({ allowPositionals: true, options: { speed: { type: "string", default: "4" }, leg: { type: "string" } } });
const speed = Number(values.speed);
const all = { botTurns: [] as number[], earTurns: [] as number[], greetings: [] as number[], bargeIns: [] as number[], tools: [] as string[] };

for (const dir of fixtureDirs(positionals[0] ?? "all")) {
  const logDir = mkdtempSync(join(tmpdir(), "latency-"));
  const fixture = loadFixture(dir);
  const result = await replayFixture(fixture, { speed, ...(values.leg ? { leg: values.leg as LegName } : {}), env: { CALL_LOG_DIR: logDir } });
  const lines = await completeLog(logDir);
  rmSync(logDir, { recursive: true, force: true });
  const latency = lines.filter((line) => line.type === "latency");
  const bot = latency.filter((line) => line.kind === "turn").map((line) => line.latencyMs as number);
  const greeting = latency.find((line) => line.kind === "greeting")?.latencyMs as number | undefined;
  const ear = callerLatency(result.observation);
  const earTurns = ear.turns.flatMap((t) => (t.answerMs === undefined ? [] : [t.answerMs]));
  all.botTurns.push(...bot);
  all.earTurns.push(...earTurns);
  if (greeting !== undefined) all.greetings.push(greeting);
  all.bargeIns.push(...latency.filter((line) => line.kind === "barge_in").map((line) => line.latencyMs as number));
  for (const tool of latency.filter((line) => line.kind === "tool")) all.tools.push(`${fixture.name}: ${tool.tool} ${tool.latencyMs} ms, ${tool.covered ? `interim after ${tool.interimAfterMs} ms` : "no interim"}`);
  process.stdout.write(
    `${fixture.name.padEnd(22)} greeting ${String(greeting ?? "—").padStart(4)} ms | bot turns [${bot.join(", ")}] ms | at the ear [${ear.turns.map((t) => t.answerMs ?? "—").join(", ")}] ms\n`,
  );
}
process.stdout.write(`\nspeed ${speed}×, ${all.botTurns.length} turns\n`);
process.stdout.write(`turn, bot (speech_stopped → first frame):   ${formatSummary(summarizeLatency(all.botTurns))}\n`);
process.stdout.write(`turn, caller's ear (utterance end → heard): ${formatSummary(summarizeLatency(all.earTurns))}\n`);
process.stdout.write(`greeting (media connected → first frame):  ${formatSummary(summarizeLatency(all.greetings))}\n`);
process.stdout.write(`barge-in (speech_started → StopAudio):      ${all.bargeIns.map((ms) => `${ms} ms`).join(", ") || "none"}\n`);
for (const tool of all.tools) process.stdout.write(`tool ${tool}\n`);

async function completeLog(dir: string): Promise<Array<Record<string, unknown>>> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const files = readdirSync(dir);
    if (files.length === 1) {
      const lines = readFileSync(join(dir, files[0]!), "utf8").split("\n").filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
      if (lines.some((line) => line.type === "call_ended")) return lines;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no complete conversation log in ${dir}`);
}

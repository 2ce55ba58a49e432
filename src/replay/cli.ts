/**
 * npm run replay -- <fixture dir | all> [--fast | --speed N] [--leg pcm24k|pcm16k|mulaw8k] [--out DIR]
 *                   [--url http://127.0.0.1:8080 [--peers-port 9400]] [--quiet]
 *
 * Replays recorded call fixtures against the bot (in-process by default), prints
 * a timeline, writes out/<name>/ (heard.wav, transcript.txt, report.json) and
 * exits non-zero naming every expectation that failed.
 */
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { LegName } from "../acs-sim/index.js";
import { errorMessage } from "../errors.js";
import { fixtureDirs, loadFixture, type Fixture } from "./fixture.js";
import { startReplayPeers } from "./peers.js";
import { formatResults, formatTimelineEntry, writeReport } from "./report.js";
import { replayFixture, type ReplayResult } from "./runner.js";

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      fast: { type: "boolean", default: false },
      speed: { type: "string" },
      leg: { type: "string" },
      out: { type: "string", default: "out" },
      url: { type: "string" },
      "peers-port": { type: "string", default: "9400" },
      quiet: { type: "boolean", default: false },
    },
  });
  if (positionals.length !== 1) {
    process.stderr.write("usage: npm run replay -- <fixture dir | name | all> [--fast | --speed N] [--leg pcm24k|pcm16k|mulaw8k] [--out DIR] [--url BOT_URL]\n");
    return 2;
  }
  const speed = values.speed !== undefined ? Number(values.speed) : values.fast ? 4 : 1;
  if (!(speed > 0 && speed <= 10)) throw new Error("--speed must be a number from 0 (exclusive) to 10");
  const leg = values.leg as LegName | undefined;
  if (leg !== undefined && !["mulaw8k", "pcm16k", "pcm24k"].includes(leg)) throw new Error("--leg must be mulaw8k, pcm16k or pcm24k");
  const fixtures: Fixture[] = fixtureDirs(positionals[0]!).map(loadFixture);
  const out = resolve(values.out!);

  const peers = values.url
    ? await startReplayPeers({ botUrl: values.url, portBase: Number(values["peers-port"]), stateFile: join(out, ".replay-peers.json"), speed })
    : undefined;
  if (peers) {
    process.stdout.write(`Replaying against the bot at ${values.url}. Start it with these settings (fixture env is not applied to a running bot):\n`);
    for (const [key, value] of Object.entries(peers.botEnv)) process.stdout.write(`  ${key}=${value}\n`);
  }
  const results: ReplayResult[] = [];
  try {
    for (const fixture of fixtures) {
      process.stdout.write(`\n▶ ${fixture.name}${fixture.description ? ` — ${fixture.description}` : ""}\n`);
      process.stdout.write(`  caller audio ${(fixture.callerDurationMs / 1000).toFixed(1)} s, leg ${leg ?? fixture.leg ?? "ACS's (ACS_AUDIO_FORMAT)"}, ${speed === 1 ? "real time" : `${speed}× real time`}\n`);
      const result = await replayFixture(fixture, {
        speed,
        ...(leg ? { leg } : {}),
        ...(peers ? { target: peers.target } : {}),
        onTimeline: values.quiet ? undefined : (entry) => process.stdout.write(`${formatTimelineEntry(entry)}\n`),
      });
      results.push(result);
      const written = writeReport(result, out);
      for (const line of formatResults(result)) process.stdout.write(`${line}\n`);
      process.stdout.write(`  ${result.passed ? "PASS" : "FAIL"} — what the caller heard: ${written.heardWav}; transcript: ${written.transcript}\n`);
    }
  } finally {
    await peers?.close();
  }
  const failed = results.filter((r) => !r.passed);
  process.stdout.write(`\n${results.length - failed.length}/${results.length} fixture(s) passed\n`);
  for (const result of failed) {
    for (const r of result.results.filter((x) => !x.passed)) process.stdout.write(`  ✗ ${result.fixture.name}: ${r.name} — ${r.detail}\n`);
  }
  return failed.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`replay failed: ${errorMessage(error)}\n`);
    process.exit(2);
  },
);

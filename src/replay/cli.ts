/**
 * npm run replay -- <fixture | folder | name | all> [options]   (--help for the list)
 *
 * Replays recorded call fixtures against the bot (in-process by default, with the
 * user's environment and .env over each fixture's settings), prints a timeline,
 * writes out/<name>/ (heard.wav, transcript.txt, report.json) and exits non-zero
 * naming every expectation that failed. With --url, against a running bot: it
 * prints the settings that bot needs and, afterwards, which of them differ.
 */
import { join, resolve } from "node:path";
import { parseCliArgs } from "../cli-args.js";
import type { LegName } from "../acs-sim/index.js";
import { errorMessage } from "../errors.js";
import { runningBotDifferences, settingsNeeded } from "./bot-settings-check.js";
import { fixtureDirs, loadFixture, type Fixture } from "./fixture.js";
import { startReplayPeers, type ReplayPeers } from "./peers.js";
import { formatResults, formatTimelineEntry, writeReport } from "./report.js";
import { replayFixture, ReplayCallError, type ReplayEvidence } from "./runner.js";
import { describeUserSettings, NO_USER_SETTINGS, readUserSettings } from "./user-settings.js";

const USAGE = `usage: npm run replay -- <fixture> [options]

  <fixture>           a fixture folder (with call.json), a folder of fixture folders,
                      a name under fixtures/calls (e.g. greeting-question), or "all"

options:
  --fast              4× real time (the bot, Voice Live and the caller share one clock)
  --speed N           any speed from 0 (exclusive) to 10
  --leg L             pcm24k or pcm16k (ACS; default: the bot's ACS_AUDIO_FORMAT, 24 kHz),
                      or mulaw8k (a G.711 source: the recorded bytes unchanged)
  --out DIR           where out/<name>/heard.wav, transcript.txt and report.json go (default out)
  --ignore-env        the fixture's settings only: leave out the environment and .env
  --url URL           replay against a running bot at URL (prints the settings it must run with)
  --peers-port N      with --url: the local ACS stub listens on N, its token issuer on N+1,
                      the Voice Live emulator on N+2 (default 9400)
  --quiet             no timeline
  -h, --help          this text

Your settings: the environment over ./.env is applied over each fixture's call.json env
(GREETING_TEXT="Ahoy" npm run replay -- greeting-question); the fixture's expectations are
still judged. Settings that wire the bot to ACS, Voice Live or its public URL are not applied:
the replay runs its own.
`;

interface Failure {
  readonly name: string;
  readonly reason: string;
}

async function main(): Promise<number> {
  const parsed = parseCliArgs(
    {
      allowPositionals: true,
      options: {
        fast: { type: "boolean", default: false },
        speed: { type: "string" },
        leg: { type: "string" },
        out: { type: "string", default: "out" },
        url: { type: "string" },
        "peers-port": { type: "string", default: "9400" },
        "ignore-env": { type: "boolean", default: false },
        quiet: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    },
    USAGE,
  );
  if (typeof parsed === "number") return parsed;
  const { values, positionals } = parsed;
  if (positionals.length !== 1) {
    process.stderr.write(USAGE);
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
  const user = peers || values["ignore-env"] ? NO_USER_SETTINGS : readUserSettings(resolve(".env"), process.env);
  if (peers) printRunningBotSettings(values.url!, peers, fixtures);
  else for (const line of describeUserSettings(user)) process.stdout.write(`${line}\n`);

  let passed = 0;
  const failures: Failure[] = [];
  try {
    for (const fixture of fixtures) {
      process.stdout.write(`\n▶ ${fixture.name}${fixture.description ? ` — ${fixture.description}` : ""}\n`);
      process.stdout.write(`  caller audio ${(fixture.callerDurationMs / 1000).toFixed(1)} s, leg ${leg ?? fixture.leg ?? "ACS's (ACS_AUDIO_FORMAT)"}, ${speed === 1 ? "real time" : `${speed}× real time`}\n`);
      let evidence: ReplayEvidence;
      try {
        const result = await replayFixture(fixture, {
          speed,
          env: user.env,
          ...(leg ? { leg } : {}),
          ...(peers ? { target: peers.target } : {}),
          onTimeline: values.quiet ? undefined : (entry) => process.stdout.write(`${formatTimelineEntry(entry)}\n`),
        });
        evidence = result.evidence;
        const written = writeReport(result, out);
        for (const line of formatResults(result)) process.stdout.write(`${line}\n`);
        process.stdout.write(`  ${result.passed ? "PASS" : "FAIL"} — what the caller heard: ${written.heardWav}; transcript: ${written.transcript}\n`);
        if (result.passed) passed += 1;
        for (const r of result.results.filter((x) => !x.passed)) failures.push({ name: fixture.name, reason: `${r.name} — ${r.detail}` });
      } catch (error) {
        if (!(error instanceof ReplayCallError)) throw error;
        evidence = error.evidence;
        process.stdout.write(`  FAIL — ${error.message}\n`);
        failures.push({ name: fixture.name, reason: error.message });
      }
      if (peers) {
        const differences = runningBotDifferences(fixture, peers.botEnv, evidence);
        if (differences.length > 0) {
          process.stdout.write("  What the peers saw of the running bot, against what this fixture needs:\n");
          for (const line of differences) process.stdout.write(`    ${line}\n`);
        }
      }
    }
  } finally {
    await peers?.close();
  }
  process.stdout.write(`\n${passed}/${fixtures.length} fixture(s) passed\n`);
  for (const failure of failures) process.stdout.write(`  ✗ ${failure.name}: ${failure.reason}\n`);
  return passed === fixtures.length ? 0 : 1;
}

/** Every setting each fixture needs on the running bot: the peers' wiring once, then each fixture's own. */
function printRunningBotSettings(url: string, peers: ReplayPeers, fixtures: readonly Fixture[]): void {
  const write = (line: string): void => void process.stdout.write(`${line}\n`);
  write(`Replaying against the bot at ${url}. A running bot keeps its own settings (your environment and .env do not`);
  write("reach it): start it with these, e.g. in its .env:");
  for (const [key, value] of Object.entries(peers.botEnv)) write(`  ${key}=${quote(value)}`);
  const groups = new Map<string, string[]>();
  for (const fixture of fixtures) {
    const own = Object.entries(settingsNeeded(fixture, peers.botEnv)).filter(([key]) => !(key in peers.botEnv));
    const lines = own.map(([key, value]) => `${key}=${quote(value)}`).join("\n");
    groups.set(lines, [...(groups.get(lines) ?? []), fixture.name]);
  }
  if (groups.size === 1) {
    const [lines] = [...groups.keys()];
    if (lines) for (const line of lines!.split("\n")) write(`  ${line}`);
  } else {
    write("and, per fixture (one running bot has one set of settings: replay the fixtures that share it):");
    for (const [lines, names] of groups) {
      write(`  ${names.join(", ")}:`);
      for (const line of lines ? lines.split("\n") : ["(nothing more)"]) write(`    ${line}`);
    }
  }
  for (const fixture of fixtures.filter((f) => f.tools.length > 0)) {
    write(`Note: ${fixture.name} gives an in-process bot its own tools (${fixture.tools.map((t) => t.name).join(", ")}); a running bot does not have them.`);
  }
}

function quote(value: string): string {
  return /^[\w@%+=:,./-]*$/.test(value) ? value : JSON.stringify(value);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`replay failed: ${errorMessage(error)}\n`);
    process.exit(2);
  },
);

/**
 * npm run demo [-- --fast] — a whole phone call on this machine, no Azure account:
 * the bot (in-process, on its embedded Voice Live emulator) answers a simulated
 * ACS call whose caller speaks recorded phrases (fixtures/demo). Prints the
 * call's timeline and the transcript, and writes what the caller heard as a WAV.
 * The user's environment and .env apply over the demo's settings.
 */
import { resolve } from "node:path";
import { parseCliArgs } from "../cli-args.js";
import { errorMessage } from "../errors.js";
import { loadFixture } from "./fixture.js";
import { formatResults, formatTimelineEntry, writeReport } from "./report.js";
import { replayFixture } from "./runner.js";
import { formatTranscript } from "./transcript.js";
import { describeUserSettings, NO_USER_SETTINGS, readUserSettings } from "./user-settings.js";

const USAGE = `usage: npm run demo [-- options]

One phone call, end to end, on this machine: a simulated ACS caller (recorded speech) rings the
bot, which answers and talks to its embedded Voice Live emulator.

options:
  --fast          4× real time
  --out DIR       where out/demo/heard.wav, transcript.txt and report.json go (default out)
  --ignore-env    the demo's own settings only: leave out the environment and .env
  -h, --help      this text

Your settings apply: GREETING_TEXT="Ahoy" npm run demo, or put them in .env (see .env.example).
Settings that wire the bot to ACS, Voice Live or its public URL are not applied: the demo runs its own.
`;

async function main(): Promise<number> {
  const parsed = parseCliArgs(
    {
      options: {
        fast: { type: "boolean", default: false },
        out: { type: "string", default: "out" },
        "ignore-env": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    },
    USAGE,
  );
  if (typeof parsed === "number") return parsed;
  const { values } = parsed;
  const fixture = loadFixture("fixtures/demo");
  const speed = values.fast ? 4 : 1;
  const user = values["ignore-env"] ? NO_USER_SETTINGS : readUserSettings(resolve(".env"), process.env);
  process.stdout.write(
    [
      "Demo: one phone call, end to end, on this machine.",
      "  Simulated ACS rings the bot's Event Grid webhook → the bot answers with the Call Automation SDK →",
      "  ACS opens the media WebSocket (PCM16 24 kHz, as ACS streams a phone caller) → the bot bridges it to Voice Live",
      "  (the embedded emulator: VOICELIVE_ENDPOINT is unset) and back.",
      `  Caller audio: ${(fixture.callerDurationMs / 1000).toFixed(0)} s of recorded speech, ${speed === 1 ? "in real time" : `${speed}× real time`}.`,
      ...describeUserSettings(user).map((line) => `  ${line}`),
      "",
      "  time      who        what",
      "",
    ].join("\n"),
  );
  const result = await replayFixture(fixture, { speed, env: user.env, onTimeline: (entry) => process.stdout.write(`${formatTimelineEntry(entry)}\n`) });
  const written = writeReport(result, resolve(values.out!));
  process.stdout.write(`\nTranscript (what was said and what the caller heard):\n${formatTranscript(result.transcript).replace(/^/gm, "  ")}\n`);
  process.stdout.write(`Checks:\n${formatResults(result).join("\n")}\n\n`);
  process.stdout.write(`What the caller heard: ${written.heardWav}\n`);
  process.stdout.write(
    "  (the caller's earpiece: only what the bot sent and ACS played — not the caller's own voice — from the moment\n" +
      "   media connected, silence where the bot was quiet, cut short where a barge-in's StopAudio flushed it;\n" +
      `   16-bit PCM WAV at the phone leg's rate, ${result.heard.sampleRateHz} Hz here)\n`,
  );
  process.stdout.write(`Transcript: ${written.transcript}\nReport: ${written.report}\n`);
  if (result.passed) process.stdout.write("\nThe call worked.\n");
  else {
    process.stdout.write("\nSomething did not go as expected (see the ✗ lines above).\n");
    if (user.applied.length > 0) process.stdout.write("Your settings changed the call: the demo's checks were written for its defaults (--ignore-env runs without them).\n");
  }
  return result.passed ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`demo failed: ${errorMessage(error)}\n`);
    process.exit(1);
  },
);

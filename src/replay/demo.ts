/**
 * npm run demo [-- --fast] — a whole phone call on this machine, no Azure account:
 * the bot (in-process, on its embedded Voice Live emulator) answers a simulated
 * ACS call whose caller speaks recorded phrases (fixtures/demo). Prints the
 * call's timeline and the transcript, and writes what the caller heard as a WAV.
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { errorMessage } from "../errors.js";
import { loadFixture } from "./fixture.js";
import { formatResults, formatTimelineEntry, writeReport } from "./report.js";
import { replayFixture } from "./runner.js";
import { formatTranscript } from "./transcript.js";

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { fast: { type: "boolean", default: false }, out: { type: "string", default: "out" } } });
  const fixture = loadFixture("fixtures/demo");
  const speed = values.fast ? 4 : 1;
  process.stdout.write(
    [
      "Demo: one phone call, end to end, on this machine.",
      "  Simulated ACS rings the bot's Event Grid webhook → the bot answers with the Call Automation SDK →",
      "  ACS opens the media WebSocket (PCM16 24 kHz, as ACS streams a phone caller) → the bot bridges it to Voice Live",
      "  (the embedded emulator: VOICELIVE_ENDPOINT is unset) and back.",
      `  Caller audio: ${(fixture.callerDurationMs / 1000).toFixed(0)} s of recorded speech, ${speed === 1 ? "in real time" : `${speed}× real time`}.`,
      "",
      "  time      who        what",
      "",
    ].join("\n"),
  );
  const result = await replayFixture(fixture, { speed, onTimeline: (entry) => process.stdout.write(`${formatTimelineEntry(entry)}\n`) });
  const written = writeReport(result, resolve(values.out!));
  process.stdout.write(`\nTranscript (as Voice Live kept it):\n${formatTranscript(result.transcript).replace(/^/gm, "  ")}\n`);
  process.stdout.write(`Checks:\n${formatResults(result).join("\n")}\n\n`);
  process.stdout.write(`What the caller heard: ${written.heardWav}\nTranscript: ${written.transcript}\nReport: ${written.report}\n`);
  process.stdout.write(result.passed ? "\nThe call worked.\n" : "\nSomething did not go as expected (see the ✗ lines above).\n");
  return result.passed ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`demo failed: ${errorMessage(error)}\n`);
    process.exit(1);
  },
);

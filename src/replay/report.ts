/** What a replay leaves behind (out/<name>/) and prints. */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { encodeWav } from "../audio/index.js";
import type { ReplayResult, TimelineEntry } from "./runner.js";
import { formatTranscript } from "./transcript.js";

export interface WrittenReport {
  readonly dir: string;
  readonly heardWav: string;
  readonly transcript: string;
  readonly report: string;
}

export function writeReport(result: ReplayResult, outRoot: string): WrittenReport {
  const dir = join(outRoot, result.fixture.name);
  mkdirSync(dir, { recursive: true });
  const heardWav = join(dir, "heard.wav");
  const transcript = join(dir, "transcript.txt");
  const report = join(dir, "report.json");
  writeFileSync(heardWav, encodeWav(result.heard.samples, result.heard.sampleRateHz));
  writeFileSync(transcript, formatTranscript(result.transcript));
  writeFileSync(
    report,
    `${JSON.stringify(
      {
        fixture: result.fixture.name,
        description: result.fixture.description,
        passed: result.passed,
        leg: result.leg,
        speed: result.speed,
        expectations: result.results,
        observation: { ...result.observation, audioFrameAtMs: undefined, frames: result.observation.audioFrameAtMs.length },
        transcript: result.transcript,
        timeline: result.timeline,
      },
      null,
      2,
    )}\n`,
  );
  return { dir, heardWav, transcript, report };
}

const ICON: Record<TimelineEntry["who"], string> = { acs: "ACS      ", caller: "caller   ", bot: "bot      ", tool: "tool     ", voicelive: "voicelive" };

export function formatTimelineEntry(entry: TimelineEntry): string {
  return `  ${(entry.atMs / 1000).toFixed(2).padStart(7)} s  ${ICON[entry.who]}  ${entry.text}`;
}

export function formatResults(result: ReplayResult): string[] {
  const lines = result.results.map((r) => `  ${r.skipped ? "–" : r.passed ? "✓" : "✗"} ${r.name}: ${r.detail}${r.skipped ? " (skipped)" : ""}`);
  // Call time excludes spans the host starved the process (call-time.ts); say how much.
  if (result.hostStallsExcludedMs >= 1) lines.push(`  (call time: ${Math.round(result.hostStallsExcludedMs)} ms of host CPU starvation left out)`);
  return lines;
}

/** What a replay leaves behind (out/<name>/) and prints. */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { encodeWav } from "../audio/index.js";
import { formatSummary } from "../latency-stats.js";
import { callerLatency, type CallerLatency } from "./latency.js";
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
        latency: callerLatency(result.observation),
        timeline: withLatency(result),
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

/** The call's timeline with where the caller waited, in time order. */
export function withLatency(result: ReplayResult): TimelineEntry[] {
  return [...result.timeline, ...latencyEntries(callerLatency(result.observation))].sort((a, b) => a.atMs - b.atMs);
}

function latencyEntries(latency: CallerLatency): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  if (latency.greetingMs !== undefined) entries.push({ atMs: latency.greetingMs, who: "bot", text: `⏱ greeting heard ${latency.greetingMs} ms after media connected` });
  for (const turn of latency.turns) {
    if (turn.answerMs !== undefined) entries.push({ atMs: turn.endedAtMs + turn.answerMs, who: "bot", text: `⏱ answered ${turn.answerMs} ms after the caller stopped speaking (utterance #${turn.utterance + 1})` });
  }
  for (const barge of latency.bargeIns) {
    if (barge.reactionMs !== undefined) entries.push({ atMs: barge.atMs, who: "bot", text: `⏱ StopAudio ${barge.reactionMs} ms after the caller started speaking over the bot` });
  }
  return entries;
}

/** One line a person reads: how long the caller waited for the greeting and each answer. */
export function formatLatency(latency: CallerLatency): string[] {
  const turns = latency.turns.map((t) => (t.answerMs === undefined ? "—" : `${t.answerMs}`)).join(", ");
  const lines = [
    `  latency at the caller's ear: greeting ${latency.greetingMs ?? "never"} ms; turns [${turns}] ms → ${formatSummary(latency.turnSummary)}`,
  ];
  if (latency.bargeIns.length > 0) lines.push(`  barge-in: StopAudio ${latency.bargeIns.map((b) => (b.reactionMs === undefined ? "—" : `${b.reactionMs}`)).join(", ")} ms after the caller started speaking`);
  for (const tool of latency.tools) {
    lines.push(`  tool ${tool.name}: ${tool.durationMs} ms, ${tool.covered ? `interim heard ${tool.interimAfterMs} ms in` : "caller waited in silence"}`);
  }
  return lines;
}

export function formatResults(result: ReplayResult): string[] {
  const lines = result.results.map((r) => `  ${r.skipped ? "–" : r.passed ? "✓" : "✗"} ${r.name}: ${r.detail}${r.skipped ? " (skipped)" : ""}`);
  lines.push(...formatLatency(callerLatency(result.observation)));
  // Call time excludes spans the host starved the process (call-time.ts); say how much.
  if (result.hostStallsExcludedMs >= 1) lines.push(`  (call time: ${Math.round(result.hostStallsExcludedMs)} ms of host CPU starvation left out)`);
  return lines;
}

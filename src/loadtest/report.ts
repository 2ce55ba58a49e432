/** Per-step figures of a load test, the goals they are judged against, and the printed table. */
import type { DriverWindow } from "./driver-protocol.js";

/** The capacity goals (issue 14), per step. */
export const GOALS = {
  relayP99Ms: 5,
  underruns: 0,
  lostFrames: 0,
  rssPerCallKB: 100,
  usPerFramePair: 30,
} as const;

export interface StepResult {
  readonly calls: number;
  /** Calls whose audio flowed both ways when the window started. */
  readonly flowing: number;
  readonly windowS: number;
  /** Bot CPU, percent of one core (all its processes together). */
  readonly botCpuPercent: number;
  /** Of botCpuPercent, the part spent in the kernel (socket writes and reads, loopback TCP). */
  readonly botSystemCpuPercent: number;
  /** Bot CPU per 20 ms of audio in and 20 ms out, one call. */
  readonly usPerFramePair: number;
  readonly rssMB: number;
  readonly rssPerCallKB: number;
  readonly heapUsedMB: number | undefined;
  readonly relayMs: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly outboundGapP99Ms: number;
  readonly outboundGapMaxMs: number;
  readonly underruns: number;
  readonly lostFrames: { readonly inbound: number; readonly outbound: number };
  readonly misroutedFrames: number;
  readonly eventLoopLagMs: { readonly p99: number | undefined; readonly max: number | undefined };
  readonly driver: DriverWindow["driver"];
  readonly failedCalls: number;
  readonly pass: boolean;
  readonly failures: readonly string[];
}

export function judge(step: Omit<StepResult, "pass" | "failures">): StepResult {
  const failures: string[] = [];
  if (step.flowing < step.calls) failures.push(`only ${step.flowing} of ${step.calls} calls had audio flowing`);
  if (!(step.relayMs.p99 < GOALS.relayP99Ms)) failures.push(`relay p99 ${step.relayMs.p99} ms ≥ ${GOALS.relayP99Ms}`);
  if (step.underruns > GOALS.underruns) failures.push(`${step.underruns} playback underruns`);
  const lost = step.lostFrames.inbound + step.lostFrames.outbound;
  if (lost > GOALS.lostFrames) failures.push(`${lost} frames lost`);
  if (step.misroutedFrames > 0) failures.push(`${step.misroutedFrames} frames reached the wrong call`);
  if (step.rssPerCallKB > GOALS.rssPerCallKB) failures.push(`${step.rssPerCallKB} KB RSS per call > ${GOALS.rssPerCallKB}`);
  if (step.usPerFramePair > GOALS.usPerFramePair) failures.push(`${step.usPerFramePair} µs per frame pair > ${GOALS.usPerFramePair}`);
  return { ...step, pass: failures.length === 0, failures };
}

const COLUMNS: ReadonlyArray<[string, (s: StepResult) => string]> = [
  ["calls", (s) => `${s.calls}`],
  ["bot CPU (sys)", (s) => `${s.botCpuPercent.toFixed(0)} % (${s.botSystemCpuPercent.toFixed(0)})`],
  ["µs/pair", (s) => s.usPerFramePair.toFixed(1)],
  ["RSS/call", (s) => `${s.rssPerCallKB.toFixed(0)} KB`],
  ["relay p50/p99/max", (s) => `${s.relayMs.p50}/${s.relayMs.p99}/${s.relayMs.max} ms`],
  ["out gap p99", (s) => `${s.outboundGapP99Ms} ms`],
  ["underruns", (s) => `${s.underruns}`],
  ["lost in/out", (s) => `${s.lostFrames.inbound}/${s.lostFrames.outbound}`],
  ["loop lag p99/max", (s) => `${fmt(s.eventLoopLagMs.p99)}/${fmt(s.eventLoopLagMs.max)} ms`],
  ["driver CPU/lag", (s) => `${s.driver.cpuPercent.toFixed(0)} %/${s.driver.eventLoopMaxMs.toFixed(0)} ms${driverSaturated(s) ? " !" : ""}`],
  ["goals", (s) => (s.pass ? "PASS" : "FAIL")],
];

/** The driver had no CPU to spare: latency figures then include its own delays, not just the bot's. */
export function driverSaturated(step: StepResult): boolean {
  return step.driver.cpuPercent > 90 || step.driver.eventLoopMaxMs > 50;
}

function fmt(value: number | undefined): string {
  return value === undefined ? "–" : value.toFixed(1);
}

export function formatTable(steps: readonly StepResult[]): string {
  const rows = [COLUMNS.map(([name]) => name), ...steps.map((step) => COLUMNS.map(([, cell]) => cell(step)))];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const line = (row: string[]): string => `| ${row.map((cell, i) => cell.padEnd(widths[i]!)).join(" | ")} |`;
  const rule = `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`;
  const failures = steps.flatMap((step) => step.failures.map((failure) => `  ${step.calls} calls: ${failure}`));
  const notes = steps.some(driverSaturated)
    ? ["", "! the driver was saturated (CPU > 90 % or event-loop stall > 50 ms): that step's latency figures include the driver's own delays."]
    : [];
  return [line(rows[0]!), rule, ...rows.slice(1).map(line), ...notes, ...(failures.length ? ["", "Goals missed:", ...failures] : [])].join("\n");
}

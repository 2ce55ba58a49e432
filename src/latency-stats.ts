/** Percentiles of latency samples (nearest rank, as operators read p50/p95). */

export interface LatencySummary {
  readonly count: number;
  readonly p50Ms: number | undefined;
  readonly p95Ms: number | undefined;
  readonly maxMs: number | undefined;
}

/** Nearest-rank percentile of `samples` (unsorted is fine); undefined when empty. */
export function percentile(samples: readonly number[], p: number): number | undefined {
  if (samples.length === 0) return undefined;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function summarizeLatency(samples: readonly number[]): LatencySummary {
  return {
    count: samples.length,
    p50Ms: percentile(samples, 50),
    p95Ms: percentile(samples, 95),
    maxMs: samples.length === 0 ? undefined : Math.max(...samples),
  };
}

export function formatSummary(summary: LatencySummary): string {
  if (summary.count === 0) return "none";
  return `p50 ${summary.p50Ms} ms, p95 ${summary.p95Ms} ms, max ${summary.maxMs} ms (n=${summary.count})`;
}

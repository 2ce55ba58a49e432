/**
 * Latency histogram with fixed 0.1 ms buckets up to 10 s (the last bucket
 * holds everything beyond): recording is an increment, percentiles are exact
 * to the bucket, and windows can be merged across processes by adding counts.
 */
const BUCKET_MS = 0.1;
const BUCKETS = 100_000;

export interface HistogramSummary {
  readonly count: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export class LatencyHistogram {
  readonly counts = new Uint32Array(BUCKETS);
  count = 0;
  maxMs = 0;

  record(ms: number): void {
    const bucket = ms <= 0 ? 0 : Math.min(BUCKETS - 1, Math.floor(ms / BUCKET_MS));
    this.counts[bucket]! += 1;
    this.count += 1;
    if (ms > this.maxMs) this.maxMs = ms;
  }

  reset(): void {
    this.counts.fill(0);
    this.count = 0;
    this.maxMs = 0;
  }

  /** The upper edge of the bucket holding the q-quantile (0 when empty). */
  quantileMs(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.ceil(q * this.count);
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min((i + 1) * BUCKET_MS, this.maxMs);
    }
    return this.maxMs;
  }

  summary(): HistogramSummary {
    return { count: this.count, p50Ms: round2(this.quantileMs(0.5)), p99Ms: round2(this.quantileMs(0.99)), maxMs: round2(this.maxMs) };
  }
}

export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/**
 * The calls this replica knows, by correlation id and by call connection id, plus
 * a bounded memory of recently seen ids so Event Grid's duplicate deliveries
 * (which may arrive after the call ended) are never answered twice, and of
 * calls that ended, so their media URL cannot start a new session.
 */
import type { CallRecord } from "./call-record.js";

const RECENT_TTL_MS = 30 * 60 * 1000;
const RECENT_MAX = 50_000;

export class CallRegistry {
  private readonly byCorrelation = new Map<string, CallRecord>();
  private readonly byConnection = new Map<string, CallRecord>();
  /** id → first seen (ms); insertion order = age order, so pruning walks from the front. */
  private readonly recent = new Map<string, number>();
  /** correlation id → ended at (ms), same ordering. */
  private readonly ended = new Map<string, number>();
  private readonly endedTtlMs: number;

  constructor(
    private readonly nowMs: () => number,
    options: { endedTtlMs?: number } = {},
  ) {
    this.endedTtlMs = options.endedTtlMs ?? RECENT_TTL_MS;
  }

  get size(): number {
    return this.byCorrelation.size;
  }

  all(): IterableIterator<CallRecord> {
    return this.byCorrelation.values();
  }

  /** True the first time a delivery for this call is seen (by correlation id or server call id). */
  claimDelivery(correlationId: string, serverCallId: string): boolean {
    this.prune();
    if (this.recent.has(correlationId) || this.recent.has(serverCallId) || this.byCorrelation.has(correlationId)) {
      return false;
    }
    const now = this.nowMs();
    this.recent.set(correlationId, now);
    this.recent.set(serverCallId, now);
    return true;
  }

  add(record: CallRecord): void {
    this.byCorrelation.set(record.correlationId, record);
    record.on("released", () => {
      this.remove(record);
      this.markEnded(record.correlationId);
    });
  }

  markEnded(correlationId: string): void {
    prune(this.ended, this.nowMs() - this.endedTtlMs);
    this.ended.set(correlationId, this.nowMs());
  }

  hasEnded(correlationId: string): boolean {
    const endedAt = this.ended.get(correlationId);
    return endedAt !== undefined && endedAt > this.nowMs() - this.endedTtlMs;
  }

  bindConnection(record: CallRecord, callConnectionId: string): void {
    record.callConnectionId = callConnectionId;
    this.byConnection.set(callConnectionId, record);
  }

  byCorrelationId(correlationId: string): CallRecord | undefined {
    return this.byCorrelation.get(correlationId);
  }

  byCallConnectionId(callConnectionId: string): CallRecord | undefined {
    return this.byConnection.get(callConnectionId);
  }

  private remove(record: CallRecord): void {
    if (this.byCorrelation.get(record.correlationId) === record) this.byCorrelation.delete(record.correlationId);
    if (record.callConnectionId && this.byConnection.get(record.callConnectionId) === record) {
      this.byConnection.delete(record.callConnectionId);
    }
  }

  private prune(): void {
    prune(this.recent, this.nowMs() - RECENT_TTL_MS);
  }
}

/** Drops entries older than `cutoff`, and the oldest beyond RECENT_MAX (insertion order = age order). */
function prune(entries: Map<string, number>, cutoff: number): void {
  for (const [id, at] of entries) {
    if (at > cutoff && entries.size <= RECENT_MAX) break;
    entries.delete(id);
  }
}

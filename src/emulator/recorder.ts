/**
 * The record of every client event the emulator received, for tests and
 * GET /events. Bounded: at most `maxEvents` entries and about `maxBytes` of
 * event text; the oldest entries go first and `dropped` counts them. Audio
 * payloads are never kept: consecutive `input_audio_buffer.append` events of one
 * connection collapse into one entry carrying `chunks` and `audioBytes`.
 */
import type { Clock } from "../clock.js";

export interface RecordedEvent {
  readonly seq: number;
  readonly connectionId: string;
  /** Wall-clock time of (the first chunk of) this entry, ISO 8601. */
  readonly receivedAt: string;
  /** Monotonic milliseconds (the emulator clock) of (the first chunk of) this entry. */
  readonly receivedAtMs: number;
  readonly type: string;
  /** The client event as received; for appends `{type, chunks, audioBytes, lastReceivedAtMs}` instead of audio. */
  readonly event: Readonly<Record<string, unknown>>;
}

export interface EventFilter {
  readonly connectionId?: string;
  readonly type?: string;
  /** Only entries with seq greater than this. */
  readonly afterSeq?: number;
}

export interface EventRecord {
  list(filter?: EventFilter): RecordedEvent[];
  /** Resolves with the first recorded (or already present) event matching, or rejects after timeoutMs. */
  waitFor(predicate: (event: RecordedEvent) => boolean, timeoutMs?: number): Promise<RecordedEvent>;
  /** Entries evicted by the bounds since start (or the last clear). */
  readonly dropped: number;
  readonly size: number;
  clear(): void;
}

export interface Recorder extends EventRecord {
  record(connectionId: string, event: Record<string, unknown>, rawChars: number): void;
  recordAppend(connectionId: string, audioBytes: number, eventId: unknown): void;
}

interface Entry extends RecordedEvent {
  event: Record<string, unknown>;
  approxBytes: number;
}

const APPEND_ENTRY_BYTES = 160;

export function createRecorder(clock: Clock, bounds: { maxEvents?: number; maxBytes?: number } = {}): Recorder {
  const maxEvents = bounds.maxEvents ?? 10_000;
  const maxBytes = bounds.maxBytes ?? 16 * 1024 * 1024;
  let entries: Entry[] = [];
  let start = 0; // entries before `start` are evicted (compacted lazily)
  let bytes = 0;
  let seq = 0;
  let dropped = 0;
  /** Open append run per connection: its entry is extended while no other event of that connection arrives. */
  const openAppend = new Map<string, Entry>();
  const waiters = new Set<{ predicate: (e: RecordedEvent) => boolean; resolve: (e: RecordedEvent) => void }>();

  function live(): Entry[] {
    return entries.slice(start);
  }

  function evict(): void {
    while (entries.length - start > maxEvents || (bytes > maxBytes && entries.length - start > 1)) {
      const old = entries[start];
      start += 1;
      bytes -= old.approxBytes;
      dropped += 1;
      if (openAppend.get(old.connectionId) === old) openAppend.delete(old.connectionId);
    }
    if (start > 1024 && start * 2 > entries.length) {
      entries = entries.slice(start);
      start = 0;
    }
  }

  function push(entry: Entry): void {
    entries.push(entry);
    bytes += entry.approxBytes;
    evict();
    for (const waiter of waiters) {
      if (waiter.predicate(entry)) {
        waiters.delete(waiter);
        waiter.resolve(entry);
      }
    }
  }

  function newEntry(connectionId: string, type: string, event: Record<string, unknown>, approxBytes: number): Entry {
    seq += 1;
    return { seq, connectionId, receivedAt: clock.date().toISOString(), receivedAtMs: clock.nowMs(), type, event, approxBytes };
  }

  return {
    record(connectionId, event, rawChars) {
      openAppend.delete(connectionId);
      const type = typeof event.type === "string" ? event.type : "<missing type>";
      push(newEntry(connectionId, type, event, rawChars + 96));
    },
    recordAppend(connectionId, audioBytes, eventId) {
      const open = openAppend.get(connectionId);
      if (open !== undefined) {
        open.event.chunks = (open.event.chunks as number) + 1;
        open.event.audioBytes = (open.event.audioBytes as number) + audioBytes;
        open.event.lastReceivedAtMs = clock.nowMs();
        return;
      }
      const event: Record<string, unknown> = { type: "input_audio_buffer.append", chunks: 1, audioBytes, lastReceivedAtMs: clock.nowMs() };
      if (eventId !== undefined) event.event_id = eventId;
      const entry = newEntry(connectionId, "input_audio_buffer.append", event, APPEND_ENTRY_BYTES);
      openAppend.set(connectionId, entry);
      push(entry);
    },
    list(filter = {}) {
      return live().filter(
        (e) =>
          (filter.connectionId === undefined || e.connectionId === filter.connectionId) &&
          (filter.type === undefined || e.type === filter.type) &&
          (filter.afterSeq === undefined || e.seq > filter.afterSeq),
      );
    },
    waitFor(predicate, timeoutMs = 5000) {
      const existing = live().find(predicate);
      if (existing !== undefined) return Promise.resolve(existing);
      return new Promise((resolve, reject) => {
        const waiter = {
          predicate,
          resolve: (e: RecordedEvent) => {
            clock.clearTimeout(timer);
            resolve(e);
          },
        };
        const timer = clock.setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no matching client event recorded within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    get dropped() {
      return dropped;
    },
    get size() {
      return entries.length - start;
    },
    clear() {
      entries = [];
      start = 0;
      bytes = 0;
      dropped = 0;
      openAppend.clear();
    },
  };
}

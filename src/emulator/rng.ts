/**
 * Seedable randomness for the emulator: ids, interim picks and fallback replies.
 * mulberry32 is tiny, fast and good enough for picking among a few texts;
 * the point is determinism (same seed, same call → same ids and picks).
 */
export type Random = () => number;

export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mixes a base seed with a stream number and a label so each stream is independent. */
export function deriveSeed(seed: number, stream: number, label: string): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ stream, 0x85ebca6b) >>> 0;
  for (let i = 0; i < label.length; i++) {
    h = Math.imul(h ^ label.charCodeAt(i), 0xc2b2ae35) >>> 0;
  }
  return (h ^ (h >>> 16)) >>> 0;
}

export function pick<T>(random: Random, items: readonly T[]): T {
  if (items.length === 0) throw new RangeError("pick() needs at least one item");
  return items[Math.floor(random() * items.length)];
}

const ID_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** Ids shaped like the service's (`resp_…`, `item_…`), deterministic per seed and connection. */
export interface IdSource {
  next(prefix: "sess" | "resp" | "item" | "call" | "conv"): string;
  /** `event_…` ids for server events: a counter, cheap and ordered. */
  nextEventId(): string;
}

export function createIdSource(random: Random, connectionId: string): IdSource {
  let eventCounter = 0;
  return {
    next(prefix) {
      let body = "";
      for (let i = 0; i < 20; i++) body += ID_ALPHABET[Math.floor(random() * ID_ALPHABET.length)];
      return `${prefix}_${body}`;
    },
    nextEventId() {
      eventCounter += 1;
      return `event_${connectionId}_${eventCounter.toString(36)}`;
    },
  };
}

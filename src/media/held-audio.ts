/**
 * Caller audio held back while a non-interruptible greeting (a disclaimer)
 * plays: kept, not dropped, and handed to Voice Live once the greeting has
 * played, so a caller who spoke over it is still heard and answered. Bounded:
 * beyond `maxMs` the rest is not kept (counted by the caller of push()).
 */
export class HeldAudio {
  private buffer = new Int16Array(0);
  private length = 0;
  private readonly maxSamples: number;

  constructor(sampleRateHz: number, maxMs: number) {
    this.maxSamples = Math.round((sampleRateHz * maxMs) / 1000);
  }

  get samples(): number {
    return this.length;
  }

  /** Keeps a copy of `samples`; false when the buffer is full (nothing kept). */
  push(samples: Int16Array): boolean {
    if (this.length + samples.length > this.maxSamples) return false;
    if (this.length + samples.length > this.buffer.length) {
      const grown = new Int16Array(Math.min(this.maxSamples, Math.max(this.buffer.length * 2, this.length + samples.length, 24_000)));
      grown.set(this.buffer.subarray(0, this.length));
      this.buffer = grown;
    }
    this.buffer.set(samples, this.length);
    this.length += samples.length;
    return true;
  }

  /** Everything held, in chunks of at most `chunkSamples`, then empty. */
  drain(chunkSamples: number): Int16Array[] {
    const chunks: Int16Array[] = [];
    for (let at = 0; at < this.length; at += chunkSamples) chunks.push(this.buffer.subarray(at, Math.min(this.length, at + chunkSamples)));
    this.buffer = new Int16Array(0);
    this.length = 0;
    return chunks;
  }
}

import { AudioError } from "./errors.js";

/**
 * Cuts outbound leg bytes of any length into exact 20 ms frames (see
 * legFrameBytes), keeping the remainder for the next push.
 *
 * push() returns every frame it completed as ONE contiguous Buffer (length a
 * multiple of frameBytes). Frame k is bytes [k·frameBytes, (k+1)·frameBytes):
 * hand it to base64 straight from there, e.g.
 *   for (let at = 0; at < frames.length; at += frameBytes) send(frames.toString("base64", at, at + frameBytes));
 * — no copy and no view per frame. The Buffer is a view of internal storage
 * that the next push()/flush()/reset() overwrites: encode (or copy) first.
 */
export interface FramePacker {
  readonly frameBytes: number;
  /** Bytes held back because they do not fill a frame yet (0 ≤ pendingBytes < frameBytes). */
  readonly pendingBytes: number;
  push(bytes: Uint8Array): Buffer;
  /**
   * End of a response: pads the held-back bytes with `fillByte` (see
   * legSilenceByte) to one whole frame and returns it; empty when nothing is held.
   */
  flush(fillByte: number): Buffer;
  /** Barge-in: drops the held-back bytes. */
  reset(): void;
}

export function createFramePacker(frameBytes: number): FramePacker {
  if (!Number.isInteger(frameBytes) || frameBytes <= 0) {
    throw new AudioError("audio_invalid_frame_bytes", `frameBytes must be a positive integer, got ${frameBytes}`);
  }
  // One per call: room for a 20 ms delta and a remainder to start with, grown to the largest push seen.
  let store = Buffer.allocUnsafeSlow(frameBytes * 2);
  let pendingStart = 0; // the remainder sits right after the last returned frames
  let pending = 0;

  function compact(extraBytes: number): void {
    const needed = pending + extraBytes;
    if (needed > store.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(needed, 2 * store.length));
      store.copy(grown, 0, pendingStart, pendingStart + pending);
      store = grown;
    } else if (pendingStart > 0 && pending > 0) {
      store.copyWithin(0, pendingStart, pendingStart + pending);
    }
    pendingStart = 0;
  }

  return {
    frameBytes,
    get pendingBytes() {
      return pending;
    },
    push(bytes: Uint8Array): Buffer {
      compact(bytes.length);
      store.set(bytes, pending);
      const total = pending + bytes.length;
      const whole = total - (total % frameBytes);
      pending = total - whole;
      pendingStart = whole;
      return store.subarray(0, whole);
    },
    flush(fillByte: number): Buffer {
      if (pending === 0) return store.subarray(0, 0);
      compact(0);
      store.fill(fillByte, pending, frameBytes);
      pending = 0;
      return store.subarray(0, frameBytes);
    },
    reset() {
      pending = 0;
      pendingStart = 0;
    },
  };
}

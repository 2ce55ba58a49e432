/**
 * Caller audio toward Voice Live, one input_audio_buffer.append per
 * `appendMs` instead of one per 20 ms frame: fewer events, fewer socket
 * writes, less framing and masking. The cost is latency: a frame waits for
 * its batch to fill (up to appendMs − 20 ms). At 20 ms frames pass straight
 * through, without a copy.
 */
import { encodeInputAudioAppend } from "../voicelive/codec.js";
import { FRAME_MS } from "../audio/index.js";

export class AppendBatcher {
  private readonly batchSamples: number;
  private buffer: Int16Array;
  private filled = 0;

  /** `sampleRateHz`: Voice Live's audio rate for the call. */
  constructor(appendMs: number, sampleRateHz: number) {
    const frames = Math.max(1, Math.round(appendMs / FRAME_MS));
    this.batchSamples = (frames * FRAME_MS * sampleRateHz) / 1000;
    this.buffer = new Int16Array(frames > 1 ? this.batchSamples : 0);
  }

  /** Adds samples at Voice Live's rate (a view; copied if kept); returns an encoded append when a batch is complete. */
  push(samples: Int16Array): string | undefined {
    if (this.filled === 0 && samples.length >= this.batchSamples) return encodeInputAudioAppend(samples);
    if (this.filled + samples.length > this.buffer.length) {
      const grown = new Int16Array(this.filled + samples.length);
      grown.set(this.buffer.subarray(0, this.filled));
      this.buffer = grown;
    }
    this.buffer.set(samples, this.filled);
    this.filled += samples.length;
    if (this.filled < this.batchSamples) return undefined;
    const text = encodeInputAudioAppend(this.buffer.subarray(0, this.filled));
    this.filled = 0;
    return text;
  }

  /** Samples waiting for their batch to fill. */
  get pendingSamples(): number {
    return this.filled;
  }
}

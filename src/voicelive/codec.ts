/**
 * Hot-path encoding for Voice Live audio events (50 per second per call): the
 * JSON is built as a string around the base64, no object or stringify per frame.
 * PCM16 is little-endian on the wire; every platform Node supports is too, so
 * typed-array bytes go out as they are.
 */

export function encodeInputAudioAppend(samples: Int16Array): string {
  const base64 = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength).toString("base64");
  return `{"type":"input_audio_buffer.append","audio":"${base64}"}`;
}

/**
 * Decodes `response.audio.delta` payloads into one reusable, 2-byte-aligned
 * buffer per session. A delta with an odd byte count carries its last byte into
 * the next one instead of shifting every later sample.
 */
export class AudioDeltaDecoder {
  private scratch: Buffer;
  private carry = -1;

  constructor(initialBytes = 48_000) {
    this.scratch = Buffer.from(new ArrayBuffer(initialBytes));
  }

  /** Returns a view that the next call overwrites. */
  decode(base64: string): Int16Array {
    const maxBytes = Math.ceil((base64.length * 3) / 4) + 1;
    if (maxBytes > this.scratch.length) this.scratch = Buffer.from(new ArrayBuffer(maxBytes * 2));
    let offset = 0;
    if (this.carry >= 0) {
      this.scratch[0] = this.carry;
      this.carry = -1;
      offset = 1;
    }
    const total = offset + this.scratch.write(base64, offset, "base64");
    const even = total & ~1;
    if (total !== even) this.carry = this.scratch[even]!;
    return new Int16Array(this.scratch.buffer, 0, even >> 1);
  }

  reset(): void {
    this.carry = -1;
  }
}

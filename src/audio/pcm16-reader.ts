/**
 * PCM16 little-endian bytes → Int16Array, carrying one odd byte to the next
 * call. A payload with an odd byte count is not an error: its last byte is the
 * first half of a sample whose second half arrives next, so later samples keep
 * their alignment (dropping or padding it would shift every later sample).
 */

// Int16Array views of wire bytes are only PCM16LE on little-endian hosts (every platform Node ships for).
if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new Error("the audio layer needs a little-endian host");
}

export interface Pcm16Reader {
  /** Bytes → samples. The result may be a view of `bytes` itself or of an internal buffer that the next read() overwrites. */
  read(bytes: Uint8Array): Int16Array;
  /** 1 while half a sample is held back, else 0. */
  readonly carriedBytes: number;
  /** Drops the carried byte. */
  reset(): void;
}

export function createPcm16Reader(): Pcm16Reader {
  let carrying = false;
  let carried = 0;
  let scratch = new ArrayBuffer(0);
  let scratchBytes = new Uint8Array(scratch);

  function read(bytes: Uint8Array): Int16Array {
    const length = bytes.length;
    if (!carrying && (length & 1) === 0 && (bytes.byteOffset & 1) === 0) {
      return new Int16Array(bytes.buffer, bytes.byteOffset, length >> 1); // aligned: no copy
    }
    // The byte stream is [carried byte, if any] ++ bytes; whole samples go out, an odd last byte stays.
    const lead = carrying ? 1 : 0;
    const total = lead + length;
    const whole = total & ~1;
    if (scratchBytes.length < whole) {
      scratch = new ArrayBuffer(Math.max(whole, 2 * scratchBytes.length));
      scratchBytes = new Uint8Array(scratch);
    }
    if (whole > 0) {
      if (lead === 1) scratchBytes[0] = carried;
      const copied = whole - lead;
      scratchBytes.set(copied === length ? bytes : bytes.subarray(0, copied), lead);
    }
    carrying = (total & 1) === 1;
    if (carrying && length > 0) carried = bytes[length - 1];
    return new Int16Array(scratch, 0, whole >> 1);
  }

  return {
    read,
    get carriedBytes() {
      return carrying ? 1 : 0;
    },
    reset() {
      carrying = false;
    },
  };
}

/**
 * Base64 for the 20 ms path without per-frame garbage beyond the string itself.
 * Node's decoder is lenient (it skips characters outside the alphabet and
 * accepts base64url); strictness, if wanted, belongs to the wire codec.
 */

/** Encodes any typed-array view's bytes (e.g. an Int16Array of PCM16LE samples) without copying them. */
export function base64FromBytes(view: ArrayBufferView): string {
  const bytes = Buffer.isBuffer(view) ? view : Buffer.from(view.buffer, view.byteOffset, view.byteLength);
  return bytes.toString("base64");
}

export interface Base64Decoder {
  /** Decodes into an internal buffer (grown as needed) and returns a view that the next decode() overwrites. */
  decode(text: string): Buffer;
}

export function createBase64Decoder(initialBytes = 4096): Base64Decoder {
  let target = Buffer.allocUnsafe(initialBytes);
  return {
    decode(text: string): Buffer {
      const maxBytes = Math.ceil(text.length / 4) * 3; // upper bound; write() would silently truncate past it
      if (maxBytes > target.length) target = Buffer.allocUnsafe(Math.max(maxBytes, 2 * target.length));
      const written = target.write(text, 0, "base64");
      return target.subarray(0, written);
    },
  };
}

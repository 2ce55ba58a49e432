/**
 * Base64 for the 20 ms path without per-frame garbage beyond the string itself.
 * Node's decoder is lenient (it skips characters outside the alphabet and
 * accepts base64url); a strict decoder notices the skipped characters from the
 * byte count, for free, instead of scanning the text first.
 */
import { AudioError } from "./errors.js";

/** Encodes any typed-array view's bytes (e.g. an Int16Array of PCM16LE samples) without copying them. */
export function base64FromBytes(view: ArrayBufferView): string {
  const bytes = Buffer.isBuffer(view) ? view : Buffer.from(view.buffer, view.byteOffset, view.byteLength);
  return bytes.toString("base64");
}

export interface Base64Decoder {
  /** Decodes into an internal buffer (grown as needed) and returns a view that the next decode() overwrites. */
  decode(text: string): Buffer;
}

/**
 * `strict`: throws AudioError audio_base64_invalid unless `text` is standard
 * padded base64 (length a multiple of 4, only alphabet characters).
 */
export function createBase64Decoder(initialBytes = 4096, options: { strict?: boolean } = {}): Base64Decoder {
  // Not from Node's shared 8 KiB pool: a decoder lives as long as its call, and a
  // pooled slice would keep a whole pool slab alive with it.
  let target = Buffer.allocUnsafeSlow(initialBytes);
  const strict = options.strict === true;
  return {
    decode(text: string): Buffer {
      const maxBytes = Math.ceil(text.length / 4) * 3; // upper bound; write() would silently truncate past it
      if (maxBytes > target.length) target = Buffer.allocUnsafeSlow(Math.max(maxBytes, 2 * target.length));
      const written = target.write(text, 0, "base64");
      if (strict && (text.length % 4 !== 0 || written !== maxBytes - padding(text))) {
        throw new AudioError("audio_base64_invalid", "audio payload is not standard padded base64");
      }
      return target.subarray(0, written);
    },
  };
}

function padding(text: string): number {
  const n = text.length;
  if (n === 0 || text.charCodeAt(n - 1) !== 61) return 0; // "="
  return text.charCodeAt(n - 2) === 61 ? 2 : 1;
}

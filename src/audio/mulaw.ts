import * as alawmulawModule from "alawmulaw";

/**
 * G.711 μ-law at table speed. alawmulaw stays the source of truth: both tables
 * are filled from its per-sample functions once, at load, and are never written
 * again. Its array API allocates per call, which the 50-frames-per-second path avoids.
 */

// Node's ESM loader exposes this UMD bundle only as `default`; CommonJS transpilers expose it as named exports.
const { mulaw } = "mulaw" in alawmulawModule && alawmulawModule.mulaw !== undefined
  ? alawmulawModule
  : (alawmulawModule as unknown as { default: typeof alawmulawModule }).default;

function buildDecodeTable(): Int16Array {
  const table = new Int16Array(256);
  for (let code = 0; code < 256; code++) table[code] = mulaw.decodeSample(code);
  return table;
}

/** Indexed by the sample's 16-bit pattern (`sample & 0xffff`), so negative samples need no branch. */
function buildEncodeTable(): Uint8Array {
  const table = new Uint8Array(65536);
  for (let pattern = 0; pattern < 65536; pattern++) {
    const sample = pattern >= 32768 ? pattern - 65536 : pattern;
    table[pattern] = mulaw.encodeSample(sample);
  }
  return table;
}

/** μ-law code → int16 sample (256 entries). Read-only by convention. */
export const MULAW_DECODE_TABLE: Int16Array = buildDecodeTable();
/** int16 sample bit pattern → μ-law code (65,536 entries). Read-only by convention. */
export const MULAW_ENCODE_TABLE: Uint8Array = buildEncodeTable();

/** Decodes `codes` into `out` (which must hold codes.length samples). */
export function decodeMulawInto(codes: Uint8Array, out: Int16Array): void {
  const table = MULAW_DECODE_TABLE;
  const n = codes.length;
  for (let i = 0; i < n; i++) out[i] = table[codes[i]];
}

/** Encodes `samples` into `out` (which must hold samples.length bytes). */
export function encodeMulawInto(samples: Int16Array, out: Uint8Array): void {
  const table = MULAW_ENCODE_TABLE;
  const n = samples.length;
  for (let i = 0; i < n; i++) out[i] = table[samples[i] & 0xffff];
}

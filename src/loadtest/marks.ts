/**
 * Audio that says where it came from. Every 20 ms frame the load test sends
 * (caller → bot, and Voice Live → bot) is three flat thirds whose levels carry
 * the frame's sequence number (mod 32) and the call's index (10 bits). Flat
 * levels survive the bot's resamplers (pass band flat to ±0.02 dB), so the far
 * side reads them back from the converted audio: which call a frame belongs
 * to, which frame it is, and therefore when it was sent and whether any went
 * missing — with no cooperation from the bot.
 *
 * A level is read at the middle of its third, shifted by the resampler's delay;
 * the FIR's half length is shorter than the distance to the next step.
 */
export const MARK_MODULO = 32;
const LEVEL_STEP = 1000;
const VOICE_LIVE_RATE_HZ = 24000;
const SEGMENTS = 3;

/** Legs the load test drives: what ACS streams. */
export type LoadLeg = "pcm16k" | "pcm24k";

export function legRateHz(leg: LoadLeg): number {
  return leg === "pcm16k" ? 16000 : 24000;
}

/** Group delay of the bot's resampler, in output samples (see src/audio/polyphase-bank.ts). */
function resamplerDelaySamples(fromHz: number, toHz: number): number {
  if (fromHz === toHz) return 0;
  // 16 kHz ⇄ 24 kHz: 1.25 ms.
  return Math.round((1.25 * toHz) / 1000);
}

export interface Mark {
  readonly seq: number;
  readonly callIndex: number;
}

const level = (value: number): number => (value - MARK_MODULO / 2) * LEVEL_STEP + LEVEL_STEP / 2;
const value = (sample: number): number => {
  const v = Math.round((sample - LEVEL_STEP / 2) / LEVEL_STEP) + MARK_MODULO / 2;
  return v < 0 || v >= MARK_MODULO ? -1 : v;
};

/** One 20 ms frame of PCM16LE at `rateHz` carrying the mark, base64-encoded. */
export function markedFrameBase64(rateHz: number, seq: number, callIndex: number): string {
  const samples = (rateHz * 20) / 1000;
  const frame = new Int16Array(samples);
  const values = [seq % MARK_MODULO, callIndex % MARK_MODULO, Math.floor(callIndex / MARK_MODULO) % MARK_MODULO];
  for (let i = 0; i < samples; i++) frame[i] = level(values[Math.min(SEGMENTS - 1, Math.floor((i * SEGMENTS) / samples))]!);
  return Buffer.from(frame.buffer).toString("base64");
}

/** The 32 frames (one per sequence value) a call sends, precomputed once per call. */
export function markedFrames(rateHz: number, callIndex: number): string[] {
  return Array.from({ length: MARK_MODULO }, (_, seq) => markedFrameBase64(rateHz, seq, callIndex));
}

const BASE64_VALUES = (() => {
  const table = new Int16Array(256).fill(-1);
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (let i = 0; i < alphabet.length; i++) table[alphabet.charCodeAt(i)] = i;
  return table;
})();

/** Byte `byteIndex` of the base64 text at bytes[start…], decoded in place (no string, no copy). */
function byteAt(bytes: Uint8Array, start: number, byteIndex: number): number {
  const group = (byteIndex / 3) | 0;
  const p = start + group * 4;
  const a = BASE64_VALUES[bytes[p]!]!;
  const b = BASE64_VALUES[bytes[p + 1]!]!;
  const c = BASE64_VALUES[bytes[p + 2]!]!;
  const d = BASE64_VALUES[bytes[p + 3]!]!;
  switch (byteIndex - group * 3) {
    case 0:
      return ((a << 2) | (b >> 4)) & 0xff;
    case 1:
      return (((b & 15) << 4) | (c >> 2)) & 0xff;
    default:
      return (((c & 3) << 6) | d) & 0xff;
  }
}

function sampleAt(bytes: Uint8Array, start: number, sampleIndex: number): number {
  const lo = byteAt(bytes, start, sampleIndex * 2);
  const hi = byteAt(bytes, start, sampleIndex * 2 + 1);
  return ((hi << 24) >> 16) | lo;
}

/**
 * Reads the marks of every whole 20 ms frame in base64 PCM16LE audio that sits
 * at bytes[start, end) and was resampled from `fromHz` to `toHz`. Calls `onMark`
 * per frame (an unreadable frame gives seq −1).
 */
export function readMarks(
  bytes: Uint8Array,
  start: number,
  end: number,
  fromHz: number,
  toHz: number,
  onMark: (seq: number, callIndex: number) => void,
): void {
  const samples = Math.floor(((end - start) / 4) * 3) >> 1;
  const frameSamples = (toHz * 20) / 1000;
  const delay = resamplerDelaySamples(fromHz, toHz);
  const third = frameSamples / SEGMENTS;
  for (let frame = 0; (frame + 1) * frameSamples <= samples; frame++) {
    const base = frame * frameSamples;
    const at = (k: number): number => value(sampleAt(bytes, start, base + Math.round(k * third + third / 2) + delay));
    const seq = at(0);
    const low = at(1);
    const high = at(2);
    onMark(seq, low < 0 || high < 0 ? -1 : high * MARK_MODULO + low);
  }
}

/** Frames missed between the last sequence number seen and `seq` (both mod 32). */
export function framesSkipped(lastSeq: number, seq: number): number {
  return (seq - lastSeq - 1 + MARK_MODULO) % MARK_MODULO;
}

export { VOICE_LIVE_RATE_HZ };

/**
 * What the simulated caller says, in order: utterances (leg bytes), pauses and
 * key presses. The media caller asks for one 20 ms frame per tick; an empty
 * script yields silent frames, as ACS keeps streaming between utterances.
 */
import { legSilenceByte } from "../audio/formats.js";
import type { LegSpec } from "./leg.js";

export interface CallerFrame {
  /** Exactly one frame of leg bytes (a view; valid until the next call). */
  readonly payload: Uint8Array;
  readonly silent: boolean;
  /** DTMF digits pressed just before this frame. */
  readonly digits: readonly string[];
  /** This frame starts (or ends) an utterance: for the caller timeline. */
  readonly utteranceStart: boolean;
  readonly utteranceEnd: boolean;
}

type Item =
  | { readonly kind: "audio"; readonly bytes: Uint8Array; offset: number }
  | { readonly kind: "silence"; remainingFrames: number }
  | { readonly kind: "digit"; readonly digit: string };

export interface CallerScript {
  addAudio(bytes: Uint8Array): void;
  addSilence(frames: number): void;
  addDigit(digit: string): void;
  /** True when nothing queued is left to send. */
  readonly idle: boolean;
  /** Milliseconds of queued audio and pauses not yet sent. */
  readonly pendingMs: number;
  nextFrame(): CallerFrame;
}

const NO_DIGITS: readonly string[] = Object.freeze([]);

export function createCallerScript(leg: LegSpec): CallerScript {
  const frameBytes = leg.frameBytes;
  const silence = new Uint8Array(frameBytes).fill(legSilenceByte(leg.format));
  const frame = new Uint8Array(frameBytes);
  const items: Item[] = [];

  const result = (payload: Uint8Array, silent: boolean, digits: readonly string[], utteranceStart = false, utteranceEnd = false): CallerFrame =>
    ({ payload, silent, digits, utteranceStart, utteranceEnd });

  return {
    addAudio(bytes) {
      if (bytes.length > 0) items.push({ kind: "audio", bytes, offset: 0 });
    },
    addSilence(frames) {
      if (frames > 0) items.push({ kind: "silence", remainingFrames: frames });
    },
    addDigit(digit) {
      items.push({ kind: "digit", digit });
    },
    get idle() {
      return items.length === 0;
    },
    get pendingMs() {
      let bytes = 0;
      for (const item of items) {
        if (item.kind === "audio") bytes += item.bytes.length - item.offset;
        if (item.kind === "silence") bytes += item.remainingFrames * frameBytes;
      }
      return Math.ceil(bytes / frameBytes) * 20;
    },
    nextFrame() {
      let digits = NO_DIGITS;
      while (items[0]?.kind === "digit") {
        if (digits === NO_DIGITS) digits = [];
        (digits as string[]).push((items.shift() as { digit: string }).digit);
      }
      const head = items[0];
      if (head === undefined) return result(silence, true, digits);
      if (head.kind === "silence") {
        head.remainingFrames -= 1;
        if (head.remainingFrames <= 0) items.shift();
        return result(silence, true, digits);
      }
      const start = head.offset === 0;
      const end = Math.min(head.offset + frameBytes, head.bytes.length);
      let payload: Uint8Array;
      if (end - head.offset === frameBytes) {
        payload = head.bytes.subarray(head.offset, end);
      } else {
        // The utterance's last partial frame is padded with silence.
        frame.fill(silence[0]!);
        frame.set(head.bytes.subarray(head.offset, end));
        payload = frame;
      }
      head.offset = end;
      const finished = end >= head.bytes.length;
      if (finished) items.shift();
      return result(payload, false, digits, start, finished);
    },
  };
}

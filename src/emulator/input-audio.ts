/**
 * The input side of one connection: decodes `input_audio_buffer.append` payloads
 * per the session's format, keeps the input timeline (ms of audio received),
 * the uncommitted buffer length, and feeds 20 ms frame energies to the VAD.
 * Decoding needs no resampling: the VAD works at the input rate. Nothing here
 * allocates per frame.
 */
import alawmulaw from "alawmulaw";
import type { InputAudioFormat } from "./session-config.js";
import { EnergyVad, VAD_FRAME_MS, type VadEvent, type VadSettings } from "./vad.js";

function buildTable(decode: (code: number) => number): Int16Array {
  const table = new Int16Array(256);
  for (let code = 0; code < 256; code++) table[code] = decode(code);
  return table;
}

// Read-only lookup tables, built once from alawmulaw (the reference codec).
const MULAW_TO_PCM = buildTable((c) => alawmulaw.mulaw.decodeSample(c));
const ALAW_TO_PCM = buildTable((c) => alawmulaw.alaw.decodeSample(c));

export interface InputSpec {
  readonly format: InputAudioFormat;
  readonly sampleRateHz: number;
}

export class InputAudio {
  private spec: InputSpec;
  private readonly vad: EnergyVad;
  private vadEnabled: boolean;
  private frameSamples: number;
  /** Timeline ms at which the current format started, and samples received since. */
  private baseMs = 0;
  private samplesSinceBase = 0;
  private bufferStartMs = 0;
  private carryByte = -1; // odd PCM16 byte waiting for its partner
  private frameFill = 0;
  private frameSumSquares = 0;
  private frameStartMs = 0;
  totalBytes = 0;
  private readonly events: VadEvent[] = [];

  constructor(spec: InputSpec, vad: VadSettings | null) {
    this.spec = spec;
    this.frameSamples = (spec.sampleRateHz * VAD_FRAME_MS) / 1000;
    this.vad = new EnergyVad(vad ?? { threshold: 0.5, prefixPaddingMs: 300, silenceDurationMs: 500, speechDurationMs: 60 });
    this.vadEnabled = vad !== null;
  }

  /** Milliseconds of input audio received on this connection (all formats, in order). */
  get timelineMs(): number {
    return this.baseMs + (this.samplesSinceBase * 1000) / this.spec.sampleRateHz;
  }

  /** Milliseconds of audio in the uncommitted input buffer. */
  get bufferedMs(): number {
    return this.timelineMs - this.bufferStartMs;
  }

  get isSpeaking(): boolean {
    return this.vadEnabled && this.vad.isSpeaking;
  }

  configure(spec: InputSpec, vad: VadSettings | null): void {
    if (spec.format !== this.spec.format || spec.sampleRateHz !== this.spec.sampleRateHz) {
      this.baseMs = this.timelineMs;
      this.samplesSinceBase = 0;
      this.spec = spec;
      this.frameSamples = (spec.sampleRateHz * VAD_FRAME_MS) / 1000;
      this.carryByte = -1;
      this.frameFill = 0;
      this.frameSumSquares = 0;
    }
    if (vad === null) {
      this.vad.reset();
    } else {
      this.vad.configure(vad);
    }
    this.vadEnabled = vad !== null;
  }

  /** The buffer was committed (by VAD or the client) or cleared: it starts empty again. */
  resetBuffer(): void {
    this.bufferStartMs = this.timelineMs;
  }

  /** The client cleared the buffer: speech in progress is forgotten too. */
  clear(): void {
    this.resetBuffer();
    this.vad.reset();
  }

  /**
   * Decodes one payload; returns the VAD events it caused, in order (usually
   * none). The array is reused by the next append: read it at once.
   */
  append(payload: Uint8Array): readonly VadEvent[] {
    this.totalBytes += payload.length;
    const events = this.events;
    events.length = 0;
    if (this.spec.format === "pcm16") {
      let i = 0;
      if (this.carryByte >= 0 && payload.length > 0) {
        this.sample(((this.carryByte | (payload[0] << 8)) << 16) >> 16, events);
        this.carryByte = -1;
        i = 1;
      }
      const end = payload.length - ((payload.length - i) & 1);
      for (; i < end; i += 2) this.sample(((payload[i] | (payload[i + 1] << 8)) << 16) >> 16, events);
      if (end < payload.length) this.carryByte = payload[end];
    } else {
      const table = this.spec.format === "g711_ulaw" ? MULAW_TO_PCM : ALAW_TO_PCM;
      for (let i = 0; i < payload.length; i++) this.sample(table[payload[i]], events);
    }
    return events;
  }

  private sample(value: number, events: VadEvent[]): void {
    if (this.frameFill === 0) this.frameStartMs = this.timelineMs;
    this.samplesSinceBase += 1;
    this.frameSumSquares += value * value;
    this.frameFill += 1;
    if (this.frameFill < this.frameSamples) return;
    const meanSquare = this.frameSumSquares / this.frameSamples;
    this.frameFill = 0;
    this.frameSumSquares = 0;
    if (!this.vadEnabled) return;
    const event = this.vad.onFrame(this.frameStartMs, meanSquare);
    if (event !== null) events.push(event);
  }
}

export function vadSettingsFrom(turnDetection: {
  threshold: number;
  prefix_padding_ms: number;
  silence_duration_ms: number;
  [key: string]: unknown;
} | null): VadSettings | null {
  if (turnDetection === null) return null;
  const speech = turnDetection.speech_duration_ms;
  return {
    threshold: turnDetection.threshold,
    prefixPaddingMs: turnDetection.prefix_padding_ms,
    silenceDurationMs: turnDetection.silence_duration_ms,
    speechDurationMs: typeof speech === "number" ? speech : 60,
  };
}

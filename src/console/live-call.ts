/**
 * One call as the console sees it: who, since when, its conversation log lines
 * (redacted, bounded), whether the caller is speaking (Voice Live's VAD), and
 * the loudest frame in each direction since the console last looked.
 */
import type { LegFormat } from "../audio/index.js";
import type { CallContext } from "../calls/call-context-token.js";
import type { CallAudioLevels } from "../media/call-session.js";
import { dbfs, meanSquareLegFrame, meanSquareSamples } from "./audio-level.js";
import { SOFTPHONE_CALLER, SOFTPHONE_DIALED, type CallEvent, type CallSource, type CallSummary, type CallView, type LevelReading } from "./console-protocol.js";

/** A two-hour call writes a few lines per turn; past this the oldest go (the first, "call", stays). */
const MAX_EVENTS = 2000;
/** Bot audio above this counts as the bot speaking (the emulator's and TTS pauses sit far below). */
const SPEAKING_DBFS = -50;

/** Both directions' loudest frame since the last read; `active` is set by the monitor while anyone watches. */
export class CallMeter implements CallAudioLevels {
  active = false;
  private callerPeak = 0;
  private botPeak = 0;

  caller(samples: Int16Array): void {
    const level = meanSquareSamples(samples);
    if (level > this.callerPeak) this.callerPeak = level;
  }

  bot(frame: Uint8Array, format: LegFormat): void {
    const level = meanSquareLegFrame(frame, format);
    if (level > this.botPeak) this.botPeak = level;
  }

  /** dBFS of the loudest frames since the last read, then starts over. */
  read(): { callerDb: number; botDb: number } {
    const reading = { callerDb: dbfs(this.callerPeak), botDb: dbfs(this.botPeak) };
    this.callerPeak = 0;
    this.botPeak = 0;
    return reading;
  }
}

export class LiveCall {
  readonly id: string;
  readonly meter = new CallMeter();
  readonly events: CallEvent[] = [];
  callerSpeaking = false;
  endedAt: string | undefined;
  endReason: string | undefined;

  constructor(
    readonly context: CallContext,
    readonly source: CallSource,
    readonly startedAt: string,
    readonly startedMs: number,
  ) {
    this.id = context.correlationId;
  }

  get live(): boolean {
    return this.endedAt === undefined;
  }

  add(type: string, fields: Readonly<Record<string, unknown>>, nowMs: number): CallEvent {
    const event: CallEvent = { ...fields, ms: Math.round(nowMs - this.startedMs), type };
    this.events.push(event);
    if (this.events.length > MAX_EVENTS) this.events.splice(1, 1);
    return event;
  }

  summary(state: string): CallSummary {
    return {
      id: this.id,
      source: this.source,
      caller: this.source === "softphone" ? SOFTPHONE_CALLER : (this.context.callerNumber ?? this.context.callerRawId),
      callerName: this.context.callerDisplayName,
      dialed: this.source === "softphone" ? SOFTPHONE_DIALED : (this.context.calleeNumber ?? this.context.calleeRawId),
      startedAt: this.startedAt,
      state: this.live ? state : "ended",
      live: this.live,
      ...(this.endedAt !== undefined ? { endedAt: this.endedAt, endReason: this.endReason } : {}),
    };
  }

  view(state: string): CallView {
    return { ...this.summary(state), events: [...this.events] };
  }

  levels(): LevelReading {
    const { callerDb, botDb } = this.meter.read();
    return { id: this.id, callerDb, botDb, callerSpeaking: this.callerSpeaking, botSpeaking: botDb > SPEAKING_DBFS };
  }
}

/**
 * Everything the bot sends on the media socket, seen from ACS: each message is
 * recorded with its media time, audio frames are checked (strict base64,
 * exactly one 20 ms frame of the leg) and handed to the playback model, and
 * StopAudio flushes it. Malformed input is counted with its reason, never
 * dropped silently.
 */
import { describeLegFormat } from "../audio/formats.js";
import type { LegSpec } from "./leg.js";
import { parseBotMessage, type WireCasing } from "./media-wire.js";
import { createPlaybackModel, type PlaybackModel, type PlaybackStats } from "./playback.js";

export interface ReceivedMessage {
  /** Media milliseconds since the socket connected. */
  readonly atMs: number;
  readonly kind: "audio" | "stopAudio" | "unknown" | "malformed";
  readonly casing: WireCasing | undefined;
  /** Decoded payload bytes of an audio frame. */
  readonly bytes: number | undefined;
  /** Why the message is malformed (also set on audio frames of the wrong size, which still play). */
  readonly problem: string | undefined;
  /** The `kind` of an unknown message. */
  readonly rawKind: string | undefined;
}

export interface BotAudioStats extends PlaybackStats {
  readonly messagesReceived: number;
  /** Audio messages with a decodable payload (well-formed or not). */
  readonly audioFramesReceived: number;
  /** Messages that break the protocol: unparseable, binary, wrong-size or empty audio. */
  readonly malformed: number;
  readonly malformedReasons: Readonly<Record<string, number>>;
  readonly unknownKinds: number;
  readonly camelCaseMessages: number;
  readonly pascalCaseMessages: number;
  /** Audio frames ACS ignored because the answer did not enable bidirectional streaming. */
  readonly ignoredFrames: number;
  /** Messages not kept in `received` because the record hit its bound. */
  readonly unrecordedMessages: number;
}

export interface BotAudioReceiver {
  readonly playback: PlaybackModel;
  readonly received: readonly ReceivedMessage[];
  handleText(text: string, atMs: number): ReceivedMessage;
  handleBinary(byteLength: number, atMs: number): ReceivedMessage;
  /** Audio frames that arrived within `windowMs` after some StopAudio (stale audio after a barge-in). */
  framesWithinMsAfterStopAudio(windowMs: number): number;
  stats(): BotAudioStats;
}

export interface BotAudioReceiverOptions {
  readonly bidirectional?: boolean;
  readonly runGapToleranceMs?: number;
  /** Bound on `received` (default 200,000 messages ≈ 66 min at 50 frames/s). */
  readonly maxRecordedMessages?: number;
}

export function createBotAudioReceiver(leg: LegSpec, options: BotAudioReceiverOptions = {}): BotAudioReceiver {
  const playback = createPlaybackModel(leg.format, { runGapToleranceMs: options.runGapToleranceMs });
  const bidirectional = options.bidirectional ?? true;
  const maxRecorded = options.maxRecordedMessages ?? 200_000;
  const wrongSize = (bytes: number): string =>
    `audio frame is ${bytes} bytes, expected ${leg.frameBytes} (20 ms of ${describeLegFormat(leg.format)})`;
  const received: ReceivedMessage[] = [];
  const audioTimesMs: number[] = [];
  const stopTimesMs: number[] = [];
  const malformedReasons: Record<string, number> = {};
  const counts = { messages: 0, audio: 0, malformed: 0, unknown: 0, camel: 0, pascal: 0, ignored: 0, unrecorded: 0 };

  const record = (message: ReceivedMessage): ReceivedMessage => {
    counts.messages += 1;
    if (message.problem !== undefined) {
      counts.malformed += 1;
      malformedReasons[message.problem] = (malformedReasons[message.problem] ?? 0) + 1;
    }
    if (message.casing === "camel") counts.camel += 1;
    if (message.casing === "pascal") counts.pascal += 1;
    if (received.length < maxRecorded) received.push(message);
    else counts.unrecorded += 1;
    return message;
  };

  return {
    playback,
    received,
    handleText(text, atMs) {
      const message = parseBotMessage(text);
      switch (message.kind) {
        case "audio": {
          const bytes = message.payload.byteLength;
          counts.audio += 1;
          audioTimesMs.push(atMs);
          if (bidirectional) playback.enqueue(message.payload, atMs);
          else counts.ignored += 1;
          const problem = bytes === leg.frameBytes ? undefined : wrongSize(bytes);
          return record({ atMs, kind: "audio", casing: message.casing, bytes, problem, rawKind: undefined });
        }
        case "stopAudio":
          stopTimesMs.push(atMs);
          playback.stop(atMs);
          return record({ atMs, kind: "stopAudio", casing: message.casing, bytes: undefined, problem: undefined, rawKind: undefined });
        case "unknown":
          counts.unknown += 1;
          return record({ atMs, kind: "unknown", casing: message.casing, bytes: undefined, problem: undefined, rawKind: message.rawKind });
        case "malformed":
          return record({ atMs, kind: "malformed", casing: undefined, bytes: undefined, problem: message.reason, rawKind: undefined });
      }
    },
    handleBinary(byteLength, atMs) {
      return record({
        atMs,
        kind: "malformed",
        casing: undefined,
        bytes: byteLength,
        problem: "binary frame (ACS expects JSON text frames)",
        rawKind: undefined,
      });
    },
    framesWithinMsAfterStopAudio(windowMs) {
      let count = 0;
      for (const atMs of audioTimesMs) {
        if (stopTimesMs.some((stopMs) => atMs > stopMs && atMs <= stopMs + windowMs)) count += 1;
      }
      return count;
    },
    stats() {
      return {
        ...playback.stats(),
        messagesReceived: counts.messages,
        audioFramesReceived: counts.audio,
        malformed: counts.malformed,
        malformedReasons: { ...malformedReasons },
        unknownKinds: counts.unknown,
        camelCaseMessages: counts.camel,
        pascalCaseMessages: counts.pascal,
        ignoredFrames: counts.ignored,
        unrecordedMessages: counts.unrecorded,
      };
    },
  };
}

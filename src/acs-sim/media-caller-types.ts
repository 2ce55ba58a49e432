/**
 * The media caller's public shape: options, what it reports, and the API a
 * test or replay drives it with. Times are media milliseconds since connect.
 */
import type { Clock } from "../clock.js";
import type { BotAudioStats, ReceivedMessage } from "./bot-audio-receiver.js";
import type { LegName, LegSpec } from "./leg.js";
import type { HeardRun } from "./playback.js";

export interface MediaCallerOptions {
  /** ws:// URL of the bot's media endpoint (already mapped from the public transportUrl). */
  readonly url: string;
  /** The upgrade's bearer token, or a function minting one (ACS: a JWT per connection, ~24 h). */
  readonly token: string | (() => Promise<string>);
  readonly callConnectionId: string;
  readonly correlationId: string;
  readonly leg: LegName;
  /** Caller's raw id on every AudioData frame (default "4:+12065551212"). */
  readonly participantRawId?: string;
  readonly subscriptionId?: string;
  /** Pacing factor: 1 = real time (default), 4 = four times faster. */
  readonly speed?: number;
  /** Whether the answer enabled bidirectional streaming (default true); if not, bot audio is ignored and counted. */
  readonly bidirectional?: boolean;
  /** Whether the answer enabled DTMF on the stream (default true); if not, key presses are not sent (counted). */
  readonly dtmfEnabled?: boolean;
  readonly connectTimeoutMs?: number;
  /** Gaps up to this long between bot frames still count as one heard run (default 40 ms). */
  readonly runGapToleranceMs?: number;
  readonly clock?: Clock;
}

export interface MediaCloseInfo {
  readonly code: number;
  readonly reason: string;
  /** Who closed: the caller side (us), the bot, or a transport error / failed connect. */
  readonly by: "caller" | "bot" | "error";
  readonly atMs: number;
}

export interface CallerTimeline {
  /** Caller utterances as sent: media ms of their first frame and the end of their last frame. */
  readonly utterances: ReadonlyArray<{ readonly startMs: number; readonly endMs: number }>;
  /** Key presses; `delivered` is false when the stream had DTMF disabled, so ACS sent no DtmfData. */
  readonly digits: ReadonlyArray<{ readonly digit: string; readonly atMs: number; readonly delivered: boolean }>;
}

export interface MediaCallerStats extends BotAudioStats {
  readonly framesSent: number;
  readonly silentFramesSent: number;
  /** Largest lateness of a caller frame behind its due time, wall milliseconds. */
  readonly maxSendLagMs: number;
}

export interface MediaCaller {
  readonly leg: LegSpec;
  readonly speed: number;
  readonly subscriptionId: string;
  readonly state: "idle" | "connecting" | "open" | "closed";
  /** Opens the socket and starts streaming; rejects with acs_sim_upgrade_refused (with `status`) or acs_sim_connect_failed. */
  connect(): Promise<void>;
  /** Queues an utterance: PCM16 mono at 8, 16 or 24 kHz, converted to the leg format. */
  play(samples: Int16Array, sampleRateHz: number): void;
  /** Queues leg bytes as they are (e.g. μ-law from a recorded call). */
  playEncoded(legBytes: Uint8Array): void;
  /** Queues a pause (silent frames). */
  silence(durationMs: number): void;
  /** Queues a key press: a DtmfData message between frames. */
  pressDigit(digit: string): void;
  /** Resolves once everything queued so far has been sent. */
  waitForAudioSent(timeoutMs?: number): Promise<void>;
  /** Closes from the caller's side. */
  close(code?: number, reason?: string): Promise<MediaCloseInfo>;
  /** Resolves (never rejects) when the socket is closed from either side, or failed to open. */
  readonly closed: Promise<MediaCloseInfo>;
  mediaNowMs(): number;
  /** Wall-clock time the socket opened (media ms 0), once connected. */
  connectedAt(): Date | undefined;
  callerTimeline(): CallerTimeline;
  readonly received: readonly ReceivedMessage[];
  /** Runs of bot audio the caller has heard so far. */
  heardRuns(): HeardRun[];
  firstHeardMs(): number | undefined;
  /** What the caller heard, PCM16 at the leg's rate, silence where nothing played. */
  heardAudio(): { samples: Int16Array; sampleRateHz: number };
  stats(): MediaCallerStats;
  framesWithinMsAfterStopAudio(windowMs: number): number;
  /** The first heard run starting at or after `afterMs` (default 0); its `endMs` is how far it had played when found. */
  waitForBotAudio(options?: { afterMs?: number; timeoutMs?: number }): Promise<HeardRun>;
  /** Media ms of the first StopAudio received at or after `afterMs`. */
  waitForStopAudio(options?: { afterMs?: number; timeoutMs?: number }): Promise<number>;
  /** The bot has heard audio, then nothing queued or playing for `quietMs`: it finished speaking. */
  waitForBotQuiet(options?: { quietMs?: number; timeoutMs?: number }): Promise<number>;
  waitUntil<T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T>;
}

import type { EnvReader } from "./env-reader.js";

export interface GreetingConfig {
  /** pregenerated: the exact text, spoken by TTS; llm: the model greets, following `instructions`. */
  readonly mode: "pregenerated" | "llm";
  /** Template; {callerNumber}, {calleeNumber}, {callerName} are filled from the call. */
  readonly text: string;
  readonly llmInstructions: string;
  /** false (disclaimers): caller audio is held back until the greeting has played. */
  readonly interruptible: boolean;
  /** A recorded greeting (WAV) played straight to the caller; `text` is what it says. */
  readonly audioPath: string | undefined;
}

export interface MediaConfig {
  /** Most audio queued at ACS ahead of real time; small keeps barge-in crisp and echo cancellation aligned. */
  readonly outboundLeadMs: number;
  /** A pre-warmed Voice Live session no media socket claimed closes after this. */
  readonly prewarmTimeoutMs: number;
  /** After the media socket drops, how long ACS gets to reconnect before Voice Live is closed. */
  readonly reconnectGraceMs: number;
  /** Spoken after Voice Live had to be reconnected mid-call. */
  readonly reconnectText: string;
  /**
   * How often each call's outbound queue is topped up (20 or 40 ms). At 40 two
   * frames go out per top-up in one socket write: half the write calls, the
   * same audio at ACS (it queues; OUTBOUND_LEAD_MS ≥ 60 keeps it from running dry).
   */
  readonly outboundTickMs: number;
  /** Caller audio goes to Voice Live in appends of this many ms (whole 20 ms frames): fewer writes, more latency. */
  readonly voiceLiveAppendMs: number;
}

export interface LimitsConfig {
  /** The longest call the bot serves; also bounds how long a media URL's call context stays valid. */
  readonly maxCallDurationMs: number;
  /** The caller is told this long before the limit (0: no warning). */
  readonly warningBeforeMs: number;
  readonly warningText: string;
  /** Said at the limit, then the bot hangs up. */
  readonly goodbyeText: string;
  /** A call answered whose media socket does not connect within this is hung up (0: never). */
  readonly mediaConnectTimeoutMs: number;
  /** A Voice Live session that sends nothing this long while a response is expected is treated as dropped. */
  readonly voiceLiveStallMs: number;
}

export interface SilenceConfig {
  /** The caller's silence (after the bot finished speaking) before a reprompt; 0: off. */
  readonly afterMs: number;
  /** Unanswered reprompts before the goodbye and hang-up. */
  readonly reprompts: number;
  readonly repromptText: string;
  readonly goodbyeText: string;
}

export interface CallConfig {
  readonly greeting: GreetingConfig;
  readonly media: MediaConfig;
  readonly limits: LimitsConfig;
  readonly silence: SilenceConfig;
  /** Said before the bot ends a call its own fault broke (then it hangs up). */
  readonly errorText: string;
  /** Per-call conversation logs (JSONL); undefined = off. */
  readonly callLogDir: string | undefined;
  /** Record mode: every call written as a replayable fixture (stores caller audio); undefined = off. */
  readonly recordDir: string | undefined;
}

export const DEFAULT_GREETING =
  "Thank you for calling Contoso. You're speaking with our virtual assistant. How can I help you today?";

export function readCallConfig(env: EnvReader): CallConfig {
  return {
    greeting: {
      mode: env.oneOf("GREETING_MODE", ["pregenerated", "llm"] as const, "pregenerated"),
      text: env.string("GREETING_TEXT", DEFAULT_GREETING),
      llmInstructions: env.string(
        "GREETING_INSTRUCTIONS",
        "Greet the caller warmly in one short sentence, say you are Contoso's virtual assistant, and ask how you can help.",
      ),
      interruptible: env.boolean("GREETING_INTERRUPTIBLE", true),
      audioPath: env.raw("GREETING_AUDIO"),
    },
    media: {
      outboundLeadMs: env.integer("OUTBOUND_LEAD_MS", 100, { min: 40, max: 2000 }),
      prewarmTimeoutMs: env.integer("PREWARM_TIMEOUT_MS", 20_000, { min: 1000, max: 120_000 }),
      reconnectGraceMs: env.integer("MEDIA_RECONNECT_GRACE_MS", 750, { min: 0, max: 1000 }),
      reconnectText: env.string("RECONNECT_TEXT", "Sorry, I lost you for a moment. I'm back now. What were you saying?"),
      outboundTickMs: Number(env.oneOf("OUTBOUND_TICK_MS", ["20", "40"] as const, "20")),
      voiceLiveAppendMs: Number(env.oneOf("VOICELIVE_APPEND_MS", ["20", "40", "60"] as const, "20")),
    },
    limits: {
      maxCallDurationMs: env.integer("MAX_CALL_DURATION_MS", 2 * 60 * 60 * 1000, { min: 5000, max: 12 * 60 * 60 * 1000 }),
      warningBeforeMs: env.integer("CALL_LIMIT_WARNING_MS", 60_000, { min: 0, max: 30 * 60 * 1000 }),
      warningText: env.string("CALL_LIMIT_WARNING_TEXT", "Just so you know, we'll need to wrap up this call in about a minute."),
      goodbyeText: env.string("CALL_LIMIT_GOODBYE_TEXT", "We've reached the time limit for this call. Thank you for calling, goodbye!"),
      mediaConnectTimeoutMs: env.integer("MEDIA_CONNECT_TIMEOUT_MS", 15_000, { min: 0, max: 120_000 }),
      voiceLiveStallMs: env.integer("VOICELIVE_STALL_MS", 15_000, { min: 0, max: 120_000 }),
    },
    silence: {
      afterMs: env.integer("CALLER_SILENCE_MS", 8000, { min: 0, max: 600_000 }),
      reprompts: env.integer("SILENCE_REPROMPTS", 2, { min: 0, max: 10 }),
      repromptText: env.string("SILENCE_REPROMPT_TEXT", "Are you still there?"),
      goodbyeText: env.string("SILENCE_GOODBYE_TEXT", "I haven't heard from you, so I'll end the call now. Please call again anytime. Goodbye!"),
    },
    errorText: env.string("ERROR_TEXT", "I'm sorry, something went wrong on our side. Please call us again. Goodbye."),
    callLogDir: env.raw("CALL_LOG_DIR"),
    recordDir: env.raw("RECORD_DIR"),
  };
}

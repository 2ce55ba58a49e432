/**
 * Operator-facing counters (GET /metrics). One registry per app instance: no
 * module-level state, so tests and replays can run several bots in one process.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export interface Metrics {
  readonly registry: Registry;
  readonly webhookRejected: Counter<"route" | "reason">;
  readonly incomingCalls: Counter<"outcome" | "profile">;
  readonly callPolicies: Counter<"reason" | "profile">;
  readonly callbackEvents: Counter<"type">;
  readonly activeCalls: Gauge;
  readonly mediaSessions: Gauge;
  readonly mediaRejected: Counter<"reason">;
  readonly mediaFramesDropped: Counter<"reason">;
  readonly callerFramesHeld: Counter<"reason">;
  readonly assistantAudioDropped: Counter<"reason">;
  readonly bargeIns: Counter;
  readonly voiceLiveErrors: Counter<"code">;
  readonly voiceLiveEventsDropped: Counter<"reason">;
  readonly callFaults: Counter<"where">;
  readonly requestDeadlines: Counter<"request">;
  readonly prewarm: Counter<"outcome">;
  readonly voiceLiveReconnects: Counter<"outcome">;
  readonly voiceLiveRenewals: Counter<"outcome">;
  readonly toolCalls: Counter<"tool" | "outcome">;
  readonly greetingLatency: Histogram;
  readonly responseLatency: Histogram;
  /** speech_started → StopAudio sent (barge-in reaction, call clock). */
  readonly bargeInReaction: Histogram;
  /** Tool call durations; `interim`: covered when bot audio started toward the caller while it ran, else silent. */
  readonly toolDuration: Histogram<"interim">;
}

const LATENCY_BUCKETS_MS = [50, 100, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000, 10000];

export function createMetrics(options: { defaultMetrics: boolean }): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry });
  return {
    registry,
    webhookRejected: new Counter({
      name: "bot_webhook_rejected_total",
      help: "Webhook requests refused (bad secret, bad token, malformed body)",
      labelNames: ["route", "reason"],
      registers: [registry],
    }),
    incomingCalls: new Counter({
      name: "bot_incoming_calls_total",
      help: "IncomingCall events by outcome (answered, duplicate, answer_failed, draining) and profile",
      labelNames: ["outcome", "profile"],
      registers: [registry],
    }),
    callPolicies: new Counter({
      name: "bot_call_policies_total",
      help: "Call policies that acted, by reason (silence_reprompt, silence_hang_up, max_duration_warning, max_duration_hang_up, media_not_connected, voicelive_stalled) and profile",
      labelNames: ["reason", "profile"],
      registers: [registry],
    }),
    callbackEvents: new Counter({
      name: "bot_callback_events_total",
      help: "ACS callback events received, by type",
      labelNames: ["type"],
      registers: [registry],
    }),
    activeCalls: new Gauge({ name: "bot_active_calls", help: "Calls this replica currently holds", registers: [registry] }),
    mediaSessions: new Gauge({ name: "bot_media_sessions", help: "Live call audio sessions (media socket + Voice Live)", registers: [registry] }),
    mediaRejected: new Counter({
      name: "bot_media_upgrades_rejected_total",
      help: "Media WebSocket upgrades refused before any Voice Live session opened",
      labelNames: ["reason"],
      registers: [registry],
    }),
    mediaFramesDropped: new Counter({
      name: "bot_media_frames_dropped_total",
      help: "Media frames dropped (malformed, bad audio, peer unavailable)",
      labelNames: ["reason"],
      registers: [registry],
    }),
    callerFramesHeld: new Counter({
      name: "bot_caller_frames_held_total",
      help: "Caller audio frames not forwarded because of the greeting gate or a session not ready yet",
      labelNames: ["reason"],
      registers: [registry],
    }),
    assistantAudioDropped: new Counter({
      name: "bot_assistant_audio_dropped_total",
      help: "Voice Live audio deltas not played (interrupted response, no media socket)",
      labelNames: ["reason"],
      registers: [registry],
    }),
    bargeIns: new Counter({ name: "bot_barge_ins_total", help: "Times the caller spoke over the assistant", registers: [registry] }),
    voiceLiveErrors: new Counter({ name: "bot_voicelive_errors_total", help: "Voice Live error events (benign codes excluded)", labelNames: ["code"], registers: [registry] }),
    voiceLiveEventsDropped: new Counter({
      name: "bot_voicelive_events_dropped_total",
      help: "Voice Live frames refused at the boundary (not_json, not_object, no_type, unknown_type, invalid_fields, invalid_audio, binary, too_large)",
      labelNames: ["reason"],
      registers: [registry],
    }),
    callFaults: new Counter({
      name: "bot_call_faults_total",
      help: "Calls ended because handling their events threw (where: voicelive_event, extension, media_frame, timer)",
      labelNames: ["where"],
      registers: [registry],
    }),
    requestDeadlines: new Counter({
      name: "bot_request_deadlines_exceeded_total",
      help: "Outbound requests abandoned at their deadline (acs_answer, acs_hangup, acs_transfer, voicelive_connect, …)",
      labelNames: ["request"],
      registers: [registry],
    }),
    prewarm: new Counter({
      name: "bot_prewarm_sessions_total",
      help: "Pre-warmed Voice Live sessions by outcome (claimed, unclaimed, answer_failed, call_ended, other_worker, shutdown)",
      labelNames: ["outcome"],
      registers: [registry],
    }),
    voiceLiveRenewals: new Counter({
      name: "bot_voicelive_renewals_total",
      help: "Voice Live sessions replaced before they expired (renewed, took_over when the old one ended first, failed)",
      labelNames: ["outcome"],
      registers: [registry],
    }),
    voiceLiveReconnects: new Counter({ name: "bot_voicelive_reconnects_total", help: "Voice Live reconnects mid-call by outcome", labelNames: ["outcome"], registers: [registry] }),
    toolCalls: new Counter({
      name: "bot_tool_calls_total",
      help: "Tool calls by tool and outcome (ok, timeout, error, invalid_arguments, unknown_tool, cancelled)",
      labelNames: ["tool", "outcome"],
      registers: [registry],
    }),
    greetingLatency: new Histogram({
      name: "bot_greeting_start_ms",
      help: "Media connected → first greeting frame sent to the caller (ms)",
      buckets: LATENCY_BUCKETS_MS,
      registers: [registry],
    }),
    responseLatency: new Histogram({
      name: "bot_response_start_ms",
      help: "Caller stopped speaking → first answer frame sent to the caller (ms)",
      buckets: LATENCY_BUCKETS_MS,
      registers: [registry],
    }),
    bargeInReaction: new Histogram({
      name: "bot_barge_in_stop_audio_ms",
      help: "Caller started speaking over the bot (Voice Live speech_started) → StopAudio sent to the caller (ms)",
      buckets: [1, 5, 10, 20, 50, 100, 200, 500, 1000],
      registers: [registry],
    }),
    toolDuration: new Histogram({
      name: "bot_tool_call_duration_ms",
      help: "Tool call durations (ms); interim=covered when bot audio (an interim line) started toward the caller while the tool ran, silent otherwise",
      labelNames: ["interim"],
      buckets: LATENCY_BUCKETS_MS,
      registers: [registry],
    }),
  };
}

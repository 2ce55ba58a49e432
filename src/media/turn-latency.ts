/**
 * Latency where the caller feels it, per call, on the call's own clock:
 *
 * - greeting: media socket connected → first greeting frame sent toward the caller;
 * - turn: the caller stopped speaking (Voice Live `speech_stopped`) → first bot
 *   frame sent toward the caller (an interim line counts: it is what they hear);
 * - barge_in: the caller started speaking over the bot (`speech_started`
 *   handled) → StopAudio sent;
 * - tool: how long a tool ran and whether bot audio (an interim line) started
 *   toward the caller while it did, or they waited in silence.
 *
 * Each figure is written to the conversation log as a `latency` line (so the
 * console and support see it per turn) and the barge-in and tool figures go to
 * Prometheus (greeting and turn are bot_greeting_start_ms and
 * bot_response_start_ms, observed by the call session). Per item and per event,
 * never per frame.
 */
import type { Clock } from "../clock.js";
import type { Metrics } from "../metrics.js";
import type { ServerEvent } from "../voicelive/protocol.js";
import type { CallSession, CallSessionExtension } from "./call-session.js";

export type LatencyKind = "greeting" | "turn" | "barge_in" | "tool";

/** The fields of a `latency` conversation log line. */
export interface LatencyRecord {
  readonly kind: LatencyKind;
  readonly latencyMs: number;
  /** turn: 1-based caller turn; its Voice Live user item. */
  readonly turn?: number;
  readonly callerItemId?: string;
  /** tool: which, and whether an interim line covered it (ms after the tool started, when it did). */
  readonly tool?: string;
  readonly callId?: string;
  readonly covered?: boolean;
  readonly interimAfterMs?: number;
}

interface RunningTool {
  readonly name: string;
  readonly startedMs: number;
  firstAudioMs: number | undefined;
}

export class TurnLatencyTracker implements CallSessionExtension {
  private readonly startedMs: number;
  private call: CallSession | undefined;
  private firstAudioSeen = false;
  private speechStoppedMs: number | undefined;
  private callerItemId: string | undefined;
  private turns = 0;
  private readonly tools = new Map<string, RunningTool>();

  constructor(private readonly deps: { clock: Clock; metrics: Metrics }) {
    // Built when the call's media socket connects.
    this.startedMs = deps.clock.nowMs();
  }

  onVoiceLiveEvent(event: ServerEvent, call: CallSession): void {
    this.call = call;
    switch (event.type) {
      case "input_audio_buffer.speech_stopped":
        this.speechStoppedMs = this.deps.clock.nowMs();
        this.callerItemId = event.item_id;
        this.turns += 1;
        return;
      case "response.function_call_arguments.done":
        if (!this.tools.has(event.call_id)) {
          this.tools.set(event.call_id, { name: event.name ?? "(unnamed)", startedMs: this.deps.clock.nowMs(), firstAudioMs: undefined });
        }
        return;
      default:
        return;
    }
  }

  onBotAudioStarted(_itemId: string, nowMs: number, call: CallSession): void {
    this.call = call;
    for (const tool of this.tools.values()) tool.firstAudioMs ??= nowMs;
    if (this.speechStoppedMs !== undefined) {
      // The caller spoke before any bot audio: the greeting never played (it was cut or failed); this answers them.
      this.firstAudioSeen = true;
      this.record({ kind: "turn", latencyMs: nowMs - this.speechStoppedMs, turn: this.turns, callerItemId: this.callerItemId });
      this.speechStoppedMs = undefined;
    } else if (!this.firstAudioSeen) {
      this.firstAudioSeen = true;
      this.record({ kind: "greeting", latencyMs: nowMs - this.startedMs });
    }
  }

  onStopAudio(bargeInAtMs: number, call: CallSession): void {
    this.call = call;
    const latencyMs = Math.max(0, this.deps.clock.nowMs() - bargeInAtMs);
    this.deps.metrics.bargeInReaction.observe(latencyMs);
    // Fractions: the bot reacts within the event that reports the speech; rounding would hide a regression up to 0.5 ms.
    this.call.logEvent("latency", { kind: "barge_in", latencyMs: Math.round(latencyMs * 100) / 100 });
  }

  onCallEvent(type: string, fields: Readonly<Record<string, unknown>>): void {
    if (type !== "tool_call" || typeof fields.callId !== "string") return;
    const tool = this.tools.get(fields.callId);
    if (!tool) return;
    this.tools.delete(fields.callId);
    const durationMs = Math.max(0, typeof fields.durationMs === "number" ? fields.durationMs : this.deps.clock.nowMs() - tool.startedMs);
    const covered = tool.firstAudioMs !== undefined;
    this.deps.metrics.toolDuration.observe({ interim: covered ? "covered" : "silent" }, durationMs);
    this.record({
      kind: "tool",
      latencyMs: durationMs,
      tool: typeof fields.tool === "string" ? fields.tool : tool.name,
      callId: fields.callId,
      covered,
      ...(covered ? { interimAfterMs: Math.round(tool.firstAudioMs! - tool.startedMs) } : {}),
    });
  }

  onClosed(): void {
    this.tools.clear();
    this.call = undefined;
  }

  /** A duration is never negative, even on a clock that steps back a few ms (replays' call time can). */
  private record(record: LatencyRecord): void {
    this.call?.logEvent("latency", { ...record, latencyMs: Math.max(0, Math.round(record.latencyMs)) });
  }
}

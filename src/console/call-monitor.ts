/**
 * The live side of the operations console: every call this replica serves (ACS
 * or softphone), each one's conversation log lines as they are written, and —
 * only while a console is open — audio levels and call state, pushed to every
 * open console ten times a second. With no console open it costs one redacted
 * copy per log line (a few per turn) and nothing per frame.
 */
import type { Logger } from "pino";
import type { CallContext } from "../calls/call-context-token.js";
import type { CallRecord } from "../calls/call-record.js";
import type { CallRegistry } from "../calls/call-registry.js";
import type { Clock, Timer } from "../clock.js";
import type { CallObserver, CallWatch } from "../media/call-observer.js";
import type { CallSummary, CallView, ConsoleMessage } from "./console-protocol.js";
import { LiveCall } from "./live-call.js";
import type { Redactor } from "./redact.js";

export interface ConsoleWatcher {
  send(text: string): void;
  /** More unsent than a console should ever need: it is not reading. */
  readonly backlogged: boolean;
  close(code: number, reason: string): void;
}

export interface CallMonitorDeps {
  readonly clock: Clock;
  readonly registry: CallRegistry;
  readonly redact: Redactor;
  readonly logger: Logger;
  /** Ended calls kept in memory for the console (besides the conversation logs). */
  readonly keepEnded?: number;
  readonly tickMs?: number;
}

export class CallMonitor implements CallObserver {
  private readonly live = new Map<string, LiveCall>();
  private readonly ended: CallView[] = [];
  /** ACS calls not yet on a media socket (answering), by id, with the state last sent. */
  private readonly pending = new Map<string, CallRecord>();
  private readonly lastState = new Map<string, string>();
  private readonly softphoneIds = new Set<string>();
  private readonly watchers = new Set<ConsoleWatcher>();
  private timer: Timer | undefined;

  constructor(private readonly deps: CallMonitorDeps) {}

  get watching(): number {
    return this.watchers.size;
  }

  /** The next call with this id is the browser softphone's. */
  expectSoftphone(correlationId: string): void {
    this.softphoneIds.add(correlationId);
  }

  callStarted(call: { context: CallContext }): CallWatch {
    const { clock } = this.deps;
    const id = call.context.correlationId;
    const source = this.softphoneIds.delete(id) ? "softphone" : "phone";
    const live = new LiveCall(call.context, source, clock.date().toISOString(), clock.nowMs());
    live.meter.active = this.watchers.size > 0;
    this.live.set(id, live);
    this.pending.delete(id);
    this.broadcastCall(live.summary(this.stateOf(live)));
    return {
      logged: (type, fields) => {
        const event = live.add(type, this.deps.redact(fields) as Record<string, unknown>, clock.nowMs());
        if (this.watchers.size > 0) this.broadcast({ type: "event", id, event });
      },
      extension: {
        audioLevels: live.meter,
        onVoiceLiveEvent: (event) => {
          if (event.type === "input_audio_buffer.speech_started") live.callerSpeaking = true;
          else if (event.type === "input_audio_buffer.speech_stopped") live.callerSpeaking = false;
        },
        onClosed: (reason) => this.callEnded(live, reason),
      },
    };
  }

  /** Live calls (answering ones included) and the recently ended, with their events. */
  snapshot(): { calls: CallView[]; ended: CallView[] } {
    this.pollRegistry(false);
    const calls: CallView[] = [...this.live.values()].map((call) => call.view(this.stateOf(call)));
    for (const record of this.pending.values()) calls.push({ ...this.pendingSummary(record), events: [] });
    return { calls, ended: [...this.ended] };
  }

  /** Starts pushing to `watcher` (a hello with everything first); returns the unsubscribe. */
  watch(watcher: ConsoleWatcher): () => void {
    const { calls, ended } = this.snapshot();
    watcher.send(JSON.stringify({ type: "hello", now: this.deps.clock.date().toISOString(), calls, ended } satisfies ConsoleMessage));
    this.watchers.add(watcher);
    this.setMetering(true);
    this.timer ??= this.deps.clock.setInterval(() => this.tick(), this.deps.tickMs ?? 100);
    return () => this.unwatch(watcher);
  }

  private unwatch(watcher: ConsoleWatcher): void {
    if (!this.watchers.delete(watcher) || this.watchers.size > 0) return;
    this.setMetering(false);
    if (this.timer !== undefined) this.deps.clock.clearInterval(this.timer);
    this.timer = undefined;
  }

  close(): void {
    for (const watcher of [...this.watchers]) watcher.close(1001, "shutting down");
    this.watchers.clear();
    this.setMetering(false);
    if (this.timer !== undefined) this.deps.clock.clearInterval(this.timer);
    this.timer = undefined;
  }

  private callEnded(call: LiveCall, reason: string): void {
    if (this.live.get(call.id) === call) this.live.delete(call.id);
    call.meter.active = false;
    call.endedAt = this.deps.clock.date().toISOString();
    call.endReason = reason;
    this.lastState.delete(call.id);
    this.remember(call.view("ended"));
    this.broadcastCall(call.summary("ended"));
  }

  private remember(view: CallView): void {
    this.ended.push(view);
    const keep = this.deps.keepEnded ?? 50;
    if (this.ended.length > keep) this.ended.splice(0, this.ended.length - keep);
  }

  private tick(): void {
    try {
      this.pollRegistry(true);
      if (this.live.size > 0) this.broadcast({ type: "levels", calls: [...this.live.values()].map((call) => call.levels()) });
    } catch (error) {
      this.deps.logger.error({ err: error }, "console update failed");
    }
  }

  /** Calls still answering, and state changes (connected, transferring …) the ACS callbacks made. */
  private pollRegistry(push: boolean): void {
    for (const record of this.deps.registry.all()) {
      if (!this.live.has(record.correlationId) && !this.pending.has(record.correlationId)) {
        this.pending.set(record.correlationId, record);
        if (push) this.broadcastCall(this.pendingSummary(record));
      }
    }
    for (const [id, record] of this.pending) {
      if (!record.released) continue;
      this.pending.delete(id);
      // Ended before its media socket connected (answer failed, caller gave up).
      const summary: CallSummary = { ...this.pendingSummary(record), state: "ended", live: false, endedAt: this.deps.clock.date().toISOString(), endReason: record.endReason };
      this.remember({ ...summary, events: [] });
      if (push) this.broadcastCall(summary);
    }
    if (!push) return;
    for (const call of this.live.values()) {
      const state = this.stateOf(call);
      if (this.lastState.get(call.id) !== state) this.broadcastCall(call.summary(state));
    }
  }

  private pendingSummary(record: CallRecord): CallSummary {
    const context = record.context;
    const { clock } = this.deps;
    return {
      id: record.correlationId,
      source: "phone",
      caller: context.callerNumber ?? context.callerRawId,
      callerName: context.callerDisplayName,
      dialed: context.calleeNumber ?? context.calleeRawId,
      startedAt: new Date(clock.date().getTime() - (clock.nowMs() - record.startedAtMs)).toISOString(),
      state: recordState(record),
      live: true,
    };
  }

  private stateOf(call: LiveCall): string {
    if (call.source === "softphone") return "connected";
    const record = this.deps.registry.byCorrelationId(call.id);
    return record ? recordState(record) : "connected";
  }

  private broadcastCall(summary: CallSummary): void {
    this.lastState.set(summary.id, summary.state);
    if (this.watchers.size > 0) this.broadcast({ type: "call", call: summary });
  }

  private broadcast(message: ConsoleMessage): void {
    const text = JSON.stringify(message);
    for (const watcher of this.watchers) {
      if (watcher.backlogged) {
        this.deps.logger.warn("console not reading its updates; closed");
        this.unwatch(watcher);
        watcher.close(1013, "too slow");
        continue;
      }
      watcher.send(text);
    }
  }

  private setMetering(active: boolean): void {
    for (const call of this.live.values()) call.meter.active = active;
  }
}

function recordState(record: CallRecord): string {
  if (record.transfer) return record.transfer.state === "requested" ? "transferring" : record.transfer.state === "accepted" ? "transferred" : "connected";
  return record.state;
}


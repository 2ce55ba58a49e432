/**
 * Call control's brain: answers IncomingCall without ever holding up the webhook,
 * keeps each call's lifecycle from callbacks, and ends calls that would otherwise
 * leave the caller in silence.
 */
import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import type { Config } from "../config/index.js";
import { errorMessage } from "../errors.js";
import type { Metrics } from "../metrics.js";
import type { CallbackEvent } from "./acs-callback-events.js";
import { CALL_CONTEXT_PARAM, callContextTtlMs, signCallContext, type CallContext } from "./call-context-token.js";
import type { CallControl } from "./call-control.js";
import { CallRecord } from "./call-record.js";
import { CallRegistry } from "./call-registry.js";
import type { IncomingCall } from "./eventgrid.js";

export interface CallServiceHooks {
  /** A call is about to be answered: pre-warm what the media socket will need. */
  onAnswering?(record: CallRecord): void;
}

export interface CallServiceDeps {
  readonly config: Config;
  /** The call's profile (by the number dialed): named in its logs and metrics. */
  readonly profileOf?: (context: CallContext) => string;
  /** The settings of the call's profile (limits); default: `config`. */
  readonly profileConfigOf?: (context: CallContext) => Config;
  readonly callControl: CallControl;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly hooks?: CallServiceHooks;
}

export type IncomingOutcome = "answering" | "duplicate" | "draining";

export class CallService {
  readonly registry: CallRegistry;
  private drainingFlag = false;
  private readonly pending = new Set<Promise<void>>();
  /** Aborted at the end of shutdown: requests still in flight are abandoned. */
  private readonly lifetime = new AbortController();

  constructor(private readonly deps: CallServiceDeps) {
    // Ended calls are remembered as long as their media URL could still be presented.
    this.registry = new CallRegistry(() => deps.clock.nowMs(), { endedTtlMs: callContextTtlMs(deps.config) });
  }

  get draining(): boolean {
    return this.drainingFlag;
  }

  startDraining(): void {
    this.drainingFlag = true;
  }

  /** Synchronous bookkeeping, then the answer runs in the background. */
  acceptIncomingCall(call: IncomingCall): IncomingOutcome {
    const { metrics, logger } = this.deps;
    if (!this.registry.claimDelivery(call.correlationId, call.serverCallId)) {
      metrics.incomingCalls.inc({ outcome: "duplicate" });
      logger.info({ correlationId: call.correlationId, eventId: call.eventId }, "duplicate IncomingCall delivery ignored");
      return "duplicate";
    }
    const context: CallContext = {
      correlationId: call.correlationId,
      serverCallId: call.serverCallId,
      callerRawId: call.from.rawId,
      callerNumber: call.from.phoneNumber,
      calleeRawId: call.to.rawId,
      calleeNumber: call.to.phoneNumber,
      callerDisplayName: call.callerDisplayName,
    };
    const profile = this.deps.profileOf?.(context) ?? "default";
    const record = new CallRecord(context, logger.child({ correlationId: call.correlationId, profile }), this.deps.clock.nowMs(), profile);
    this.registry.add(record);
    this.deps.metrics.activeCalls.inc();
    record.on("released", () => this.deps.metrics.activeCalls.dec());
    this.track(this.answer(record, call.incomingCallContext));
    return "answering";
  }

  private async answer(record: CallRecord, incomingCallContext: string): Promise<void> {
    const { config, callControl, clock, metrics } = this.deps;
    const token = signCallContext(record.context, config.acs.mediaContextSecret, clock.date().getTime(), callContextTtlMs(config));
    const transportUrl = `${config.server.mediaUrl}?${CALL_CONTEXT_PARAM}=${token}`;
    record.log.info({ caller: record.context.callerRawId, callee: record.context.calleeRawId }, "answering call");
    try {
      this.deps.hooks?.onAnswering?.(record);
    } catch (error) {
      record.log.error({ err: error }, "pre-answer hook failed; answering anyway");
    }
    const startedMs = clock.nowMs();
    try {
      const { callConnectionId } = await callControl.answer(
        {
          incomingCallContext,
          callbackUrl: config.server.callbackUrl,
          transportUrl,
          audioFormat: config.acs.audioFormat,
          enableDtmfTones: config.acs.enableDtmfTones,
          operationContext: "answer",
        },
        { signal: this.lifetime.signal },
      );
      if (record.released) return;
      this.registry.bindConnection(record, callConnectionId);
      record.log = record.log.child({ callConnectionId });
      if (record.state === "answering") record.state = "answered";
      metrics.incomingCalls.inc({ outcome: "answered", profile: record.profile });
      record.log.info({ answerMs: Math.round(clock.nowMs() - startedMs) }, "call answered");
      this.watchMediaConnect(record);
    } catch (error) {
      metrics.incomingCalls.inc({ outcome: "answer_failed", profile: record.profile });
      record.state = "failed";
      record.log.error({ reason: errorMessage(error), code: (error as { code?: unknown }).code }, "call failed: answering it did not succeed");
      await record.release("answer_failed");
    }
  }

  /**
   * An answered call whose media never connects would leave the caller in
   * silence: hung up after MEDIA_CONNECT_TIMEOUT_MS. Evidence of media is a
   * media session on this replica or ACS's MediaStreamingStarted callback.
   */
  private watchMediaConnect(record: CallRecord): void {
    const timeoutMs = this.deps.profileConfigOf?.(record.context).call.limits.mediaConnectTimeoutMs ?? this.deps.config.call.limits.mediaConnectTimeoutMs;
    if (timeoutMs <= 0) return;
    const timer = this.deps.clock.setTimeout(() => {
      if (record.released || record.mediaConnected || record.mediaStreaming === "started") return;
      this.deps.metrics.callPolicies.inc({ reason: "media_not_connected", profile: record.profile });
      record.log.warn({ timeoutMs }, "call failed: media never connected after the answer; hanging up");
      void this.hangUp(record, "media_not_connected");
    }, timeoutMs);
    record.addDisposer(() => this.deps.clock.clearTimeout(timer));
  }

  /** Applies every event of a callback delivery, in order. */
  applyCallbackEvents(events: readonly CallbackEvent[]): void {
    for (const event of events) this.applyCallbackEvent(event);
  }

  private applyCallbackEvent(event: CallbackEvent): void {
    const { metrics, logger } = this.deps;
    metrics.callbackEvents.inc({ type: event.type === "unknown" ? "unknown" : event.type });
    const record = this.find(event.ids.callConnectionId, event.ids.correlationId);
    if (event.type === "unknown") {
      (record?.log ?? logger).info({ eventType: event.eventType, ...event.ids }, "callback event type not handled; ignored");
      return;
    }
    if (!record) {
      // Callbacks are load-balanced: another replica may hold this call.
      logger.info({ type: event.type, ...event.ids }, "callback for a call this replica does not hold");
      return;
    }
    if (event.ids.callConnectionId && !record.callConnectionId) {
      this.registry.bindConnection(record, event.ids.callConnectionId);
    }
    switch (event.type) {
      case "CallConnected":
        record.state = "connected";
        record.log.info("call connected");
        record.emit("connected");
        return;
      case "MediaStreamingStarted":
        record.mediaStreaming = "started";
        record.log.info({ details: event.statusDetails }, "media streaming started");
        return;
      case "MediaStreamingStopped":
        record.mediaStreaming = "stopped";
        record.log.info({ details: event.statusDetails }, "media streaming stopped");
        return;
      case "MediaStreamingFailed": {
        record.mediaStreaming = "failed";
        const reason = event.result?.message ?? event.statusDetails ?? "media streaming failed";
        record.log.error({ details: event.statusDetails, result: event.result }, "media streaming failed; hanging up");
        record.emit("mediaStreamingFailed", reason);
        // Without media the caller would sit in silence.
        void this.hangUp(record, "media_streaming_failed");
        return;
      }
      case "ParticipantsUpdated":
        record.participants = event.participants;
        record.log.info({ participants: event.participants }, "participants updated");
        return;
      case "CallTransferAccepted":
        if (record.transfer) record.transfer.state = "accepted";
        record.log.info({ target: record.transfer?.target }, "transfer accepted");
        record.emit("transferAccepted");
        return;
      case "CallTransferFailed": {
        const detail = event.result?.message ?? "transfer failed";
        if (record.transfer) {
          record.transfer.state = "failed";
          record.transfer.detail = detail;
        }
        record.log.warn({ result: event.result }, "transfer failed");
        record.emit("transferFailed", detail);
        return;
      }
      case "CallDisconnected":
        record.log.info({ result: event.result }, "call disconnected");
        void record.release("call_disconnected");
        return;
    }
  }

  find(callConnectionId: string | undefined, correlationId: string | undefined): CallRecord | undefined {
    return (
      (callConnectionId ? this.registry.byCallConnectionId(callConnectionId) : undefined) ??
      (correlationId ? this.registry.byCorrelationId(correlationId) : undefined)
    );
  }

  /** Hangs up for everyone; releases locally either way (the disconnect callback may go to another replica). */
  async hangUp(record: CallRecord, reason: string, options: { timeoutMs?: number } = {}): Promise<void> {
    if (record.callConnectionId) {
      try {
        await this.deps.callControl.hangUp(record.callConnectionId, { signal: this.lifetime.signal, timeoutMs: options.timeoutMs });
        record.log.info({ reason }, "hung up");
      } catch (error) {
        record.log.error({ reason, error: errorMessage(error) }, "hang-up failed");
      }
    }
    await record.release(reason);
  }

  async transfer(record: CallRecord, target: string, operationContext: string): Promise<void> {
    if (!record.callConnectionId) throw new Error("call is not answered yet");
    record.transfer = { state: "requested", target };
    await this.deps.callControl.transferToParticipant(record.callConnectionId, target, operationContext, { signal: this.lifetime.signal });
    record.log.info({ target }, "transfer requested");
  }

  /** True if this replica saw the call end (its media URL must not start a new session). */
  hasEnded(correlationId: string): boolean {
    return this.registry.hasEnded(correlationId);
  }

  /** Waits for background answers in flight (tests and shutdown). */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** Shutdown's last step: every ACS request still in flight is abandoned now. */
  abandonRequests(): void {
    this.lifetime.abort(new Error("shutting down"));
  }

  private track(work: Promise<void>): void {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }
}

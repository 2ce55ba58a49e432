/**
 * The call sessions this replica serves, by correlation id. A media socket for a
 * call that already has a session (ACS re-established a dropped stream) resumes
 * it; any other starts one, on the pre-warmed Voice Live session if there is one.
 */
import type { Logger } from "pino";
import type WebSocket from "ws";
import type { CallContext } from "../calls/call-context-token.js";
import type { CallControl } from "../calls/call-control.js";
import type { CallService } from "../calls/call-service.js";
import { openConversationLog } from "../calls/conversation-log.js";
import type { Clock } from "../clock.js";
import type { Config } from "../config/index.js";
import type { Metrics } from "../metrics.js";
import type { VoiceLiveConnector } from "../voicelive/connector.js";
import { CallSession, type CallSessionExtension } from "./call-session.js";
import type { GreetingAudio } from "./greeting-audio.js";
import { watchConversationLog, type CallObserver } from "./call-observer.js";
import type { Pacer } from "./pacer.js";

/** What a call gets from its profile (src/call-profiles.ts). */
export interface CallProfileRuntime {
  readonly name: string;
  readonly config: Config;
  readonly connector: VoiceLiveConnector;
  /** Per-call add-ons (tools, recorder); built for each new call. */
  readonly extensions: (call: { context: CallContext; log: Logger }) => CallSessionExtension[];
  readonly greetingAudio: GreetingAudio | undefined;
}

export interface MediaSessionsDeps {
  readonly config: Config;
  readonly clock: Clock;
  readonly pacer: Pacer;
  readonly metrics: Metrics;
  /** The profile of the number the caller dialed. */
  readonly profileFor: (context: CallContext) => CallProfileRuntime;
  readonly calls: CallService;
  readonly callControl: CallControl;
  readonly logger: Logger;
  /** A media socket found no pre-warmed session here (WORKERS: another process may hold one). */
  readonly onPrewarmMiss?: (correlationId: string) => void;
  /** Watches every call live (the operations console). */
  readonly observer?: CallObserver;
}

export class MediaSessions {
  private readonly sessions = new Map<string, CallSession>();

  constructor(private readonly deps: MediaSessionsDeps) {}

  get size(): number {
    return this.sessions.size;
  }

  get(correlationId: string): CallSession | undefined {
    return this.sessions.get(correlationId);
  }

  connect(socket: WebSocket, context: CallContext, callConnectionId: string | undefined): void {
    const { deps } = this;
    let session = this.sessions.get(context.correlationId);
    if (!session || session.closed) {
      session = this.create(context, callConnectionId);
    }
    const current = session;
    current.attachSocket(socket);
    socket.on("message", (data: Buffer, isBinary: boolean) => {
      if (isBinary) {
        current.dropFrames("binary");
        return;
      }
      try {
        current.handleMediaText(data.toString("utf8"));
      } catch (error) {
        current.fault("media_frame", error);
      }
    });
    socket.on("close", () => current.socketClosed(socket));
    socket.on("error", (error) => current.log.warn({ reason: error.message }, "media socket error"));
  }

  closeAll(reason: string): void {
    for (const session of [...this.sessions.values()]) session.close(reason);
  }

  private create(context: CallContext, callConnectionId: string | undefined): CallSession {
    const { deps } = this;
    const profile = deps.profileFor(context);
    const record = deps.calls.registry.byCorrelationId(context.correlationId);
    if (record) record.mediaConnected = true;
    // The record's logger already carries the call's ids (this replica answered the call).
    const log =
      record?.log ?? deps.logger.child({ correlationId: context.correlationId, ...(callConnectionId ? { callConnectionId } : {}), profile: profile.name });
    const watch = deps.observer?.callStarted({ context, callConnectionId, log });
    const fileLog = openConversationLog({
      dir: deps.config.call.callLogDir,
      correlationId: context.correlationId,
      startedAt: deps.clock.date(),
      nowMs: () => deps.clock.nowMs(),
      logger: log,
    });
    const conversationLog = watch ? watchConversationLog(fileLog, watch, log) : fileLog;
    conversationLog.write("call", {
      correlationId: context.correlationId,
      callConnectionId,
      serverCallId: context.serverCallId,
      caller: context.callerNumber ?? context.callerRawId,
      dialed: context.calleeNumber ?? context.calleeRawId,
      profile: profile.name,
    });
    const session = new CallSession({
      config: profile.config,
      profile: profile.name,
      greetingAudio: profile.greetingAudio,
      clock: deps.clock,
      pacer: deps.pacer,
      metrics: deps.metrics,
      connector: profile.connector,
      context,
      callConnectionId,
      log,
      conversationLog,
      extensions: [...profile.extensions({ context, log }), ...(watch ? [watch.extension] : [])],
      hangUp: async (reason) => {
        // Ended by the bot: a later connection with this call's media URL starts nothing.
        deps.calls.registry.markEnded(context.correlationId);
        const live = deps.calls.registry.byCorrelationId(context.correlationId);
        if (live) await deps.calls.hangUp(live, reason);
        else if (callConnectionId) await deps.callControl.hangUp(callConnectionId);
      },
    });
    this.sessions.set(context.correlationId, session);
    deps.metrics.mediaSessions.inc();
    session.onClose(() => {
      if (this.sessions.get(context.correlationId) === session) this.sessions.delete(context.correlationId);
      deps.metrics.mediaSessions.dec();
    });
    record?.addDisposer(() => session.close("call_released"));
    const prewarmed = profile.connector.claim(context.correlationId);
    if (!prewarmed) deps.onPrewarmMiss?.(context.correlationId);
    session.start(prewarmed);
    return session;
  }
}

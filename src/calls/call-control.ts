/**
 * Call control toward ACS, through the real Call Automation SDK. The rest of the
 * bot talks to this small interface so tests and replays point the same code at
 * a local ACS stub.
 */
import {
  CallAutomationClient,
  type CallConnection,
  type MediaStreamingOptions,
} from "@azure/communication-call-automation";
import type { TokenCredential } from "@azure/identity";
import type { Clock } from "../clock.js";
import type { AcsAudioFormat, AcsConfig } from "../config/acs.js";
import { withDeadline } from "../deadline.js";
import { AppError, errorMessage } from "../errors.js";
import type { Metrics } from "../metrics.js";

export interface AnswerRequest {
  readonly incomingCallContext: string;
  readonly callbackUrl: string;
  readonly transportUrl: string;
  readonly audioFormat: AcsAudioFormat;
  readonly enableDtmfTones: boolean;
  readonly operationContext: string;
}

/** Options every operation takes: cancellation (the deadline, shutdown) and, for hang-up, a shorter deadline. */
export interface CallControlOptions {
  readonly signal?: AbortSignal;
  /** Overrides the configured deadline for this request (shutdown has less time left). */
  readonly timeoutMs?: number;
}

export interface CallControl {
  answer(request: AnswerRequest, options?: CallControlOptions): Promise<{ callConnectionId: string }>;
  /** Ends the call for everyone. */
  hangUp(callConnectionId: string, options?: CallControlOptions): Promise<void>;
  /** 1:1 transfer: the bot leaves the call once ACS accepts. */
  transferToParticipant(callConnectionId: string, target: string, operationContext: string, options?: CallControlOptions): Promise<void>;
}

/**
 * Every request gets a deadline (the SDK's retries included) and its cancellation
 * reaches the HTTP request; a control that ignores the signal still cannot hold
 * the caller past it. Abandoned requests are counted.
 */
export function withRequestDeadlines(inner: CallControl, deps: { clock: Clock; timeoutMs: number; metrics: Metrics }): CallControl {
  const run = <T>(request: string, options: CallControlOptions | undefined, work: (signal: AbortSignal) => Promise<T>): Promise<T> => {
    const timeoutMs = Math.min(options?.timeoutMs ?? deps.timeoutMs, deps.timeoutMs);
    return withDeadline(deps.clock, timeoutMs, `ACS ${request}`, work, { signal: options?.signal }).catch((error: unknown) => {
      if (error instanceof AppError && error.code === "deadline_exceeded") {
        deps.metrics.requestDeadlines.inc({ request: `acs_${request}` });
      }
      throw error;
    });
  };
  return {
    answer: (request, options) => run("answer", options, (signal) => inner.answer(request, { signal })),
    hangUp: (callConnectionId, options) => run("hangup", options, (signal) => inner.hangUp(callConnectionId, { signal })),
    transferToParticipant: (callConnectionId, target, operationContext, options) =>
      run("transfer", options, (signal) => inner.transferToParticipant(callConnectionId, target, operationContext, { signal })),
  };
}

export function createAcsCallControl(client: CallAutomationClient): CallControl {
  return {
    async answer(request, options) {
      const mediaStreamingOptions: MediaStreamingOptions = {
        transportType: "websocket",
        transportUrl: request.transportUrl,
        contentType: "audio",
        audioChannelType: "mixed",
        startMediaStreaming: true,
        enableBidirectional: true,
        audioFormat: request.audioFormat,
        enableDtmfTones: request.enableDtmfTones,
      };
      try {
        const result = await client.answerCall(request.incomingCallContext, request.callbackUrl, {
          mediaStreamingOptions,
          operationContext: request.operationContext,
          abortSignal: options?.signal,
        });
        return { callConnectionId: result.callConnectionProperties.callConnectionId! };
      } catch (error) {
        throw acsError("acs_answer_failed", "answering the call failed", error);
      }
    },
    async hangUp(callConnectionId, options) {
      try {
        await client.getCallConnection(callConnectionId).hangUp(true, { abortSignal: options?.signal });
      } catch (error) {
        throw acsError("acs_hangup_failed", "hanging up failed", error);
      }
    },
    async transferToParticipant(callConnectionId, target, operationContext, options) {
      try {
        await client
          .getCallConnection(callConnectionId)
          .transferCallToParticipant(parseTarget(target), { operationContext, abortSignal: options?.signal });
      } catch (error) {
        throw acsError("acs_transfer_failed", "transfer request failed", error);
      }
    },
  };
}

export function createCallAutomationClient(
  acs: AcsConfig,
  credential: () => TokenCredential,
): CallAutomationClient {
  // Retries (throttling, 5xx) stay well inside the per-request deadline.
  const options = {
    allowInsecureConnection: acs.allowInsecureConnection,
    retryOptions: { maxRetries: 3, retryDelayInMs: 300, maxRetryDelayInMs: 2000 },
  };
  return acs.credential.kind === "connectionString"
    ? new CallAutomationClient(acs.credential.connectionString, options)
    : new CallAutomationClient(acs.credential.endpoint, credential(), options);
}

/** "+14255551212" / "4:+14255551212" → phone number; "8:acs:…" → ACS user. */
type TransferTarget = Parameters<CallConnection["transferCallToParticipant"]>[0];

export function parseTarget(target: string): TransferTarget {
  const phone = /^(?:4:)?(\+\d{6,15})$/.exec(target.trim());
  if (phone) return { phoneNumber: phone[1]! };
  if (/^8:acs:/.test(target)) return { communicationUserId: target };
  throw new AppError("transfer_target_invalid", `transfer target must be an E.164 number or an 8:acs: user id, got "${target}"`);
}

function acsError(code: string, what: string, cause: unknown): unknown {
  // A deadline or shutdown cancelled it: that reason is the one to report.
  if (cause instanceof AppError) return cause;
  const status = (cause as { statusCode?: number } | undefined)?.statusCode;
  const retryable = status === undefined || status === 429 || status >= 500;
  // The cause's message is in ours; attaching it too would print it twice in every log line.
  return new AppError(code, `${what}: ${status ? `HTTP ${status} ` : ""}${errorMessage(cause)}`, { retryable });
}

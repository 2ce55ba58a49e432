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
import type { AcsAudioFormat, AcsConfig } from "../config/acs.js";
import { AppError, errorMessage } from "../errors.js";

export interface AnswerRequest {
  readonly incomingCallContext: string;
  readonly callbackUrl: string;
  readonly transportUrl: string;
  readonly audioFormat: AcsAudioFormat;
  readonly enableDtmfTones: boolean;
  readonly operationContext: string;
}

export interface CallControl {
  answer(request: AnswerRequest): Promise<{ callConnectionId: string }>;
  /** Ends the call for everyone. */
  hangUp(callConnectionId: string): Promise<void>;
  /** 1:1 transfer: the bot leaves the call once ACS accepts. */
  transferToParticipant(callConnectionId: string, target: string, operationContext: string): Promise<void>;
}

export function createAcsCallControl(client: CallAutomationClient): CallControl {
  return {
    async answer(request) {
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
        });
        return { callConnectionId: result.callConnectionProperties.callConnectionId! };
      } catch (error) {
        throw acsError("acs_answer_failed", "answering the call failed", error);
      }
    },
    async hangUp(callConnectionId) {
      try {
        await client.getCallConnection(callConnectionId).hangUp(true);
      } catch (error) {
        throw acsError("acs_hangup_failed", "hanging up failed", error);
      }
    },
    async transferToParticipant(callConnectionId, target, operationContext) {
      try {
        await client
          .getCallConnection(callConnectionId)
          .transferCallToParticipant(parseTarget(target), { operationContext });
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
  const options = { allowInsecureConnection: acs.allowInsecureConnection };
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

function acsError(code: string, what: string, cause: unknown): AppError {
  const status = (cause as { statusCode?: number } | undefined)?.statusCode;
  const retryable = status === undefined || status === 429 || status >= 500;
  return new AppError(code, `${what}: ${status ? `HTTP ${status} ` : ""}${errorMessage(cause)}`, { cause, retryable });
}

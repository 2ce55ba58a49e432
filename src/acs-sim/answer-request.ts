/**
 * Reads the bot's answer request (as the SDK serialises it) the way ACS
 * validates it: https callback, wss media transport, a known audio format.
 * A refusal carries the HTTP status and message ACS would reply with.
 */
import type { AcsErrorReply } from "./acs-rest-stub.js";
import { AcsSimError } from "./errors.js";
import { legForAudioFormat, type LegSpec } from "./leg.js";

export interface MediaStreamingRequest {
  readonly transportUrl: string;
  readonly audioFormat: string | undefined;
  readonly startMediaStreaming: boolean;
  readonly enableBidirectional: boolean;
  readonly enableDtmfTones: boolean;
  readonly audioChannelType: string | undefined;
  /** The leg ACS streams for this audioFormat. */
  readonly leg: LegSpec;
}

export interface AnswerRequest {
  readonly incomingCallContext: string;
  readonly callbackUri: string;
  readonly operationContext: string | undefined;
  readonly mediaStreaming: MediaStreamingRequest | undefined;
}

export function readAnswerRequest(body: unknown, options: { requireSecureUrls: boolean }): AnswerRequest | AcsErrorReply {
  const bad = (message: string): AcsErrorReply => ({ status: 400, code: "BadRequest", message });
  if (typeof body !== "object" || body === null) return bad("The request body is not a JSON object.");
  const request = body as Record<string, unknown>;
  if (typeof request.incomingCallContext !== "string" || request.incomingCallContext === "") {
    return bad("The field IncomingCallContext is required.");
  }
  const callbackUri = typeof request.callbackUri === "string" ? request.callbackUri : "";
  if (!isUrl(callbackUri, options.requireSecureUrls ? ["https:"] : ["https:", "http:"])) {
    return bad("The field CallbackUri is invalid.");
  }
  let mediaStreaming: MediaStreamingRequest | undefined;
  const media = request.mediaStreamingOptions;
  if (typeof media === "object" && media !== null) {
    const streaming = media as Record<string, unknown>;
    const transportUrl = typeof streaming.transportUrl === "string" ? streaming.transportUrl : "";
    if (!isUrl(transportUrl, options.requireSecureUrls ? ["wss:"] : ["wss:", "ws:"])) {
      return bad("The field TransportUrl is invalid.");
    }
    let leg: LegSpec;
    try {
      leg = legForAudioFormat(streaming.audioFormat);
    } catch (error) {
      if (error instanceof AcsSimError) return bad(`The field AudioFormat is invalid: ${error.message}`);
      throw error;
    }
    mediaStreaming = {
      transportUrl,
      audioFormat: typeof streaming.audioFormat === "string" ? streaming.audioFormat : undefined,
      startMediaStreaming: streaming.startMediaStreaming === true,
      enableBidirectional: streaming.enableBidirectional === true,
      enableDtmfTones: streaming.enableDtmfTones === true,
      audioChannelType: typeof streaming.audioChannelType === "string" ? streaming.audioChannelType : undefined,
      leg,
    };
  }
  return {
    incomingCallContext: request.incomingCallContext,
    callbackUri,
    operationContext: typeof request.operationContext === "string" ? request.operationContext : undefined,
    mediaStreaming,
  };
}

export function isRefusal(value: AnswerRequest | AcsErrorReply): value is AcsErrorReply {
  return "status" in value;
}

function isUrl(value: string, protocols: readonly string[]): boolean {
  try {
    return protocols.includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

/**
 * Mid-call callbacks from ACS: the body is a JSON array of CloudEvents. The SDK's
 * parser reads only element [0] and throws on unknown types, so we walk the array
 * ourselves into small typed events; unknown types stay visible as "unknown".
 */
import { AppError } from "../errors.js";
import { isObject } from "./eventgrid.js";

export interface CallbackIds {
  readonly callConnectionId: string | undefined;
  readonly serverCallId: string | undefined;
  readonly correlationId: string | undefined;
  readonly operationContext: string | undefined;
}

export interface ResultInformation {
  readonly code: number | undefined;
  readonly subCode: number | undefined;
  readonly message: string | undefined;
}

export type CallbackEvent =
  | { readonly type: "CallConnected"; readonly ids: CallbackIds }
  | { readonly type: "CallDisconnected"; readonly ids: CallbackIds; readonly result: ResultInformation | undefined }
  | {
      readonly type: "MediaStreamingStarted" | "MediaStreamingStopped" | "MediaStreamingFailed";
      readonly ids: CallbackIds;
      readonly status: string | undefined;
      readonly statusDetails: string | undefined;
      readonly result: ResultInformation | undefined;
    }
  | { readonly type: "ParticipantsUpdated"; readonly ids: CallbackIds; readonly participants: readonly string[] }
  | { readonly type: "CallTransferAccepted"; readonly ids: CallbackIds }
  | { readonly type: "CallTransferFailed"; readonly ids: CallbackIds; readonly result: ResultInformation | undefined }
  | { readonly type: "unknown"; readonly eventType: string; readonly ids: CallbackIds };

const PREFIX = "Microsoft.Communication.";

export class CallbackParseError extends AppError {
  constructor(message: string) {
    super("callback_malformed", message);
  }
}

export function parseCallbackDelivery(body: unknown): CallbackEvent[] {
  const elements = Array.isArray(body) ? body : isObject(body) ? [body] : undefined;
  if (!elements) throw new CallbackParseError("body must be a JSON array of CloudEvents");
  return elements.map((element, index) => {
    if (!isObject(element)) throw new CallbackParseError(`event [${index}] must be an object`);
    const type = element.type ?? element.eventType;
    if (typeof type !== "string" || type === "") throw new CallbackParseError(`event [${index}] has no type`);
    const data = isObject(element.data) ? element.data : {};
    return parseEvent(type, data);
  });
}

function parseEvent(fullType: string, data: Record<string, unknown>): CallbackEvent {
  const ids: CallbackIds = {
    callConnectionId: str(data.callConnectionId),
    serverCallId: str(data.serverCallId),
    correlationId: str(data.correlationId),
    operationContext: str(data.operationContext),
  };
  const type = fullType.startsWith(PREFIX) ? fullType.slice(PREFIX.length) : fullType;
  switch (type) {
    case "CallConnected":
    case "CallTransferAccepted":
      return { type, ids };
    case "CallDisconnected":
    case "CallTransferFailed":
      return { type, ids, result: result(data.resultInformation) };
    case "MediaStreamingStarted":
    case "MediaStreamingStopped":
    case "MediaStreamingFailed": {
      const update = isObject(data.mediaStreamingUpdate) ? data.mediaStreamingUpdate : {};
      return {
        type,
        ids,
        status: str(update.mediaStreamingStatus),
        statusDetails: str(update.mediaStreamingStatusDetails),
        result: result(data.resultInformation),
      };
    }
    case "ParticipantsUpdated": {
      const list = Array.isArray(data.participants) ? data.participants : [];
      const participants = list
        .map((participant) => (isObject(participant) && isObject(participant.identifier) ? str(participant.identifier.rawId) : undefined))
        .filter((rawId): rawId is string => rawId !== undefined);
      return { type, ids, participants };
    }
    default:
      return { type: "unknown", eventType: fullType, ids };
  }
}

function result(value: unknown): ResultInformation | undefined {
  if (!isObject(value)) return undefined;
  return {
    code: typeof value.code === "number" ? value.code : undefined,
    subCode: typeof value.subCode === "number" ? value.subCode : undefined,
    message: str(value.message),
  };
}

function str(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

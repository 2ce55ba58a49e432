/**
 * Event Grid webhook deliveries (Event Grid schema; CloudEvents-schema elements
 * are read too): wire types and a strict parser into our own small types.
 */
import { AppError } from "../errors.js";

export const VALIDATION_EVENT = "Microsoft.EventGrid.SubscriptionValidationEvent";
export const INCOMING_CALL_EVENT = "Microsoft.Communication.IncomingCall";

/** CommunicationIdentifierModel as ACS puts it on events. */
export interface WireIdentifier {
  kind?: string;
  rawId?: string;
  phoneNumber?: { value?: string };
  communicationUser?: { id?: string };
}

export interface CallParty {
  /** The ACS raw id, e.g. "4:+14255551212" or "8:acs:…". */
  readonly rawId: string;
  /** E.164 number for phone participants, else undefined. */
  readonly phoneNumber: string | undefined;
}

export interface IncomingCall {
  readonly eventId: string;
  readonly incomingCallContext: string;
  readonly serverCallId: string;
  readonly correlationId: string;
  readonly from: CallParty;
  readonly to: CallParty;
  readonly callerDisplayName: string | undefined;
}

export type EventGridItem =
  | { readonly kind: "validation"; readonly validationCode: string }
  | { readonly kind: "incomingCall"; readonly call: IncomingCall }
  | { readonly kind: "other"; readonly eventType: string };

export class EventGridParseError extends AppError {
  constructor(message: string) {
    super("eventgrid_malformed", message);
  }
}

/** Parses a whole delivery; any malformed element rejects the batch so nothing half-happens. */
export function parseEventGridDelivery(body: unknown): EventGridItem[] {
  const elements = Array.isArray(body) ? body : isObject(body) ? [body] : undefined;
  if (!elements) throw new EventGridParseError("body must be a JSON array of Event Grid events");
  if (elements.length === 0) throw new EventGridParseError("body is an empty array: no events");
  return elements.map((element, index) => parseElement(element, index));
}

function parseElement(element: unknown, index: number): EventGridItem {
  if (!isObject(element)) throw new EventGridParseError(`event [${index}] must be an object`);
  const eventType = element.eventType ?? element.type;
  if (typeof eventType !== "string" || eventType === "") {
    throw new EventGridParseError(`event [${index}] has no eventType`);
  }
  const data = element.data;
  if (eventType === VALIDATION_EVENT) {
    const code = isObject(data) ? data.validationCode : undefined;
    if (typeof code !== "string" || code === "") {
      throw new EventGridParseError(`event [${index}] (${VALIDATION_EVENT}) has no data.validationCode`);
    }
    return { kind: "validation", validationCode: code };
  }
  if (eventType === INCOMING_CALL_EVENT) {
    if (!isObject(data)) throw new EventGridParseError(`event [${index}] (IncomingCall) has no data object`);
    return { kind: "incomingCall", call: parseIncomingCall(element, data, index) };
  }
  return { kind: "other", eventType };
}

function parseIncomingCall(element: Record<string, unknown>, data: Record<string, unknown>, index: number): IncomingCall {
  const field = (name: string): string => {
    const value = data[name];
    if (typeof value !== "string" || value === "") {
      throw new EventGridParseError(`event [${index}] (IncomingCall) has no data.${name}`);
    }
    return value;
  };
  const displayName = data.callerDisplayName;
  return {
    eventId: typeof element.id === "string" ? element.id : "",
    incomingCallContext: field("incomingCallContext"),
    serverCallId: field("serverCallId"),
    correlationId: field("correlationId"),
    from: parseParty(data.from, `event [${index}] (IncomingCall) data.from`),
    to: parseParty(data.to, `event [${index}] (IncomingCall) data.to`),
    callerDisplayName: typeof displayName === "string" && displayName !== "" ? displayName : undefined,
  };
}

function parseParty(value: unknown, where: string): CallParty {
  if (!isObject(value)) throw new EventGridParseError(`${where} must be an identifier object`);
  const identifier = value as WireIdentifier;
  const phoneNumber = typeof identifier.phoneNumber?.value === "string" ? identifier.phoneNumber.value : undefined;
  const rawId =
    typeof identifier.rawId === "string" && identifier.rawId !== ""
      ? identifier.rawId
      : phoneNumber !== undefined
        ? `4:${phoneNumber}`
        : identifier.communicationUser?.id;
  if (typeof rawId !== "string" || rawId === "") throw new EventGridParseError(`${where} has no rawId`);
  return { rawId, phoneNumber };
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

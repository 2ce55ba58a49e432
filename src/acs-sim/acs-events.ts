/**
 * What ACS posts: the Event Grid IncomingCall delivery (protocols.md §1) and
 * the Call Automation callbacks, a JSON array of CloudEvents (§2). Builders
 * only; sending is elsewhere.
 */
import { randomUUID } from "node:crypto";
import { AcsSimError } from "./errors.js";

/** CommunicationIdentifierModel as ACS serialises it. */
export type IdentifierModel =
  | { readonly kind: "phoneNumber"; readonly rawId: string; readonly phoneNumber: { readonly value: string } }
  | { readonly kind: "communicationUser"; readonly rawId: string; readonly communicationUser: { readonly id: string } };

/** "+14255551212", "4:+14255551212" or an "8:acs:…" user id → identifier model. */
export function identifierModel(party: string): IdentifierModel {
  const phone = /^(?:4:)?(\+\d{6,15})$/.exec(party.trim());
  if (phone) return { kind: "phoneNumber", rawId: `4:${phone[1]}`, phoneNumber: { value: phone[1]! } };
  if (/^8:acs:\S+$/.test(party)) return { kind: "communicationUser", rawId: party, communicationUser: { id: party } };
  throw new AcsSimError("acs_sim_bad_input", `a party must be an E.164 number ("+14255551212", "4:+1…") or an "8:acs:" user id, got "${party}"`);
}

/** The raw id of an identifier model in a request body (e.g. a transfer's targetParticipant). */
export function rawIdOf(model: unknown): string | undefined {
  if (typeof model !== "object" || model === null) return undefined;
  const record = model as { rawId?: unknown; phoneNumber?: { value?: unknown }; communicationUser?: { id?: unknown } };
  if (typeof record.rawId === "string") return record.rawId;
  if (typeof record.phoneNumber?.value === "string") return `4:${record.phoneNumber.value}`;
  if (typeof record.communicationUser?.id === "string") return record.communicationUser.id;
  return undefined;
}

export interface IncomingCallIds {
  readonly correlationId: string;
  readonly serverCallId: string;
  readonly incomingCallContext: string;
}

/** Fresh ids shaped like the service's: a GUID, a base64 conversation URL, an opaque context. */
export function newIncomingCallIds(): IncomingCallIds {
  const correlationId = randomUUID();
  const conversation = `https://api.flightproxy.skype.com/api/v2/cp/conv-sim.conv.skype.com/conv/${randomUUID()}?i=10&e=sim`;
  const context = Buffer.from(JSON.stringify({ cc: randomUUID(), sim: true })).toString("base64url");
  return {
    correlationId,
    serverCallId: Buffer.from(conversation).toString("base64"),
    incomingCallContext: `${context}.${Buffer.from(randomUUID()).toString("base64url")}`,
  };
}

export function incomingCallEvent(options: {
  readonly ids: IncomingCallIds;
  readonly from: IdentifierModel;
  readonly to: IdentifierModel;
  readonly callerDisplayName: string;
  readonly topic: string;
  readonly customContext?: { sipHeaders?: Record<string, string>; voipHeaders?: Record<string, string> };
}) {
  const { ids, from, to } = options;
  return {
    id: randomUUID(),
    topic: options.topic,
    subject: `/caller/${from.rawId}/recipient/${to.rawId}`,
    eventType: "Microsoft.Communication.IncomingCall",
    dataVersion: "1.0",
    metadataVersion: "1",
    eventTime: new Date().toISOString(),
    data: {
      to,
      from,
      serverCallId: ids.serverCallId,
      callerDisplayName: options.callerDisplayName,
      customContext: { sipHeaders: options.customContext?.sipHeaders ?? {}, voipHeaders: options.customContext?.voipHeaders ?? {} },
      incomingCallContext: ids.incomingCallContext,
      correlationId: ids.correlationId,
    },
  };
}

export type CallbackType =
  | "CallConnected"
  | "CallDisconnected"
  | "ParticipantsUpdated"
  | "MediaStreamingStarted"
  | "MediaStreamingStopped"
  | "MediaStreamingFailed"
  | "CallTransferAccepted"
  | "CallTransferFailed";

export interface ResultInformation {
  readonly code: number;
  readonly subCode: number;
  readonly message: string;
}

export interface CallbackIds {
  readonly callConnectionId: string;
  readonly serverCallId: string;
  readonly correlationId: string;
}

export interface CloudEvent {
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly time: string;
  readonly specversion: "1.0";
  readonly datacontenttype: "application/json";
  readonly subject: string;
}

export function callbackEvent(type: CallbackType, ids: CallbackIds, data: Record<string, unknown> = {}): CloudEvent {
  const source = `calling/callConnections/${ids.callConnectionId}`;
  return {
    id: randomUUID(),
    source,
    type: `Microsoft.Communication.${type}`,
    data: { ...data, callConnectionId: ids.callConnectionId, serverCallId: ids.serverCallId, correlationId: ids.correlationId, publicEventType: `Microsoft.Communication.${type}` },
    time: new Date().toISOString(),
    specversion: "1.0",
    datacontenttype: "application/json",
    subject: source,
  };
}

/** `mediaStreamingUpdate` of the MediaStreaming* events. */
export function mediaStreamingUpdate(status: string, details: string) {
  return { contentType: "Audio", mediaStreamingStatus: status, mediaStreamingStatusDetails: details };
}

/**
 * Result codes the simulator puts on events. ACS's own tables list many more;
 * these are representative, not an exhaustive or authoritative mapping.
 */
export const RESULTS = {
  callEnded: { code: 200, subCode: 7000, message: "The conversation has ended." },
  transferAccepted: { code: 202, subCode: 0, message: "The transfer operation completed successfully." },
  transferFailedDefault: { code: 500, subCode: 7504, message: "Transfer target did not answer." },
  mediaConnectFailed: { code: 500, subCode: 8581, message: "Action failed, the WebSocket connection failed." },
  mediaInterrupted: { code: 500, subCode: 8581, message: "The media WebSocket connection was interrupted." },
} as const satisfies Record<string, ResultInformation>;

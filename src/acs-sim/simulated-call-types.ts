/**
 * A simulated call's public shape (what placeCall returns) and the internal
 * contract between the simulator and each call it runs.
 */
import type { Clock } from "../clock.js";
import type { AcsErrorReply, RecordedAcsRequest } from "./acs-rest-stub.js";
import type { CallbackType, ResultInformation } from "./acs-events.js";
import type { AnswerRequest } from "./answer-request.js";
import type { DeliveryRecord } from "./callback-sender.js";
import type { LegName } from "./leg.js";
import type { MediaCaller } from "./media-caller-types.js";
import type { Tunnel } from "./tunnel.js";

export interface PlaceCallOptions {
  /** The Event Grid subscription's endpoint (public or local; the tunnel maps it). */
  readonly webhookUrl: string;
  /** Caller: "+12065551212", "4:+1…" or an "8:acs:…" user. */
  readonly from: string;
  /** The number the caller dialled. */
  readonly to: string;
  readonly callerDisplayName?: string;
  /** "acs" (default): PCM at the rate the answer asked for; or a fixed leg (μ-law for gateway/replay tests). */
  readonly leg?: LegName | "acs";
  readonly speed?: number;
  /** Refuse this call's transfers with this result (a message, or code/subCode/message). */
  readonly failTransfers?: string | ResultInformation;
  /** Deliver the IncomingCall event this many times (Event Grid duplicates deliveries). */
  readonly deliveries?: number;
  readonly customContext?: { sipHeaders?: Record<string, string>; voipHeaders?: Record<string, string> };
}

export type CallEndReason = "callerHungUp" | "botHungUp" | "transferred" | "mediaFailed" | "notAnswered" | "simulatorClosed";

export interface CallEnd {
  /** Why the call ended; "mediaFailed" wins when the media socket failed first, whoever hung up after. */
  readonly reason: CallEndReason;
  readonly by: "caller" | "bot" | "simulator";
  /** When the call ended, on the simulator clock (nowMs, monotonic). */
  readonly atMs: number;
  readonly transferTarget?: string;
  readonly mediaFailure?: string;
}

export interface SimulatedCall {
  readonly correlationId: string;
  readonly serverCallId: string;
  readonly incomingCallContext: string;
  readonly callConnectionId: string | undefined;
  readonly state: "ringing" | "connected" | "ended";
  /** The media socket's caller side, once the answer asked for media. */
  readonly media: MediaCaller | undefined;
  readonly answered: Promise<AnswerRequest & { readonly callConnectionId: string }>;
  readonly mediaConnected: Promise<MediaCaller>;
  /** Resolves (never rejects) once the call ended and CallDisconnected was posted. */
  readonly ended: Promise<CallEnd>;
  /** Event Grid deliveries of the IncomingCall event, with the webhook's statuses. */
  readonly deliveries: readonly DeliveryRecord[];
  /** Callbacks posted, in order, with the bot's statuses. */
  readonly callbacks: readonly DeliveryRecord[];
  /** The bot's REST requests for this call (answer, hang-up, transfer), and answers ACS refused. */
  readonly restRequests: ReadonlyArray<{ readonly operation: string; readonly atMs: number; readonly body: unknown; readonly refused?: AcsErrorReply }>;
  /** The caller hangs up. */
  hangUp(): Promise<CallEnd>;
  waitForCallback(type: CallbackType, timeoutMs?: number): Promise<DeliveryRecord>;
  /** `ended`, bounded: rejects with acs_sim_timeout if the call is still up after `timeoutMs`. */
  waitForEnd(timeoutMs?: number): Promise<CallEnd>;
}

export interface CallDeps {
  readonly clock: Clock;
  readonly tunnel: Tunnel;
  readonly topic: string;
  readonly speed: number;
  readonly mintCallbackToken: () => Promise<string>;
  readonly mintMediaToken: () => Promise<string>;
  readonly transferFailure: () => ResultInformation | undefined;
  readonly requireSecureUrls: boolean;
  readonly answerTimeoutMs: number;
  readonly callbackTimeoutMs: number;
  readonly transferAcceptDelayMs: number;
  readonly hangUpAfterMediaFailureMs: number;
  readonly mediaCloseGraceMs: number;
}

/** What the simulator drives: answers and REST requests routed to this call. */
export interface CallDriver {
  readonly call: SimulatedCall;
  ring(): Promise<void>;
  resolveAnswer(body: unknown, callConnectionId: string): { accept: { serverCallId: string; correlationId: string } } | { reject: AcsErrorReply };
  onRestRequest(request: RecordedAcsRequest, operation: string): void;
  end(reason: CallEndReason, by: CallEnd["by"], extra?: Partial<CallEnd>): Promise<CallEnd>;
}

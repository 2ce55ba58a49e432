/**
 * One call as ACS runs it: rings the bot through Event Grid, accepts its
 * answer, posts CallConnected and ParticipantsUpdated, opens the media socket
 * and posts MediaStreamingStarted; then reacts to the bot's hang-up and
 * transfer requests and to the caller hanging up, always ending with the media
 * socket closed and a CallDisconnected callback.
 */
import type { Timer } from "../clock.js";
import type { AcsErrorReply } from "./acs-rest-stub.js";
import {
  callbackEvent,
  identifierModel,
  incomingCallEvent,
  mediaStreamingUpdate,
  newIncomingCallIds,
  RESULTS,
  rawIdOf,
  type CallbackType,
  type IdentifierModel,
  type ResultInformation,
} from "./acs-events.js";
import { isRefusal, readAnswerRequest, type AnswerRequest } from "./answer-request.js";
import { eventGridHeaders, postJson, type DeliveryRecord } from "./callback-sender.js";
import { AcsSimError } from "./errors.js";
import { createMediaCaller, type MediaCaller } from "./media-caller.js";
import type { CallDeps, CallDriver, CallEnd, CallEndReason, PlaceCallOptions, SimulatedCall } from "./simulated-call-types.js";
import { createWaiters } from "./wait-until.js";

export type { CallDeps, CallDriver, CallEnd, CallEndReason, PlaceCallOptions, SimulatedCall } from "./simulated-call-types.js";

export function createSimulatedCall(deps: CallDeps, options: PlaceCallOptions): CallDriver {
  const ids = newIncomingCallIds();
  const caller: IdentifierModel = identifierModel(options.from);
  const callee: IdentifierModel = identifierModel(options.to);
  const waiters = createWaiters();
  const deliveries: DeliveryRecord[] = [];
  const callbacks: DeliveryRecord[] = [];
  const restRequests: Array<{ operation: string; atMs: number; body: unknown; refused?: AcsErrorReply }> = [];
  let state: SimulatedCall["state"] = "ringing";
  let callConnectionId: string | undefined;
  let answer: AnswerRequest | undefined;
  let media: MediaCaller | undefined;
  let mediaFailure: string | undefined;
  let endPromise: Promise<CallEnd> | undefined;
  let answerTimer: Timer | undefined;
  let patienceTimer: Timer | undefined;
  let chain: Promise<unknown> = Promise.resolve();

  const deferred = <T>() => {
    let resolve!: (value: T) => void;
    let reject!: (error: Error) => void;
    const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
    promise.catch(() => undefined); // a test that never awaits it must not see an unhandled rejection
    return { promise, resolve, reject };
  };
  const answered = deferred<AnswerRequest & { callConnectionId: string }>();
  const mediaConnected = deferred<MediaCaller>();
  const ended = deferred<CallEnd>();

  /** Callbacks go out one at a time, in order, like ACS's per-call event stream. */
  const post = (type: CallbackType, data: Record<string, unknown>, url = answer!.callbackUri): Promise<DeliveryRecord> => {
    const event = callbackEvent(type, { callConnectionId: callConnectionId!, serverCallId: ids.serverCallId, correlationId: ids.correlationId }, data);
    const sent = chain.then(async () => {
      const token = await deps.mintCallbackToken();
      const record = await postJson(type, deps.tunnel(url), [event], { authorization: `Bearer ${token}` }, { timeoutMs: deps.callbackTimeoutMs });
      callbacks.push(record);
      waiters.notify();
      return record;
    });
    chain = sent;
    return sent;
  };

  const failMedia = (details: string, result: ResultInformation): void => {
    if (state !== "connected" || mediaFailure !== undefined) return;
    mediaFailure = details;
    void post("MediaStreamingFailed", { operationContext: answer?.operationContext, mediaStreamingUpdate: mediaStreamingUpdate("mediaStreamingFailed", details), resultInformation: result });
    // A caller left in silence hangs up eventually, if the bot does not.
    patienceTimer = deps.clock.setTimeout(() => void end("mediaFailed", "caller"), deps.hangUpAfterMediaFailureMs);
  };

  const connectMedia = async (streaming: NonNullable<AnswerRequest["mediaStreaming"]>): Promise<void> => {
    const legName = options.leg === undefined || options.leg === "acs" ? streaming.leg.name : options.leg;
    const mediaCaller = createMediaCaller({
      url: deps.tunnel(streaming.transportUrl),
      token: deps.mintMediaToken,
      callConnectionId: callConnectionId!,
      correlationId: ids.correlationId,
      leg: legName,
      participantRawId: caller.rawId,
      speed: options.speed ?? deps.speed,
      bidirectional: streaming.enableBidirectional,
      dtmfEnabled: streaming.enableDtmfTones,
      clock: deps.clock,
    });
    media = mediaCaller;
    try {
      await mediaCaller.connect();
    } catch (error) {
      mediaConnected.reject(error as Error);
      failMedia("streamConnectionUnsuccessful", RESULTS.mediaConnectFailed);
      return;
    }
    if (state !== "connected") {
      mediaConnected.reject(new AcsSimError("acs_sim_not_connected", "the call ended while media was connecting"));
      return;
    }
    mediaConnected.resolve(mediaCaller);
    void mediaCaller.closed.then((info) => {
      // A bot that closes its socket and then hangs up at once has not lost its media: give it a moment.
      if (info.by !== "caller") deps.clock.setTimeout(() => failMedia("streamConnectionInterrupted", RESULTS.mediaInterrupted), deps.mediaCloseGraceMs);
    });
    await post("MediaStreamingStarted", { operationContext: answer!.operationContext, mediaStreamingUpdate: mediaStreamingUpdate("mediaStreamingStarted", "subscriptionStarted") });
  };

  const connect = async (): Promise<void> => {
    await post("CallConnected", { operationContext: answer!.operationContext });
    await post("ParticipantsUpdated", { participants: [{ identifier: caller, isMuted: false, isOnHold: false }], sequenceNumber: 1 });
    const streaming = answer!.mediaStreaming;
    if (state !== "connected") return;
    if (streaming?.startMediaStreaming) await connectMedia(streaming);
    else mediaConnected.reject(new AcsSimError("acs_sim_not_connected", "the answer did not ask ACS to start media streaming"));
  };

  const end = (reason: CallEndReason, by: CallEnd["by"], extra: Partial<CallEnd> = {}): Promise<CallEnd> => {
    if (endPromise) return endPromise;
    const wasConnected = state === "connected";
    state = "ended";
    if (answerTimer !== undefined) deps.clock.clearTimeout(answerTimer);
    if (patienceTimer !== undefined) deps.clock.clearTimeout(patienceTimer);
    endPromise = (async () => {
      const outcome: CallEnd = {
        reason: mediaFailure !== undefined && reason !== "simulatorClosed" ? "mediaFailed" : reason,
        by,
        atMs: deps.clock.nowMs(),
        ...(mediaFailure !== undefined ? { mediaFailure } : {}),
        ...extra,
      };
      if (media) await media.close(1000, "call ended");
      mediaConnected.reject(new AcsSimError("acs_sim_not_connected", `the call ended (${outcome.reason}) before media connected`));
      if (wasConnected) await post("CallDisconnected", { resultInformation: RESULTS.callEnded });
      else answered.reject(new AcsSimError("acs_sim_not_answered", `the bot did not answer the call (${outcome.reason})`));
      ended.resolve(outcome);
      waiters.notify();
      return outcome;
    })();
    return endPromise;
  };

  const transfer = async (body: Record<string, unknown>): Promise<void> => {
    const operationContext = typeof body.operationContext === "string" ? body.operationContext : undefined;
    const url = typeof body.operationCallbackUri === "string" ? body.operationCallbackUri : answer!.callbackUri;
    const perCall = options.failTransfers;
    const failure = perCall === undefined ? deps.transferFailure() : typeof perCall === "string" ? { ...RESULTS.transferFailedDefault, message: perCall } : perCall;
    if (failure) {
      await post("CallTransferFailed", { operationContext, resultInformation: failure }, url);
      return;
    }
    if (deps.transferAcceptDelayMs > 0) await new Promise((resolve) => deps.clock.setTimeout(() => resolve(undefined), deps.transferAcceptDelayMs));
    if (state !== "connected") return;
    await post("CallTransferAccepted", { operationContext, transferee: caller, transferTarget: body.targetParticipant, resultInformation: RESULTS.transferAccepted }, url);
    // A 1:1 transfer takes the bot out of the call.
    await end("transferred", "bot", { transferTarget: rawIdOf(body.targetParticipant) });
  };

  const call: SimulatedCall = {
    correlationId: ids.correlationId,
    serverCallId: ids.serverCallId,
    incomingCallContext: ids.incomingCallContext,
    get callConnectionId() {
      return callConnectionId;
    },
    get state() {
      return state;
    },
    get media() {
      return media;
    },
    answered: answered.promise,
    mediaConnected: mediaConnected.promise,
    ended: ended.promise,
    deliveries,
    callbacks,
    restRequests,
    hangUp: () => end("callerHungUp", "caller"),
    waitForEnd: (timeoutMs = 10_000) => {
      let outcome: CallEnd | undefined;
      void ended.promise.then((value) => {
        outcome = value;
        waiters.notify();
      });
      return waiters.waitUntil(() => outcome, timeoutMs, "the call to end");
    },
    waitForCallback: (type, timeoutMs = 10_000) =>
      waiters.waitUntil(() => callbacks.find((record) => record.type === type), timeoutMs, `a ${type} callback`),
  };

  return {
    call,
    async ring() {
      const event = incomingCallEvent({
        ids,
        from: caller,
        to: callee,
        callerDisplayName: options.callerDisplayName ?? "",
        topic: deps.topic,
        customContext: options.customContext,
      });
      answerTimer = deps.clock.setTimeout(() => void end("notAnswered", "caller"), deps.answerTimeoutMs);
      for (let attempt = 0; attempt < (options.deliveries ?? 1); attempt++) {
        deliveries.push(await postJson("IncomingCall", deps.tunnel(options.webhookUrl), [event], eventGridHeaders(attempt), { timeoutMs: 30_000 }));
      }
    },
    resolveAnswer(body, connectionId) {
      const refuse = (refused: AcsErrorReply) => {
        restRequests.push({ operation: "answer", atMs: deps.clock.nowMs(), body, refused });
        return { reject: refused };
      };
      const request = readAnswerRequest(body, { requireSecureUrls: deps.requireSecureUrls });
      if (isRefusal(request)) return refuse(request);
      if (state !== "ringing") {
        return refuse({ status: 400, code: "BadRequest", message: state === "ended" ? "The call is no longer available." : "The call has already been answered." });
      }
      restRequests.push({ operation: "answer", atMs: deps.clock.nowMs(), body });
      answer = request;
      callConnectionId = connectionId;
      state = "connected";
      if (answerTimer !== undefined) deps.clock.clearTimeout(answerTimer);
      return { accept: { serverCallId: ids.serverCallId, correlationId: ids.correlationId } };
    },
    onRestRequest(request, operation) {
      if (operation === "answer") {
        answered.resolve({ ...answer!, callConnectionId: callConnectionId! });
        void connect();
        return;
      }
      restRequests.push({ operation, atMs: request.atMs, body: request.body });
      if (operation === "hangUp" || operation === "terminate") void end("botHungUp", "bot");
      else if (operation === "transfer") void transfer((request.body ?? {}) as Record<string, unknown>);
    },
    end,
  };
}

/** The simulated ACS: what tests, replays and the demo use as the caller's side of a call. */
export { startAcsSimulator, type AcsSimulator, type AcsSimulatorOptions } from "./acs-simulator.js";
export type { CallEnd, CallEndReason, PlaceCallOptions, SimulatedCall } from "./simulated-call.js";
export {
  createMediaCaller,
  type CallerTimeline,
  type MediaCaller,
  type MediaCallerOptions,
  type MediaCallerStats,
  type MediaCloseInfo,
} from "./media-caller.js";
export type { ReceivedMessage } from "./bot-audio-receiver.js";
export type { HeardRun } from "./playback.js";
export type { DeliveryRecord } from "./callback-sender.js";
export type { AnswerRequest, MediaStreamingRequest } from "./answer-request.js";
export type { CallbackType, ResultInformation } from "./acs-events.js";
export { legSpec, legForAudioFormat, type LegName, type LegSpec } from "./leg.js";
export { encodeG711CallerAudio } from "./caller-audio.js";
export { tunnelTo, noTunnel, type Tunnel } from "./tunnel.js";
export { AcsSimError, type AcsSimErrorCode } from "./errors.js";
export { startAcsRestStub, type AcsRestStub } from "./acs-rest-stub.js";
export { startTokenIssuer, type TokenIssuer } from "./token-issuer.js";
export { encodeWav, encodeMulawWav, decodeWav, type DecodedWav } from "../audio/wav.js";

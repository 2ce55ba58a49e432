/**
 * A whole simulated ACS around one bot: the Call Automation REST stub the
 * bot's SDK talks to, the token signer, Event Grid, callbacks and the media
 * socket. The bot sees the same traffic as in Azure; the public URLs it gives
 * ACS reach it through `tunnel`, as through a dev tunnel or load balancer.
 */
import { randomUUID } from "node:crypto";
import { createSystemClock, type Clock } from "../clock.js";
import { startAcsRestStub, type AcsCallResolver, type AcsRestStub } from "./acs-rest-stub.js";
import { RESULTS, type ResultInformation } from "./acs-events.js";
import { AcsSimError } from "./errors.js";
import { createSimulatedCall, type CallDeps, type CallDriver, type PlaceCallOptions, type SimulatedCall } from "./simulated-call.js";
import { startTokenIssuer, type TokenIssuer } from "./token-issuer.js";
import { noTunnel, type Tunnel } from "./tunnel.js";

export interface AcsSimulatorOptions {
  /** ACS resource's immutable id, the audience of every token (default: the issuer's, or a fresh GUID). */
  readonly resourceId?: string;
  /** Use these instead of starting new ones (they are then not closed by close()). */
  readonly restStub?: AcsRestStub;
  readonly tokenIssuer?: TokenIssuer;
  /** Maps the public URLs the bot gives ACS to where the bot listens (default: used as they are). */
  readonly tunnel?: Tunnel;
  readonly clock?: Clock;
  /** Default media pacing for calls (1 = real time). */
  readonly speed?: number;
  /** ACS refuses http callbacks and ws transports; off only for bots run without a public https URL. */
  readonly requireSecureUrls?: boolean;
  /** How long a call rings before the caller gives up (default 10 s). */
  readonly answerTimeoutMs?: number;
  readonly callbackTimeoutMs?: number;
  /** Delay before CallTransferAccepted (the target "answering"), default 0. */
  readonly transferAcceptDelayMs?: number;
  /** After a media failure, the caller hangs up if the bot has not within this time (default 10 s). */
  readonly hangUpAfterMediaFailureMs?: number;
  /** A bot-side socket close counts as a media failure if the call is still up after this (default 1 s). */
  readonly mediaCloseGraceMs?: number;
}

export interface AcsSimulator {
  readonly restStub: AcsRestStub;
  readonly tokenIssuer: TokenIssuer;
  /** For the bot's config: ACS_CONNECTION_STRING, ACS_RESOURCE_ID, ACS_JWKS_URL. */
  readonly connectionString: string;
  readonly resourceId: string;
  readonly jwksUrl: string;
  readonly calls: readonly SimulatedCall[];
  /** Rings the bot; resolves once Event Grid's delivery got its HTTP reply. */
  placeCall(options: PlaceCallOptions): Promise<SimulatedCall>;
  /** Refuse every transfer from now on with this result (a message, or code/subCode/message); false to accept again. */
  failTransfers(result?: string | ResultInformation | false): void;
  /** Ends every call still up, removes the simulator from the stub, closes what it started. */
  close(): Promise<void>;
}

export async function startAcsSimulator(options: AcsSimulatorOptions = {}): Promise<AcsSimulator> {
  const clock = options.clock ?? createSystemClock();
  const resourceId = options.resourceId ?? options.tokenIssuer?.audience ?? randomUUID();
  const ownsStub = options.restStub === undefined;
  const ownsIssuer = options.tokenIssuer === undefined;
  const restStub = options.restStub ?? (await startAcsRestStub());
  const tokenIssuer = options.tokenIssuer ?? (await startTokenIssuer({ audience: resourceId }));
  const drivers: CallDriver[] = [];
  const byContext = new Map<string, CallDriver>();
  const byConnection = new Map<string, CallDriver>();
  let transferFailure: ResultInformation | undefined;
  let closed = false;

  const deps: CallDeps = {
    clock,
    tunnel: options.tunnel ?? noTunnel,
    topic: `/subscriptions/${randomUUID()}/resourcegroups/acs-sim/providers/microsoft.communication/communicationservices/acs-sim`,
    speed: options.speed ?? 1,
    // ACS signs each callback (~5 min tokens) and each media connection (~24 h).
    mintCallbackToken: () => tokenIssuer.mint({ audience: resourceId, expiresInS: 300 }),
    mintMediaToken: () => tokenIssuer.mint({ audience: resourceId, expiresInS: 24 * 3600 }),
    transferFailure: () => transferFailure,
    requireSecureUrls: options.requireSecureUrls ?? true,
    answerTimeoutMs: options.answerTimeoutMs ?? 10_000,
    callbackTimeoutMs: options.callbackTimeoutMs ?? 10_000,
    transferAcceptDelayMs: options.transferAcceptDelayMs ?? 0,
    hangUpAfterMediaFailureMs: options.hangUpAfterMediaFailureMs ?? 10_000,
    mediaCloseGraceMs: options.mediaCloseGraceMs ?? 1000,
  };

  const resolver: AcsCallResolver = {
    answer(body, callConnectionId) {
      const context = (body as { incomingCallContext?: unknown } | undefined)?.incomingCallContext;
      const driver = typeof context === "string" ? byContext.get(context) : undefined;
      if (!driver) return { reject: { status: 404, code: "8523", message: "Call not found: incomingCallContext is unknown or expired." } };
      const resolution = driver.resolveAnswer(body, callConnectionId);
      if ("accept" in resolution) byConnection.set(callConnectionId, driver);
      return resolution;
    },
    connectionExists: (callConnectionId) => byConnection.get(callConnectionId)?.call.state === "connected",
  };
  restStub.setCallResolver(resolver);
  restStub.onRequest((request, operation) => {
    if (closed) return;
    // The resolver has bound an accepted answer's connection id to its call.
    byConnection.get(request.callConnectionId ?? "")?.onRestRequest(request, operation);
  });

  return {
    restStub,
    tokenIssuer,
    connectionString: restStub.connectionString,
    resourceId,
    jwksUrl: tokenIssuer.jwksUrl,
    get calls() {
      return drivers.map((driver) => driver.call);
    },
    async placeCall(callOptions) {
      if (closed) throw new AcsSimError("acs_sim_closed", "the simulator is closed");
      const driver = createSimulatedCall(deps, callOptions);
      drivers.push(driver);
      byContext.set(driver.call.incomingCallContext, driver);
      await driver.ring();
      return driver.call;
    },
    failTransfers(result = RESULTS.transferFailedDefault.message) {
      transferFailure =
        result === false ? undefined : typeof result === "string" ? { ...RESULTS.transferFailedDefault, message: result } : result;
    },
    async close() {
      if (closed) return;
      await Promise.all(drivers.map((driver) => driver.end("simulatorClosed", "simulator")));
      closed = true;
      restStub.setCallResolver(undefined);
      if (ownsStub) await restStub.close();
      if (ownsIssuer) await tokenIssuer.close();
    },
  };
}

/**
 * What the peers saw of the bot during a replay, raw: enough to tell which of a
 * running bot's settings differ from the fixture's (bot-settings-check.ts).
 */
import type { RefusedAcsRequest } from "../acs-sim/acs-rest-stub.js";
import type { AcsSimulator, CallEnd, DeliveryRecord, SimulatedCall } from "../acs-sim/index.js";
import type { VoiceLiveEmulator } from "../emulator/index.js";
import { AppError } from "../errors.js";

/** What the peers saw of the bot, raw: enough to tell which of its settings differ from the fixture's. */
export interface ReplayEvidence {
  readonly deliveries: readonly DeliveryRecord[];
  readonly callbacks: readonly DeliveryRecord[];
  readonly restRequests: SimulatedCall["restRequests"];
  /** Bot requests the ACS stub refused for their credentials during this call. */
  readonly acsRefusals: readonly RefusedAcsRequest[];
  readonly end: CallEnd | undefined;
  /** Every Voice Live connection's handshake, and the client events (appends left out). */
  readonly voiceLive: {
    readonly connections: ReadonlyArray<{ readonly apiVersion: string; readonly auth: string; readonly mode: unknown }>;
    readonly clientEvents: ReadonlyArray<{ readonly type: string; readonly event: Readonly<Record<string, unknown>> }>;
  };
}

/** The call never reached media (not answered, media refused): the evidence says what the bot did instead. */
export class ReplayCallError extends AppError {
  constructor(
    message: string,
    readonly evidence: ReplayEvidence,
  ) {
    super("replay_call_failed", message);
  }
}

export function collectEvidence(peers: {
  call: SimulatedCall;
  end: CallEnd | undefined;
  sim: AcsSimulator;
  /** The stub's refusal count when the call started: earlier ones belong to other calls. */
  refusalsBefore: number;
  emulator: VoiceLiveEmulator | undefined;
}): ReplayEvidence {
  const { call, emulator } = peers;
  return {
    deliveries: call.deliveries,
    callbacks: call.callbacks,
    restRequests: call.restRequests,
    acsRefusals: peers.sim.restStub.refusals.slice(peers.refusalsBefore),
    end: peers.end,
    voiceLive: {
      connections: emulator ? emulator.connections().map((c) => ({ apiVersion: c.apiVersion, auth: c.auth, mode: c.mode })) : [],
      clientEvents: emulator ? emulator.events.list().filter((e) => e.type !== "input_audio_buffer.append").map((e) => ({ type: e.type, event: e.event })) : [],
    },
  };
}

/**
 * Replaying against a running bot (`--url`): the ACS simulator and the Voice Live
 * emulator listen on fixed loopback ports so the bot can be started with
 * settings that point at them. Their keys are kept in a state file, because a
 * running bot caches the ACS key set and connection string.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { JWK } from "jose";
import pino from "pino";
import { startAcsRestStub, startAcsSimulator, startTokenIssuer, tunnelTo, type AcsSimulator } from "../acs-sim/index.js";
import type { Clock } from "../clock.js";
import { parseScenario, startVoiceLiveEmulator, type VoiceLiveEmulator } from "../emulator/index.js";
import type { ReplayTarget } from "./runner.js";
import { freePort } from "../free-port.js";

interface PeerState {
  resourceId: string;
  accessKey: string;
  signingKey: JWK;
}

export interface ReplayPeers {
  readonly target: ReplayTarget;
  /** The settings a running bot needs to be driven by these peers. */
  readonly botEnv: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

export const REPLAY_PUBLIC_BASE_URL = "https://bot.replay.invalid";

export async function startReplayPeers(options: { botUrl: string; portBase: number; stateFile: string; speed: number }): Promise<ReplayPeers> {
  const state = loadState(options.stateFile);
  const issuer = await startTokenIssuer({
    audience: state.resourceId,
    port: options.portBase === 0 ? 0 : options.portBase + 1,
    ...(state.signingKey ? { signingKey: state.signingKey } : {}),
  });
  if (!state.signingKey) {
    state.signingKey = await issuer.exportSigningKey();
    saveState(options.stateFile, state as PeerState);
  }
  const restStub = await startAcsRestStub({ port: options.portBase, accessKey: state.accessKey });
  const sim: AcsSimulator = await startAcsSimulator({
    restStub,
    tokenIssuer: issuer,
    resourceId: state.resourceId,
    speed: options.speed,
    tunnel: tunnelTo(options.botUrl),
  });
  // Port base 0 (tests): any free ports, the emulator's chosen once and reused for every fixture.
  const emulatorPort = options.portBase === 0 ? await freePort() : options.portBase + 2;
  return {
    target: {
      botUrl: options.botUrl,
      publicBaseUrl: REPLAY_PUBLIC_BASE_URL,
      sim,
      startEmulator: (scenario: unknown, clock: Clock): Promise<VoiceLiveEmulator> =>
        startVoiceLiveEmulator({
          port: emulatorPort,
          clock,
          logger: pino({ level: "silent" }),
          ...(scenario !== undefined ? { scenario: parseScenario(scenario) } : {}),
        }),
    },
    botEnv: {
      PUBLIC_BASE_URL: REPLAY_PUBLIC_BASE_URL,
      ACS_CONNECTION_STRING: restStub.connectionString,
      ACS_RESOURCE_ID: state.resourceId,
      ACS_JWKS_URL: issuer.jwksUrl,
      VOICELIVE_ENDPOINT: `ws://127.0.0.1:${emulatorPort}`,
      VOICELIVE_API_KEY: "replay",
    },
    async close() {
      await sim.close();
      await restStub.close();
      await issuer.close();
    },
  };
}

function loadState(path: string): Partial<PeerState> & { resourceId: string; accessKey: string } {
  if (existsSync(path)) return JSON.parse(readFileSync(path, "utf8")) as PeerState;
  const state = { resourceId: randomUUID(), accessKey: randomBytes(32).toString("base64") };
  saveState(path, state);
  return state;
}

function saveState(path: string, state: Partial<PeerState>): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}


/**
 * `npm run emulator` (tsx src/emulator/cli.ts): the local Voice Live on a port.
 *
 * Flags (env in brackets; flags win):
 *   --host H        [VOICELIVE_EMULATOR_HOST]      default 127.0.0.1
 *   --port N        [VOICELIVE_EMULATOR_PORT]      default 8765 (0 = any free port)
 *   --scenario F    [VOICELIVE_EMULATOR_SCENARIO]  scenario JSON; default: the built-in local-mode script
 *   --seed N        [VOICELIVE_EMULATOR_SEED]      default 1
 *   --session-lifetime-ms N  [VOICELIVE_EMULATOR_SESSION_LIFETIME_MS]  default 1800000 (30 min)
 *   --voice V       [VOICELIVE_EMULATOR_VOICE]     flite (default when installed) | buzz
 *   --log-level L   [LOG_LEVEL]                    default info
 */
import { parseCliArgs } from "../cli-args.js";
import pino from "pino";
import { errorMessage } from "../errors.js";
import { DEFAULT_SCENARIO, loadScenario } from "./scenario.js";
import { DEFAULT_SESSION_LIFETIME_MS, startVoiceLiveEmulator } from "./server.js";
import { createBuzzVoice } from "./voice.js";

const USAGE = `usage: npm run emulator [-- options]

The local Voice Live emulator on its own: a WebSocket server speaking the Voice Live realtime
protocol, following a scenario script (src/emulator/README.md). Point a bot at it with
VOICELIVE_ENDPOINT=ws://127.0.0.1:8765 VOICELIVE_API_KEY=any.

options (environment variable in brackets; a flag wins):
  --host H        [VOICELIVE_EMULATOR_HOST]      listen address (default 127.0.0.1)
  --port N        [VOICELIVE_EMULATOR_PORT]      port (default 8765; 0 = any free port)
  --scenario F    [VOICELIVE_EMULATOR_SCENARIO]  scenario JSON (default: the built-in local-mode script)
  --seed N        [VOICELIVE_EMULATOR_SEED]      ids, interim picks and fallback replies (default 1)
  --session-lifetime-ms N [VOICELIVE_EMULATOR_SESSION_LIFETIME_MS]  session lifetime before session_expired (default 30 min)
  --voice V       [VOICELIVE_EMULATOR_VOICE]     flite (real speech, default) or buzz (the deterministic fallback)
  --log-level L   [LOG_LEVEL]                    fatal … trace, silent (default info)
  -h, --help      this text
`;

function integer(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${value}"`);
  return n;
}

async function main(): Promise<void> {
  const parsed = parseCliArgs(
    {
      options: {
        host: { type: "string" },
        port: { type: "string" },
        scenario: { type: "string" },
        seed: { type: "string" },
        "session-lifetime-ms": { type: "string" },
        voice: { type: "string" },
        "log-level": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    },
    USAGE,
  );
  if (typeof parsed === "number") {
    process.exitCode = parsed;
    return;
  }
  const { values } = parsed;
  const env = process.env;
  const logger = pino({ level: values["log-level"] ?? env.LOG_LEVEL ?? "info" });
  const scenarioPath = values.scenario ?? env.VOICELIVE_EMULATOR_SCENARIO;
  const scenario = scenarioPath ? await loadScenario(scenarioPath) : DEFAULT_SCENARIO;
  const voice = values.voice ?? env.VOICELIVE_EMULATOR_VOICE ?? "flite";
  if (voice !== "flite" && voice !== "buzz") throw new Error(`voice must be "flite" or "buzz", got "${voice}"`);
  const lifetimeMs = integer("session-lifetime-ms", values["session-lifetime-ms"] ?? env.VOICELIVE_EMULATOR_SESSION_LIFETIME_MS ?? String(DEFAULT_SESSION_LIFETIME_MS));
  if (lifetimeMs === 0) throw new Error("session-lifetime-ms must be positive");
  const emulator = await startVoiceLiveEmulator({
    host: values.host ?? env.VOICELIVE_EMULATOR_HOST ?? "127.0.0.1",
    port: integer("port", values.port ?? env.VOICELIVE_EMULATOR_PORT ?? "8765"),
    seed: integer("seed", values.seed ?? env.VOICELIVE_EMULATOR_SEED ?? "1"),
    scenario,
    logger,
    sessionLifetimeMs: lifetimeMs,
    // "flite" is the default: it falls back to the buzz (and says so) when its package is not installed.
    ...(voice === "buzz" ? { voice: createBuzzVoice() } : {}),
  });
  logger.info(
    {
      url: `${emulator.url}/voice-live/realtime`,
      sdkEndpoint: emulator.url.replace(/^ws/, "http"),
      events: `${emulator.url.replace(/^ws/, "http")}/events`,
      scenario: scenario.name ?? scenarioPath,
      voice: emulator.voiceEngine,
      sessionLifetimeMs: lifetimeMs,
    },
    "voice live emulator ready",
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "voice live emulator stopping");
    emulator.close().then(
      () => process.exit(0),
      (error) => {
        logger.error({ err: error }, "emulator close failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

main().catch((error) => {
  process.stderr.write(`voice live emulator: ${errorMessage(error)}\n`);
  process.exit(1);
});

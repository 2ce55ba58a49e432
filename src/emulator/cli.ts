/**
 * `npm run emulator` (tsx src/emulator/cli.ts): the local Voice Live on a port.
 *
 * Flags (env in brackets; flags win):
 *   --host H        [VOICELIVE_EMULATOR_HOST]      default 127.0.0.1
 *   --port N        [VOICELIVE_EMULATOR_PORT]      default 8765 (0 = any free port)
 *   --scenario F    [VOICELIVE_EMULATOR_SCENARIO]  scenario JSON; default: the built-in local-mode script
 *   --seed N        [VOICELIVE_EMULATOR_SEED]      default 1
 *   --log-level L   [LOG_LEVEL]                    default info
 */
import { parseArgs } from "node:util";
import pino from "pino";
import { errorMessage } from "../errors.js";
import { DEFAULT_SCENARIO, loadScenario } from "./scenario.js";
import { startVoiceLiveEmulator } from "./server.js";

const USAGE = `usage: npm run emulator [-- options]

The local Voice Live emulator on its own: a WebSocket server speaking the Voice Live realtime
protocol, following a scenario script (src/emulator/README.md). Point a bot at it with
VOICELIVE_ENDPOINT=ws://127.0.0.1:8765 VOICELIVE_API_KEY=any.

options (environment variable in brackets; a flag wins):
  --host H        [VOICELIVE_EMULATOR_HOST]      listen address (default 127.0.0.1)
  --port N        [VOICELIVE_EMULATOR_PORT]      port (default 8765; 0 = any free port)
  --scenario F    [VOICELIVE_EMULATOR_SCENARIO]  scenario JSON (default: the built-in local-mode script)
  --seed N        [VOICELIVE_EMULATOR_SEED]      ids, interim picks and fallback replies (default 1)
  --log-level L   [LOG_LEVEL]                    fatal … trace, silent (default info)
  -h, --help      this text
`;

function integer(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${value}"`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: "string" },
      port: { type: "string" },
      scenario: { type: "string" },
      seed: { type: "string" },
      "log-level": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const env = process.env;
  const logger = pino({ level: values["log-level"] ?? env.LOG_LEVEL ?? "info" });
  const scenarioPath = values.scenario ?? env.VOICELIVE_EMULATOR_SCENARIO;
  const scenario = scenarioPath ? await loadScenario(scenarioPath) : DEFAULT_SCENARIO;
  const emulator = await startVoiceLiveEmulator({
    host: values.host ?? env.VOICELIVE_EMULATOR_HOST ?? "127.0.0.1",
    port: integer("port", values.port ?? env.VOICELIVE_EMULATOR_PORT ?? "8765"),
    seed: integer("seed", values.seed ?? env.VOICELIVE_EMULATOR_SEED ?? "1"),
    scenario,
    logger,
  });
  logger.info(
    { url: `${emulator.url}/voice-live/realtime`, events: `${emulator.url.replace(/^ws/, "http")}/events`, scenario: scenario.name ?? scenarioPath },
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

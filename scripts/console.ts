/**
 * npm run console [-- --port 8080] [--scenario fixtures/scenarios/order-status.json]
 *
 * The bot on this machine with its embedded Voice Live emulator, for the
 * operations console and the browser softphone: open the printed URL, press
 * "Call the bot" and talk. Loopback only, no Azure account, no phone number;
 * conversation logs go to out/call-logs (the console's "Recent calls").
 * Settings from the environment and .env apply on top (README "Settings").
 */
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import pino from "pino";
import { createBot } from "../src/app.js";
import { ConfigError, loadConfig, readEnvironment } from "../src/config/index.js";

const { values } = parseArgs({ options: { port: { type: "string", default: "8080" }, scenario: { type: "string" } } });
const port = Number(values.port);
const origin = `http://127.0.0.1:${port}`;
const env = readEnvironment(resolve(process.cwd(), ".env"), process.env);
let config;
try {
  config = loadConfig({
    // Softphone calls never reach ACS; an unreachable loopback endpoint satisfies the ACS settings.
    ACS_CONNECTION_STRING: `endpoint=http://127.0.0.1:9/;accesskey=${randomBytes(32).toString("base64")}`,
    CALL_LOG_DIR: "out/call-logs",
    LOG_LEVEL: "warn",
    ...(values.scenario ? { EMULATOR_SCENARIO: values.scenario } : {}),
    ...env,
    PUBLIC_BASE_URL: origin,
    HOST: "127.0.0.1",
    PORT: String(port),
  });
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  throw error;
}
const bot = await createBot({ config, logger: pino({ level: config.server.logLevel }) });
await bot.server.listen({ host: "127.0.0.1", port });
process.stdout.write(`Operations console and softphone: ${origin}/console\n(Ctrl+C to stop)\n`);
const stop = (): void => void bot.shutdown(2000).then(() => process.exit(0));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);

/**
 * npm run doctor [-- options] — checks this configuration (the environment over
 * ./.env, as the bot reads it) against the services it can reach, step by step,
 * and prints the fix for each common failure. Exit 0: nothing failed (warnings
 * allowed); 1: a check failed; 2: the configuration does not load.
 */
import { resolve } from "node:path";
import { parseCliArgs } from "../cli-args.js";
import { DefaultAzureCredential, type TokenCredential } from "@azure/identity";
import { readEnvironment } from "../config/index.js";
import { errorMessage } from "../errors.js";
import { runDoctor, type DoctorArea } from "./run.js";
import { formatSteps, summaryLine } from "./steps.js";

const USAGE = `usage: npm run doctor [-- options]

Checks the bot's configuration (the environment over ./.env) against what it can reach:
  Voice Live   the handshake (endpoint, api-version, model or agent, key or Entra token), the bot's
               session.update, and a short pregenerated response whose audio must come back
  ACS          the credentials, with a harmless call (the properties of a made-up call: 404 = accepted),
               and ACS's signing keys
  Public URL   PUBLIC_BASE_URL/healthz reaches a running bot, which answers Event Grid's validation
               handshake with this configuration's ?code=
Each step prints its result and, when it fails, the fix for the usual causes.

options:
  --timeout-ms N    deadline of each network step (default 10000)
  --only LIST       some of: voicelive,acs,public-url (comma-separated)
  -h, --help        this text

Exit code: 0 nothing failed (warnings allowed), 1 a check failed, 2 the configuration does not load.
In the container image: node dist/doctor/cli.js
`;

async function main(): Promise<number> {
  const parsed = parseCliArgs(
    {
      options: {
        "timeout-ms": { type: "string", default: "10000" },
        only: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    },
    USAGE,
  );
  if (typeof parsed === "number") return parsed;
  const { values } = parsed;
  const timeoutMs = Number(values["timeout-ms"]);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > 120_000) {
    process.stderr.write("--timeout-ms must be an integer from 100 to 120000\n");
    return 2;
  }
  const areas: DoctorArea[] = ["voicelive", "acs", "public-url"];
  const only = values.only?.split(",").map((a) => a.trim()) as DoctorArea[] | undefined;
  if (only?.some((a) => !areas.includes(a))) {
    process.stderr.write(`--only takes some of ${areas.join(",")}\n`);
    return 2;
  }
  let credential: TokenCredential | undefined;
  process.stdout.write(`Doctor: this configuration against the services it can reach (each step has ${timeoutMs} ms).\n\n`);
  const steps = await runDoctor({
    env: readEnvironment(resolve(".env"), process.env),
    credential: () => (credential ??= new DefaultAzureCredential()),
    timeoutMs,
    ...(only ? { only } : {}),
  });
  for (const line of formatSteps(steps)) process.stdout.write(`${line}\n`);
  process.stdout.write(`\n${summaryLine(steps)}\n`);
  if (steps.some((s) => s.cause === "config_invalid")) return 2;
  return steps.some((s) => s.status === "fail") ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`doctor failed: ${errorMessage(error)}\n`);
    process.exit(1);
  },
);

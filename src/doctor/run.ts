/**
 * The doctor's checks in order, with their collaborators injected: the
 * configuration, then Voice Live, ACS and the public URL (independent of each
 * other, so they run side by side; each network step has its own deadline).
 */
import type { TokenCredential } from "@azure/identity";
import pino from "pino";
import { createAcsCallControl, createCallAutomationClient } from "../calls/call-control.js";
import { CallService } from "../calls/call-service.js";
import { createSystemClock } from "../clock.js";
import { describeConfig, formatConfigSummary } from "../config/describe.js";
import { ConfigError, loadConfig, type Config } from "../config/index.js";
import type { Env } from "../config/env-reader.js";
import { errorMessage } from "../errors.js";
import { createMetrics } from "../metrics.js";
import { buildToolRegistry, interimResponseConfig, telephonyDeps } from "../tools/index.js";
import { buildSessionSettings } from "../voicelive/session-config.js";
import { checkAcs } from "./acs-check.js";
import { checkPublicUrl } from "./public-url-check.js";
import type { StepResult } from "./steps.js";
import { checkVoiceLive } from "./voicelive-check.js";

export type DoctorArea = "voicelive" | "acs" | "public-url";

export interface DoctorDeps {
  readonly env: Env;
  /** Entra credential (DefaultAzureCredential in the CLI). */
  readonly credential: () => TokenCredential;
  /** Deadline of each network step. */
  readonly timeoutMs: number;
  readonly only?: readonly DoctorArea[];
  readonly fetch?: typeof fetch;
}

export async function runDoctor(deps: DoctorDeps): Promise<StepResult[]> {
  let config: Config;
  try {
    config = loadConfig(deps.env);
  } catch (error) {
    const problems = error instanceof ConfigError ? error.problems : [errorMessage(error)];
    return problems.map((problem) => ({ area: "Configuration", step: "settings", status: "fail", detail: problem, fix: "see .env.example", cause: "config_invalid" }));
  }
  const steps: StepResult[] = [{ area: "Configuration", step: "settings", status: "ok", detail: formatConfigSummary(describeConfig(config)) }];
  const wanted = (area: DoctorArea): boolean => deps.only === undefined || deps.only.includes(area);
  const [voiceLive, acs, publicUrl] = await Promise.all([
    wanted("voicelive") ? checkVoiceLive({ config, settings: sessionSettings(config, deps.credential), credential: deps.credential, timeoutMs: deps.timeoutMs }) : [],
    wanted("acs") ? checkAcs({ config, credential: deps.credential, timeoutMs: deps.timeoutMs, ...(deps.fetch ? { fetch: deps.fetch } : {}) }) : [],
    wanted("public-url") ? checkPublicUrl({ config, timeoutMs: deps.timeoutMs, ...(deps.fetch ? { fetch: deps.fetch } : {}) }) : [],
  ]);
  return [...steps, ...voiceLive, ...acs, ...publicUrl];
}

/** Exactly the session.update the bot sends: its settings, tools and interim responses. */
function sessionSettings(config: Config, credential: () => TokenCredential) {
  const silent = pino({ level: "silent" });
  const callControl = createAcsCallControl(createCallAutomationClient(config.acs, credential));
  const calls = new CallService({ config, callControl, clock: createSystemClock(), logger: silent, metrics: createMetrics({ defaultMetrics: false }) });
  const tools = buildToolRegistry(config, telephonyDeps(config, calls, callControl), []);
  return buildSessionSettings(config.voiceLive, { tools: tools.declarations(), interimResponse: interimResponseConfig(config.tools, config.voiceLive, silent) });
}

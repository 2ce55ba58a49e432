/**
 * What a call gets from its profile (the dialed number's, PROFILES_FILE): its
 * settings, the tools it offers, the Voice Live session configuration (and a
 * connector that pre-warms sessions configured that way), its recorded
 * greeting and its per-call add-ons. Built once at start-up; a problem in any
 * profile stops the start with the others (ConfigError).
 */
import type { Logger } from "pino";
import { callExtensions } from "./call-extensions.js";
import type { CallContext } from "./calls/call-context-token.js";
import type { CallControl } from "./calls/call-control.js";
import type { CallService } from "./calls/call-service.js";
import type { Clock } from "./clock.js";
import { ConfigError, type Config } from "./config/index.js";
import type { CallProfile } from "./config/profiles.js";
import { AppError } from "./errors.js";
import type { CallSessionExtension } from "./media/call-session.js";
import { loadGreetingAudio, type GreetingAudio } from "./media/greeting-audio.js";
import type { Metrics } from "./metrics.js";
import { buildToolRegistry, interimResponseConfig, telephonyDeps, type ToolDefinition, type ToolRegistry } from "./tools/index.js";
import { createVoiceLiveConnector, type VoiceLiveConnector } from "./voicelive/connector.js";
import type { VoiceLiveTarget } from "./voicelive/endpoint.js";
import { buildSessionSettings, voiceLiveRateFor } from "./voicelive/session-config.js";
import { legFormatFromAnswer } from "./media/leg-format.js";

export type CallExtensionsFactory = (call: { context: CallContext; log: Logger }) => CallSessionExtension[];

export interface ProfileRuntime {
  readonly name: string;
  readonly config: Config;
  readonly tools: ToolRegistry;
  readonly connector: VoiceLiveConnector;
  readonly extensions: CallExtensionsFactory;
  readonly greetingAudio: GreetingAudio | undefined;
}

export interface ProfileRuntimes {
  readonly default: ProfileRuntime;
  readonly all: readonly ProfileRuntime[];
  /** The runtime of the number the caller dialed (raw id or E.164), else the default one. */
  forNumber(dialed: string | undefined): ProfileRuntime;
  /** Every connector: release, close. */
  forEachConnector(fn: (connector: VoiceLiveConnector) => void): void;
}

export async function buildProfileRuntimes(deps: {
  readonly config: Config;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly metrics: Metrics;
  readonly calls: CallService;
  readonly callControl: CallControl;
  /** Where Voice Live is (endpoint and auth) for the deployment; each profile brings its own session settings. */
  readonly target: Omit<VoiceLiveTarget, "config">;
  readonly extraTools: readonly ToolDefinition[];
  readonly extraExtensions: CallExtensionsFactory | undefined;
}): Promise<ProfileRuntimes> {
  const profiles = deps.config.profiles!;
  const problems: string[] = [];
  const audioByPath = new Map<string, Promise<GreetingAudio | { problem: string }>>();
  const built = await Promise.all(
    profiles.all.map(async (profile) => {
      const runtime = await buildOne(profile, deps, audioByPath);
      if ("problems" in runtime) problems.push(...runtime.problems.map((p) => (profiles.all.length > 1 ? `profile "${profile.name}": ${p}` : p)));
      return runtime;
    }),
  );
  if (problems.length > 0) throw new ConfigError(problems);
  const runtimes = built as ProfileRuntime[];
  const byName = new Map(runtimes.map((runtime) => [runtime.name, runtime]));
  return {
    default: byName.get(profiles.default.name)!,
    all: runtimes,
    forNumber: (dialed) => byName.get(profiles.forNumber(dialed).name)!,
    forEachConnector: (fn) => runtimes.forEach((runtime) => fn(runtime.connector)),
  };
}

async function buildOne(
  profile: CallProfile<Config>,
  deps: Parameters<typeof buildProfileRuntimes>[0],
  audioByPath: Map<string, Promise<GreetingAudio | { problem: string }>>,
): Promise<ProfileRuntime | { problems: string[] }> {
  const { config } = profile;
  const problems: string[] = [];
  const telephony = telephonyDeps(config, deps.calls, deps.callControl);
  let all: ToolRegistry;
  try {
    all = buildToolRegistry(config, telephony, deps.extraTools);
  } catch (error) {
    if (error instanceof AppError && error.code === "tool_invalid") return { problems: [error.message] };
    throw error;
  }
  const offered = profile.tools;
  for (const name of offered ?? []) {
    if (!all.get(name)) {
      problems.push(`tool "${name}" is not available (known: ${all.names().join(", ") || "none"}; transfer_to_agent needs a transfer target)`);
    }
  }
  const tools = offered ? all.only(offered) : all;
  const audioPath = config.call.greeting.audioPath;
  let greetingAudio: GreetingAudio | undefined;
  if (audioPath) {
    if (!audioByPath.has(audioPath)) audioByPath.set(audioPath, loadGreetingAudio(audioPath));
    const loaded = await audioByPath.get(audioPath)!;
    if ("problem" in loaded) problems.push(loaded.problem);
    else greetingAudio = loaded;
  }
  if (problems.length > 0) return { problems };
  const log = deps.logger.child({ profile: profile.name });
  // Sessions open (and pre-warm) at the rate of the leg the answer asks ACS for.
  const settings = buildSessionSettings(
    config.voiceLive,
    { tools: tools.declarations(), interimResponse: interimResponseConfig(config.tools, config.voiceLive, log) },
    voiceLiveRateFor(config.voiceLive.audioRate, legFormatFromAnswer(config.acs.audioFormat)),
  );
  const connector = createVoiceLiveConnector({
    target: { ...deps.target, config: config.voiceLive },
    settings,
    clock: deps.clock,
    metrics: deps.metrics,
    prewarmTimeoutMs: config.call.media.prewarmTimeoutMs,
  });
  const base = callExtensions({ config, tools, telephony, metrics: deps.metrics, clock: deps.clock });
  const extra = deps.extraExtensions;
  return {
    name: profile.name,
    config,
    tools,
    connector,
    extensions: extra ? (call) => [...base(call), ...extra(call)] : base,
    greetingAudio,
  };
}

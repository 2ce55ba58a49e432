import { existsSync, readFileSync } from "node:fs";
import { parseEnv } from "node:util";
import { AppError } from "../errors.js";
import { readAcsConfig, type AcsConfig } from "./acs.js";
import { EnvReader, type Env } from "./env-reader.js";
import { readServerConfig, type ServerConfig } from "./server.js";
import { readCallConfig, type CallConfig } from "./call.js";
import { readVoiceLiveConfig, type VoiceLiveConfig } from "./voicelive.js";
import { readToolsConfig, type ToolsConfig } from "./tools.js";
import { loadProfiles, type Profiles } from "./profiles.js";

export interface Config {
  readonly server: ServerConfig;
  readonly acs: AcsConfig;
  readonly voiceLive: VoiceLiveConfig;
  readonly call: CallConfig;
  readonly tools: ToolsConfig;
  /**
   * Per dialed number (PROFILES_FILE); without a file one "default" profile,
   * this very configuration. Only the top-level configuration has them.
   */
  readonly profiles: Profiles<Config> | undefined;
}

export class ConfigError extends AppError {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super("config_invalid", `Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    this.problems = problems;
  }
}

/**
 * Validates every setting once — the environment's, then every profile's —
 * and throws one ConfigError listing all problems. The result is frozen.
 */
export function loadConfig(env: Env): Config {
  const base = loadSettings(env);
  const loaded = loadProfiles<Config>(env, loadSettings, (error) => (error instanceof ConfigError ? error.problems : undefined));
  if (loaded.problems.length > 0 || !loaded.profiles) throw new ConfigError(loaded.problems);
  const profiles = loaded.profiles;
  // Without a file the default profile is this configuration; with one, the file's default applies to unlisted numbers.
  const config: Config = { ...base, profiles: undefined };
  return deepFreeze({ ...config, profiles: env.PROFILES_FILE?.trim() ? profiles : withDefault(profiles, config) });
}

function loadSettings(env: Env): Config {
  const reader = new EnvReader(env);
  const server = readServerConfig(reader);
  const acs = readAcsConfig(reader, server.local);
  const voiceLive = readVoiceLiveConfig(reader);
  const call = readCallConfig(reader);
  const tools = readToolsConfig(reader, env);
  if (reader.problems.length > 0) throw new ConfigError(reader.problems);
  return { server, acs, voiceLive, call, tools, profiles: undefined };
}

function withDefault(profiles: Profiles<Config>, config: Config): Profiles<Config> {
  const only = { ...profiles.default, config };
  return { default: only, all: [only], forNumber: () => only };
}

/** process.env over an optional .env file (the real environment wins). */
export function readEnvironment(envFilePath: string, processEnv: Env): Env {
  if (!existsSync(envFilePath)) return processEnv;
  const fromFile = parseEnv(readFileSync(envFilePath, "utf8"));
  return { ...fromFile, ...processEnv };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value) && !(value instanceof URL) && !Buffer.isBuffer(value)) {
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
    Object.freeze(value);
  }
  return value;
}

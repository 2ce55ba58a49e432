import type { EnvReader } from "./env-reader.js";
import { isLoopbackHost } from "./env-reader.js";

export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  /** The https origin ACS reaches (http only for loopback, i.e. local runs). */
  readonly publicBaseUrl: URL;
  readonly callbackUrl: string;
  readonly mediaUrl: string;
  /** True when the public origin is loopback: a local run, never a deployment. */
  readonly local: boolean;
  readonly logLevel: string;
  /** json (pino lines, for log pipelines) or pretty (readable, needs the dev dependency pino-pretty). */
  readonly logFormat: "json" | "pretty";
  /** How long a SIGTERM waits for calls in progress before hanging them up. */
  readonly shutdownGraceMs: number;
  /** Bearer token for GET /metrics; undefined: open on a local run, off on a public one. */
  readonly metricsToken: string | undefined;
  /** Profiles per dialed number (config/profiles.ts); undefined: the environment is the one profile. */
  readonly profilesFile: string | undefined;
  /** Processes serving calls: 1 (no cluster), a count, or "auto" (one per CPU the container is given). */
  readonly workers: number | "auto";
  /** Operations console (/console) and browser softphone; undefined: open on a local run, off on a public one. */
  readonly consoleToken: string | undefined;
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

export function readServerConfig(env: EnvReader): ServerConfig {
  const host = env.string("HOST", "0.0.0.0");
  const port = env.integer("PORT", 8080, { min: 0, max: 65535 });
  const rawBase = env.raw("PUBLIC_BASE_URL") ?? (env.problems.push(
    "PUBLIC_BASE_URL is required (the https origin ACS reaches, e.g. https://bot.example.com)",
  ), undefined);
  const parsed = env.url("PUBLIC_BASE_URL", rawBase, { secure: ["https"], insecure: ["http"] });
  if (parsed && (parsed.pathname !== "/" || parsed.search !== "" || parsed.hash !== "")) {
    env.problems.push(`PUBLIC_BASE_URL must be an origin without path, query or fragment, got "${rawBase}"`);
  }
  const publicBaseUrl = parsed ?? new URL("http://127.0.0.1/");
  const origin = publicBaseUrl.origin;
  const wsOrigin = origin.replace(/^http/, "ws");
  return {
    host,
    port,
    publicBaseUrl,
    callbackUrl: `${origin}/api/callbacks`,
    mediaUrl: `${wsOrigin}/media`,
    local: isLoopbackHost(publicBaseUrl.hostname),
    logLevel: env.oneOf("LOG_LEVEL", LOG_LEVELS, "info"),
    logFormat: env.oneOf("LOG_FORMAT", ["json", "pretty"] as const, "json"),
    shutdownGraceMs: env.integer("SHUTDOWN_GRACE_MS", 25_000, { min: 0, max: 3_600_000 }),
    metricsToken: env.raw("METRICS_TOKEN"),
    profilesFile: env.raw("PROFILES_FILE"),
    workers: readWorkers(env),
    consoleToken: readConsoleToken(env),
  };
}

function readWorkers(env: EnvReader): number | "auto" {
  const value = env.raw("WORKERS");
  if (value === undefined || value.trim() === "") return 1;
  if (value.trim().toLowerCase() === "auto") return "auto";
  return env.integer("WORKERS", 1, { min: 1, max: 64 });
}

/** The console shows transcripts (personal data) and can start Voice Live sessions: a guessable token is refused. */
function readConsoleToken(env: EnvReader): string | undefined {
  const token = env.raw("CONSOLE_TOKEN");
  if (token !== undefined && token.length < 16) env.problems.push("CONSOLE_TOKEN must be at least 16 characters");
  return token;
}

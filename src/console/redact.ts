/**
 * Nothing the console sends may carry a secret. Call events are built from
 * peers' input (tool outputs, error messages), so besides leaving secrets out
 * by construction, every value the page gets passes through here: configured
 * secret values are masked wherever they appear, fields whose name says
 * "secret" are dropped, long strings are cut.
 */
import type { Config } from "../config/index.js";
import { parseConnectionString } from "../config/acs.js";

export type Redactor = (value: unknown) => unknown;

const SECRET_KEY = /^(authorization|token|ctx|secret|password|api[-_]?key|access[-_]?key|connection[-_]?string|x-api-key)$/i;
const MAX_STRING = 2000;
const MAX_DEPTH = 6;
/** Shorter values would mask ordinary words. */
const MIN_SECRET_LENGTH = 6;

export function secretValues(config: Config): string[] {
  const values: Array<string | undefined> = [
    config.server.metricsToken,
    config.server.consoleToken,
    config.voiceLive.apiKey,
    ...config.acs.eventGridSecrets,
  ];
  if (config.acs.credential.kind === "connectionString") {
    values.push(config.acs.credential.connectionString, parseConnectionString(config.acs.credential.connectionString)?.accessKey);
  }
  if (config.acs.mediaContextSecretSource === "configured") values.push(config.acs.mediaContextSecret.toString("utf8"));
  for (const tool of config.tools.httpTools) {
    values.push(...Object.values(tool.headers));
    // A key in a tool URL's query string (e.g. "?code=${KEY}") would show in its error messages.
    try {
      values.push(...new URL(tool.url).searchParams.values());
    } catch {
      // Validated at start-up; nothing to mask if it does not parse.
    }
  }
  return [...new Set(values.filter((v): v is string => v !== undefined && v.length >= MIN_SECRET_LENGTH))].sort((a, b) => b.length - a.length);
}

export function createRedactor(secrets: readonly string[]): Redactor {
  const mask = (text: string): string => {
    let out = text;
    for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join("[redacted]");
    return out.length > MAX_STRING ? `${out.slice(0, MAX_STRING)}…` : out;
  };
  const walk = (value: unknown, depth: number): unknown => {
    if (typeof value === "string") return mask(value);
    if (value === null || typeof value !== "object") return typeof value === "function" || typeof value === "symbol" ? undefined : value;
    if (depth >= MAX_DEPTH) return "[nested]";
    if (Array.isArray(value)) return value.slice(0, 200).map((item) => walk(item, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (SECRET_KEY.test(key)) continue;
      out[key] = walk(item, depth + 1);
    }
    return out;
  };
  return (value) => walk(value, 0);
}

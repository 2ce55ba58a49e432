/**
 * TOOLS_FILE: business tools declared in JSON, each one an HTTPS endpoint the bot
 * POSTs the (schema-validated) arguments to. Read and checked at start-up.
 *
 * { "tools": [ { "name": "lookup_order", "description": "…", "parameters": { JSON Schema },
 *                "url": "https://orders.example.com/lookup" (or "${ORDERS_API_URL}/lookup"),
 *                "timeoutMs": 4000, "headers": { "x-api-key": { "env": "ORDERS_API_KEY" } },
 *                "maxResponseBytes": 16384 } ] }
 */
import { readFileSync } from "node:fs";
import type { Env, EnvReader } from "./env-reader.js";
import { isLoopbackHost } from "./env-reader.js";

export interface HttpToolSpec {
  readonly name: string;
  readonly description: string;
  readonly parameters: Record<string, unknown>;
  readonly url: string;
  readonly timeoutMs: number | undefined;
  /** Resolved header values (secrets from the environment). */
  readonly headers: Readonly<Record<string, string>>;
  readonly maxResponseBytes: number;
}

export const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024;

export function readToolsFile(path: string, reader: EnvReader, env: Env): HttpToolSpec[] {
  const problem = (message: string): HttpToolSpec[] => {
    reader.problems.push(`TOOLS_FILE ${path}: ${message}`);
    return [];
  };
  let document: unknown;
  try {
    document = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    return problem((error as Error).message);
  }
  const tools = (document as { tools?: unknown } | null)?.tools;
  if (!Array.isArray(tools)) return problem('must be an object with a "tools" array');
  const specs: HttpToolSpec[] = [];
  tools.forEach((tool: unknown, index) => {
    const where = `tools[${index}]`;
    if (typeof tool !== "object" || tool === null) {
      problem(`${where} must be an object`);
      return;
    }
    const t = tool as Record<string, unknown>;
    const before = reader.problems.length;
    const text = (field: string): string => {
      if (typeof t[field] !== "string" || t[field] === "") problem(`${where}.${field} must be a non-empty string`);
      return String(t[field] ?? "");
    };
    const name = text("name");
    const description = text("description");
    const parameters = t.parameters;
    if (typeof parameters !== "object" || parameters === null || (parameters as Record<string, unknown>).type !== "object") {
      problem(`${where}.parameters must be a JSON Schema object with "type": "object"`);
    }
    const url = substituteEnv(text("url"), env, (missing) => problem(`${where}.url uses \${${missing}}, which is not set`));
    try {
      const parsed = new URL(url);
      if (parsed.protocol !== "https:" && !(parsed.protocol === "http:" && isLoopbackHost(parsed.hostname))) {
        problem(`${where}.url must be https (http only for loopback), got "${url}"`);
      }
    } catch {
      if (reader.problems.length === before) problem(`${where}.url is not an absolute URL: "${url}"`);
    }
    const timeoutMs = t.timeoutMs;
    if (timeoutMs !== undefined && (typeof timeoutMs !== "number" || timeoutMs < 100 || timeoutMs > 120_000)) {
      problem(`${where}.timeoutMs must be a number from 100 to 120000`);
    }
    const maxResponseBytes = t.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    if (typeof maxResponseBytes !== "number" || maxResponseBytes < 1 || maxResponseBytes > 1024 * 1024) {
      problem(`${where}.maxResponseBytes must be a number from 1 to 1048576`);
    }
    const headers: Record<string, string> = {};
    const rawHeaders = t.headers ?? {};
    if (typeof rawHeaders !== "object" || rawHeaders === null) problem(`${where}.headers must be an object`);
    else {
      for (const [header, value] of Object.entries(rawHeaders as Record<string, unknown>)) {
        if (typeof value === "string") headers[header] = value;
        else if (typeof value === "object" && value !== null && typeof (value as { env?: unknown }).env === "string") {
          const variable = (value as { env: string }).env;
          const resolved = env[variable];
          if (resolved === undefined || resolved === "") problem(`${where}.headers.${header} reads ${variable}, which is not set`);
          else headers[header] = resolved;
        } else problem(`${where}.headers.${header} must be a string or { "env": "VARIABLE" }`);
      }
    }
    if (reader.problems.length === before) {
      specs.push({
        name,
        description,
        parameters: parameters as Record<string, unknown>,
        url,
        timeoutMs: timeoutMs as number | undefined,
        headers,
        maxResponseBytes: maxResponseBytes as number,
      });
    }
  });
  return specs;
}

function substituteEnv(template: string, env: Env, missing: (name: string) => void): string {
  return template.replace(/\$\{(\w+)\}/g, (_whole, name: string) => {
    const value = env[name];
    if (value === undefined || value === "") {
      missing(name);
      return "";
    }
    return value;
  });
}

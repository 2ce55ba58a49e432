/**
 * PROFILES_FILE: how the bot behaves per dialed number. One deployment serves
 * several numbers (sales, support, after-hours) with their own greeting, voice,
 * instructions or agent, tools, interim lines, transfer target, silence and
 * call limits. The file is checked against a JSON Schema (ajv, every problem at
 * once); each profile then becomes the settings it overrides, validated like
 * the environment itself (config/profiles.ts).
 *
 * { "default": { …profile }, "profiles": { "sales": { "numbers": ["+14255550100"], …profile } } }
 */
import { readFileSync } from "node:fs";
import { Ajv, type ErrorObject } from "ajv";

export interface ProfileSpec {
  readonly greeting?: {
    readonly text?: string;
    readonly mode?: "pregenerated" | "llm";
    readonly instructions?: string;
    readonly interruptible?: boolean;
    readonly audio?: string;
  };
  readonly voice?: { readonly name?: string; readonly temperature?: number };
  readonly model?: string;
  readonly instructions?: string;
  readonly agent?: { readonly name: string; readonly project: string; readonly version?: string };
  readonly language?: string;
  /** Tool names offered (built-ins and TOOLS_FILE tools); absent: all the deployment has. */
  readonly tools?: readonly string[];
  readonly interim?: {
    readonly mode?: "static" | "llm" | "off";
    readonly texts?: readonly string[];
    readonly triggers?: readonly ("tool" | "latency")[];
    readonly latencyMs?: number;
    readonly toolMs?: number;
    readonly instructions?: string;
  };
  readonly transfer?: { readonly target?: string; readonly digit?: string; readonly text?: string; readonly failedText?: string };
  readonly goodbyeText?: string;
  readonly silence?: { readonly afterMs?: number; readonly reprompts?: number; readonly repromptText?: string; readonly goodbyeText?: string };
  readonly limits?: {
    readonly maxCallDurationMs?: number;
    readonly warningBeforeMs?: number;
    readonly warningText?: string;
    readonly goodbyeText?: string;
    readonly mediaConnectTimeoutMs?: number;
  };
}

export interface ProfilesDocument {
  readonly default?: ProfileSpec;
  readonly profiles?: Readonly<Record<string, ProfileSpec & { readonly numbers: readonly string[] }>>;
}

const text = { type: "string", minLength: 1, maxLength: 4000 } as const;
const ms = { type: "integer", minimum: 0 } as const;

const PROFILE_PROPERTIES = {
  greeting: {
    type: "object",
    additionalProperties: false,
    properties: { text, mode: { enum: ["pregenerated", "llm"] }, instructions: text, interruptible: { type: "boolean" }, audio: text },
  },
  voice: { type: "object", additionalProperties: false, properties: { name: text, temperature: { type: "number", minimum: 0, maximum: 1 } } },
  model: text,
  instructions: text,
  agent: {
    type: "object",
    additionalProperties: false,
    required: ["name", "project"],
    properties: { name: text, project: text, version: text },
  },
  language: text,
  tools: { type: "array", items: { type: "string", pattern: "^[a-zA-Z0-9_-]{1,64}$" }, uniqueItems: true },
  interim: {
    type: "object",
    additionalProperties: false,
    properties: {
      mode: { enum: ["static", "llm", "off"] },
      texts: { type: "array", items: text, minItems: 1 },
      triggers: { type: "array", items: { enum: ["tool", "latency"] }, uniqueItems: true },
      latencyMs: ms,
      toolMs: ms,
      instructions: text,
    },
  },
  transfer: {
    type: "object",
    additionalProperties: false,
    properties: { target: text, digit: { type: "string", pattern: "^[0-9*#]$" }, text, failedText: text },
  },
  goodbyeText: text,
  silence: {
    type: "object",
    additionalProperties: false,
    properties: { afterMs: ms, reprompts: { type: "integer", minimum: 0, maximum: 10 }, repromptText: text, goodbyeText: text },
  },
  limits: {
    type: "object",
    additionalProperties: false,
    properties: { maxCallDurationMs: ms, warningBeforeMs: ms, warningText: text, goodbyeText: text, mediaConnectTimeoutMs: ms },
  },
} as const;

const SCHEMA = {
  type: "object",
  additionalProperties: false,
  properties: {
    $schema: { type: "string" },
    default: { type: "object", additionalProperties: false, properties: PROFILE_PROPERTIES },
    profiles: {
      type: "object",
      propertyNames: { pattern: "^[a-z0-9][a-z0-9_-]{0,39}$" },
      additionalProperties: {
        type: "object",
        additionalProperties: false,
        required: ["numbers"],
        properties: {
          ...PROFILE_PROPERTIES,
          numbers: { type: "array", minItems: 1, uniqueItems: true, items: { type: "string", pattern: "^\\+[1-9][0-9]{6,14}$" } },
        },
      },
    },
  },
} as const;

/** Reads and checks the file; every problem is returned (none: the document). */
export function readProfilesFile(path: string): { document?: ProfilesDocument; problems: string[] } {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    return { problems: [`PROFILES_FILE ${path}: ${(error as Error).message}`] };
  }
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
  const validate = ajv.compile(SCHEMA);
  if (!validate(json)) return { problems: (validate.errors ?? []).map((e) => `PROFILES_FILE ${path}: ${describe(e)}`) };
  const document = json as ProfilesDocument;
  const problems: string[] = [];
  const owner = new Map<string, string>();
  for (const [name, profile] of Object.entries(document.profiles ?? {})) {
    if (name === "default") problems.push(`PROFILES_FILE ${path}: /profiles/default: "default" is the top-level "default" entry, not a named profile`);
    for (const number of profile.numbers) {
      const other = owner.get(number);
      if (other !== undefined) problems.push(`PROFILES_FILE ${path}: ${number} is in both profiles "${other}" and "${name}"`);
      else owner.set(number, name);
    }
  }
  return problems.length > 0 ? { problems } : { document, problems };
}

function describe(error: ErrorObject): string {
  const at = error.instancePath || "(top level)";
  if (error.keyword === "additionalProperties") return `${at}: unknown field "${String(error.params.additionalProperty)}"`;
  if (error.keyword === "enum") return `${at} must be one of ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`;
  if (error.keyword === "pattern" && at.includes("/numbers/")) return `${at} must be an E.164 number like +14255550100`;
  if (error.keyword === "propertyNames") return `${at}: profile names are lowercase letters, digits, - and _ (got "${String(error.params.propertyName)}")`;
  return `${at} ${error.message ?? "is invalid"}`;
}

/** A profile as the settings it overrides (names as in the environment and .env.example). */
export function profileSettings(spec: ProfileSpec): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  const set = (name: string, value: string | number | boolean | readonly string[] | undefined, join = ","): void => {
    if (value === undefined) return;
    out[name] = Array.isArray(value) ? value.join(join) : String(value);
  };
  set("GREETING_TEXT", spec.greeting?.text);
  set("GREETING_MODE", spec.greeting?.mode);
  set("GREETING_INSTRUCTIONS", spec.greeting?.instructions);
  set("GREETING_INTERRUPTIBLE", spec.greeting?.interruptible);
  set("GREETING_AUDIO", spec.greeting?.audio);
  set("VOICELIVE_VOICE", spec.voice?.name);
  set("VOICELIVE_VOICE_TEMPERATURE", spec.voice?.temperature);
  set("VOICELIVE_LANGUAGE", spec.language);
  if (spec.agent) {
    // Agent mode: the model and the instructions live in the agent.
    out.AGENT_NAME = spec.agent.name;
    out.AGENT_PROJECT_NAME = spec.agent.project;
    out.AGENT_VERSION = spec.agent.version;
    out.VOICELIVE_MODEL = undefined;
    out.VOICELIVE_INSTRUCTIONS = undefined;
  }
  if (spec.model !== undefined || spec.instructions !== undefined) {
    // Model mode: whatever agent the environment names does not apply here.
    out.AGENT_NAME = spec.agent?.name;
    set("VOICELIVE_MODEL", spec.model);
    set("VOICELIVE_INSTRUCTIONS", spec.instructions);
  }
  set("INTERIM_MODE", spec.interim?.mode);
  set("INTERIM_TEXTS", spec.interim?.texts, "|");
  set("INTERIM_TRIGGERS", spec.interim?.triggers);
  set("INTERIM_LATENCY_MS", spec.interim?.latencyMs);
  set("INTERIM_TOOL_MS", spec.interim?.toolMs);
  set("INTERIM_INSTRUCTIONS", spec.interim?.instructions);
  set("TRANSFER_TARGET", spec.transfer?.target);
  set("DTMF_TRANSFER_DIGIT", spec.transfer?.digit);
  set("TRANSFER_TEXT", spec.transfer?.text);
  set("TRANSFER_FAILED_TEXT", spec.transfer?.failedText);
  set("GOODBYE_TEXT", spec.goodbyeText);
  set("CALLER_SILENCE_MS", spec.silence?.afterMs);
  set("SILENCE_REPROMPTS", spec.silence?.reprompts);
  set("SILENCE_REPROMPT_TEXT", spec.silence?.repromptText);
  set("SILENCE_GOODBYE_TEXT", spec.silence?.goodbyeText);
  set("MAX_CALL_DURATION_MS", spec.limits?.maxCallDurationMs);
  set("CALL_LIMIT_WARNING_MS", spec.limits?.warningBeforeMs);
  set("CALL_LIMIT_WARNING_TEXT", spec.limits?.warningText);
  set("CALL_LIMIT_GOODBYE_TEXT", spec.limits?.goodbyeText);
  set("MEDIA_CONNECT_TIMEOUT_MS", spec.limits?.mediaConnectTimeoutMs);
  return out;
}

/**
 * The scenario script: what the caller says per turn and what the assistant does.
 * Format (JSON, version 1) is documented in README.md; fixtures and record mode
 * generate it, so parsing is strict (unknown keys are errors) and errors name the path.
 */
import { readFile } from "node:fs/promises";
import { AppError, errorMessage } from "../errors.js";

export type ScenarioStep =
  | { readonly say: string }
  | { readonly tool: string; readonly arguments: Readonly<Record<string, unknown>>; readonly answer?: string }
  | { readonly delayMs: number };

export interface ScenarioTurn {
  /** What the caller said: reported as the transcript of the committed user item. */
  readonly user: string;
  readonly assistant: readonly ScenarioStep[];
}

export interface ScenarioFallback {
  /** Transcript reported for caller turns beyond the script. */
  readonly user: string;
  /** Replies for turns beyond the script, picked at random (seeded); `{{user}}` is replaced by what the caller said. */
  readonly replies: readonly string[];
}

export interface Scenario {
  readonly version: 1;
  readonly name?: string;
  readonly description?: string;
  /** Answer to a plain `response.create` before any caller turn (LLM-greeting mode). */
  readonly greeting?: readonly ScenarioStep[];
  readonly turns: readonly ScenarioTurn[];
  readonly fallback: ScenarioFallback;
}

/** Placeholder in a tool step's `answer`, replaced by the function_call_output the client sent. */
export const OUTPUT_PLACEHOLDER = "{{output}}";
/** Placeholder in fallback replies, replaced by the caller's words. */
export const USER_PLACEHOLDER = "{{user}}";
export const DEFAULT_TOOL_ANSWER = `Here is what I found: ${OUTPUT_PLACEHOLDER}`;

export const DEFAULT_FALLBACK: ScenarioFallback = {
  user: "(caller speech)",
  replies: [
    "Thanks, I heard you. I'm the local Voice Live emulator, so I can't really understand speech, but I'm happy to keep talking.",
    "Got it. Is there anything else I can help you with today?",
    "Sure, I can help with that. Could you tell me a little more?",
  ],
};

/** The local-mode script: a greeting and a friendly assistant that answers anything. */
export const DEFAULT_SCENARIO: Scenario = {
  version: 1,
  name: "local-default",
  description: "Local mode: greets the caller and answers every turn with a friendly reply.",
  greeting: [{ say: "Hello! You're talking to the local Voice Live emulator. How can I help you today?" }],
  turns: [],
  fallback: DEFAULT_FALLBACK,
};

export class ScenarioError extends AppError {
  constructor(message: string, options: { cause?: unknown; code?: string } = {}) {
    super(options.code ?? "scenario_invalid", message, { cause: options.cause });
    this.name = "ScenarioError";
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function onlyKeys(value: Record<string, unknown>, allowed: readonly string[], path: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      throw new ScenarioError(`${path}: unknown key "${key}" (allowed: ${allowed.join(", ")})`);
    }
  }
}

function text(value: unknown, path: string): string {
  if (typeof value !== "string" || value.trim() === "") throw new ScenarioError(`${path}: expected a non-empty string`);
  return value;
}

function parseStep(value: unknown, path: string): ScenarioStep {
  if (!isObject(value)) throw new ScenarioError(`${path}: expected an object like {"say": "…"}, {"tool": "…"} or {"delayMs": 500}`);
  const kinds = ["say", "tool", "delayMs"].filter((k) => k in value);
  if (kinds.length !== 1) {
    throw new ScenarioError(`${path}: a step needs exactly one of "say", "tool" or "delayMs" (found ${kinds.length === 0 ? "none" : kinds.join(", ")})`);
  }
  if ("say" in value) {
    onlyKeys(value, ["say"], path);
    return { say: text(value.say, `${path}.say`) };
  }
  if ("delayMs" in value) {
    onlyKeys(value, ["delayMs"], path);
    const ms = value.delayMs;
    if (typeof ms !== "number" || !Number.isInteger(ms) || ms < 0 || ms > 600_000) {
      throw new ScenarioError(`${path}.delayMs: expected an integer number of milliseconds between 0 and 600000`);
    }
    return { delayMs: ms };
  }
  onlyKeys(value, ["tool", "arguments", "answer"], path);
  const name = text(value.tool, `${path}.tool`);
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) throw new ScenarioError(`${path}.tool: function names use letters, digits, _ and - (at most 64)`);
  const args = value.arguments ?? {};
  if (!isObject(args)) throw new ScenarioError(`${path}.arguments: expected a JSON object`);
  if (value.answer === undefined) return { tool: name, arguments: args };
  const answer = text(value.answer, `${path}.answer`);
  return { tool: name, arguments: args, answer };
}

function parseSteps(value: unknown, path: string): ScenarioStep[] {
  if (!Array.isArray(value)) throw new ScenarioError(`${path}: expected an array of steps`);
  const steps = value.map((step, i) => parseStep(step, `${path}[${i}]`));
  if (!steps.some((s) => "say" in s || "tool" in s)) {
    throw new ScenarioError(`${path}: needs at least one "say" or "tool" step`);
  }
  return steps;
}

/** Validates a parsed JSON value as a scenario; throws ScenarioError (code `scenario_invalid`) naming the bad path. */
export function parseScenario(json: unknown): Scenario {
  const root = "scenario";
  if (!isObject(json)) throw new ScenarioError(`${root}: expected a JSON object`);
  onlyKeys(json, ["version", "name", "description", "greeting", "turns", "fallback"], root);
  if (json.version !== 1) throw new ScenarioError(`${root}.version: expected 1 (the only scenario format so far)`);
  if (json.name !== undefined && typeof json.name !== "string") throw new ScenarioError(`${root}.name: expected a string`);
  if (json.description !== undefined && typeof json.description !== "string") throw new ScenarioError(`${root}.description: expected a string`);
  const turnsRaw = json.turns ?? [];
  if (!Array.isArray(turnsRaw)) throw new ScenarioError(`${root}.turns: expected an array`);
  const turns = turnsRaw.map((turn, i): ScenarioTurn => {
    const path = `${root}.turns[${i}]`;
    if (!isObject(turn)) throw new ScenarioError(`${path}: expected an object like {"user": "…", "assistant": [...]}`);
    onlyKeys(turn, ["user", "assistant"], path);
    return { user: text(turn.user, `${path}.user`), assistant: parseSteps(turn.assistant, `${path}.assistant`) };
  });
  let fallback = DEFAULT_FALLBACK;
  if (json.fallback !== undefined) {
    const path = `${root}.fallback`;
    if (!isObject(json.fallback)) throw new ScenarioError(`${path}: expected an object like {"user": "…", "replies": ["…"]}`);
    onlyKeys(json.fallback, ["user", "replies"], path);
    const replies = json.fallback.replies ?? DEFAULT_FALLBACK.replies;
    if (!Array.isArray(replies) || replies.length === 0) throw new ScenarioError(`${path}.replies: expected a non-empty array of strings`);
    fallback = {
      user: json.fallback.user === undefined ? DEFAULT_FALLBACK.user : text(json.fallback.user, `${path}.user`),
      replies: replies.map((r, i) => text(r, `${path}.replies[${i}]`)),
    };
  }
  return {
    version: 1,
    ...(json.name === undefined ? {} : { name: json.name as string }),
    ...(json.description === undefined ? {} : { description: json.description as string }),
    ...(json.greeting === undefined ? {} : { greeting: parseSteps(json.greeting, `${root}.greeting`) }),
    turns,
    fallback,
  };
}

/** Reads and validates a scenario file; errors carry code `scenario_unreadable`, `scenario_invalid_json` or `scenario_invalid`. */
export async function loadScenario(path: string): Promise<Scenario> {
  let raw: string;
  try {
    raw = await readFile(path, "utf8");
  } catch (error) {
    throw new ScenarioError(`cannot read scenario file ${path}: ${errorMessage(error)}`, { cause: error, code: "scenario_unreadable" });
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    throw new ScenarioError(`scenario file ${path} is not valid JSON: ${errorMessage(error)}`, { cause: error, code: "scenario_invalid_json" });
  }
  try {
    return parseScenario(json);
  } catch (error) {
    if (error instanceof ScenarioError) throw new ScenarioError(`${path}: ${error.message}`, { cause: error });
    throw error;
  }
}

import type { Env, EnvReader } from "./env-reader.js";
import { readToolsFile, type HttpToolSpec } from "./tools-file.js";

export type InterimTrigger = "tool" | "latency";

export interface InterimConfig {
  readonly mode: "static" | "llm" | "off";
  readonly texts: readonly string[];
  readonly triggers: readonly InterimTrigger[];
  readonly latencyThresholdMs: number;
  /** A business tool still running this long after it started gets the bot's own interim line. */
  readonly toolAfterMs: number;
  readonly llmInstructions: string;
}

export interface ToolsConfig {
  /** E.164 number or 8:acs: user; unset disables transfer_to_agent and the DTMF transfer digit. */
  readonly transferTarget: string | undefined;
  readonly transferText: string;
  readonly transferFailedText: string;
  readonly endCallEnabled: boolean;
  readonly goodbyeText: string;
  readonly toolsFile: string | undefined;
  /** The business tools declared in TOOLS_FILE. */
  readonly httpTools: readonly HttpToolSpec[];
  readonly defaultTimeoutMs: number;
  readonly interim: InterimConfig;
  readonly dtmfTransferDigit: string | undefined;
  /** Digits pressed within this gap reach the model as one item ("1 2 3 4 #"). */
  readonly dtmfInterDigitMs: number;
}

export const DEFAULT_INTERIM_TEXTS = [
  "One moment while I check on that.",
  "Let me look that up for you.",
  "Just a second, I'm pulling that up.",
];

export function readToolsConfig(env: EnvReader, rawEnv: Env): ToolsConfig {
  const transferTarget = env.raw("TRANSFER_TARGET");
  if (transferTarget !== undefined && !/^(?:4:)?\+\d{6,15}$|^8:acs:/.test(transferTarget)) {
    env.problems.push(`TRANSFER_TARGET must be an E.164 phone number (+14255550100) or an ACS user id (8:acs:…), got "${transferTarget}"`);
  }
  const triggers = env.list("INTERIM_TRIGGERS");
  const badTrigger = triggers.find((trigger) => trigger !== "tool" && trigger !== "latency");
  if (badTrigger !== undefined) env.problems.push(`INTERIM_TRIGGERS must list tool and/or latency, got "${badTrigger}"`);
  const texts = (env.raw("INTERIM_TEXTS") ?? "").split("|").map((text) => text.trim()).filter((text) => text !== "");
  const digit = env.raw("DTMF_TRANSFER_DIGIT");
  const toolsFile = env.raw("TOOLS_FILE");
  if (digit !== undefined && !/^[0-9*#]$/.test(digit)) env.problems.push(`DTMF_TRANSFER_DIGIT must be one key (0-9, * or #), got "${digit}"`);
  return {
    transferTarget,
    transferText: env.string("TRANSFER_TEXT", "Sure, I'm transferring you to a colleague now. Please stay on the line."),
    transferFailedText: env.string(
      "TRANSFER_FAILED_TEXT",
      "I'm sorry, I couldn't reach a colleague right now. I'm still here, how else can I help?",
    ),
    endCallEnabled: env.boolean("END_CALL_ENABLED", true),
    goodbyeText: env.string("GOODBYE_TEXT", "Thank you for calling Contoso. Goodbye!"),
    toolsFile,
    httpTools: toolsFile === undefined ? [] : readToolsFile(toolsFile, env, rawEnv),
    defaultTimeoutMs: env.integer("TOOL_TIMEOUT_MS", 5000, { min: 100, max: 120_000 }),
    interim: {
      mode: env.oneOf("INTERIM_MODE", ["static", "llm", "off"] as const, "static"),
      texts: texts.length > 0 ? texts : DEFAULT_INTERIM_TEXTS,
      // Not "tool": Voice Live's tool trigger speaks for every tool, the goodbye and the hand-over
      // included; the bot covers slow business tools itself (src/tools/tool-interim.ts).
      triggers: triggers.length > 0 ? (triggers as InterimTrigger[]) : ["latency"],
      latencyThresholdMs: env.integer("INTERIM_LATENCY_MS", 1500, { min: 0, max: 30_000 }),
      // The tool starts ~0.6 s after the caller stopped (end of turn + model); 0.6 s more keeps the
      // silence the caller hears near a second, under the ~1.5 s where callers say "hello?".
      toolAfterMs: env.integer("INTERIM_TOOL_MS", 600, { min: 0, max: 30_000 }),
      llmInstructions: env.string(
        "INTERIM_INSTRUCTIONS",
        "Create a short, friendly phrase telling the caller you are working on their request. Do not answer the request.",
      ),
    },
    dtmfTransferDigit: digit,
    dtmfInterDigitMs: env.integer("DTMF_INTER_DIGIT_MS", 1200, { min: 0, max: 10_000 }),
  };
}

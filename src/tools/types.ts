/** What a tool is, what it gets while it runs, and what it hands back. */
import type { Logger } from "pino";
import type { CallSession } from "../media/call-session.js";

export interface ToolContext {
  readonly call: CallSession;
  /** Aborted when the call ends or the tool's time is up: stop work, nothing will be sent. */
  readonly signal: AbortSignal;
  readonly log: Logger;
  /** The response that asked for this tool already spoke to the caller. */
  readonly responseHadAudio: boolean;
}

export type FollowUp = "respond" | "none" | { readonly say: string };

export interface ToolResult {
  /** Given to the model as function_call_output (objects are JSON-encoded). */
  readonly output: unknown;
  /** After the outputs: let the model answer (default), say exact text, or nothing. */
  readonly followUp?: FollowUp;
  /** Runs once the follow-up has played to the caller (transfer, hang up). */
  readonly afterPlayed?: () => Promise<void>;
}

export interface ToolDefinition {
  readonly name: string;
  readonly description: string;
  /** JSON Schema of the arguments object; arguments are validated before execute. */
  readonly parameters: Record<string, unknown>;
  readonly timeoutMs?: number;
  /**
   * Whether a caller waiting on this tool past INTERIM_TOOL_MS hears an
   * interim line (default true). False for tools that answer at once and end in
   * speech of their own (hang-up, transfer): a filler there sounds broken.
   */
  readonly interim?: boolean;
  execute(args: Record<string, unknown>, context: ToolContext): Promise<ToolResult>;
}

/** The structured error output the model can speak about. */
export function toolError(code: string, message: string, extra: Record<string, unknown> = {}): ToolResult {
  return { output: { error: { code, message, ...extra } } };
}

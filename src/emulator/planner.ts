/**
 * Turns scenario steps into response content. A turn's steps run in order; one
 * response covers the steps up to and including a run of tool steps (parallel
 * calls). After the client sends the function_call_output(s) and a
 * response.create, the next response speaks the tool answers (with the output
 * quoted) and goes on with the remaining steps.
 *
 * `delayMs` before anything is spoken delays the first output (a slow model:
 * this is what the latency interim trigger sees); between two `say` steps it
 * stalls the audio mid-answer; before a tool it delays the call.
 */
import { pick, type Random } from "./rng.js";
import {
  DEFAULT_TOOL_ANSWER,
  OUTPUT_PLACEHOLDER,
  USER_PLACEHOLDER,
  type Scenario,
  type ScenarioStep,
} from "./scenario.js";
import type { PlannedSegment } from "./response-stream.js";

export interface PendingToolCall {
  readonly callId: string;
  readonly name: string;
  readonly answer: string;
}

export interface TurnProgram {
  readonly source: "greeting" | "turn" | "fallback" | "idle";
  readonly steps: readonly ScenarioStep[];
  /** Index of the next step to run. */
  next: number;
  /** Calls made and not yet answered (their outputs arrive by call_id). */
  awaiting: { calls: PendingToolCall[] } | null;
}

export interface PlannedTool {
  readonly name: string;
  readonly argumentsJson: string;
  readonly callId: string;
  readonly answer: string;
  readonly pauseBeforeMs: number;
}

export interface PlannedContent {
  readonly leadDelayMs: number;
  readonly segments: PlannedSegment[];
  readonly tools: PlannedTool[];
}

export const NO_TOOL_RESULT = "(no result)";

/** What the caller said in a turn and the steps the assistant runs for it. */
export interface CallerTurn {
  readonly user: string;
  readonly program: TurnProgram;
}

export function programFor(source: TurnProgram["source"], steps: readonly ScenarioStep[]): TurnProgram {
  return { source, steps, next: 0, awaiting: null };
}

/** The scripted turn at `index`, or a fallback reply once the script is exhausted. */
export function callerTurn(scenario: Scenario, index: number, random: Random, userText?: string): CallerTurn {
  const scripted = scenario.turns[index];
  if (scripted !== undefined) return { user: userText ?? scripted.user, program: programFor("turn", scripted.assistant) };
  const user = userText ?? scenario.fallback.user;
  const reply = pick(random, scenario.fallback.replies).split(USER_PLACEHOLDER).join(user);
  return { user, program: programFor("fallback", [{ say: reply }]) };
}

/** Fills each pending call's answer template with its output and joins them. */
export function toolAnswers(calls: readonly PendingToolCall[], outputs: ReadonlyMap<string, string>): string {
  return calls.map((call) => call.answer.split(OUTPUT_PLACEHOLDER).join(outputs.get(call.callId) ?? NO_TOOL_RESULT)).join(" ");
}

/**
 * Plans the next response from `program.next` and advances it. `prefix` (tool
 * answers) is spoken first, after any leading delay steps.
 */
export function planNext(program: TurnProgram, newCallId: () => string, prefix?: string): PlannedContent {
  const steps = program.steps;
  const segments: PlannedSegment[] = [];
  const tools: PlannedTool[] = [];
  let leadDelayMs = 0;
  let pendingPauseMs = 0;
  let i = program.next;
  if (prefix !== undefined) {
    while (i < steps.length && "delayMs" in steps[i]) {
      leadDelayMs += (steps[i] as { delayMs: number }).delayMs;
      i += 1;
    }
    segments.push({ text: prefix, pauseBeforeMs: 0 });
  }
  for (; i < steps.length; i++) {
    const step = steps[i];
    if ("delayMs" in step) {
      if (tools.length > 0) break; // a delay after the calls belongs to the next response
      pendingPauseMs += step.delayMs;
    } else if ("say" in step) {
      if (tools.length > 0) break; // speech after a call needs the call's output first
      if (segments.length === 0) {
        leadDelayMs += pendingPauseMs;
        segments.push({ text: step.say, pauseBeforeMs: 0 });
      } else {
        segments.push({ text: step.say, pauseBeforeMs: pendingPauseMs });
      }
      pendingPauseMs = 0;
    } else {
      let pauseBeforeMs = pendingPauseMs;
      if (segments.length === 0 && tools.length === 0) {
        leadDelayMs += pendingPauseMs;
        pauseBeforeMs = 0;
      }
      tools.push({
        name: step.tool,
        argumentsJson: JSON.stringify(step.arguments),
        callId: newCallId(),
        answer: step.answer ?? DEFAULT_TOOL_ANSWER,
        pauseBeforeMs,
      });
      pendingPauseMs = 0;
    }
  }
  if (segments.length === 0 && tools.length === 0) leadDelayMs += pendingPauseMs;
  program.next = i;
  return { leadDelayMs, segments, tools };
}

export function isExhausted(program: TurnProgram): boolean {
  return program.next >= program.steps.length && program.awaiting === null;
}

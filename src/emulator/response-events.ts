/**
 * Responses: response.create (pregenerated text, or the script), response.cancel,
 * what happens when a response finishes (pending tool calls, deferred requests)
 * and interim responses.
 *
 * Interim responses are ordinary response sequences with their own ids; they
 * never count as the client's active response. A response requested while an
 * interim is streaming (client response.create, or turn detection) starts
 * right after the interim's response.done. The latency interim is nested: the
 * slow response's response.created is already out, the interim plays in its
 * silence, and the slow response's output follows the interim's.
 */
import type { ClientEvent, EmulatorConnection } from "./connection.js";
import {
  callerTurn,
  isExhausted,
  planNext,
  programFor,
  toolAnswers,
  type PlannedContent,
} from "./planner.js";
import { ErrorCodes, ProtocolError } from "./protocol-error.js";
import { prefetchUpcoming } from "./prefetch.js";
import { parseResponseCreate, type ResponseRequest } from "./response-options.js";
import { ResponseStream, type ResponsePlan } from "./response-stream.js";
import { pick } from "./rng.js";
import { DEFAULT_SCENARIO } from "./scenario.js";
import type { InterimResponseConfig } from "./session-fields.js";

export { sessionResponseRequest, type ResponseRequest } from "./response-options.js";

/** What an llm_interim_response says in the emulator (there is no model to ask). */
export const LLM_INTERIM_TEXT = "One moment please, I'm working on that.";

export function onResponseCreate(conn: EmulatorConnection, event: ClientEvent): void {
  requestResponse(conn, parseResponseCreate(conn, event));
}

export function onResponseCancel(conn: EmulatorConnection, event: ClientEvent): void {
  const target = conn.active ?? conn.interim;
  const wanted = event.response_id;
  if (target === null || (typeof wanted === "string" && wanted !== target.id)) {
    throw new ProtocolError(ErrorCodes.cancelNotActive, "Cancellation failed: no active response found");
  }
  target.cancel("client_cancelled");
}

/** Starts a response now, after the interim, after the active one (turn detection) — or refuses. */
export function requestResponse(conn: EmulatorConnection, request: ResponseRequest): void {
  if (conn.active !== null) {
    if (request.origin === "client") {
      throw new ProtocolError(
        ErrorCodes.activeResponse,
        `Conversation already has an active response in progress: ${conn.active.id}. Wait until the response is finished before creating a new one.`,
      );
    }
    conn.deferredAuto = request;
    return;
  }
  if (conn.interim !== null) {
    // At most one waiting request per origin: a second client request is refused as if the first were active.
    const waiting = conn.afterInterim.findIndex((r) => r.origin === request.origin);
    if (waiting >= 0 && request.origin === "client") {
      throw new ProtocolError(
        ErrorCodes.activeResponse,
        "Conversation already has an active response in progress (queued behind an interim response). Wait until the response is finished before creating a new one.",
      );
    }
    if (waiting >= 0) conn.afterInterim.splice(waiting, 1);
    conn.afterInterim.push(request);
    return;
  }
  startMain(conn, request);
}

function scriptedContent(conn: EmulatorConnection): PlannedContent {
  const newCallId = () => conn.ids.next("call");
  const program = conn.program;
  if (program?.awaiting) {
    const answers = toolAnswers(program.awaiting.calls, conn.toolOutputs);
    for (const call of program.awaiting.calls) conn.toolOutputs.delete(call.callId);
    program.awaiting = null;
    return planNext(program, newCallId, answers);
  }
  if (program !== null && program.next < program.steps.length) return planNext(program, newCallId);
  if (!conn.greeted && conn.turnsTaken === 0) {
    conn.program = programFor("greeting", conn.scenario.greeting ?? DEFAULT_SCENARIO.greeting ?? []);
    return planNext(conn.program, newCallId);
  }
  // Nothing new since the last answer: a friendly fallback reply.
  const idle = callerTurn(conn.scenario, Number.MAX_SAFE_INTEGER, conn.replyRandom, conn.lastUserText ?? conn.scenario.fallback.user);
  conn.program = programFor("idle", idle.program.steps);
  return planNext(conn.program, newCallId);
}

function startMain(conn: EmulatorConnection, request: ResponseRequest): void {
  let content: PlannedContent;
  if (request.pregeneratedText !== undefined) {
    content = { leadDelayMs: 0, segments: [{ text: request.pregeneratedText, pauseBeforeMs: 0 }], tools: [] };
    // An exact tool answer: once every pending call has its output, the tool wait is over.
    const awaiting = conn.program?.awaiting;
    if (awaiting && awaiting.calls.every((c) => conn.toolOutputs.has(c.callId))) {
      for (const call of awaiting.calls) conn.toolOutputs.delete(call.callId);
      conn.program = null;
    }
  } else {
    content = scriptedContent(conn);
    if (conn.program !== null && content.tools.length === 0 && isExhausted(conn.program)) conn.program = null;
  }
  conn.greeted = true;
  const plan: ResponsePlan = {
    kind: "main",
    leadDelayMs: content.leadDelayMs,
    segments: content.segments,
    toolCalls: content.tools,
    audio: request.modalities.includes("audio"),
    modalities: request.modalities,
    outputFormat: request.outputFormat,
    addToConversation: request.addToConversation,
    voice: request.voice,
    interim: request.interim,
    ...(request.metadata === undefined ? {} : { metadata: request.metadata }),
    ...(request.maxOutputTokens === undefined ? {} : { maxOutputTokens: request.maxOutputTokens }),
  };
  const stream = new ResponseStream(conn, plan);
  conn.active = stream;
  conn.plannedFrom.set(stream, { program: conn.program, tools: content.tools });
  stream.start();
  armLatencyInterim(conn, stream);
}

function armLatencyInterim(conn: EmulatorConnection, stream: ResponseStream): void {
  const config = stream.plan.interim;
  if (config === null || !config.triggers.includes("latency")) return;
  if (conn.latencyTimer !== null) conn.clock.clearTimeout(conn.latencyTimer);
  conn.latencyTimer = conn.clock.setTimeout(() => {
    conn.latencyTimer = null;
    if (conn.active === stream && stream.isActive && stream.firstOutputAtMs === null) startInterim(conn, "latency", config);
  }, config.latency_threshold_ms);
}

/** Plays an interim response for `trigger` under the config of the response that needs covering. */
function startInterim(conn: EmulatorConnection, trigger: "tool" | "latency", config: InterimResponseConfig | null): void {
  if (conn.interim !== null || config === null || !config.triggers.includes(trigger)) return;
  const text = config.type === "static_interim_response" ? pick(conn.interimRandom, config.texts ?? [LLM_INTERIM_TEXT]) : LLM_INTERIM_TEXT;
  const stream = new ResponseStream(conn, {
    kind: "interim",
    leadDelayMs: 0,
    segments: [{ text, pauseBeforeMs: 0 }],
    toolCalls: [],
    audio: conn.session.modalities.includes("audio"),
    modalities: conn.session.modalities,
    outputFormat: conn.session.output_audio_format,
    addToConversation: true,
    voice: conn.session.voice,
    interim: null,
  });
  conn.interim = stream;
  conn.log.debug({ trigger, responseId: stream.id }, "interim response");
  stream.start();
}

export function onStreamFinished(conn: EmulatorConnection, stream: ResponseStream): void {
  settleFinished(conn, stream);
  // After any follow-up response has asked for its sentences: prefetches never go before them.
  prefetchUpcoming(conn);
}

function settleFinished(conn: EmulatorConnection, stream: ResponseStream): void {
  if (stream === conn.interim) {
    conn.interim = null;
    for (const request of conn.afterInterim.splice(0)) tryRequest(conn, request);
    return;
  }
  if (stream !== conn.active) return;
  conn.active = null;
  if (conn.latencyTimer !== null) {
    conn.clock.clearTimeout(conn.latencyTimer);
    conn.latencyTimer = null;
  }
  const planned = conn.plannedFrom.get(stream);
  // Only the turn this response was planned from; a newer caller turn has replaced it otherwise.
  const program = planned !== undefined && planned.program === conn.program ? conn.program : null;
  if (stream.status === "cancelled") {
    if (program !== null && program.awaiting === null) conn.program = null; // the turn was abandoned
  } else if (stream.callIds.length > 0 && program !== null && planned !== undefined) {
    program.awaiting = {
      calls: planned.tools.filter((t) => stream.callIds.includes(t.callId)).map((t) => ({ callId: t.callId, name: t.name, answer: t.answer })),
    };
    startInterim(conn, "tool", stream.plan.interim);
  }
  const deferred = conn.deferredAuto;
  if (deferred !== null) {
    conn.deferredAuto = null;
    tryRequest(conn, deferred);
  }
}

function tryRequest(conn: EmulatorConnection, request: ResponseRequest): void {
  try {
    requestResponse(conn, request);
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    conn.sendError(error, request.clientEventId);
  }
}

/**
 * The function-call round trip for one call, as documented: collect the
 * function_call items of a response (name from output_item.added, arguments from
 * function_call_arguments.done), run them concurrently as their arguments
 * arrive, and once that response is done and every call has settled, send one
 * function_call_output per call and then exactly one response.create.
 */
import type { Logger } from "pino";
import type { Clock, Timer } from "../clock.js";
import { errorMessage } from "../errors.js";
import type { Metrics } from "../metrics.js";
import type { CallSession, CallSessionExtension } from "../media/call-session.js";
import type { ServerEvent } from "../voicelive/protocol.js";
import type { ToolRegistry } from "./registry.js";
import type { SlowToolCover } from "./tool-interim.js";
import { toolError, type FollowUp, type ToolResult } from "./types.js";

interface PendingCall {
  readonly callId: string;
  readonly responseId: string;
  name: string | undefined;
  startedMs: number | undefined;
  result: ToolResult | undefined;
  settled: Promise<void> | undefined;
}

interface PendingResponse {
  readonly callIds: string[];
  status: string | undefined;
}

export interface FunctionCallDeps {
  readonly registry: ToolRegistry;
  readonly defaultTimeoutMs: number;
  /** Speaks an interim line when a business tool is slow. */
  readonly cover: SlowToolCover;
  readonly metrics: Metrics;
  readonly log: Logger;
  readonly clock: Clock;
}

export class FunctionCallCoordinator implements CallSessionExtension {
  private readonly calls = new Map<string, PendingCall>();
  private readonly responses = new Map<string, PendingResponse>();
  private readonly lifetime = new AbortController();
  /** Responses that spoke (audio may come before their function calls are announced). */
  private readonly spoke = new Set<string>();

  constructor(private readonly deps: FunctionCallDeps) {}

  onVoiceLiveEvent(event: ServerEvent, call: CallSession): void {
    switch (event.type) {
      case "response.output_item.added":
        if (event.item.type === "function_call" && event.item.call_id) {
          this.track(event.response_id, event.item.call_id, event.item.name ?? undefined);
        }
        return;
      case "response.audio.delta":
        this.spoke.add(event.response_id);
        return;
      case "response.function_call_arguments.done":
        this.start(call, this.track(event.response_id, event.call_id, event.name), event.arguments);
        return;
      case "response.done": {
        const response = this.responses.get(event.response.id);
        if (response) {
          response.status = event.response.status;
          // The round trip runs on; if it throws, that ends this call (and only this call).
          this.finish(call, event.response.id, response).catch((error: unknown) => call.fault("tool_round_trip", error));
        }
        this.spoke.delete(event.response.id);
        return;
      }
      default:
        return;
    }
  }

  /** Tool calls whose outputs still have to reach the current session. */
  busy(): boolean {
    return this.calls.size > 0 || this.responses.size > 0;
  }

  onClosed(): void {
    // A call that ends mid-tool cancels it; nothing is sent on a closed session.
    this.lifetime.abort();
    this.deps.cover.close();
    this.calls.clear();
    this.responses.clear();
    this.spoke.clear();
  }

  private track(responseId: string, callId: string, name: string | undefined): PendingCall {
    let pending = this.calls.get(callId);
    if (!pending) {
      pending = { callId, responseId, name, startedMs: undefined, result: undefined, settled: undefined };
      this.calls.set(callId, pending);
      let response = this.responses.get(responseId);
      if (!response) this.responses.set(responseId, (response = { callIds: [], status: undefined }));
      response.callIds.push(callId);
    }
    pending.name ??= name;
    return pending;
  }

  private start(call: CallSession, pending: PendingCall, argumentsJson: string): void {
    if (pending.settled || this.lifetime.signal.aborted) return;
    pending.startedMs = this.deps.clock.nowMs();
    pending.settled = this.run(call, pending, argumentsJson).then((result) => {
      pending.result = result;
    });
    const definition = pending.name ? this.deps.registry.get(pending.name) : undefined;
    if (definition && definition.interim !== false) {
      this.deps.cover.toolStarted(call, pending.responseId, definition.name, () => this.slowToolRunning(pending.responseId));
    }
  }

  /** A tool of this response that wants covering is still running. */
  private slowToolRunning(responseId: string): boolean {
    for (const pending of this.calls.values()) {
      if (pending.responseId !== responseId || pending.settled === undefined || pending.result !== undefined) continue;
      if (pending.name && this.deps.registry.get(pending.name)?.interim !== false) return true;
    }
    return false;
  }

  private async run(call: CallSession, pending: PendingCall, argumentsJson: string): Promise<ToolResult> {
    const { registry, metrics } = this.deps;
    const name = pending.name ?? "(unnamed)";
    const definition = pending.name ? registry.get(pending.name) : undefined;
    const log = this.deps.log.child({ tool: name, callId: pending.callId });
    const outcome = (result: ToolResult, label: string, detail?: string): ToolResult => {
      const durationMs = Math.round(this.deps.clock.nowMs() - (pending.startedMs ?? this.deps.clock.nowMs()));
      metrics.toolCalls.inc({ tool: definition ? name : "unknown", outcome: label });
      log.info({ durationMs, outcome: label, detail }, "tool call finished");
      call.logEvent("tool_call", { tool: name, callId: pending.callId, arguments: argumentsJson, durationMs, outcome: label, detail, output: result.output });
      return result;
    };
    if (!definition) return outcome(toolError("unknown_tool", `There is no tool named "${name}".`), "unknown_tool");
    const parsed = registry.parseArguments(definition.name, argumentsJson);
    if (!parsed.ok) return outcome(toolError("invalid_arguments", parsed.message), "invalid_arguments", parsed.message);

    const timeoutMs = definition.timeoutMs ?? this.deps.defaultTimeoutMs;
    const controller = new AbortController();
    const onCallEnd = (): void => controller.abort(new Error("call ended"));
    this.lifetime.signal.addEventListener("abort", onCallEnd, { once: true });
    let timer: Timer | undefined;
    const timedOut = new Promise<"timeout">((resolve) => {
      timer = this.deps.clock.setTimeout(() => {
        controller.abort(new Error("timeout"));
        resolve("timeout");
      }, timeoutMs);
    });
    try {
      const result = await Promise.race([
        definition.execute(parsed.args, {
          call,
          signal: controller.signal,
          log,
          responseHadAudio: this.spoke.has(pending.responseId),
        }),
        timedOut,
      ]);
      if (result === "timeout") {
        return outcome(toolError("timeout", `${definition.name} did not answer within ${timeoutMs} ms. Apologise and offer another way to help.`), "timeout");
      }
      return outcome(result, "ok");
    } catch (error) {
      if (this.lifetime.signal.aborted) return outcome(toolError("cancelled", "the call ended"), "cancelled");
      return outcome(toolError("tool_failed", `${definition.name} failed: ${errorMessage(error)}`), "error", errorMessage(error));
    } finally {
      if (timer !== undefined) this.deps.clock.clearTimeout(timer);
      this.lifetime.signal.removeEventListener("abort", onCallEnd);
    }
  }

  /** After the calling response is done and every call settled: outputs, then one response.create. */
  private async finish(call: CallSession, responseId: string, response: PendingResponse): Promise<void> {
    const pending = response.callIds.map((callId) => this.calls.get(callId)).filter((p): p is PendingCall => p !== undefined);
    // A call whose arguments never arrived (response cut short) is not run and gets no output.
    const started = pending.filter((p) => p.settled !== undefined);
    await Promise.all(started.map((p) => p.settled));
    this.deps.cover.finished(responseId);
    this.responses.delete(responseId);
    for (const p of pending) this.calls.delete(p.callId);
    const session = call.session;
    if (this.lifetime.signal.aborted || call.closed || !session || session.closed || started.length === 0) return;

    for (const p of started) {
      const output = p.result!.output;
      session.send({
        type: "conversation.item.create",
        item: { type: "function_call_output", call_id: p.callId, output: typeof output === "string" ? output : JSON.stringify(output) },
      });
    }
    const actions = started.map((p) => p.result!.afterPlayed).filter((a): a is () => Promise<void> => a !== undefined);
    // The caller talked over the response: their new turn brings the next response.
    const followUp: FollowUp = response.status === "completed" ? chooseFollowUp(started.map((p) => p.result!.followUp)) : "none";
    if (followUp === "respond") await session.requestResponse();
    else if (followUp !== "none") await call.say(followUp.say);
    await this.runAfterPlayed(call, actions);
  }

  private async runAfterPlayed(call: CallSession, actions: ReadonlyArray<() => Promise<void>>): Promise<void> {
    if (actions.length === 0) return;
    await call.whenIdle();
    for (const action of actions) {
      if (this.lifetime.signal.aborted || call.closed) return;
      try {
        await action();
      } catch (error) {
        this.deps.log.error({ err: error }, "tool follow-up action failed");
      }
    }
  }
}

/** Exact text wins (one response only); "none" only when every tool asked for none. */
function chooseFollowUp(followUps: ReadonlyArray<FollowUp | undefined>): FollowUp {
  const say = followUps.find((f): f is { say: string } => typeof f === "object");
  if (say) return say;
  return followUps.length > 0 && followUps.every((f) => f === "none") ? "none" : "respond";
}

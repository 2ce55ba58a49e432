/**
 * Expectations of a fixture (expect.json): what the caller must hear and when,
 * how the call must end, what Voice Live must have received. Each one is
 * checked against a CallObservation and explains itself when it fails.
 */
import { AppError } from "../errors.js";
import type { CallObservation, Span } from "./observation.js";

export type Expectation =
  | { readonly type: "greeting_starts_within"; readonly ms: number }
  | { readonly type: "greeting_heard_at_least"; readonly ms: number }
  | { readonly type: "answer_after_greeting_within"; readonly ms: number }
  | { readonly type: "answer_within"; readonly utterance: number; readonly ms: number }
  | { readonly type: "interim_during_tool"; readonly tool: string }
  | { readonly type: "stop_audio"; readonly min?: number; readonly max?: number; readonly fromMs?: number; readonly toMs?: number }
  | { readonly type: "quiet_after_stop_audio"; readonly ms: number }
  | { readonly type: "call_ends"; readonly reason: string; readonly withinMs?: number }
  | { readonly type: "transfer_requested"; readonly target: string }
  | { readonly type: "transcript_includes"; readonly role: "user" | "assistant"; readonly text: string }
  | { readonly type: "transcript_excludes"; readonly role: "user" | "assistant"; readonly text: string }
  | { readonly type: "transcript_last"; readonly role: "user" | "assistant"; readonly text: string }
  | { readonly type: "transcript_count"; readonly role: "user" | "assistant"; readonly text: string; readonly count: number }
  | { readonly type: "voicelive_session"; readonly voice?: string; readonly tools?: readonly string[]; readonly instructionsInclude?: string }
  | { readonly type: "voicelive_closed_within"; readonly ms: number }
  | { readonly type: "voicelive_events_in_order"; readonly types: readonly string[] }
  | { readonly type: "no_malformed_frames" };

export interface ExpectationResult {
  readonly name: string;
  readonly passed: boolean;
  /** What was measured, in words (always set: a passing check says what it saw too). */
  readonly detail: string;
  /** Facts that need the bot in-process cannot be checked against a running bot. */
  readonly skipped?: boolean;
}

const TYPES = new Set([
  "greeting_starts_within",
  "greeting_heard_at_least",
  "answer_after_greeting_within",
  "answer_within",
  "interim_during_tool",
  "stop_audio",
  "quiet_after_stop_audio",
  "call_ends",
  "transfer_requested",
  "transcript_includes",
  "transcript_excludes",
  "transcript_last",
  "transcript_count",
  "voicelive_session",
  "voicelive_closed_within",
  "voicelive_events_in_order",
  "no_malformed_frames",
]);

export function parseExpectations(json: unknown, where: string): Expectation[] {
  const list = (json as { expectations?: unknown } | null)?.expectations;
  if (!Array.isArray(list)) throw new AppError("fixture_invalid", `${where}/expect.json must be {"expectations": [...]}`);
  return list.map((item, index) => {
    const type = (item as { type?: unknown } | null)?.type;
    if (typeof type !== "string" || !TYPES.has(type)) {
      throw new AppError("fixture_invalid", `${where}/expect.json expectations[${index}]: unknown type "${String(type)}" (known: ${[...TYPES].join(", ")})`);
    }
    return item as Expectation;
  });
}

export function describeExpectation(e: Expectation): string {
  switch (e.type) {
    case "greeting_starts_within":
      return `greeting starts within ${e.ms} ms of media connect`;
    case "greeting_heard_at_least":
      return `greeting plays for at least ${e.ms} ms uncut`;
    case "answer_within":
      return `caller utterance #${e.utterance + 1} is answered within ${e.ms} ms`;
    case "answer_after_greeting_within":
      return `what the caller said over the greeting is answered within ${e.ms} ms of it reaching Voice Live (after the greeting)`;
    case "interim_during_tool":
      return `caller hears interim speech while ${e.tool} runs`;
    case "stop_audio":
      return `StopAudio count ${e.min ?? 0}..${e.max ?? "∞"}${e.fromMs !== undefined || e.toMs !== undefined ? ` between ${e.fromMs ?? 0} and ${e.toMs ?? "end"} ms` : ""}`;
    case "quiet_after_stop_audio":
      return `no bot audio for ${e.ms} ms after each StopAudio`;
    case "call_ends":
      return `call ends: ${e.reason}${e.withinMs !== undefined ? ` within ${e.withinMs} ms` : ""}`;
    case "transfer_requested":
      return `transfer to ${e.target} requested`;
    case "transcript_includes":
      return `${e.role} said "${e.text}"`;
    case "transcript_excludes":
      return `${e.role} never said "${e.text}"`;
    case "transcript_last":
      return `nothing after ${e.role}'s "${e.text}"`;
    case "transcript_count":
      return `${e.role} said "${e.text}" ${e.count} time(s)`;
    case "voicelive_session":
      return `Voice Live was configured with${e.voice ? ` voice ${e.voice}` : ""}${e.tools ? ` tools [${e.tools.join(", ")}]` : ""}${e.instructionsInclude ? ` instructions with "${e.instructionsInclude}"` : ""}`;
    case "voicelive_closed_within":
      return `Voice Live closed within ${e.ms} ms of the call ending`;
    case "voicelive_events_in_order":
      return `Voice Live received ${e.types.join(" → ")}`;
    case "no_malformed_frames":
      return "every frame toward the caller is a well-formed 20 ms frame";
  }
}

export function checkExpectation(e: Expectation, o: CallObservation): ExpectationResult {
  const name = describeExpectation(e);
  const result = (passed: boolean, detail: string): ExpectationResult => ({ name, passed, detail });
  const skipped = (detail: string): ExpectationResult => ({ name, passed: true, skipped: true, detail });
  const fmt = (ms: number | undefined) => (ms === undefined ? "never" : `${Math.round(ms)} ms`);
  switch (e.type) {
    case "greeting_starts_within": {
      const first = o.heardRuns[0]?.startMs;
      return result(first !== undefined && first <= e.ms, `first bot audio at ${fmt(first)}`);
    }
    case "greeting_heard_at_least": {
      const first = o.heardRuns[0];
      const length = first ? first.endMs - first.startMs : undefined;
      return result(length !== undefined && length >= e.ms, `first run of bot audio lasted ${fmt(length)}`);
    }
    case "answer_after_greeting_within": {
      // Held caller audio reaches Voice Live only once the greeting has played: the first append marks that moment.
      const releasedMs = o.firstCallerAudioAtVoiceLiveMs;
      if (releasedMs === undefined) return result(false, "no caller audio reached Voice Live");
      // The answer may follow the greeting back to back (one heard run), or start a run of its own.
      const answered = o.heardRuns.some((run) => run.startMs <= releasedMs + e.ms && run.endMs >= releasedMs + 500);
      const next = startAfter(o.heardRuns, releasedMs);
      return result(answered, `caller audio reached Voice Live at ${fmt(releasedMs)}; bot audio ${answered ? "went on" : `next at ${fmt(next)}`}`);
    }
    case "answer_within": {
      const utterance = o.callerSpeech[e.utterance];
      if (!utterance) return result(false, `caller.wav has only ${o.callerSpeech.length} utterance(s)`);
      const answer = startAfter(o.heardRuns, utterance.endMs);
      const wait = answer === undefined ? undefined : answer - utterance.endMs;
      return result(wait !== undefined && wait <= e.ms, `utterance ended at ${fmt(utterance.endMs)}; bot audio began ${wait === undefined ? "never" : `${Math.round(wait)} ms later`}`);
    }
    case "interim_during_tool": {
      if (!o.inProcess) return skipped("tool timings need the bot in-process");
      const run = o.toolRuns.find((r) => r.name === e.tool);
      if (!run) return result(false, `${e.tool} was never called`);
      const heard = o.heardRuns.some((h) => h.endMs > run.startMs && h.startMs < run.endMs);
      return result(heard, `${e.tool} ran ${fmt(run.startMs)}–${fmt(run.endMs)}; bot audio during it: ${heard ? "yes" : "none"}`);
    }
    case "stop_audio": {
      const count = o.stopAudioAtMs.filter((t) => t >= (e.fromMs ?? 0) && t <= (e.toMs ?? Infinity)).length;
      return result(count >= (e.min ?? 0) && count <= (e.max ?? Infinity), `${count} StopAudio at ${o.stopAudioAtMs.map((t) => Math.round(t)).join(", ") || "—"} ms`);
    }
    case "quiet_after_stop_audio": {
      const stale = o.stopAudioAtMs.map((t) => o.audioFrameAtMs.filter((f) => f > t && f <= t + e.ms).length);
      const worst = Math.max(0, ...stale);
      return result(worst === 0, `${o.stopAudioAtMs.length} StopAudio; most frames within ${e.ms} ms after one: ${worst}`);
    }
    case "call_ends": {
      const end = o.end;
      const ok = end !== undefined && end.reason === e.reason && (e.withinMs === undefined || end.atMs <= e.withinMs);
      return result(ok, end ? `ended: ${end.reason} at ${fmt(end.atMs)}` : "the call did not end");
    }
    case "transfer_requested": {
      const wanted = e.target.startsWith("4:") ? e.target : `4:${e.target}`;
      return result(o.transferTargets.includes(wanted), `transfers requested: ${o.transferTargets.join(", ") || "none"}`);
    }
    case "transcript_includes": {
      const said = o.transcript.filter((line) => line.role === e.role).map((line) => line.text);
      const ok = said.some((text) => text.toLowerCase().includes(e.text.toLowerCase()));
      return result(ok, `${e.role} lines: ${said.map((t) => `"${t}"`).join(" | ") || "none"}`);
    }
    case "transcript_excludes": {
      const said = o.transcript.filter((line) => line.role === e.role).map((line) => line.text);
      const hit = said.find((text) => text.toLowerCase().includes(e.text.toLowerCase()));
      return result(hit === undefined, hit === undefined ? `no ${e.role} line contains it` : `found in "${hit}"`);
    }
    case "transcript_count": {
      const said = o.transcript.filter((line) => line.role === e.role && line.text.toLowerCase().includes(e.text.toLowerCase())).length;
      return result(said === e.count, `${said} time(s)`);
    }
    case "voicelive_session": {
      const session = o.sessionUpdates[0] as { voice?: { name?: string }; tools?: Array<{ name?: string }>; instructions?: string } | undefined;
      if (!session) return result(false, "Voice Live received no session.update");
      const voice = session.voice?.name;
      const tools = (session.tools ?? []).map((tool) => tool.name);
      const ok =
        (e.voice === undefined || voice === e.voice) &&
        (e.tools === undefined || JSON.stringify(tools) === JSON.stringify(e.tools)) &&
        (e.instructionsInclude === undefined || (session.instructions ?? "").includes(e.instructionsInclude));
      return result(ok, `voice ${voice ?? "none"}, tools [${tools.join(", ")}], instructions "${(session.instructions ?? "").slice(0, 60)}…"`);
    }
    case "transcript_last": {
      const lines = o.transcript.filter((line) => line.role === "user" || line.role === "assistant");
      const at = lines.findIndex((line) => line.role === e.role && line.text.toLowerCase().includes(e.text.toLowerCase()));
      const after = at < 0 ? [] : lines.slice(at + 1);
      return result(at >= 0 && after.length === 0, at < 0 ? `no ${e.role} line contains it` : after.length === 0 ? "it is the last line" : `then: ${after.map((l) => `${l.role} "${l.text}"`).join(" | ")}`);
    }
    case "voicelive_closed_within": {
      if (!o.end) return result(false, "the call did not end");
      const after = o.voiceLiveClosedAtMs === undefined ? undefined : o.voiceLiveClosedAtMs - o.end.atMs;
      return result(after !== undefined && after <= e.ms, `Voice Live closed ${after === undefined ? "never" : `${Math.round(after)} ms after the call ended`}`);
    }
    case "voicelive_events_in_order": {
      let at = 0;
      for (const type of o.voiceLiveEvents) if (type === e.types[at]) at += 1;
      return result(at === e.types.length, at === e.types.length ? "all in order" : `missing or out of order from "${e.types[at]}" (saw ${o.voiceLiveEvents.length} events)`);
    }
    case "no_malformed_frames":
      return result(o.malformedFrames === 0, `${o.malformedFrames} malformed frame(s)`);
  }
}

function startAfter(runs: readonly Span[], atMs: number): number | undefined {
  // A run that was already playing when the caller stopped is not an answer.
  return runs.find((run) => run.startMs >= atMs)?.startMs;
}

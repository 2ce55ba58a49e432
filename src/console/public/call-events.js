// What a call's event lines (its conversation log) mean to a person: timeline
// text, transcript lines, latency figures. Pure functions; no DOM.

/** Nearest-rank percentile; undefined when empty. */
export function percentile(values, p) {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1];
}

/** Latency lines of one call, by kind. */
export function latencyOf(events) {
  const out = { greetingMs: undefined, turns: [], bargeIns: [], tools: [] };
  for (const e of events) {
    if (e.type !== "latency" || typeof e.latencyMs !== "number") continue;
    if (e.kind === "greeting") out.greetingMs = e.latencyMs;
    else if (e.kind === "turn") out.turns.push({ turn: e.turn, ms: e.latencyMs, at: e.ms });
    else if (e.kind === "barge_in") out.bargeIns.push(e.latencyMs);
    else if (e.kind === "tool") out.tools.push({ tool: e.tool, ms: e.latencyMs, covered: e.covered === true, interimAfterMs: e.interimAfterMs });
  }
  return out;
}

/**
 * Caller and bot lines, in order. A bot line is logged when Voice Live finished
 * generating it, usually before it has played: a later barge-in on its item
 * marks it cut off, with how much the caller heard.
 */
export function transcriptOf(events) {
  const cut = new Map();
  for (const e of events) if (e.type === "barge_in" && typeof e.itemId === "string") cut.set(e.itemId, e.heardMs);
  const lines = [];
  for (const e of events) {
    if (e.type === "caller" && typeof e.transcript === "string") lines.push({ who: "caller", text: e.transcript, ms: e.ms });
    else if (e.type === "assistant" && typeof e.transcript === "string") {
      lines.push({ who: "bot", text: e.transcript, ms: e.ms, interrupted: e.interrupted === true || cut.has(e.itemId), heardMs: cut.get(e.itemId) });
    }
  }
  return lines;
}

const str = (value) => (value === undefined || value === null ? "" : String(value));
const quote = (value, max = 90) => {
  const text = str(value);
  return `“${text.length > max ? `${text.slice(0, max - 1)}…` : text}”`;
};

/** Phone numbers as they are; the softphone's placeholder ids in words. */
const party = (raw) => (raw === "softphone:browser" ? "the browser softphone" : raw === "softphone:bot" ? "the bot" : str(raw) || "unknown");

/** One timeline line: text and a class ("latency", "error", or ""). */
export function describeEvent(e) {
  switch (e.type) {
    case "call": return { text: `call from ${party(e.caller)} to ${party(e.dialed)}`, kind: "" };
    case "media_connected": return { text: `media connected (${str(e.leg)})`, kind: "" };
    case "media_reconnected": return { text: "media socket reconnected", kind: "" };
    case "voicelive_session": return { text: `Voice Live session ready (${str(e.voice)})`, kind: "" };
    case "voicelive_dropped": return { text: `Voice Live dropped (${str(e.code)} ${str(e.reason)})`, kind: "error" };
    case "voicelive_reconnected": return { text: "Voice Live reconnected", kind: "" };
    case "greeting": return { text: `greeting requested: ${quote(e.text)}`, kind: "" };
    case "caller": return { text: `caller: ${quote(e.transcript)}`, kind: "" };
    case "assistant": return { text: `bot${e.interrupted ? " (cut off)" : ""}: ${quote(e.transcript)}`, kind: "" };
    case "barge_in": return { text: `caller barged in${typeof e.heardMs === "number" ? ` after hearing ${e.heardMs} ms` : ""}`, kind: "" };
    case "dtmf": return { text: `caller pressed ${str(e.digit)}`, kind: "" };
    case "tool_call": return { text: `tool ${str(e.tool)} → ${str(e.outcome)} in ${str(e.durationMs)} ms`, kind: "" };
    case "transfer_requested": return { text: `transfer to ${str(e.target)} requested`, kind: "" };
    case "transfer_accepted": return { text: `transferred to ${str(e.target)}`, kind: "" };
    case "transfer_failed": return { text: `transfer to ${str(e.target)} failed: ${str(e.detail)}`, kind: "error" };
    case "error": return { text: `error (${str(e.source)}): ${str(e.code || e.reason)} ${str(e.message)}`, kind: "error" };
    case "call_ended": return { text: `call ended: ${str(e.reason)}`, kind: "" };
    case "latency": return { text: describeLatency(e), kind: "latency" };
    default: return { text: str(e.type).replaceAll("_", " "), kind: "" };
  }
}

function describeLatency(e) {
  switch (e.kind) {
    case "greeting": return `latency: greeting reached the caller ${e.latencyMs} ms after media connected`;
    case "turn": return `latency: turn ${str(e.turn)} answered ${e.latencyMs} ms after the caller stopped speaking`;
    case "barge_in": return `latency: barge-in, StopAudio ${e.latencyMs} ms after the caller's speech was detected`;
    case "tool": return `latency: ${str(e.tool)} ran ${e.latencyMs} ms — ${e.covered ? `interim line after ${str(e.interimAfterMs)} ms` : "caller waited in silence"}`;
    default: return `latency: ${str(e.kind)} ${str(e.latencyMs)} ms`;
  }
}

export function formatDuration(ms) {
  if (!(ms >= 0)) return "—";
  const seconds = Math.floor(ms / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}

export function formatOffset(ms) {
  return `${(ms / 1000).toFixed(1)} s`;
}

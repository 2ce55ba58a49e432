// Rendering of the console's calls: the live table (levels and who speaks), recent
// calls, one call's detail (figures, per-turn chart, transcript, timeline) and the
// latency distribution across calls. Data arrives as text only (textContent).
import { createBarChart, histogram } from "./charts.js";
import { describeEvent, formatDuration, formatOffset, latencyOf, percentile, transcriptOf } from "./call-events.js";

export const $ = (id) => document.getElementById(id);
export const el = (tag, props = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "class") node.className = value;
    else if (key.startsWith("data-") || key.startsWith("aria-")) node.setAttribute(key, value);
    else node[key] = value;
  }
  node.append(...children);
  return node;
};

/** Every call the page knows: id → { summary, events, levels }. Live ones come from the feed, old ones from the logs too. */
export const state = { calls: new Map(), selectedId: undefined, serverOffsetMs: 0 };
const calls = state.calls;
const charts = {};

export function initCharts() {
  charts.turns = createBarChart($("turn-chart"), { xLabel: "turn", yLabel: "ms", color: "#0a5bd3", xValues: { step: 1 } });
  charts.distribution = createBarChart($("dist-chart"), { xLabel: "turn latency (ms)", yLabel: "turns", color: "#0a7d45", xValues: { step: 100 } });
}

export function upsert(summary, events) {
  const known = calls.get(summary.id);
  if (known) {
    known.summary = { ...known.summary, ...summary };
    if (events) known.events = [...events];
  } else {
    calls.set(summary.id, { summary, events: events ? [...events] : [], levels: undefined });
  }
}

const nowServer = () => Date.now() + state.serverOffsetMs;
const durationOf = (summary) => (summary.endedAt ? Date.parse(summary.endedAt) : nowServer()) - Date.parse(summary.startedAt);

export function renderAll() {
  renderLive();
  renderRecent();
  renderDistribution();
  renderDetail();
}

function selectButton(call, text) {
  return el("button", { type: "button", class: "quiet", onclick: () => select(call.summary.id), "aria-label": `Show call ${text}` }, text);
}

export function select(id) {
  state.selectedId = id;
  renderLive();
  renderRecent();
  renderDetail();
}

function renderLive() {
  const live = [...calls.values()].filter((call) => call.summary.live).sort((a, b) => a.summary.startedAt.localeCompare(b.summary.startedAt));
  $("live-count").textContent = String(live.length);
  $("no-live").hidden = live.length > 0;
  $("live-calls").tBodies[0].replaceChildren(
    ...live.map((call) => {
      const s = call.summary;
      return el(
        "tr",
        { "data-call-id": s.id, "aria-selected": String(s.id === state.selectedId) },
        el("td", {}, selectButton(call, s.caller ?? "unknown")),
        el("td", {}, s.dialed ?? ""),
        el("td", { "data-field": "state" }, s.state),
        el("td", { "data-field": "duration" }, formatDuration(durationOf(s))),
        el(
          "td",
          { class: "who-speaks" },
          el("div", {}, el("span", { class: "speaking caller", "data-field": "caller-speaking" }, "caller"), levelBar("caller")),
          el("div", {}, el("span", { class: "speaking bot", "data-field": "bot-speaking" }, "bot"), levelBar("bot")),
        ),
      );
    }),
  );
  renderLevels();
}

function levelBar(who) {
  return el("span", { class: `level ${who}`, "data-field": `${who}-level`, title: `${who} level` }, el("span"));
}

export function renderLevels() {
  for (const row of $("live-calls").tBodies[0].rows) {
    const reading = calls.get(row.dataset.callId)?.levels;
    if (!reading) continue;
    row.querySelector('[data-field="caller-speaking"]').classList.toggle("on", reading.callerSpeaking);
    row.querySelector('[data-field="bot-speaking"]').classList.toggle("on", reading.botSpeaking);
    setLevel(row.querySelector('[data-field="caller-level"]'), reading.callerDb);
    setLevel(row.querySelector('[data-field="bot-level"]'), reading.botDb);
  }
}

function setLevel(bar, dbfs) {
  bar.dataset.dbfs = String(dbfs);
  bar.firstChild.style.width = `${Math.max(0, Math.min(100, ((dbfs + 70) / 70) * 100))}%`;
}

export function renderDurations() {
  for (const row of $("live-calls").tBodies[0].rows) {
    const call = calls.get(row.dataset.callId);
    if (call) row.querySelector('[data-field="duration"]').textContent = formatDuration(durationOf(call.summary));
  }
  const call = calls.get(state.selectedId);
  if (call?.summary.live) renderHead(call);
}

function renderRecent() {
  const ended = [...calls.values()].filter((call) => !call.summary.live).sort((a, b) => b.summary.startedAt.localeCompare(a.summary.startedAt)).slice(0, 50);
  $("recent-calls").tBodies[0].replaceChildren(
    ...ended.map((call) => {
      const s = call.summary;
      const turns = latencyOf(call.events).turns.map((t) => t.ms);
      const p50 = percentile(turns, 50);
      return el(
        "tr",
        { "data-call-id": s.id, "aria-selected": String(s.id === state.selectedId) },
        el("td", {}, new Date(s.startedAt).toLocaleTimeString()),
        el("td", {}, selectButton(call, s.caller ?? "unknown")),
        el("td", {}, formatDuration(durationOf(s))),
        el("td", {}, s.endReason ?? s.state),
        el("td", {}, String(turns.length)),
        el("td", {}, p50 === undefined ? "—" : `${p50} ms`),
      );
    }),
  );
}

export function renderDistribution() {
  const all = [...calls.values()].flatMap((call) => latencyOf(call.events).turns.map((t) => t.ms));
  const calls_ = [...calls.values()].filter((call) => latencyOf(call.events).turns.length > 0).length;
  $("dist-summary").textContent = all.length === 0
    ? "No turns yet."
    : `${plural(all.length, "turn")} in ${plural(calls_, "call")} — p50 ${percentile(all, 50)} ms · p95 ${percentile(all, 95)} ms · max ${Math.max(...all)} ms`;
  $("dist-summary").dataset.turns = String(all.length);
  const [xs, ys] = histogram(all, 100, Math.max(1000, Math.min(5000, Math.ceil(Math.max(0, ...all) / 100) * 100)));
  charts.distribution?.update(xs, ys);
}

const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

function renderDetail() {
  const call = calls.get(state.selectedId);
  $("detail-empty").hidden = call !== undefined;
  $("detail").hidden = call === undefined;
  if (!call) return;
  $("detail").dataset.callId = call.summary.id;
  renderHead(call);
  renderLatency(call);
  $("transcript").replaceChildren(...transcriptOf(call.events).map(transcriptItem));
  $("timeline").replaceChildren(...call.events.map(timelineItem));
}

function renderHead(call) {
  const s = call.summary;
  $("detail-head").textContent = `${s.caller ?? "unknown"}${s.callerName ? ` (${s.callerName})` : ""} → ${s.dialed ?? "unknown"} · ${s.live ? s.state : `ended: ${s.endReason ?? "unknown"}`} · ${formatDuration(durationOf(s))}`;
}

export function renderLatency(call) {
  const latency = latencyOf(call.events);
  const turns = latency.turns.map((t) => t.ms);
  const covered = latency.tools.filter((t) => t.covered).length;
  const figures = [
    ["Greeting", latency.greetingMs === undefined ? "—" : `${latency.greetingMs} ms`, "greeting"],
    ["Turns", String(turns.length), "turns"],
    ["Turn p50", turns.length ? `${percentile(turns, 50)} ms` : "—", "p50"],
    ["Turn p95", turns.length ? `${percentile(turns, 95)} ms` : "—", "p95"],
    ["Barge-ins", String(latency.bargeIns.length), "barge-ins"],
    ["Tools (interim / silent)", latency.tools.length ? `${covered} / ${latency.tools.length - covered}` : "—", "tools"],
  ];
  $("detail-latency").replaceChildren(...figures.map(([label, value, key]) => el("div", { "data-figure": key }, el("dt", {}, label), el("dd", {}, value))));
  charts.turns?.update(latency.turns.map((t, i) => t.turn ?? i + 1), turns);
}

function transcriptItem(line) {
  const item = el("li", { class: `${line.who}${line.interrupted ? " interrupted" : ""}` }, el("span", { class: "who" }, line.who === "caller" ? "Caller" : "Bot"), line.text);
  if (typeof line.heardMs === "number") item.title = `the caller heard ${(line.heardMs / 1000).toFixed(1)} s of it`;
  return item;
}

function timelineItem(event) {
  const { text, kind } = describeEvent(event);
  return el("li", { class: kind, "data-type": event.type }, el("time", {}, formatOffset(event.ms)), el("span", {}, text));
}

export function appendDetailEvent(call, event) {
  $("timeline").append(timelineItem(event));
  if (event.type === "barge_in") $("transcript").replaceChildren(...transcriptOf(call.events).map(transcriptItem));
  else if (event.type === "caller" || event.type === "assistant") {
    const line = transcriptOf([event])[0];
    if (line) $("transcript").append(transcriptItem(line));
  }
}

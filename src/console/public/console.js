// The operations console page: sign-in when the deployment needs it, the live
// feed (/console/live), calls, one call's detail, latency across calls, recent
// calls from the conversation logs, and the softphone.
import { createBarChart, histogram } from "./charts.js";
import { describeEvent, formatDuration, formatOffset, latencyOf, percentile, transcriptOf } from "./call-events.js";
import { Softphone } from "./softphone.js";

const $ = (id) => document.getElementById(id);
const el = (tag, props = {}, ...children) => {
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
const calls = new Map();
let selectedId;
let serverOffsetMs = 0;
let waitingForOwnCall = false;
let callLogs = false;
const charts = {};

// ------------------------------------------------------------------ sign-in

async function boot() {
  const access = await (await fetch("/console/api/access")).json();
  callLogs = access.callLogs === true;
  $("sign-out").hidden = access.mode !== "token";
  if (access.mode === "token" && !access.signedIn) {
    showSignIn();
    return;
  }
  if (!access.signedIn) {
    setFeedStatus("down", "this local run serves its console to its own machine only (set CONSOLE_TOKEN to use it from elsewhere)");
    return;
  }
  start();
}

function showSignIn() {
  $("main").hidden = true;
  $("sign-in").hidden = false;
  setFeedStatus("down", "signed out");
  $("token").focus();
}

$("sign-in-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const response = await fetch("/console/api/session", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ token: $("token").value }),
  });
  $("token").value = "";
  if (response.status !== 204) {
    $("sign-in-error").textContent = (await response.json().catch(() => ({}))).error?.message ?? "sign-in failed";
    return;
  }
  $("sign-in").hidden = true;
  if (started) connectFeed();
  start();
});

$("sign-out").addEventListener("click", async () => {
  await fetch("/console/api/session", { method: "DELETE" });
  location.reload();
});

let started = false;
function start() {
  $("main").hidden = false;
  if (started) return;
  started = true;
  charts.turns = createBarChart($("turn-chart"), { xLabel: "turn", yLabel: "ms", color: "#0a5bd3", xValues: { step: 1 } });
  charts.distribution = createBarChart($("dist-chart"), { xLabel: "turn latency (ms)", yLabel: "turns", color: "#0a7d45", xValues: { step: 100 } });
  connectFeed();
  void loadRecent();
  setInterval(renderDurations, 1000);
}

// --------------------------------------------------------------- live feed

function connectFeed() {
  const socket = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/console/live`);
  socket.onopen = () => setFeedStatus("live", "live");
  socket.onmessage = (event) => handle(JSON.parse(event.data));
  socket.onclose = () => {
    setFeedStatus("down", "disconnected — retrying");
    setTimeout(async () => {
      // A session that expired (or a rotated token) brings the sign-in back rather than retrying forever.
      const access = await fetch("/console/api/access").then((response) => response.json()).catch(() => ({}));
      if (access.mode === "token" && access.signedIn === false) showSignIn();
      else connectFeed();
    }, 2000);
  };
}

function setFeedStatus(kind, text) {
  const status = $("feed-status");
  status.className = `pill ${kind}`;
  status.textContent = text;
}

function handle(message) {
  switch (message.type) {
    case "hello":
      serverOffsetMs = Date.parse(message.now) - Date.now();
      for (const [id, call] of calls) if (call.summary.live) calls.delete(id);
      for (const view of [...message.ended, ...message.calls]) upsert(view, view.events);
      renderAll();
      return;
    case "call": {
      const isNew = !calls.has(message.call.id);
      upsert(message.call);
      if (isNew && waitingForOwnCall && message.call.source === "softphone") {
        waitingForOwnCall = false;
        selectedId = message.call.id;
      }
      if (!message.call.live && callLogs) setTimeout(loadRecent, 1500);
      renderAll();
      return;
    }
    case "event": {
      const call = calls.get(message.id);
      if (!call) return;
      call.events.push(message.event);
      if (message.id === selectedId) appendDetailEvent(call, message.event);
      if (message.event.type === "latency") {
        renderDistribution();
        if (message.id === selectedId) renderLatency(call);
      }
      return;
    }
    case "levels":
      for (const reading of message.calls) {
        const call = calls.get(reading.id);
        if (call) call.levels = reading;
      }
      renderLevels();
      return;
  }
}

function upsert(summary, events) {
  const known = calls.get(summary.id);
  if (known) {
    known.summary = { ...known.summary, ...summary };
    if (events) known.events = [...events];
  } else {
    calls.set(summary.id, { summary, events: events ? [...events] : [], levels: undefined });
  }
}

async function loadRecent() {
  const response = await fetch("/console/api/recent?limit=50");
  if (!response.ok) return;
  const body = await response.json();
  $("recent-source").textContent = body.enabled
    ? "From the conversation logs (CALL_LOG_DIR) and this session."
    : "Calls this bot served since it started (set CALL_LOG_DIR to keep them across restarts).";
  for (const view of body.calls) {
    const known = calls.get(view.id);
    if (known?.summary.live) continue;
    upsert(view, view.events);
  }
  renderAll();
}

// --------------------------------------------------------------- rendering

const nowServer = () => Date.now() + serverOffsetMs;
const durationOf = (summary) => (summary.endedAt ? Date.parse(summary.endedAt) : nowServer()) - Date.parse(summary.startedAt);

function renderAll() {
  renderLive();
  renderRecent();
  renderDistribution();
  renderDetail();
}

function selectButton(call, text) {
  return el("button", { type: "button", class: "quiet", onclick: () => select(call.summary.id), "aria-label": `Show call ${text}` }, text);
}

function select(id) {
  selectedId = id;
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
        { "data-call-id": s.id, "aria-selected": String(s.id === selectedId) },
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

function renderLevels() {
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

function renderDurations() {
  for (const row of $("live-calls").tBodies[0].rows) {
    const call = calls.get(row.dataset.callId);
    if (call) row.querySelector('[data-field="duration"]').textContent = formatDuration(durationOf(call.summary));
  }
  const call = calls.get(selectedId);
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
        { "data-call-id": s.id, "aria-selected": String(s.id === selectedId) },
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

function renderDistribution() {
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
  const call = calls.get(selectedId);
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

function renderLatency(call) {
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
  return el("li", { class: `${line.who}${line.interrupted ? " interrupted" : ""}` }, el("span", { class: "who" }, line.who === "caller" ? "Caller" : "Bot"), line.text);
}

function timelineItem(event) {
  const { text, kind } = describeEvent(event);
  return el("li", { class: kind, "data-type": event.type }, el("time", {}, formatOffset(event.ms)), el("span", {}, text));
}

function appendDetailEvent(call, event) {
  $("timeline").append(timelineItem(event));
  if (event.type === "caller" || event.type === "assistant") {
    const line = transcriptOf([event])[0];
    if (line) $("transcript").append(transcriptItem(line));
  }
}

// ---------------------------------------------------------------- softphone

const heard = $("softphone-heard");
const keypad = [...$("keypad").querySelectorAll("button")];
const softphone = new Softphone({
  onState(state, detail) {
    $("softphone-status").textContent = detail ? `${state}: ${detail}` : state;
    $("softphone-status").dataset.state = state;
    const inCall = state === "in-call";
    $("dial").disabled = !(state === "idle" || state === "ended");
    $("hang-up").disabled = !(inCall || state === "dialing");
    for (const key of keypad) key.disabled = !inCall;
  },
  onMic(dbfs) {
    $("mic-level").value = Math.max(-80, dbfs);
  },
  onPlayback(report) {
    $("bot-level").value = Math.max(-80, report.dbfs);
    heard.dataset.heardMs = String(Math.round(report.heardMs));
    heard.dataset.peakDbfs = String(Math.round(report.peakDbfs));
    heard.dataset.underruns = String(report.underruns);
    heard.textContent = `Bot audio heard: ${(report.heardMs / 1000).toFixed(1)} s (peak ${Math.round(report.peakDbfs)} dBFS)`;
  },
  onBotFrame() {
    heard.dataset.framesReceived = String(Number(heard.dataset.framesReceived) + 1);
  },
  onStopAudio() {
    heard.dataset.stopAudio = String(Number(heard.dataset.stopAudio) + 1);
  },
});
$("dial").addEventListener("click", () => {
  waitingForOwnCall = true;
  heard.dataset.framesReceived = "0";
  heard.dataset.stopAudio = "0";
  void softphone.dial();
});
$("hang-up").addEventListener("click", () => softphone.hangUp());
for (const key of keypad) key.addEventListener("click", () => softphone.pressKey(key.textContent));

void boot();

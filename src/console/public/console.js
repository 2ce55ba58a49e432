// The operations console page: sign-in when the deployment needs it, the live
// feed (/console/live), recent calls from the conversation logs, and the
// softphone's controls. What is drawn, and how: view.js.
import { Softphone } from "./softphone.js";
import { $, appendDetailEvent, initCharts, renderAll, renderDistribution, renderDurations, renderLatency, renderLevels, state, upsert } from "./view.js";

const calls = state.calls;
let waitingForOwnCall = false;
let callLogs = false;

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
  initCharts();
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
      state.serverOffsetMs = Date.parse(message.now) - Date.now();
      for (const [id, call] of calls) if (call.summary.live) calls.delete(id);
      for (const view of [...message.ended, ...message.calls]) upsert(view, view.events);
      renderAll();
      return;
    case "call": {
      const isNew = !calls.has(message.call.id);
      upsert(message.call);
      if (isNew && waitingForOwnCall && message.call.source === "softphone") {
        waitingForOwnCall = false;
        state.selectedId = message.call.id;
      }
      if (!message.call.live && callLogs) setTimeout(loadRecent, 1500);
      renderAll();
      return;
    }
    case "event": {
      const call = calls.get(message.id);
      if (!call) return;
      call.events.push(message.event);
      if (message.id === state.selectedId) appendDetailEvent(call, message.event);
      if (message.event.type === "latency") {
        renderDistribution();
        if (message.id === state.selectedId) renderLatency(call);
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
    heard.dataset.cleared = String(report.cleared);
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

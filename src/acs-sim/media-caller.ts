/**
 * The ACS side of one call's media WebSocket: connects with the upgrade
 * headers ACS sends, streams the caller's audio (AudioMetadata first, then a
 * 20 ms AudioData frame per tick for the whole call, silent between
 * utterances), and plays what the bot sends back the way ACS does.
 *
 * Time: frames are due at connect + n·20 ms / speed (scheduled against the
 * start, so timer jitter never accumulates). Everything observed is reported
 * in media milliseconds since connect (wall time × speed), the same clock as
 * the caller's own frames.
 */
import { randomUUID } from "node:crypto";
import WebSocket from "ws";
import { createSystemClock, type Timer } from "../clock.js";
import { createBotAudioReceiver } from "./bot-audio-receiver.js";
import { encodeCallerAudio } from "./caller-audio.js";
import { createCallerScript } from "./caller-script.js";
import { AcsSimError } from "./errors.js";
import { legSpec } from "./leg.js";
import type { MediaCaller, MediaCallerOptions, MediaCloseInfo } from "./media-caller-types.js";
import { encodeAudioData, encodeAudioMetadata, encodeDtmfData } from "./media-wire.js";
import { createWaiters } from "./wait-until.js";

export type { CallerTimeline, MediaCaller, MediaCallerOptions, MediaCallerStats, MediaCloseInfo } from "./media-caller-types.js";

const FRAME_MS = 20;
const MAX_FRAMES_PER_TICK = 50;
const DTMF_DIGIT = /^[0-9*#A-D]$/;

export function createMediaCaller(options: MediaCallerOptions): MediaCaller {
  const clock = options.clock ?? createSystemClock();
  const leg = legSpec(options.leg);
  const speed = options.speed ?? 1;
  if (!(speed > 0 && Number.isFinite(speed))) throw new AcsSimError("acs_sim_bad_input", `speed must be a positive number, got ${speed}`);
  const participantRawId = options.participantRawId ?? "4:+12065551212";
  const subscriptionId = options.subscriptionId ?? randomUUID();
  const frameWallMs = FRAME_MS / speed;
  const script = createCallerScript(leg);
  const receiver = createBotAudioReceiver(leg, { bidirectional: options.bidirectional, runGapToleranceMs: options.runGapToleranceMs });
  const waiters = createWaiters();
  const utterances: Array<{ startMs: number; endMs: number }> = [];
  const digits: Array<{ digit: string; atMs: number; delivered: boolean }> = [];
  const dtmfEnabled = options.dtmfEnabled ?? true;

  let state: MediaCaller["state"] = "idle";
  let socket: WebSocket | undefined;
  let startWallMs = 0;
  let startDateMs = 0;
  let frameIndex = 0;
  let tickTimer: Timer | undefined;
  let closedAtMs: number | undefined;
  let closingByCaller = false;
  let transportError: string | undefined;
  const sent = { frames: 0, silent: 0, maxLagMs: 0 };
  let resolveClosed!: (info: MediaCloseInfo) => void;
  const closed = new Promise<MediaCloseInfo>((resolve) => (resolveClosed = resolve));

  const mediaNowMs = (): number => {
    if (state === "idle" || state === "connecting") return 0;
    return closedAtMs ?? (clock.nowMs() - startWallMs) * speed;
  };

  const finish = (info: Omit<MediaCloseInfo, "atMs">): void => {
    if (state === "closed") return;
    const atMs = mediaNowMs();
    closedAtMs = atMs;
    state = "closed";
    if (tickTimer !== undefined) clock.clearTimeout(tickTimer);
    receiver.playback.end(atMs);
    resolveClosed({ ...info, atMs });
    waiters.notify();
  };

  const sendFrame = (ws: WebSocket): void => {
    const frame = script.nextFrame();
    const frameStartMs = frameIndex * FRAME_MS;
    for (const digit of frame.digits) {
      if (dtmfEnabled) ws.send(encodeDtmfData(digit));
      digits.push({ digit, atMs: frameStartMs, delivered: dtmfEnabled });
    }
    if (frame.utteranceStart) utterances.push({ startMs: frameStartMs, endMs: frameStartMs + FRAME_MS });
    if (!frame.silent) utterances[utterances.length - 1]!.endMs = frameStartMs + FRAME_MS;
    const timestamp = new Date(startDateMs + frameStartMs).toISOString();
    ws.send(encodeAudioData(Buffer.from(frame.payload.buffer, frame.payload.byteOffset, frame.payload.byteLength).toString("base64"), timestamp, participantRawId, frame.silent));
    frameIndex += 1;
    sent.frames += 1;
    if (frame.silent) sent.silent += 1;
  };

  const tick = (): void => {
    tickTimer = undefined;
    const ws = socket;
    if (state !== "open" || !ws || ws.readyState !== WebSocket.OPEN) return;
    const nowMs = clock.nowMs();
    let burst = 0;
    while (startWallMs + frameIndex * frameWallMs <= nowMs && burst < MAX_FRAMES_PER_TICK) {
      sent.maxLagMs = Math.max(sent.maxLagMs, nowMs - (startWallMs + frameIndex * frameWallMs));
      sendFrame(ws);
      burst += 1;
    }
    waiters.notify();
    tickTimer = clock.setTimeout(tick, Math.max(0, startWallMs + frameIndex * frameWallMs - clock.nowMs()));
  };

  const connect = async (): Promise<void> => {
    if (state !== "idle") throw new AcsSimError("acs_sim_bad_input", `connect() called while ${state}`);
    state = "connecting";
    let token: string;
    try {
      token = typeof options.token === "string" ? options.token : await options.token();
    } catch (error) {
      finish({ code: 1006, reason: "could not mint the media token", by: "error" });
      throw new AcsSimError("acs_sim_connect_failed", "minting the media token failed", { cause: error });
    }
    if (state !== "connecting") throw new AcsSimError("acs_sim_not_connected", "the media caller was closed while connecting");
    const ws = new WebSocket(options.url, {
      headers: {
        authorization: `Bearer ${token}`,
        "x-ms-call-connection-id": options.callConnectionId,
        "x-ms-call-correlation-id": options.correlationId,
      },
      handshakeTimeout: options.connectTimeoutMs ?? 5000,
    });
    socket = ws;
    ws.on("message", (data, isBinary) => {
      const atMs = mediaNowMs();
      if (isBinary) receiver.handleBinary(byteLength(data), atMs);
      else receiver.handleText(data.toString(), atMs);
      waiters.notify();
    });
    ws.on("close", (code, reason) => {
      finish({ code, reason: transportError ?? reason.toString(), by: closingByCaller ? "caller" : transportError ? "error" : "bot" });
    });
    await new Promise<void>((resolve, reject) => {
      let refusal: AcsSimError | undefined;
      ws.on("unexpected-response", (_request, response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("error", () => ws.terminate());
        response.on("end", () => {
          const body = Buffer.concat(chunks).toString("utf8").slice(0, 500);
          refusal = new AcsSimError(
            "acs_sim_upgrade_refused",
            `bot refused the media WebSocket upgrade: HTTP ${response.statusCode}${body ? ` ${body}` : ""}`,
            { status: response.statusCode },
          );
          ws.terminate();
        });
      });
      ws.on("error", (error) => {
        transportError = error.message;
        if (state === "connecting") {
          finish({ code: 1006, reason: refusal?.message ?? error.message, by: "error" });
          reject(refusal ?? new AcsSimError("acs_sim_connect_failed", `media WebSocket to ${options.url} failed: ${error.message}`, { cause: error }));
        }
      });
      ws.on("open", () => {
        state = "open";
        startWallMs = clock.nowMs();
        startDateMs = clock.date().getTime();
        // ACS sends the metadata first, then audio for the whole call.
        ws.send(encodeAudioMetadata(leg, subscriptionId));
        tick();
        resolve();
      });
    });
  };

  const queueCheck = (): void => {
    if (state === "closed") throw new AcsSimError("acs_sim_not_connected", "the media socket is closed");
  };

  const lastHeard = (): number | undefined => receiver.playback.runs(mediaNowMs()).at(-1)?.endMs;

  return {
    leg,
    speed,
    subscriptionId,
    get state() {
      return state;
    },
    connect,
    play(samples, sampleRateHz) {
      queueCheck();
      script.addAudio(encodeCallerAudio(samples, sampleRateHz, leg));
    },
    playEncoded(legBytes) {
      queueCheck();
      script.addAudio(legBytes.slice());
    },
    silence(durationMs) {
      queueCheck();
      if (!(durationMs >= 0)) throw new AcsSimError("acs_sim_bad_input", `silence must be ≥ 0 ms, got ${durationMs}`);
      script.addSilence(Math.round(durationMs / FRAME_MS));
    },
    pressDigit(digit) {
      queueCheck();
      if (!DTMF_DIGIT.test(digit)) throw new AcsSimError("acs_sim_bad_input", `DTMF digit must be one of 0-9 * # A-D, got "${digit}"`);
      script.addDigit(digit);
    },
    waitForAudioSent(timeoutMs = 60_000) {
      return waiters.waitUntil(() => {
        if (script.idle) return true;
        if (state === "closed") throw new AcsSimError("acs_sim_not_connected", `media socket closed with ${script.pendingMs} ms of caller audio unsent`);
        return undefined;
      }, timeoutMs, "the caller's queued audio to be sent").then(() => undefined);
    },
    async close(code = 1000, reason = "") {
      if (state === "open" && socket) {
        closingByCaller = true;
        socket.close(code, reason);
        const forceTimer = clock.setTimeout(() => socket?.terminate(), 2000);
        void closed.finally(() => clock.clearTimeout(forceTimer));
      } else if (state === "connecting") {
        closingByCaller = true;
        if (socket) socket.terminate();
        else finish({ code, reason, by: "caller" });
      } else if (state === "idle") {
        finish({ code, reason, by: "caller" });
      }
      return closed;
    },
    closed,
    mediaNowMs,
    connectedAt: () => (state === "idle" || state === "connecting" ? undefined : new Date(startDateMs)),
    callerTimeline: () => ({ utterances: utterances.map((u) => ({ ...u })), digits: digits.map((d) => ({ ...d })) }),
    received: receiver.received,
    heardRuns: () => receiver.playback.runs(mediaNowMs()),
    firstHeardMs: () => receiver.playback.firstHeardMs(mediaNowMs()),
    heardAudio: () => ({ samples: receiver.playback.heardAudio(mediaNowMs()), sampleRateHz: leg.format.sampleRateHz }),
    stats: () => ({ ...receiver.stats(), framesSent: sent.frames, silentFramesSent: sent.silent, maxSendLagMs: sent.maxLagMs }),
    framesWithinMsAfterStopAudio: (windowMs) => receiver.framesWithinMsAfterStopAudio(windowMs),
    waitForBotAudio({ afterMs = 0, timeoutMs = 10_000 } = {}) {
      return waiters.waitUntil(
        () => receiver.playback.runs(mediaNowMs()).find((run) => run.startMs >= afterMs),
        timeoutMs,
        `bot audio heard at or after ${afterMs} ms`,
      );
    },
    waitForStopAudio({ afterMs = 0, timeoutMs = 10_000 } = {}) {
      return waiters.waitUntil(
        () => receiver.received.find((m) => m.kind === "stopAudio" && m.atMs >= afterMs)?.atMs,
        timeoutMs,
        `a StopAudio at or after ${afterMs} ms`,
      );
    },
    waitForBotQuiet({ quietMs = 500, timeoutMs = 30_000 } = {}) {
      return waiters.waitUntil(
        () => {
          const nowMs = mediaNowMs();
          const endMs = lastHeard();
          if (endMs === undefined || receiver.playback.queuedMsAt(nowMs) > 0) return undefined;
          return nowMs - endMs >= quietMs || state === "closed" ? endMs : undefined;
        },
        timeoutMs,
        `the bot to stop speaking for ${quietMs} ms`,
      );
    },
    waitUntil: (check, timeoutMs, what) => waiters.waitUntil(check, timeoutMs, what),
  };
}

function byteLength(data: WebSocket.RawData): number {
  if (Array.isArray(data)) return data.reduce((sum, part) => sum + part.byteLength, 0);
  return data.byteLength;
}

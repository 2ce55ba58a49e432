/**
 * A light Voice Live for load tests: the handshake events the bot waits for,
 * then — from the first response.create on — one assistant answer after
 * another, back to back, as real-time 20 ms PCM16 deltas at the rate the bot's
 * session.update asked for (24 or 16 kHz; after a head start, as TTS runs
 * ahead of real time). Caller audio is not analysed,
 * only read for its marks: which call, which frame, when it arrived. No VAD,
 * no transcripts: the bot's per-frame work is what is being measured.
 */
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";
import { markedFrames, readMarks, VOICE_LIVE_RATE_HZ } from "./marks.js";
import type { FrameScheduler, PeriodicTask } from "./scheduler.js";
import type { WindowStats } from "./window-stats.js";

export interface VoiceLivePeerOptions {
  readonly scheduler: FrameScheduler;
  readonly stats: WindowStats;
  /** The caller leg's rate: appends were resampled from it to the session's input rate (if it differs). */
  readonly legRateHz: number;
  /** Length of each answer (default 6 s); the next starts at once. */
  readonly responseMs?: number;
  /** Audio sent at once when an answer stream starts (default 200 ms). */
  readonly headStartMs?: number;
  /** Audio per response.audio.delta, whole 20 ms frames (default 20: one event per frame, the most events). */
  readonly deltaMs?: number;
  /** Every readable frame of caller audio, by its marks. */
  onCallerFrame(callIndex: number, seq: number, atMs: number): void;
  /** A call's answers start, at this PCM16 rate (the session's output format). */
  onAnswerRate?(callIndex: number, rateHz: number): void;
}

export interface VoiceLivePeer {
  readonly url: string;
  readonly sessionsOpened: number;
  readonly sessionsOpen: number;
  /** Sessions that closed without ever receiving caller audio (e.g. an unclaimed pre-warm). */
  readonly sessionsUnused: number;
  close(): Promise<void>;
}

const APPEND_PREFIX = Buffer.from('{"type":"input_audio_buffer.append"');
const AUDIO_KEY = Buffer.from('"audio":"');
const FRAME_MS = 20;

/** The PCM16 rate of a Voice Live output format (g711 is not used here). */
function outputRateOf(format: unknown): number | undefined {
  if (format === "pcm16") return 24000;
  if (format === "pcm16_16000hz") return 16000;
  if (format === "pcm16_8000hz") return 8000;
  return undefined;
}

export async function startVoiceLivePeer(options: VoiceLivePeerOptions): Promise<VoiceLivePeer> {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false, maxPayload: 4 * 1024 * 1024 });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  let opened = 0;
  let open = 0;
  let unused = 0;
  let sessionCounter = 0;

  server.on("connection", (socket: WebSocket) => {
    opened += 1;
    open += 1;
    const sessionId = `sess_lt${++sessionCounter}`;
    let callIndex = -1;
    let responseRequested = false;
    let stream: PeriodicTask | undefined;
    // As Voice Live: 24 kHz PCM16 both ways until a session.update says otherwise.
    let inputRateHz = VOICE_LIVE_RATE_HZ;
    let outputRateHz = VOICE_LIVE_RATE_HZ;
    const send = (event: object): void => socket.send(JSON.stringify(event));
    send({ type: "session.created", event_id: "e0", session: { id: sessionId } });

    const startAnswers = (): void => {
      const frames = markedFrames(outputRateHz, callIndex);
      options.onAnswerRate?.(callIndex, outputRateHz);
      const perDelta = Math.max(1, Math.round((options.deltaMs ?? FRAME_MS) / FRAME_MS));
      // A delta of perDelta frames starting at each sequence value, encoded once (640-byte frames do not
      // split on base64's 3-byte groups, so their texts cannot just be concatenated).
      const deltas = frames.map((_, first) =>
        perDelta === 1 ? frames[first]! : Buffer.concat(Array.from({ length: perDelta }, (__, k) => Buffer.from(frames[(first + k) % frames.length]!, "base64"))).toString("base64"),
      );
      const responseFrames = Math.max(perDelta, Math.round((options.responseMs ?? 6000) / FRAME_MS / perDelta) * perDelta);
      const startMs = performance.now() - (options.headStartMs ?? 200);
      let seq = 0;
      let inResponse = 0;
      let responseNo = 0;
      let prefix = "";
      let ids = { response: "", item: "" };
      stream = {
        nextDueMs: startMs,
        fire(nowMs) {
          if (socket.readyState !== 1) return;
          if (inResponse === 0) {
            responseNo += 1;
            ids = { response: `resp_${sessionId}_${responseNo}`, item: `item_${sessionId}_${responseNo}` };
            send({ type: "response.created", event_id: "e", response: { id: ids.response, object: "realtime.response", status: "in_progress", output: [] } });
            prefix = `{"type":"response.audio.delta","event_id":"e","response_id":"${ids.response}","item_id":"${ids.item}","output_index":0,"content_index":0,"delta":"`;
          }
          socket.send(`${prefix}${deltas[seq % deltas.length]!}"}`);
          options.stats.deltasSent += 1;
          seq += perDelta;
          inResponse += perDelta;
          this.nextDueMs = startMs + seq * FRAME_MS;
          if (inResponse === responseFrames) {
            inResponse = 0;
            send({ type: "response.audio.done", event_id: "e", response_id: ids.response, item_id: ids.item, output_index: 0, content_index: 0 });
            send({ type: "response.done", event_id: "e", response: { id: ids.response, object: "realtime.response", status: "completed", output: [] } });
          }
          void nowMs;
        },
      };
      options.scheduler.add(stream);
    };

    socket.on("message", (data: Buffer, isBinary: boolean) => {
      if (isBinary) return;
      if (data.length > APPEND_PREFIX.length && data.compare(APPEND_PREFIX, 0, APPEND_PREFIX.length, 0, APPEND_PREFIX.length) === 0) {
        const key = data.indexOf(AUDIO_KEY);
        if (key < 0) return;
        const start = key + AUDIO_KEY.length;
        const end = data.indexOf(34, start);
        const atMs = performance.now();
        readMarks(data, start, end, options.legRateHz, inputRateHz, (seq, index) => {
          if (seq < 0 || index < 0) {
            options.stats.unreadable += 1;
            return;
          }
          if (callIndex < 0) {
            callIndex = index;
            if (responseRequested) startAnswers();
          }
          options.onCallerFrame(index, seq, atMs);
        });
        return;
      }
      let event: { type?: unknown; session?: { input_audio_sampling_rate?: unknown; output_audio_format?: unknown } };
      try {
        event = JSON.parse(data.toString()) as typeof event;
      } catch {
        return;
      }
      if (event.type === "session.update") {
        const rate = event.session?.input_audio_sampling_rate;
        if (rate === 16000 || rate === 24000) inputRateHz = rate;
        outputRateHz = outputRateOf(event.session?.output_audio_format) ?? outputRateHz;
        send({ type: "session.updated", event_id: "e1", session: { id: sessionId } });
      } else if (event.type === "response.create" && !responseRequested) {
        responseRequested = true;
        if (callIndex >= 0) startAnswers();
      }
    });
    socket.on("close", () => {
      open -= 1;
      if (callIndex < 0) unused += 1;
      if (stream) options.scheduler.remove(stream);
    });
    socket.on("error", () => undefined);
  });

  const port = (server.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}`,
    get sessionsOpened() {
      return opened;
    },
    get sessionsOpen() {
      return open;
    },
    get sessionsUnused() {
      return unused;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}

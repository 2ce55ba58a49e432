/**
 * The emulator's HTTP + WebSocket server: upgrades on /voice-live/realtime
 * (after the handshake check, so a rejected client never gets a socket),
 * GET /events (the record of client events) and GET /health.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import pino, { type Logger } from "pino";
import { WebSocketServer, type WebSocket } from "ws";
import { createSystemClock, type Clock } from "../clock.js";
import { EmulatorConnection, type ConnectionSnapshot } from "./connection.js";
import { checkHandshake, type HandshakeAccepted, type HandshakeRejected } from "./handshake.js";
import { createRecorder, type EventRecord } from "./recorder.js";
import { DEFAULT_STREAMING, type StreamingOptions } from "./response-stream.js";
import { DEFAULT_SCENARIO, type Scenario } from "./scenario.js";
import { splitSentences } from "./sentences.js";
import { defaultVoice } from "./tts/default-voice.js";
import type { SpeechVoice } from "./voice.js";

/** Largest client message accepted (the service allows 15 MiB of audio per append, base64 adds a third). */
const MAX_MESSAGE_BYTES = 21 * 1024 * 1024;

export interface VoiceLiveEmulatorOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0 (any free port). */
  readonly port?: number;
  /** Default: the built-in local-mode script (DEFAULT_SCENARIO). */
  readonly scenario?: Scenario;
  /** Seeds ids, interim picks and fallback replies. Default 1. */
  readonly seed?: number;
  readonly logger?: Logger;
  readonly acceptApiKey?: (key: string) => boolean;
  readonly acceptBearer?: (token: string) => boolean;
  /** Refuses other api-versions with 400 (default: any version is accepted). */
  readonly acceptApiVersion?: (version: string) => boolean;
  /** Injected time: played-audio estimates, pacing, record timestamps. */
  readonly clock?: Clock;
  /** Audio delta pacing (default 2 × 100 ms of audio per 20 ms tick). */
  readonly streaming?: Partial<StreamingOptions>;
  /** Bounds of the event record (default 10,000 entries, 16 MiB). */
  readonly record?: { readonly maxEvents?: number; readonly maxBytes?: number };
  /**
   * How long a session lives: `expires_at` in session.created/updated, and at
   * that moment an `error` (`session_expired`) and close 1001. Default 30 minutes.
   */
  readonly sessionLifetimeMs?: number;
  /** What speaks: default the real synthesizer when its package is installed, else the deterministic buzz. */
  readonly voice?: SpeechVoice;
}

export const DEFAULT_SESSION_LIFETIME_MS = 30 * 60_000;
export const MAX_SESSION_LIFETIME_MS = 24 * 24 * 3_600_000;
/**
 * How long start-up waits for the default synthesizer (~0.5 s on an idle machine,
 * once per process): long enough that a call right after start is not kept
 * waiting for its first sentence, short enough that a busy machine does not
 * hold up the emulator (or the bot embedding it). Past it, speech waits instead.
 */
const VOICE_START_WAIT_MS = 3000;

export interface VoiceLiveEmulator {
  /** Base origin, e.g. ws://127.0.0.1:41234 (the realtime path is /voice-live/realtime). */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  /** The engine that speaks ("flite" or "buzz"; "flite" while it is still starting). */
  readonly voiceEngine: string;
  /** Every client event received, recorded (in-process handle). */
  readonly events: EventRecord;
  /** Snapshots of every connection so far (open and closed), in order. */
  connections(): ConnectionSnapshot[];
  connection(id: string): ConnectionSnapshot | undefined;
  /** Closes one connection from the server side (to test reconnects). Returns false if unknown or closed. */
  disconnect(id: string, code?: number, reason?: string): boolean;
  /**
   * Synthesizes `text` ahead of time (a replay knows its pregenerated greeting
   * before the call): the real service's TTS starts at once, the emulator's
   * would otherwise start only when asked. `voice`: the session's voice object.
   */
  prefetch(text: string, voice?: unknown): void;
  close(): Promise<void>;
}

/** The default voice, after waiting at most VOICE_START_WAIT_MS for its synthesizer to start. */
async function startDefaultVoice(logger: Logger): Promise<SpeechVoice> {
  const voice = defaultVoice(logger);
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([voice.ready, new Promise((resolve) => (timer = setTimeout(resolve, VOICE_START_WAIT_MS)))]);
  clearTimeout(timer);
  return voice;
}

function writeRejection(socket: Duplex, rejection: HandshakeRejected): void {
  const body = JSON.stringify({ error: { code: rejection.code, message: rejection.message } });
  const reason = { 400: "Bad Request", 401: "Unauthorized", 404: "Not Found" }[rejection.status];
  socket.end(
    `HTTP/1.1 ${rejection.status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

export async function startVoiceLiveEmulator(options: VoiceLiveEmulatorOptions = {}): Promise<VoiceLiveEmulator> {
  const clock = options.clock ?? createSystemClock();
  const logger = options.logger ?? pino({ level: "silent" });
  const scenario = options.scenario ?? DEFAULT_SCENARIO;
  const seed = options.seed ?? 1;
  const streaming: StreamingOptions = { ...DEFAULT_STREAMING, ...options.streaming };
  const recorder = createRecorder(clock, options.record);
  const sessionLifetimeMs = options.sessionLifetimeMs ?? DEFAULT_SESSION_LIFETIME_MS;
  // A timer cannot wait longer than 2^31 - 1 ms (~24.8 days): beyond that Node would fire it at once.
  if (!(sessionLifetimeMs > 0) || sessionLifetimeMs > MAX_SESSION_LIFETIME_MS) {
    throw new RangeError(`sessionLifetimeMs must be between 1 and ${MAX_SESSION_LIFETIME_MS} ms (24 days), got ${sessionLifetimeMs}`);
  }
  const voice = options.voice ?? (await startDefaultVoice(logger));
  const connections = new Map<string, EmulatorConnection>();
  const sockets = new Set<WebSocket>();
  const socketById = new Map<string, WebSocket>();
  let connectionCount = 0;

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  wss.on("error", (error) => logger.error({ err: error }, "emulator websocket server error"));

  function attach(ws: WebSocket, handshake: HandshakeAccepted): void {
    connectionCount += 1;
    const id = `c${connectionCount}`;
    sockets.add(ws);
    socketById.set(id, ws);
    const connection = new EmulatorConnection({
      id,
      index: connectionCount,
      handshake,
      scenario,
      seed,
      clock,
      logger,
      recorder,
      streaming,
      sessionLifetimeMs,
      voice,
      transport: {
        send: (text) => {
          if (ws.readyState !== ws.OPEN) return false;
          ws.send(text);
          return true;
        },
        close: (code, reason) => {
          if (ws.readyState === ws.OPEN) ws.close(code, reason);
        },
      },
    });
    connections.set(id, connection);
    ws.on("message", (data, isBinary) => {
      if (isBinary) {
        connection.handleBinary(Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : (data as Buffer).byteLength);
        return;
      }
      connection.handleText(data.toString());
    });
    ws.on("error", (error) => connection.log.warn({ err: error }, "emulator socket error"));
    ws.on("close", () => {
      sockets.delete(ws);
      socketById.delete(id);
      connection.dispose();
    });
    connection.open();
  }

  function handleHttp(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? "/", "http://emulator.local");
    const json = (status: number, body: unknown) => {
      response.writeHead(status, { "content-type": "application/json" });
      response.end(JSON.stringify(body));
    };
    if (request.method === "GET" && url.pathname === "/events") {
      const connectionId = url.searchParams.get("connection") ?? undefined;
      const type = url.searchParams.get("type") ?? undefined;
      const after = url.searchParams.get("after");
      const events = recorder.list({
        ...(connectionId === undefined ? {} : { connectionId }),
        ...(type === undefined ? {} : { type }),
        ...(after === null ? {} : { afterSeq: Number(after) }),
      });
      json(200, { events, dropped: recorder.dropped });
      return;
    }
    if (request.method === "GET" && url.pathname === "/health") {
      json(200, { status: "ok", connections: sockets.size });
      return;
    }
    json(404, { error: { code: "not_found", message: `${request.method} ${url.pathname} is not served by the Voice Live emulator.` } });
  }

  const server = createServer(handleHttp);
  server.on("clientError", (error, socket) => {
    logger.debug({ err: error }, "emulator http client error");
    socket.destroy();
  });
  server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", (error) => logger.debug({ err: error }, "emulator upgrade socket error"));
    const result = checkHandshake(request, { acceptApiKey: options.acceptApiKey, acceptBearer: options.acceptBearer, acceptApiVersion: options.acceptApiVersion });
    if (!result.ok) {
      logger.info({ status: result.status, code: result.code }, "emulator rejected a connection");
      writeRejection(socket, result);
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => attach(ws, result));
  });

  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  server.on("error", (error) => logger.error({ err: error }, "emulator http server error"));
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(":") ? `[${host}]` : host;
  logger.info({ host, port, voice: voice.engine }, "voice live emulator listening");

  let closing: Promise<void> | null = null;
  return {
    url: `ws://${urlHost}:${port}`,
    port,
    host,
    get voiceEngine() {
      return voice.engine;
    },
    events: recorder,
    connections: () => [...connections.values()].map((c) => c.snapshot()),
    connection: (id) => connections.get(id)?.snapshot(),
    prefetch(text, voiceConfig) {
      for (const piece of splitSentences(text)) voice.prefetch(piece, voiceConfig);
    },
    disconnect(id, code = 1011, reason = "emulator disconnect") {
      const ws = socketById.get(id);
      if (ws === undefined || ws.readyState !== ws.OPEN) return false;
      connections.get(id)?.dispose();
      ws.close(code, reason);
      return true;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const connection of connections.values()) connection.dispose();
        for (const ws of sockets) ws.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

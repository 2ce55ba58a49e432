/**
 * Small stand-ins for the bot, used only by the acs-sim tests: a WebSocket
 * server that records what the simulated ACS sends and lets a test answer,
 * and helpers to build test audio. Not a bot: no logic beyond recording.
 */
import { createServer, type IncomingHttpHeaders, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";

export interface RecordedFrame {
  readonly atMs: number;
  readonly text: string;
  readonly json: any;
}

export interface FakeMediaConnection {
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly frames: RecordedFrame[];
  readonly ws: WebSocket;
  readonly closed: Promise<{ code: number; reason: string }>;
  /** Resolves once `count` frames matching the predicate arrived. */
  waitForFrames(predicate: (frame: RecordedFrame) => boolean, count?: number, timeoutMs?: number): Promise<RecordedFrame[]>;
}

export interface FakeMediaServer {
  readonly url: string;
  readonly connections: FakeMediaConnection[];
  /** The first connection not yet returned by an earlier call, waiting for it if needed. */
  nextConnection(timeoutMs?: number): Promise<FakeMediaConnection>;
  /** Refuse the next upgrades with this HTTP status (undefined to accept). */
  refuseWith: number | undefined;
  close(): Promise<void>;
}

/** A media WebSocket server; `onHttp` serves plain HTTP requests on the same port (default 404). */
export async function startFakeMediaServer(onHttp?: RequestListener): Promise<FakeMediaServer> {
  const server: Server = createServer(onHttp ?? ((_request, response) => response.writeHead(404).end()));
  const wss = new WebSocketServer({ noServer: true });
  const connections: FakeMediaConnection[] = [];
  const waiting: Array<() => void> = [];
  let taken = 0;
  const self: FakeMediaServer = {
    url: "",
    connections,
    refuseWith: undefined,
    nextConnection(timeoutMs = 5000) {
      const index = taken++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("no media connection arrived")), timeoutMs);
        const check = (): void => {
          if (connections.length > index) {
            clearTimeout(timer);
            resolve(connections[index]!);
          } else waiting.push(check);
        };
        check();
      });
    },
    async close() {
      for (const connection of connections) connection.ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  server.on("upgrade", (request, socket, head) => {
    socket.on("error", () => {});
    if (self.refuseWith !== undefined) {
      const body = JSON.stringify({ error: { code: "acs_jwt_invalid", message: "token refused" } });
      socket.end(`HTTP/1.1 ${self.refuseWith} Refused\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`);
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      ws.on("error", () => {});
      const frames: RecordedFrame[] = [];
      const wakers = new Set<() => void>();
      ws.on("message", (data) => {
        const text = data.toString();
        frames.push({ atMs: performance.now(), text, json: JSON.parse(text) });
        for (const wake of [...wakers]) wake();
      });
      const connection: FakeMediaConnection = {
        url: request.url ?? "",
        headers: request.headers,
        frames,
        ws,
        closed: new Promise((resolve) => ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() }))),
        waitForFrames(predicate, count = 1, timeoutMs = 5000) {
          return new Promise((resolve, reject) => {
            const wake = (): void => {
              const matched = frames.filter(predicate);
              if (matched.length < count) return;
              clearTimeout(timer);
              wakers.delete(wake);
              resolve(matched);
            };
            const timer = setTimeout(() => {
              wakers.delete(wake);
              reject(new Error(`expected ${count} matching frames, saw ${frames.filter(predicate).length}`));
            }, timeoutMs);
            wakers.add(wake);
            wake();
          });
        },
      };
      connections.push(connection);
      for (const wake of waiting.splice(0)) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  (self as { url: string }).url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return self;
}

export function sine(frequencyHz: number, durationMs: number, sampleRateHz: number, amplitude = 8000): Int16Array {
  const samples = new Int16Array(Math.round((durationMs * sampleRateHz) / 1000));
  for (let i = 0; i < samples.length; i++) samples[i] = Math.round(amplitude * Math.sin((2 * Math.PI * frequencyHz * i) / sampleRateHz));
  return samples;
}

/** Power of one frequency in a signal (Goertzel), normalised by length². */
export function tonePower(samples: ArrayLike<number>, frequencyHz: number, sampleRateHz: number): number {
  const coefficient = 2 * Math.cos((2 * Math.PI * frequencyHz) / sampleRateHz);
  let previous = 0;
  let previous2 = 0;
  for (let i = 0; i < samples.length; i++) {
    const current = samples[i]! + coefficient * previous - previous2;
    previous2 = previous;
    previous = current;
  }
  const power = previous2 * previous2 + previous * previous - coefficient * previous * previous2;
  return power / (samples.length * samples.length);
}

export const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

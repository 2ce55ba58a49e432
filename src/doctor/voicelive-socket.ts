/** The doctor's Voice Live socket: opened with its refusal kept (status and body), events queued from the first byte. */
import WebSocket from "ws";
import { withDeadline } from "./steps.js";

export type ServerEvent = { type: string } & Record<string, unknown>;

export interface EventQueue {
  next(predicate: (e: ServerEvent) => boolean, timeoutMs: number, what: string): Promise<ServerEvent>;
  audioBytes(): number;
}

export type Opened = { readonly socket: WebSocket; readonly events: EventQueue } | { readonly status: number; readonly body: string };

export function openProbe(url: string, headers: Record<string, string>, timeoutMs: number): Promise<Opened> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers, handshakeTimeout: timeoutMs });
    // Listening from the start: the first event can arrive in the same packet as the upgrade.
    const events = eventQueue(socket);
    socket.on("unexpected-response", (_request, response) => {
      let body = "";
      response.on("data", (chunk: Buffer) => (body = (body + chunk.toString("utf8")).slice(0, 2000)));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body: body.trim() }));
      response.on("error", () => resolve({ status: response.statusCode ?? 0, body: body.trim() }));
    });
    socket.on("open", () => resolve({ socket, events }));
    socket.on("error", (error) => {
      // ws reports a handshake timeout as an error with this message.
      reject(/timed out/i.test(error.message) ? Object.assign(error, { code: "DEADLINE" }) : error);
    });
  });
}

function eventQueue(socket: WebSocket): EventQueue {
  const seen: ServerEvent[] = [];
  let audioBytes = 0;
  let wake: (() => void) | undefined;
  let closed = false;
  socket.on("message", (data) => {
    let event: ServerEvent;
    try {
      event = JSON.parse(data.toString()) as ServerEvent;
    } catch {
      return;
    }
    if (event.type === "response.audio.delta" && typeof event.delta === "string") audioBytes += Buffer.byteLength(event.delta, "base64");
    else seen.push(event);
    wake?.();
  });
  socket.on("close", () => {
    closed = true;
    wake?.();
  });
  socket.on("error", () => undefined);
  return {
    audioBytes: () => audioBytes,
    next(predicate, timeoutMs, what) {
      return withDeadline(
        new Promise<ServerEvent>((resolve, reject) => {
          const check = (): void => {
            const index = seen.findIndex(predicate);
            if (index >= 0) {
              wake = undefined;
              resolve(seen.splice(0, index + 1).pop()!);
            } else if (closed) reject(new Error(`the connection closed before ${what}`));
          };
          wake = check;
          check();
        }),
        timeoutMs,
        `waiting for ${what}`,
      );
    },
  };
}


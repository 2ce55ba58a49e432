/**
 * One raw `ws` connection to Voice Live. Typed events in, typed events out; the
 * hot path (audio append) goes out as a prebuilt string. Closes exactly once.
 */
import type { Logger } from "pino";
import WebSocket from "ws";
import { AppError, errorMessage } from "../errors.js";
import { parseServerEvent, type ClientEvent, type ServerEvent } from "./protocol.js";

export interface VoiceLiveConnection {
  readonly isOpen: boolean;
  /** Sends a client event; false (and counted by the caller) when the socket is not open. */
  send(event: ClientEvent): boolean;
  /** Sends an already-encoded event (audio append on the 20 ms path). */
  sendRaw(text: string): boolean;
  close(reason: string): void;
}

export interface ConnectionHandlers {
  onEvent(event: ServerEvent): void;
  /** The socket ended (by either side); `byUs` when close() was called. */
  onClose(info: { code: number; reason: string; byUs: boolean }): void;
}

/** Cap on buffered outgoing bytes: beyond it Voice Live is not keeping up and audio is shed (counted). */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

export function openVoiceLiveConnection(
  url: string,
  headers: Record<string, string>,
  handlers: ConnectionHandlers,
  options: { logger: Logger; connectTimeoutMs: number },
): Promise<VoiceLiveConnection> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers, handshakeTimeout: options.connectTimeoutMs, maxPayload: 16 * 1024 * 1024 });
    let opened = false;
    let closedByUs = false;
    let closeReported = false;

    const connection: VoiceLiveConnection = {
      get isOpen() {
        return socket.readyState === WebSocket.OPEN;
      },
      send(event) {
        return connection.sendRaw(JSON.stringify(event));
      },
      sendRaw(text) {
        if (socket.readyState !== WebSocket.OPEN || socket.bufferedAmount > MAX_BUFFERED_BYTES) return false;
        socket.send(text);
        return true;
      },
      close(reason) {
        if (closedByUs) return;
        closedByUs = true;
        if (socket.readyState === WebSocket.OPEN) socket.close(1000, reason.slice(0, 120));
        else socket.terminate();
      },
    };

    socket.on("unexpected-response", (_request, response) => {
      let body = "";
      response.on("data", (chunk: Buffer) => (body += chunk.toString("utf8").slice(0, 500)));
      response.on("end", () =>
        reject(
          new AppError("voicelive_connect_refused", `Voice Live refused the connection: HTTP ${response.statusCode} ${body.trim()}`, {
            retryable: (response.statusCode ?? 500) >= 500 || response.statusCode === 429,
          }),
        ),
      );
      socket.terminate();
    });
    socket.on("open", () => {
      opened = true;
      resolve(connection);
    });
    socket.on("message", (data, isBinary) => {
      if (isBinary) {
        options.logger.warn("Voice Live sent a binary frame; ignored");
        return;
      }
      let event: ServerEvent;
      try {
        event = parseServerEvent(data.toString());
      } catch (error) {
        options.logger.warn({ reason: errorMessage(error) }, "unparseable Voice Live event ignored");
        return;
      }
      handlers.onEvent(event);
    });
    socket.on("error", (error) => {
      if (!opened) reject(new AppError("voicelive_connect_failed", `Voice Live connection failed: ${error.message}`, { retryable: true, cause: error }));
      else options.logger.warn({ err: error }, "Voice Live socket error");
    });
    socket.on("close", (code, reason) => {
      if (!opened || closeReported) return;
      closeReported = true;
      handlers.onClose({ code, reason: reason.toString(), byUs: closedByUs });
    });
  });
}

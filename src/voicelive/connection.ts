/**
 * One raw `ws` connection to Voice Live. Frames are validated (server-events.ts)
 * before anyone sees them; the hot path (audio append) goes out as a prebuilt
 * string. Nothing a peer sends, and nothing a handler throws, escapes the
 * socket's listeners: both are reported to the owner. Closes exactly once.
 */
import type { Logger } from "pino";
import WebSocket from "ws";
import { AppError } from "../errors.js";
import type { ClientEvent, ServerEvent } from "./protocol.js";
import type { DropReason, ServerEventParser } from "./server-events.js";

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
  /** A frame that failed validation (never handed to onEvent). */
  onRejected(rejection: { reason: DropReason; type?: string; detail: string }): void;
  /** onEvent threw while handling an event of `eventType`. */
  onHandlerError(error: unknown, eventType: string): void;
  /** The socket ended (by either side); `byUs` when close() was called. */
  onClose(info: { code: number; reason: string; byUs: boolean }): void;
}

/** Cap on buffered outgoing bytes: beyond it Voice Live is not keeping up and audio is shed (counted). */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/**
 * Largest server frame accepted. A 100 ms audio delta is ~7 KB and a long
 * response.done a few tens of KB; parsing megabytes would stall every call on
 * the event loop. Beyond it ws closes the socket (1009) and the call reconnects.
 */
export const MAX_SERVER_FRAME_BYTES = 1024 * 1024;

export function openVoiceLiveConnection(
  url: string,
  headers: Record<string, string>,
  handlers: ConnectionHandlers,
  options: { logger: Logger; connectTimeoutMs: number; parse: ServerEventParser; signal?: AbortSignal },
): Promise<VoiceLiveConnection> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, {
      headers,
      handshakeTimeout: options.connectTimeoutMs,
      maxPayload: MAX_SERVER_FRAME_BYTES,
      // ws offers permessage-deflate by default. Base64 PCM barely compresses, and a
      // peer that accepted it would cost each call a zlib context per direction and a
      // deflate per frame: measured with a loadtest peer that accepts it, 150 calls
      // went from 71 % CPU / 247 KB per call to saturated at 2.5 MB per call.
      perMessageDeflate: false,
    });
    let opened = false;
    let closedByUs = false;
    let closeReported = false;
    const { signal } = options;
    const onAbort = (): void => {
      socket.terminate();
      reject(signal!.reason);
    };
    if (signal?.aborted) {
      onAbort();
      return;
    }
    signal?.addEventListener("abort", onAbort, { once: true });

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
      response.on("data", (chunk: Buffer) => {
        if (body.length < 500) body += chunk.toString("utf8").slice(0, 500);
      });
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
      signal?.removeEventListener("abort", onAbort);
      resolve(connection);
    });
    socket.on("message", (data: Buffer, isBinary: boolean) => {
      if (isBinary) {
        handlers.onRejected({ reason: "binary", detail: "binary frame (Voice Live sends text)" });
        return;
      }
      const parsed = options.parse(data.toString());
      if (!parsed.ok) {
        handlers.onRejected(parsed);
        return;
      }
      try {
        handlers.onEvent(parsed.event);
      } catch (error) {
        handlers.onHandlerError(error, parsed.event.type);
      }
    });
    socket.on("error", (error: Error & { code?: string }) => {
      if (!opened) {
        // The message is ws's own and already names the cause (e.g. "getaddrinfo ENOTFOUND host").
        reject(new AppError("voicelive_connect_failed", `Voice Live connection failed: ${error.message}`, { retryable: true }));
        return;
      }
      if (error.code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH") {
        handlers.onRejected({ reason: "too_large", detail: `frame over ${MAX_SERVER_FRAME_BYTES} bytes; the socket is closed` });
      } else {
        options.logger.warn({ reason: error.message, code: error.code }, "Voice Live socket error");
      }
    });
    socket.on("close", (code, reason) => {
      signal?.removeEventListener("abort", onAbort);
      if (!opened || closeReported) return;
      closeReported = true;
      handlers.onClose({ code, reason: reason.toString(), byUs: closedByUs });
    });
  });
}

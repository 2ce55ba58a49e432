/**
 * A Voice Live "man in the middle" for fault tests: the bot connects here, each
 * connection is piped to the emulator as it is, and a test can push its own
 * frames (hostile ones) toward the bot on a chosen connection.
 */
import type { AddressInfo } from "node:net";
import WebSocket, { WebSocketServer } from "ws";

export interface ProxiedConnection {
  readonly index: number;
  /** The bot side; frames pushed here reach the bot as if Voice Live sent them. */
  readonly bot: WebSocket;
  /** Server frames forwarded so far, by type. */
  readonly forwardedTypes: string[];
  /** Frames pushed by the test that were on the wire while the socket was open. */
  injected: number;
  closedCode: number | undefined;
  /** Sends one frame toward the bot; false if its socket is no longer open. */
  inject(data: string | Buffer, binary: boolean): boolean;
  /** Resolves once a forwarded server event of `type` has been seen. */
  waitForForwarded(type: string, timeoutMs: number): Promise<void>;
}

export interface VoiceLiveProxy {
  readonly url: string;
  readonly connections: ProxiedConnection[];
  waitForConnection(index: number, timeoutMs: number): Promise<ProxiedConnection>;
  close(): Promise<void>;
}

export interface VoiceLiveProxyOptions {
  /** Changes a server text frame on its way to the bot (to stage what the service may do); undefined drops it. */
  readonly rewrite?: (text: string, connection: ProxiedConnection) => string | undefined;
  /** Answers each WebSocket upgrade this late (a slow service). */
  readonly acceptDelayMs?: number;
}

export async function startVoiceLiveProxy(upstreamOrigin: string, options: VoiceLiveProxyOptions = {}): Promise<VoiceLiveProxy> {
  const server = new WebSocketServer({
    host: "127.0.0.1",
    port: 0,
    maxPayload: 64 * 1024 * 1024,
    ...(options.acceptDelayMs ? { verifyClient: (_info: unknown, done: (ok: boolean) => void) => void setTimeout(() => done(true), options.acceptDelayMs) } : {}),
  });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const connections: ProxiedConnection[] = [];
  const waiters = new Set<() => void>();
  const notify = (): void => {
    for (const wake of [...waiters]) wake();
  };

  server.on("connection", (bot, request) => {
    const upstream = new WebSocket(new URL(request.url ?? "/", upstreamOrigin.replace(/^http/, "ws")), {
      headers: Object.fromEntries(Object.entries(request.headers).filter(([k]) => k === "api-key" || k === "authorization")) as Record<string, string>,
    });
    const pendingToUpstream: Array<{ data: WebSocket.RawData; binary: boolean }> = [];
    const connection: ProxiedConnection = {
      index: connections.length,
      bot,
      forwardedTypes: [],
      injected: 0,
      closedCode: undefined,
      inject(data, binary) {
        if (bot.readyState !== WebSocket.OPEN) return false;
        bot.send(data, { binary });
        connection.injected += 1;
        return true;
      },
      waitForForwarded(type, timeoutMs) {
        return waitFor(() => connection.forwardedTypes.includes(type), timeoutMs, `forwarded ${type}`);
      },
    };
    connections.push(connection);
    upstream.on("open", () => {
      for (const frame of pendingToUpstream.splice(0)) upstream.send(frame.data, { binary: frame.binary });
    });
    upstream.on("message", (data, binary) => {
      if (bot.readyState !== WebSocket.OPEN) return;
      if (binary) {
        bot.send(data, { binary });
        return;
      }
      const text = options.rewrite ? options.rewrite(data.toString(), connection) : data.toString();
      if (text === undefined) return;
      connection.forwardedTypes.push((JSON.parse(text) as { type: string }).type);
      bot.send(text);
      notify();
    });
    bot.on("message", (data, binary) => {
      if (upstream.readyState === WebSocket.OPEN) upstream.send(data, { binary });
      else if (upstream.readyState === WebSocket.CONNECTING) pendingToUpstream.push({ data, binary });
    });
    bot.on("close", (code) => {
      connection.closedCode = code;
      upstream.close();
      notify();
    });
    upstream.on("close", () => bot.close());
    bot.on("error", () => undefined);
    upstream.on("error", () => bot.terminate());
    notify();
  });

  function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const wake = (): void => {
        if (!check()) return;
        clearTimeout(timer);
        waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(() => {
        waiters.delete(wake);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      waiters.add(wake);
      wake();
    });
  }

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections,
    async waitForConnection(index, timeoutMs) {
      await waitFor(() => connections.length > index, timeoutMs, `Voice Live connection #${index}`);
      return connections[index]!;
    },
    close() {
      for (const client of server.clients) client.terminate();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

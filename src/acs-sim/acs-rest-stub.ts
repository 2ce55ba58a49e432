/**
 * A local stub of the ACS Call Automation REST endpoint, for the real SDK to talk
 * to (`endpoint=http://127.0.0.1:<port>/;accesskey=…`). It checks the SDK's
 * HMAC-SHA256 request signature like ACS does (recording the requests it refuses),
 * records every request, and answers with the documented shapes. Delays and
 * failures can be injected.
 */
import { createHash, createHmac, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedAcsRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: unknown;
  readonly atMs: number;
  /** For answer: the call connection id the stub assigned. */
  readonly callConnectionId: string | undefined;
}

export type AcsOperation = "answer" | "hangUp" | "terminate" | "transfer";

/** A request refused for its credentials (the HMAC signature does not match the access key), as ACS refuses it. */
export interface RefusedAcsRequest {
  readonly method: string;
  readonly path: string;
  readonly status: 401;
  readonly atMs: number;
}

/** An ACS error reply: HTTP status plus the body's error code and message. */
export interface AcsErrorReply {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

/**
 * Lets a simulator decide what ACS knows about calls: which incoming calls can
 * be answered (and their ids), and which connections still exist. Without one,
 * every answer succeeds and every connection exists.
 */
export interface AcsCallResolver {
  /** Accept an answer request with the call's ids, or refuse it like ACS would. */
  answer(body: unknown, callConnectionId: string): { accept: { serverCallId: string; correlationId: string } } | { reject: AcsErrorReply };
  /** Mid-call operations on a connection that no longer exists get 404. */
  connectionExists(callConnectionId: string): boolean;
}

export interface AcsRestStub {
  readonly endpoint: string;
  readonly accessKey: string;
  readonly connectionString: string;
  readonly requests: readonly RecordedAcsRequest[];
  /** Requests refused for their credentials (signed with another access key). */
  readonly refusals: readonly RefusedAcsRequest[];
  /** Delay (ms) before replying to an operation. */
  delay(operation: AcsOperation, ms: number): void;
  /** Reply to an operation with this HTTP status instead of success. */
  fail(operation: AcsOperation, status: number): void;
  /** Installs (or removes) the simulator that decides answers and which connections exist. */
  setCallResolver(resolver: AcsCallResolver | undefined): void;
  /** Called once a request was accepted (after the reply is sent). */
  onRequest(listener: (request: RecordedAcsRequest, operation: AcsOperation) => void): void;
  /** Resolves when `count` requests matching the predicate have been recorded. */
  waitFor(predicate: (request: RecordedAcsRequest) => boolean, count?: number, timeoutMs?: number): Promise<RecordedAcsRequest[]>;
  close(): Promise<void>;
}

export async function startAcsRestStub(options: { host?: string; port?: number; accessKey?: string } = {}): Promise<AcsRestStub> {
  const accessKey = options.accessKey ?? Buffer.from(randomUUID()).toString("base64");
  const requests: RecordedAcsRequest[] = [];
  const refusals: RefusedAcsRequest[] = [];
  const delays = new Map<AcsOperation, number>();
  const failures = new Map<AcsOperation, number>();
  const listeners: Array<(request: RecordedAcsRequest, operation: AcsOperation) => void> = [];
  const waiters = new Set<() => void>();
  let resolver: AcsCallResolver | undefined;

  const server: Server = createServer((incoming, response) => {
    void (async () => {
      const raw = await readBody(incoming);
      const url = new URL(incoming.url ?? "/", "http://stub");
      const reply = (status: number, body?: unknown): void => {
        response.writeHead(status, { "content-type": "application/json" });
        response.end(body === undefined ? "" : JSON.stringify(body));
      };
      if (!checkSignature(incoming, url, raw, accessKey)) {
        refusals.push({ method: incoming.method ?? "", path: url.pathname, status: 401, atMs: performance.now() });
        reply(401, { error: { code: "Unauthorized", message: "HMAC signature does not match" } });
        return;
      }
      const route = matchRoute(incoming.method ?? "GET", url.pathname);
      if (!route) {
        reply(404, { error: { code: "NotFound", message: `no ACS operation ${incoming.method} ${url.pathname}` } });
        return;
      }
      let body: unknown;
      try {
        body = raw.length > 0 ? JSON.parse(raw.toString("utf8")) : undefined;
      } catch {
        reply(400, { error: { code: "BadRequest", message: "body is not JSON" } });
        return;
      }
      const callConnectionId = route.operation === "answer" ? randomUUID() : route.callConnectionId;
      const recorded: RecordedAcsRequest = {
        method: incoming.method ?? "",
        path: url.pathname,
        query: url.searchParams,
        body,
        atMs: performance.now(),
        callConnectionId,
      };
      requests.push(recorded);
      for (const wake of [...waiters]) wake();
      if (route.operation === "get") {
        // Read-only: a connection the simulator knows, or 404 as ACS answers for an unknown id.
        if (resolver && !resolver.connectionExists(route.callConnectionId!)) {
          reply(404, { error: { code: "8522", message: "Call connection not found." } });
        } else {
          reply(200, { callConnectionId: route.callConnectionId, callConnectionState: "connected" });
        }
        return;
      }
      const delayMs = delays.get(route.operation) ?? 0;
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      const failStatus = failures.get(route.operation);
      if (failStatus !== undefined) {
        reply(failStatus, { error: { code: "InjectedFailure", message: `stub configured to fail ${route.operation}` } });
        return;
      }
      const resolution = resolver && route.operation === "answer" ? resolver.answer(body, callConnectionId!) : undefined;
      const refusal: AcsErrorReply | undefined =
        resolution && "reject" in resolution
          ? resolution.reject
          : resolver && route.operation !== "answer" && !resolver.connectionExists(callConnectionId!)
            ? { status: 404, code: "8522", message: "Call connection not found." }
            : undefined;
      if (refusal) {
        reply(refusal.status, { error: { code: refusal.code, message: refusal.message } });
        return;
      }
      switch (route.operation) {
        case "answer": {
          const request = body as { callbackUri?: string; incomingCallContext?: string };
          const ids = resolution && "accept" in resolution ? resolution.accept : undefined;
          reply(200, {
            callConnectionId,
            serverCallId: ids?.serverCallId ?? Buffer.from(`server-call-${callConnectionId}`).toString("base64"),
            callbackUri: request.callbackUri,
            callConnectionState: "connecting",
            targets: [],
            correlationId: ids?.correlationId ?? randomUUID(),
            answeredBy: { id: "8:acs:bot" },
          });
          break;
        }
        case "transfer":
          reply(202, { operationContext: (body as { operationContext?: string } | undefined)?.operationContext });
          break;
        case "hangUp":
        case "terminate":
          reply(204);
          break;
      }
      for (const listener of listeners) listener(recorded, route.operation);
    })().catch(() => {
      if (!response.headersSent) response.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}/`;

  return {
    endpoint,
    accessKey,
    connectionString: `endpoint=${endpoint};accesskey=${accessKey}`,
    requests,
    refusals,
    delay: (operation, ms) => void delays.set(operation, ms),
    fail: (operation, status) => void failures.set(operation, status),
    setCallResolver: (next) => void (resolver = next),
    onRequest: (listener) => void listeners.push(listener),
    waitFor: (predicate, count = 1, timeoutMs = 5000) =>
      new Promise((resolve, reject) => {
        const check = (): boolean => {
          const matched = requests.filter(predicate);
          if (matched.length < count) return false;
          cleanup();
          resolve(matched);
          return true;
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`ACS stub: expected ${count} matching request(s) within ${timeoutMs} ms, saw ${requests.filter(predicate).length}`));
        }, timeoutMs);
        const cleanup = (): void => {
          clearTimeout(timer);
          waiters.delete(wake);
        };
        const wake = (): void => void check();
        waiters.add(wake);
        check();
      }),
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function matchRoute(method: string, path: string): { operation: AcsOperation | "get"; callConnectionId?: string } | undefined {
  if (method === "POST" && path === "/calling/callConnections:answer") return { operation: "answer" };
  const match = /^\/calling\/callConnections\/([^/:]+)(?::(\w+))?$/.exec(path);
  if (!match) return undefined;
  const callConnectionId = decodeURIComponent(match[1]!);
  if (method === "GET" && match[2] === undefined) return { operation: "get", callConnectionId };
  if (method === "DELETE" && match[2] === undefined) return { operation: "hangUp", callConnectionId };
  if (method === "POST" && match[2] === "terminate") return { operation: "terminate", callConnectionId };
  if (method === "POST" && match[2] === "transferToParticipant") return { operation: "transfer", callConnectionId };
  return undefined;
}

/** ACS HMAC auth: HMAC-SHA256(key, "VERB\npath?query\ndate;host;contentHash"). */
function checkSignature(request: IncomingMessage, url: URL, body: Buffer, accessKey: string): boolean {
  const authorization = request.headers.authorization ?? "";
  const match = /^HMAC-SHA256 SignedHeaders=([^&]+)&Signature=(.+)$/.exec(authorization);
  const date = request.headers["x-ms-date"];
  const contentHash = request.headers["x-ms-content-sha256"];
  if (!match || typeof date !== "string" || typeof contentHash !== "string") return false;
  if (createHash("sha256").update(body).digest("base64") !== contentHash) return false;
  const query = url.searchParams.toString();
  const pathAndQuery = query ? `${url.pathname}?${query}` : url.pathname;
  const stringToSign = `${request.method}\n${pathAndQuery}\n${date};${request.headers.host};${contentHash}`;
  const expected = createHmac("sha256", Buffer.from(accessKey, "base64")).update(stringToSign).digest("base64");
  return expected === match[2];
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

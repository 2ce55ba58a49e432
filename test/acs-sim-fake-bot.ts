/**
 * A stand-in bot for the simulator's own tests (the real bot's media route is
 * not ready): records what ACS posts, answers through the real Call
 * Automation SDK against the simulator's REST stub, and serves a media
 * WebSocket that only records. Its behaviour is set by each test.
 */
import { CallAutomationClient, type MediaStreamingOptions } from "@azure/communication-call-automation";
import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import { startFakeMediaServer, type FakeMediaServer } from "./acs-sim-fake-peers.js";

export const PUBLIC_BOT = "https://bot.example.test";

export interface PostedRequest {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: any;
  readonly atMs: number;
}

export interface FakeBot {
  readonly baseUrl: string;
  readonly media: FakeMediaServer;
  readonly client: CallAutomationClient;
  readonly webhooks: PostedRequest[];
  readonly callbacks: PostedRequest[];
  /** Callback event types in arrival order. */
  callbackTypes(): string[];
  /** How the bot answers each IncomingCall (undefined: it does not answer). */
  answerWith: { callbackUri?: string; operationContext?: string; mediaStreamingOptions?: MediaStreamingOptions | undefined } | undefined;
  /** Results of the bot's answer attempts. */
  readonly answers: Array<{ callConnectionId?: string; error?: { statusCode?: number; message: string } }>;
  close(): Promise<void>;
}

export function defaultMediaOptions(overrides: Partial<MediaStreamingOptions> = {}): MediaStreamingOptions {
  return {
    transportType: "websocket",
    transportUrl: `wss://bot.example.test/media?ctx=signed-context`,
    contentType: "audio",
    audioChannelType: "mixed",
    startMediaStreaming: true,
    enableBidirectional: true,
    audioFormat: "pcm16KMono",
    ...overrides,
  } as MediaStreamingOptions;
}

export async function startFakeBot(connectionString: string): Promise<FakeBot> {
  const client = new CallAutomationClient(connectionString, { allowInsecureConnection: true });
  const webhooks: PostedRequest[] = [];
  const callbacks: PostedRequest[] = [];
  const answers: FakeBot["answers"] = [];
  const bot = {
    webhooks,
    callbacks,
    answers,
    client,
    answerWith: { mediaStreamingOptions: defaultMediaOptions() } as FakeBot["answerWith"],
  };
  const answer = async (incomingCallContext: string): Promise<void> => {
    const how = bot.answerWith;
    if (!how) return;
    try {
      const result = await client.answerCall(incomingCallContext, how.callbackUri ?? `${PUBLIC_BOT}/api/callbacks`, {
        mediaStreamingOptions: how.mediaStreamingOptions,
        operationContext: how.operationContext ?? "answer",
      });
      answers.push({ callConnectionId: result.callConnectionProperties.callConnectionId });
    } catch (error) {
      const { statusCode, message } = error as { statusCode?: number; message: string };
      answers.push({ error: { statusCode, message } });
    }
  };
  const media = await startFakeMediaServer((request, response) => {
    void readJson(request).then((body) => {
      const url = new URL(request.url ?? "/", "http://bot");
      const posted = { path: `${url.pathname}${url.search}`, headers: request.headers, body, atMs: performance.now() };
      if (url.pathname === "/api/incoming-call") {
        webhooks.push(posted);
        response.writeHead(200).end();
        for (const event of body as any[]) {
          if (event.eventType === "Microsoft.Communication.IncomingCall") void answer(event.data.incomingCallContext);
        }
        return;
      }
      if (url.pathname === "/api/callbacks") {
        callbacks.push(posted);
        response.writeHead(200).end();
        return;
      }
      response.writeHead(404).end();
    });
  });
  return Object.assign(bot, {
    baseUrl: media.url.replace(/^ws:/, "http:"),
    media,
    callbackTypes: () => callbacks.flatMap((posted) => (posted.body as any[]).map((event) => String(event.type).replace("Microsoft.Communication.", ""))),
    close: () => media.close(),
  }) as FakeBot;
}

function readJson(request: IncomingMessage): Promise<unknown> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      try {
        resolve(text ? JSON.parse(text) : undefined);
      } catch {
        resolve(text);
      }
    });
    request.on("error", () => resolve(undefined));
  });
}

/**
 * The floor the load test measures the bot against (`npm run loadtest -- --floor`):
 * the least a relay on this stack can do for a call — the same four WebSocket
 * messages per call per 20 ms as the bot, over the same libraries (fastify,
 * @fastify/websocket, ws with bufferutil), and nothing else. Each caller frame's
 * base64 is cut out of the ACS JSON by position and wrapped into an append; each
 * Voice Live delta's base64 is wrapped into an ACS audioData frame and sent at
 * once. No validation, no parsing of audio events, no pacing, no barge-in, no
 * resampling (Voice Live runs at the leg's rate), no logs, no metrics beyond
 * Node's own. Not a product: what the bot costs above this is what its own work
 * costs; the floor itself is Node, ws and the kernel's loopback.
 */
import { CallAutomationClient } from "@azure/communication-call-automation";
import fastifyWebsocket from "@fastify/websocket";
import Fastify from "fastify";
import { collectDefaultMetrics, Registry } from "prom-client";
import WebSocket from "ws";

const port = Number(process.env.PORT);
const host = process.env.HOST ?? "127.0.0.1";
const publicBaseUrl = process.env.PUBLIC_BASE_URL!;
const voiceLiveUrl = process.env.VOICELIVE_ENDPOINT!;
const rateHz = process.env.ACS_AUDIO_FORMAT === "pcm16KMono" ? 16000 : 24000;
// The load test's ACS is a loopback HTTP stub.
const acs = new CallAutomationClient(process.env.ACS_CONNECTION_STRING!, { allowInsecureConnection: true });

const registry = new Registry();
collectDefaultMetrics({ register: registry });

const DELTA_PREFIX = '{"type":"response.audio.delta"';
const DELTA_KEY = '"delta":"';
const DATA_KEY = '"data":"';

interface FloorCall {
  voiceLive?: WebSocket;
  media?: WebSocket;
  ready: boolean;
}
const calls = new Map<string, FloorCall>();
let nextId = 0;

function openVoiceLive(call: FloorCall): WebSocket {
  const socket = new WebSocket(`${voiceLiveUrl.replace(/^http/, "ws")}/voice-live/realtime?api-version=2026-07-15&model=gpt-4.1`, {
    headers: { "api-key": process.env.VOICELIVE_API_KEY ?? "floor" },
    perMessageDeflate: false,
  });
  socket.on("open", () => {
    const output = rateHz === 16000 ? "pcm16_16000hz" : "pcm16";
    socket.send(JSON.stringify({ type: "session.update", session: { input_audio_format: "pcm16", input_audio_sampling_rate: rateHz, output_audio_format: output } }));
  });
  socket.on("message", (data: Buffer) => {
    const text = data.toString();
    if (text.startsWith(DELTA_PREFIX)) {
      const start = text.indexOf(DELTA_KEY) + DELTA_KEY.length;
      const base64 = text.slice(start, text.indexOf('"', start));
      call.media?.send(`{"kind":"audioData","audioData":{"data":"${base64}","isSilent":false},"stopAudio":{}}`);
      return;
    }
    const event = JSON.parse(text) as { type?: string };
    if (event.type === "session.updated" && !call.ready) {
      call.ready = true;
      socket.send('{"type":"response.create"}');
    }
  });
  socket.on("error", () => undefined);
  return socket;
}

const app = Fastify();
await app.register(fastifyWebsocket, { options: { maxPayload: 256 * 1024 } });
app.get("/readyz", async () => ({ ok: true }));
app.get("/metrics", async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()));
app.post("/api/callbacks", async () => ({}));
app.post("/api/incoming-call", async (request) => {
  for (const item of request.body as Array<{ eventType?: string; data?: { incomingCallContext?: string } }>) {
    const context = item.data?.incomingCallContext;
    if (item.eventType !== "Microsoft.Communication.IncomingCall" || !context) continue;
    const id = String(++nextId);
    const call: FloorCall = { ready: false };
    call.voiceLive = openVoiceLive(call);
    calls.set(id, call);
    void acs
      .answerCall(context, `${publicBaseUrl}/api/callbacks`, {
        mediaStreamingOptions: {
          transportType: "websocket",
          transportUrl: `${publicBaseUrl.replace(/^http/, "ws")}/media/${id}`,
          contentType: "audio",
          audioChannelType: "mixed",
          startMediaStreaming: true,
          enableBidirectional: true,
          audioFormat: rateHz === 16000 ? "pcm16KMono" : "pcm24KMono",
        },
        abortSignal: AbortSignal.timeout(10_000),
      })
      .catch((error: unknown) => console.error("floor: answer failed", error));
  }
  return {};
});
app.register(async (scope) => {
  scope.get("/media/:id", { websocket: true }, (socket, request) => {
    const call = calls.get((request.params as { id: string }).id);
    if (!call) return socket.close();
    call.media = socket;
    socket.on("message", (data: Buffer) => {
      const text = data.toString();
      const key = text.indexOf(DATA_KEY);
      if (key < 0 || !call.ready) return;
      const start = key + DATA_KEY.length;
      call.voiceLive!.send(`{"type":"input_audio_buffer.append","audio":"${text.slice(start, text.indexOf('"', start))}"}`);
    });
    socket.on("close", () => {
      call.voiceLive!.close();
      calls.delete((request.params as { id: string }).id);
    });
  });
});
await app.listen({ port, host });

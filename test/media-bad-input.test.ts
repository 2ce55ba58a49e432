import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { incomingCallEvent, postJson, scrapeMetrics, startHarness, type Harness } from "./support/bot-harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Rings the bot and opens the media socket by hand, as ACS would, to send it what ACS never would. */
async function openMedia(harness: Harness): Promise<{ ws: WebSocket; received: Array<Record<string, any>>; callConnectionId: string }> {
  const event = incomingCallEvent();
  await postJson(`${harness.baseUrl}/api/incoming-call`, [event]);
  const [answer] = await harness.acs.waitFor((r) => r.path.endsWith(":answer"));
  await harness.bot.calls.settle();
  const transport = new URL((answer!.body as any).mediaStreamingOptions.transportUrl);
  const ws = new WebSocket(`${harness.baseUrl.replace("http", "ws")}/media${transport.search}`, {
    headers: {
      authorization: `Bearer ${await harness.issuer.mint({ expiresInS: 86_400 })}`,
      "x-ms-call-connection-id": answer!.callConnectionId!,
      "x-ms-call-correlation-id": event.data.correlationId,
    },
  });
  const received: Array<Record<string, any>> = [];
  ws.on("message", (data) => received.push(JSON.parse(data.toString())));
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  return { ws, received, callConnectionId: answer!.callConnectionId! };
}

describe("media socket bad input", () => {
  it("drops malformed frames with a counter and keeps the call going", async () => {
    h = await startHarness();
    const { ws, received } = await openMedia(h);
    ws.send("this is not json");
    ws.send(Buffer.from([1, 2, 3]));
    ws.send(JSON.stringify({ kind: "SomethingNew", somethingNew: {} }));
    ws.send(JSON.stringify({ kind: "AudioData", audioData: { timestamp: new Date().toISOString() } }));
    ws.send(JSON.stringify({ kind: "AudioMetadata", audioMetadata: { encoding: "PCM", sampleRate: 24000, channels: 1, length: 960 } }));
    // An odd-length PCM16 payload: its last byte is carried, later samples are not shifted, nothing breaks.
    ws.send(JSON.stringify({ kind: "AudioData", audioData: { data: Buffer.alloc(961).toString("base64"), silent: true } }));
    const deadline = Date.now() + 5000;
    while (!received.some((m) => m.kind === "audioData") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(received.some((m) => m.kind === "audioData")).toBe(true);
    const metrics = await scrapeMetrics(h.baseUrl);
    expect(metrics).toMatch(/bot_media_frames_dropped_total\{reason="malformed"\} 2/);
    expect(metrics).toMatch(/bot_media_frames_dropped_total\{reason="binary"\} 1/);
    expect(metrics).toMatch(/bot_media_frames_dropped_total\{reason="unknown_kind"\} 1/);
    expect(ws.readyState).toBe(WebSocket.OPEN);
    ws.close();
  });

  it("counts every frame of a flood of garbage but logs it at a bounded rate, keyed by the call", async () => {
    const lines: Array<Record<string, any>> = [];
    h = await startHarness({}, { logger: pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line)) }) });
    const { ws, callConnectionId } = await openMedia(h);
    for (let i = 0; i < 200; i++) ws.send(i % 2 === 0 ? "this is not json" : Buffer.from([i]));
    ws.send(JSON.stringify({ kind: "AudioMetadata", audioMetadata: { encoding: "PCM", sampleRate: 24000, channels: 1, length: 960 } }));
    const deadline = Date.now() + 10_000;
    let metrics = "";
    while (!/reason="binary"\} 100\b/.test(metrics) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      metrics = await scrapeMetrics(h.baseUrl);
    }
    expect(metrics).toMatch(/bot_media_frames_dropped_total\{reason="malformed"\} 100\b/);
    expect(metrics).toMatch(/bot_media_frames_dropped_total\{reason="binary"\} 100\b/);
    const dropped = lines.filter((line) => line.msg === "media frames dropped");
    expect(dropped.length).toBeGreaterThan(0);
    // At most 5 lines in any 10 s (the limiter's window), however long the flood took to arrive.
    for (const line of dropped) expect(dropped.filter((other) => other.time <= line.time && other.time > line.time - 10_000).length).toBeLessThanOrEqual(5);
    expect(dropped.every((line) => line.callConnectionId === callConnectionId)).toBe(true);
    ws.close();
  });

  it("hangs up rather than leave the caller in silence when the media format is unusable", async () => {
    h = await startHarness();
    const { ws, callConnectionId } = await openMedia(h);
    ws.send(JSON.stringify({ kind: "AudioMetadata", audioMetadata: { encoding: "OPUS", sampleRate: 48000, channels: 2, length: 1920 } }));
    const [hangUp] = await h.acs.waitFor((r) => r.path === `/calling/callConnections/${callConnectionId}:terminate`, 1, 5000);
    expect(hangUp).toBeDefined();
    await new Promise((resolve) => ws.once("close", resolve));
  });
});

import { afterEach, describe, expect, it } from "vitest";
import { startVoiceLiveEmulator, type VoiceLiveEmulator } from "../src/emulator/index.js";
import { TestClient, pcmBytes, sendAudio, silence24k } from "./emulator-helpers.js";

let emulator: VoiceLiveEmulator;
const clients: TestClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  await emulator?.close();
});

async function connect(): Promise<TestClient> {
  const client = await TestClient.connect(emulator);
  clients.push(client);
  return client;
}

describe("Voice Live emulator: the record of client events", () => {
  it("records every client event with connection id, sequence and timestamps; appends keep byte counts, never audio", async () => {
    emulator = await startVoiceLiveEmulator({ port: 0 });
    const a = await connect();
    const b = await connect();
    a.send({ type: "session.update", event_id: "evt-a1", session: { instructions: "Be brief." } });
    await a.next("session.updated");
    sendAudio(a, pcmBytes(silence24k(200)), 960); // 10 appends of 960 bytes
    a.send({ type: "input_audio_buffer.clear" });
    await a.next("input_audio_buffer.cleared");
    sendAudio(a, pcmBytes(silence24k(40)), 960);
    b.send({ type: "response.cancel" });
    await b.next("error");
    await emulator.events.waitFor((e) => e.connectionId === "c1" && e.type === "input_audio_buffer.append" && e.seq > 3);

    const forA = emulator.events.list({ connectionId: "c1" });
    expect(forA.map((e) => e.type)).toEqual(["session.update", "input_audio_buffer.append", "input_audio_buffer.clear", "input_audio_buffer.append"]);
    expect(forA[0].event).toMatchObject({ type: "session.update", event_id: "evt-a1", session: { instructions: "Be brief." } });
    expect(forA[1].event).toMatchObject({ type: "input_audio_buffer.append", chunks: 10, audioBytes: 9600 });
    expect(forA[1].event).not.toHaveProperty("audio");
    expect(forA[3].event).toMatchObject({ chunks: 2, audioBytes: 1920 });
    expect(new Date(forA[0].receivedAt).toString()).not.toBe("Invalid Date");
    const seqs = emulator.events.list().map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    expect(emulator.events.list({ connectionId: "c2" }).map((e) => e.type)).toEqual(["response.cancel"]);
    expect(JSON.stringify(emulator.events.list())).not.toMatch(/AAAAAAAA/); // no base64 audio anywhere
  });

  it("serves the record as JSON on GET /events, filtered by connection, type and sequence", async () => {
    emulator = await startVoiceLiveEmulator({ port: 0 });
    const a = await connect();
    const b = await connect();
    a.send({ type: "response.cancel" });
    await a.next("error");
    b.send({ type: "session.update", session: { temperature: 0.7 } });
    await b.next("session.updated");
    const http = emulator.url.replace(/^ws/, "http");
    const all = (await (await fetch(`${http}/events`)).json()) as any;
    expect(all.dropped).toBe(0);
    expect(all.events.map((e: any) => [e.connectionId, e.type])).toEqual([
      ["c1", "response.cancel"],
      ["c2", "session.update"],
    ]);
    const onlyB = (await (await fetch(`${http}/events?connection=c2`)).json()) as any;
    expect(onlyB.events).toHaveLength(1);
    const byType = (await (await fetch(`${http}/events?type=response.cancel`)).json()) as any;
    expect(byType.events.map((e: any) => e.connectionId)).toEqual(["c1"]);
    const after = (await (await fetch(`${http}/events?after=${all.events[0].seq}`)).json()) as any;
    expect(after.events.map((e: any) => e.type)).toEqual(["session.update"]);
  });

  it("is bounded: the oldest entries go first and are counted as dropped", async () => {
    emulator = await startVoiceLiveEmulator({ port: 0, record: { maxEvents: 5, maxBytes: 4096 } });
    const a = await connect();
    for (let i = 0; i < 12; i++) a.send({ type: "session.update", event_id: `u${i}`, session: { temperature: 0.8 } });
    await a.waitUntil(() => a.all("session.updated").length === 12);
    const kept = emulator.events.list();
    expect(kept.map((e) => e.event.event_id)).toEqual(["u7", "u8", "u9", "u10", "u11"]);
    expect(emulator.events.dropped).toBe(7);

    // A few big events hit the byte bound before the count bound.
    a.send({ type: "session.update", event_id: "big1", session: { instructions: "x".repeat(3000) } });
    a.send({ type: "session.update", event_id: "big2", session: { instructions: "y".repeat(3000) } });
    await a.waitUntil(() => a.all("session.updated").length === 14);
    expect(emulator.events.list().map((e) => e.event.event_id)).toEqual(["big2"]);
    expect(emulator.events.dropped).toBe(13); // u7..u11 and big1
  });
});

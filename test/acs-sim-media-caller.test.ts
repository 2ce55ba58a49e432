import { createRemoteJWKSet, jwtVerify } from "jose";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MULAW_DECODE_TABLE } from "../src/audio/mulaw.js";
import { createMediaCaller, type MediaCaller, type MediaCallerOptions } from "../src/acs-sim/media-caller.js";
import { startTokenIssuer, type TokenIssuer } from "../src/acs-sim/token-issuer.js";
import { delay, sine, startFakeMediaServer, tonePower, type FakeMediaServer, type RecordedFrame } from "./acs-sim-fake-peers.js";

const RESOURCE_ID = "5f6c3a2e-8a41-4d5b-9c1e-2b7d0e4f1a93";
const isAudio = (frame: RecordedFrame) => frame.json.kind === "AudioData";
const payloadOf = (frame: RecordedFrame) => Buffer.from(frame.json.audioData.data, "base64");

describe("MediaCaller: the ACS side of the media socket", () => {
  let server: FakeMediaServer;
  let issuer: TokenIssuer;
  const callers: MediaCaller[] = [];

  beforeEach(async () => {
    server = await startFakeMediaServer();
    issuer = await startTokenIssuer({ audience: RESOURCE_ID });
  });
  afterEach(async () => {
    await Promise.all(callers.splice(0).map((caller) => caller.close()));
    await server.close();
    await issuer.close();
  });

  const makeCaller = (overrides: Partial<MediaCallerOptions> = {}): MediaCaller => {
    const caller = createMediaCaller({
      url: `${server.url}/media?ctx=signed-context&x=1`,
      token: () => issuer.mint({ expiresInS: 24 * 3600 }),
      callConnectionId: "conn-1",
      correlationId: "corr-1",
      leg: "pcm24k",
      ...overrides,
    });
    callers.push(caller);
    return caller;
  };

  it("connects with ACS's upgrade headers and a 24 h media token, keeping the transportUrl query", async () => {
    const caller = makeCaller();
    await caller.connect();
    const connection = await server.nextConnection();
    expect(connection.url).toBe("/media?ctx=signed-context&x=1");
    expect(connection.headers["x-ms-call-connection-id"]).toBe("conn-1");
    expect(connection.headers["x-ms-call-correlation-id"]).toBe("corr-1");
    const token = /^Bearer (.+)$/.exec(connection.headers.authorization ?? "")?.[1];
    expect(token).toBeDefined();
    const { payload } = await jwtVerify(token!, createRemoteJWKSet(new URL(issuer.jwksUrl)), {
      issuer: "https://acscallautomation.communication.azure.com",
      audience: RESOURCE_ID,
    });
    expect(payload.exp! - payload.iat!).toBe(24 * 3600);
  });

  it("sends AudioMetadata first, then silent 20 ms AudioData frames while the caller says nothing", async () => {
    const caller = makeCaller({ participantRawId: "4:+12065550000" });
    await caller.connect();
    const connection = await server.nextConnection();
    await connection.waitForFrames(isAudio, 5);
    const [first, ...rest] = connection.frames;
    expect(first!.json).toEqual({
      kind: "AudioMetadata",
      audioMetadata: { subscriptionId: caller.subscriptionId, encoding: "PCM", sampleRate: 24000, channels: 1, length: 960 },
    });
    const audio = rest.filter(isAudio);
    expect(audio.length).toBe(rest.length);
    for (const frame of audio) {
      expect(Object.keys(frame.json.audioData).sort()).toEqual(["data", "participantRawID", "silent", "timestamp"]);
      expect(frame.json.audioData.participantRawID).toBe("4:+12065550000");
      expect(frame.json.audioData.silent).toBe(true);
      expect(payloadOf(frame)).toEqual(Buffer.alloc(960));
    }
    // Timestamps are ISO and advance by exactly one frame of audio.
    const times = audio.map((frame) => Date.parse(frame.json.audioData.timestamp));
    expect(audio[0]!.json.audioData.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBe(20);
  });

  it.each([
    ["pcm16k", "PCM", 16000, 640, 0x00],
    ["mulaw8k", "mulaw", 8000, 160, 0xff],
  ] as const)("streams the %s leg: %s at %d Hz, %d-byte frames", async (leg, encoding, sampleRate, length, silenceByte) => {
    const caller = makeCaller({ leg });
    await caller.connect();
    const connection = await server.nextConnection();
    const [frame] = await connection.waitForFrames(isAudio);
    expect(connection.frames[0]!.json.audioMetadata).toMatchObject({ encoding, sampleRate, channels: 1, length });
    expect(payloadOf(frame!)).toEqual(Buffer.alloc(length, silenceByte));
  });

  it("paces frames at real time, and four times faster at speed 4", async () => {
    for (const speed of [1, 4]) {
      const caller = makeCaller({ speed });
      await caller.connect();
      const connection = await server.nextConnection();
      await connection.waitForFrames(isAudio, 3);
      const countAt = () => [connection.frames.filter(isAudio).length, performance.now()] as const;
      const [before, startMs] = countAt();
      await delay(600);
      const [after, endMs] = countAt();
      await caller.close();
      // One frame per 20 ms / speed of the window actually elapsed; loose bounds, the machine is noisy.
      const expected = ((endMs - startMs) / 20) * speed;
      expect(after - before, `speed ${speed}`).toBeGreaterThanOrEqual(Math.floor(expected * 0.7));
      expect(after - before, `speed ${speed}`).toBeLessThanOrEqual(Math.ceil(expected * 1.3));
    }
  });

  it("reports a refused upgrade with its HTTP status", async () => {
    server.refuseWith = 401;
    const caller = makeCaller();
    const error = await caller.connect().then(() => undefined, (e: unknown) => e);
    expect(error).toMatchObject({ code: "acs_sim_upgrade_refused", status: 401 });
    expect((error as Error).message).toMatch(/HTTP 401.*acs_jwt_invalid/);
    expect(await caller.closed).toMatchObject({ by: "error" });
    expect(caller.state).toBe("closed");
  });

  it("reports a bot that is not listening as a connect failure", async () => {
    const caller = makeCaller({ url: "ws://127.0.0.1:1/media" });
    await expect(caller.connect()).rejects.toMatchObject({ code: "acs_sim_connect_failed" });
  });

  it("sends a key press as DtmfData between audio frames and refuses non-DTMF keys", async () => {
    const caller = makeCaller();
    expect(() => caller.pressDigit("x")).toThrow(expect.objectContaining({ code: "acs_sim_bad_input" }));
    await caller.connect();
    const connection = await server.nextConnection();
    await connection.waitForFrames(isAudio, 2);
    caller.pressDigit("3");
    caller.pressDigit("#");
    const dtmf = await connection.waitForFrames((frame) => frame.json.kind === "DtmfData", 2);
    expect(dtmf.map((frame) => frame.text)).toEqual(['{"kind":"DtmfData","dtmfData":{"data":"3"}}', '{"kind":"DtmfData","dtmfData":{"data":"#"}}']);
    expect(caller.callerTimeline().digits.map((d) => [d.digit, d.delivered])).toEqual([["3", true], ["#", true]]);
  });

  it("speaks a caller utterance as μ-law frames on a G.711 leg, then goes back to silence", async () => {
    const caller = makeCaller({ leg: "mulaw8k", speed: 4 });
    caller.silence(100);
    caller.play(sine(440, 500, 24000), 24000);
    await caller.connect();
    const connection = await server.nextConnection();
    await caller.waitForAudioSent(5000);
    await connection.waitForFrames((frame) => isAudio(frame) && frame.json.audioData.silent === true, 8);
    const audio = connection.frames.filter(isAudio);
    const voiced = audio.filter((frame) => frame.json.audioData.silent === false);
    expect(voiced).toHaveLength(25); // 500 ms
    expect(audio.slice(0, 5).every((frame) => frame.json.audioData.silent === true)).toBe(true);
    const codes = Buffer.concat(voiced.map(payloadOf));
    expect(codes.length).toBe(25 * 160);
    const decoded = Array.from(codes, (code) => MULAW_DECODE_TABLE[code]!);
    expect(tonePower(decoded, 440, 8000)).toBeGreaterThan(1000 * tonePower(decoded, 1000, 8000));
    expect(caller.callerTimeline().utterances).toEqual([{ startMs: 100, endMs: 600 }]);
  });

  it("passes already-encoded leg bytes through unchanged, padding the last frame with silence", async () => {
    const caller = makeCaller({ leg: "pcm16k", speed: 4 });
    const bytes = new Uint8Array(640 * 2 + 100).map((_, i) => (i * 7) & 0xff);
    caller.playEncoded(bytes);
    await caller.connect();
    const connection = await server.nextConnection();
    const voiced = await connection.waitForFrames((frame) => isAudio(frame) && frame.json.audioData.silent === false, 3);
    const sent = Buffer.concat(voiced.map(payloadOf));
    expect(sent.subarray(0, bytes.length)).toEqual(Buffer.from(bytes));
    expect(sent.subarray(bytes.length)).toEqual(Buffer.alloc(640 * 3 - bytes.length));
  });

  it("accepts bot audio in the JS SDK's camelCase and the samples' PascalCase, and StopAudio in both", async () => {
    const caller = makeCaller();
    await caller.connect();
    const connection = await server.nextConnection();
    const data = Buffer.alloc(960, 1).toString("base64");
    connection.ws.send(JSON.stringify({ kind: "audioData", audioData: { data, isSilent: false }, stopAudio: {} }));
    connection.ws.send(JSON.stringify({ Kind: "AudioData", AudioData: { Data: data }, StopAudio: null }));
    connection.ws.send(JSON.stringify({ kind: "stopAudio", stopAudio: {} }));
    connection.ws.send(JSON.stringify({ Kind: "StopAudio", AudioData: null, StopAudio: {} }));
    connection.ws.send(JSON.stringify({ kind: "somethingNew" }));
    await caller.waitUntil(() => (caller.received.length === 5 ? true : undefined), 2000, "five messages");
    expect(caller.received.map((m) => [m.kind, m.casing])).toEqual([
      ["audio", "camel"],
      ["audio", "pascal"],
      ["stopAudio", "camel"],
      ["stopAudio", "pascal"],
      ["unknown", "camel"],
    ]);
    const stats = caller.stats();
    expect(stats).toMatchObject({ audioFramesReceived: 2, stopAudioCount: 2, malformed: 0, unknownKinds: 1, camelCaseMessages: 3, pascalCaseMessages: 2 });
  });

  it("counts malformed bot frames with their reasons and keeps the call up", async () => {
    const caller = makeCaller();
    await caller.connect();
    const connection = await server.nextConnection();
    const send = (value: unknown) => connection.ws.send(typeof value === "string" ? value : JSON.stringify(value));
    send("{nope");
    send({ kind: "audioData", audioData: { data: "not*base64!" } });
    send({ kind: "audioData", audioData: { data: Buffer.alloc(480).toString("base64") } });
    send({ kind: "audioData", audioData: {} });
    send({ audioData: { data: "AAAA" } });
    connection.ws.send(Buffer.alloc(960));
    send({ kind: "audioData", audioData: { data: Buffer.alloc(960).toString("base64") } });
    await caller.waitUntil(() => (caller.received.length === 7 ? true : undefined), 2000, "seven messages");
    const stats = caller.stats();
    expect(stats.malformed).toBe(6);
    expect(stats.audioFramesReceived).toBe(2); // the 480-byte frame still plays, but is counted as malformed
    expect(Object.keys(stats.malformedReasons).sort()).toEqual([
      "audio frame is 480 bytes, expected 960 (20 ms of pcm16/24000)",
      "audioData.data is not a string",
      "audioData.data is not valid base64",
      "binary frame (ACS expects JSON text frames)",
      "no kind",
      "not JSON",
    ]);
    expect(caller.state).toBe("open");
    await connection.waitForFrames(isAudio, connection.frames.filter(isAudio).length + 2);
  });

  it("plays bot audio at real time; StopAudio flushes the queue and the heard timeline shows the cut", async () => {
    const caller = makeCaller({ speed: 2 });
    await caller.connect();
    const connection = await server.nextConnection();
    const frame = JSON.stringify({ kind: "audioData", audioData: { data: Buffer.alloc(960, 0x10).toString("base64") } });
    // A 2 s answer arrives in one burst, far ahead of playback, as a bot streaming faster than real time would send it.
    for (let i = 0; i < 100; i++) connection.ws.send(frame);
    const firstRun = await caller.waitForBotAudio();
    await caller.waitUntil(() => (caller.mediaNowMs() >= firstRun.startMs + 400 ? true : undefined), 3000, "400 ms of playback");
    connection.ws.send('{"kind":"stopAudio","stopAudio":{}}');
    const stopMs = await caller.waitForStopAudio();
    // The caller heard from the first frame up to the StopAudio, then nothing.
    const stats = caller.stats();
    expect(stats.framesQueued).toBe(100);
    expect(stats.flushedMs).toBeGreaterThan(1000);
    expect(stats.flushedMs).toBeLessThan(1700);
    // Everything queued was either heard before the StopAudio or flushed by it. Judged on the
    // playback model's own timeline (gaps where frames arrived late on a busy host are not audio).
    const heardBeforeStop = caller.heardRuns().filter((run) => run.startMs < stopMs).reduce((sum, run) => sum + Math.min(run.endMs, stopMs) - run.startMs, 0);
    expect(stats.flushedMs + heardBeforeStop - stats.underrunMs).toBeCloseTo(2000, 6);
    // Audio the bot sends soon after its StopAudio is counted (stale audio after a barge-in) and heard as a new run.
    await delay(100);
    connection.ws.send(frame);
    connection.ws.send(frame);
    const secondRun = await caller.waitForBotAudio({ afterMs: stopMs });
    expect(caller.framesWithinMsAfterStopAudio(1000)).toBe(2);
    await caller.waitForBotQuiet({ quietMs: 100, timeoutMs: 3000 });
    const runs = caller.heardRuns();
    // The last run before the StopAudio was cut at it; the two stale frames played as one run after it.
    expect(runs.at(-2)!.endMs).toBeCloseTo(stopMs, 6);
    expect(runs.at(-1)!.startMs).toBe(secondRun.startMs);
    expect(runs.at(-1)!.endMs - runs.at(-1)!.startMs).toBeCloseTo(40, 6);
    expect(caller.firstHeardMs()).toBe(firstRun.startMs);
    // The heard audio is PCM at the leg rate: the bot's samples where it played, zeros elsewhere.
    const heard = caller.heardAudio();
    expect(heard.sampleRateHz).toBe(24000);
    const at = (ms: number) => heard.samples[Math.floor((ms * 24000) / 1000)];
    expect(at(firstRun.startMs + 10)).toBe(0x1010);
    expect(at(stopMs + 1)).toBe(0);
    expect(at(secondRun.startMs - 1)).toBe(0);
    expect(at(secondRun.startMs + 10)).toBe(0x1010);
  });

  it("sees the bot close the socket, and closes from the caller's side", async () => {
    const first = makeCaller();
    await first.connect();
    const firstConnection = await server.nextConnection();
    firstConnection.ws.close(1011, "bot failed");
    expect(await first.closed).toMatchObject({ by: "bot", code: 1011, reason: "bot failed" });
    expect(() => first.play(new Int16Array(480), 24000)).toThrow(expect.objectContaining({ code: "acs_sim_not_connected" }));

    const second = makeCaller();
    await second.connect();
    const secondConnection = await server.nextConnection();
    const info = await second.close(1000, "caller hung up");
    expect(info).toMatchObject({ by: "caller", code: 1000 });
    expect(await secondConnection.closed).toEqual({ code: 1000, reason: "caller hung up" });
    // Nothing more is streamed after the close.
    const count = secondConnection.frames.length;
    await delay(60);
    expect(secondConnection.frames.length).toBe(count);
  });
});

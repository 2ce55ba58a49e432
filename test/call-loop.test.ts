import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createMediaCaller, type LegName } from "../src/acs-sim/index.js";
import { speechDurationMs, synthesizeSpeech } from "../src/emulator/index.js";
import { eventually, startCallHarness, type CallHarness } from "./support/call-harness.js";

const GREETING = "Thanks for calling Contoso, {callerName}. How can I help?";
const GREETING_SPOKEN = "Thanks for calling Contoso, Jane Caller. How can I help?";
const QUESTION = "What are your opening hours?";
const ANSWER = "We are open every weekday from nine until five, and on Saturdays until noon.";

const scenario = {
  version: 1,
  name: "hours",
  turns: [
    { user: QUESTION, assistant: [{ say: ANSWER }] },
    { user: "Thanks, that is all.", assistant: [{ say: "You're welcome. Goodbye!" }] },
  ],
};

const speak = (text: string) => synthesizeSpeech(text).samples;

let h: CallHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("the call's audio loop", () => {
  it("greets the caller once, before any caller audio reaches Voice Live", async () => {
    h = await startCallHarness({ scenario, env: { GREETING_TEXT: GREETING } });
    const call = await h.call({ callerDisplayName: "Jane Caller" });
    const media = await call.mediaConnected;
    const greeting = await media.waitForBotAudio({ timeoutMs: 5000 });
    await media.waitForBotQuiet({ quietMs: 300, timeoutMs: 30_000 });

    const events = h.emulator.events.list();
    const creates = events.filter((e) => e.type === "response.create");
    expect(creates).toHaveLength(1);
    expect((creates[0]!.event as any).response.pre_generated_assistant_message.content).toEqual([{ type: "text", text: GREETING_SPOKEN }]);
    const firstAppend = events.findIndex((e) => e.type === "input_audio_buffer.append");
    const update = events.findIndex((e) => e.type === "session.update");
    expect(update).toBeGreaterThanOrEqual(0);
    expect(events.indexOf(creates[0]!)).toBeGreaterThan(update);
    if (firstAppend >= 0) expect(firstAppend).toBeGreaterThan(events.indexOf(creates[0]!));
    // The session was configured as the product promises.
    const session = (events[update]!.event as any).session;
    expect(session).toMatchObject({
      input_audio_format: "pcm16",
      output_audio_format: "pcm16",
      input_audio_sampling_rate: 24000,
      voice: { type: "azure-standard", name: "en-US-Ava:DragonHDLatestNeural" },
      turn_detection: { type: "azure_semantic_vad", interrupt_response: true, auto_truncate: true, create_response: true },
      input_audio_noise_reduction: { type: "azure_deep_noise_suppression" },
      input_audio_echo_cancellation: { type: "server_echo_cancellation" },
      input_audio_transcription: { model: "azure-speech" },
    });
    // The whole greeting played, at real time.
    const heard = media.heardRuns().reduce((ms, run) => ms + (run.endMs - run.startMs), 0);
    expect(heard).toBeGreaterThan(speechDurationMs(GREETING_SPOKEN) - 100);
    expect(greeting.startMs).toBeLessThan(1500);
  });

  for (const leg of ["mulaw8k", "pcm16k", "pcm24k"] as LegName[]) {
    it(`sends the greeting as well-formed 20 ms frames on a ${leg} leg, paced close to real time`, async () => {
      h = await startCallHarness({ scenario });
      const call = await h.call({ leg });
      const media = await call.mediaConnected;
      await media.waitForBotAudio({ timeoutMs: 5000 });
      const firstAt = media.received.find((m) => m.kind === "audio")!.atMs;
      // A second and a bit of the call's own time later (not of the wall clock: a busy host may stall the process).
      await media.waitUntil(() => (media.mediaNowMs() >= firstAt + 1100 ? true : undefined), 15_000, "a second of greeting");
      const stats = media.stats();
      expect(stats.malformed, JSON.stringify(stats.malformedReasons)).toBe(0);
      expect(stats.audioFramesReceived).toBeGreaterThan(40);
      expect(stats.camelCaseMessages).toBeGreaterThan(0);
      // Paced: ~1 s after the first frame, no more than ~1 s + the lead has arrived (not the whole greeting at once).
      const arrivedInFirstSecond = media.received.filter((m) => m.kind === "audio" && m.atMs <= firstAt + 1000).length;
      expect(arrivedInFirstSecond).toBeLessThanOrEqual(50 + 5 + 2);
      expect(arrivedInFirstSecond).toBeGreaterThanOrEqual(40);
    });
  }

  it("answers what the caller says", async () => {
    h = await startCallHarness({ scenario });
    const call = await h.call();
    const media = await call.mediaConnected;
    await media.waitForBotQuiet({ quietMs: 300, timeoutMs: 30_000 });
    const askedAt = media.mediaNowMs();
    media.play(speak(QUESTION), 24000);
    const answer = await media.waitForBotAudio({ afterMs: askedAt + speechDurationMs(QUESTION), timeoutMs: 10_000 });
    // The answer starts after the caller stopped (VAD silence) and promptly.
    expect(answer.startMs - (askedAt + speechDurationMs(QUESTION))).toBeLessThan(2000);
    await eventually("the answer to be fully heard", () => media.heardRuns().some((run) => run.startMs === answer.startMs && run.endMs - run.startMs > speechDurationMs(ANSWER) - 200), 15_000);
    const transcripts = h.emulator.connections()[0]!;
    expect(transcripts.turnsTaken).toBeGreaterThanOrEqual(1);
  });

  it("stops talking when the caller barges in, and no stale audio follows", async () => {
    h = await startCallHarness({ scenario });
    const call = await h.call();
    const media = await call.mediaConnected;
    await media.waitForBotQuiet({ quietMs: 300, timeoutMs: 30_000 });
    media.play(speak(QUESTION), 24000);
    const answer = await media.waitForBotAudio({ afterMs: media.mediaNowMs(), timeoutMs: 10_000 });
    await media.waitUntil(() => (media.mediaNowMs() > answer.startMs + 1500 ? true : undefined), 5000, "1.5 s of the answer");
    const interruptedAt = media.mediaNowMs();
    media.play(speak("Sorry, one more thing."), 24000);
    const stopAt = await media.waitForStopAudio({ afterMs: interruptedAt, timeoutMs: 5000 });
    // The caller's speech was detected within a few hundred ms and the bot flushed ACS at once.
    expect(stopAt - interruptedAt).toBeLessThan(1000);
    expect(media.framesWithinMsAfterStopAudio(500)).toBe(0);
    const stats = media.stats();
    expect(stats.stopAudioCount).toBe(1);
    // What had been queued beyond the lead was never sent, so little was flushed at ACS.
    expect(stats.flushedMs).toBeLessThanOrEqual(200);
    const metrics = await h.bot.metrics.registry.getSingleMetricAsString("bot_barge_ins_total");
    expect(metrics).toMatch(/bot_barge_ins_total 1/);
  });

  it("tells Voice Live what the caller heard when auto_truncate is off", async () => {
    h = await startCallHarness({ scenario, env: { VOICELIVE_AUTO_TRUNCATE: "false" } });
    const call = await h.call();
    const media = await call.mediaConnected;
    await media.waitForBotQuiet({ quietMs: 300, timeoutMs: 30_000 });
    media.play(speak(QUESTION), 24000);
    const answer = await media.waitForBotAudio({ afterMs: media.mediaNowMs(), timeoutMs: 10_000 });
    await media.waitUntil(() => (media.mediaNowMs() > answer.startMs + 1000 ? true : undefined), 5000, "1 s of the answer");
    media.play(speak("Wait."), 24000);
    const truncate = await h.emulator.events.waitFor((e) => e.type === "conversation.item.truncate", 5000);
    const event = truncate.event as { audio_end_ms: number; content_index: number; item_id: string };
    expect(event.content_index).toBe(0);
    // Heard ≈ from answer start to the barge-in (plus VAD reaction), never 0, never the whole answer.
    expect(event.audio_end_ms).toBeGreaterThan(900);
    expect(event.audio_end_ms).toBeLessThan(speechDurationMs(ANSWER));
    expect(h.emulator.events.list().filter((e) => e.type === "response.cancel")).toHaveLength(0);
  });

  it("does not let the caller cut a non-interruptible greeting, and holds their audio until it played", async () => {
    const disclaimer = "This call may be recorded for quality purposes. Please listen to the whole notice before you speak.";
    h = await startCallHarness({ scenario, env: { GREETING_TEXT: disclaimer, GREETING_INTERRUPTIBLE: "false" } });
    const call = await h.call();
    const media = await call.mediaConnected;
    const greeting = await media.waitForBotAudio({ timeoutMs: 5000 });
    media.play(speak("Hello? Hello, is anyone there?"), 24000);
    await media.waitForBotQuiet({ quietMs: 300, timeoutMs: 40_000 });
    expect(media.stats().stopAudioCount).toBe(0);
    const run = media.heardRuns()[0]!;
    expect(run.startMs).toBe(greeting.startMs);
    expect(run.endMs - run.startMs).toBeGreaterThan(speechDurationMs(disclaimer) - 100);
    // No caller audio reached Voice Live while the disclaimer played.
    const appends = h.emulator.events.list().filter((e) => e.type === "input_audio_buffer.append");
    const firstAppendMs = appends[0]?.receivedAtMs;
    const greetingCreateMs = h.emulator.events.list().find((e) => e.type === "response.create")!.receivedAtMs;
    if (firstAppendMs !== undefined) expect(firstAppendMs - greetingCreateMs).toBeGreaterThan(speechDurationMs(disclaimer) - 300);
    const held = await h.bot.metrics.registry.getSingleMetricAsString("bot_caller_frames_held_total");
    expect(held).toMatch(/reason="holding-for-greeting"\} [1-9]/);
  });

  it("pre-warms Voice Live while ACS connects the media socket, and uses that session", async () => {
    h = await startCallHarness({ scenario });
    const call = await h.call();
    const media = await call.mediaConnected;
    const mediaConnectedAtWall = media.connectedAt()!.getTime();
    await eventually("greeting", () => h!.emulator.events.list().some((e) => e.type === "response.create"));
    // One session: the pre-warmed one was claimed, not a second one opened.
    expect(h.emulator.connections()).toHaveLength(1);
    // It was configured before the media socket even existed; the greeting waited for the media.
    const events = h.emulator.events.list();
    const update = events.find((e) => e.type === "session.update")!;
    const greeting = events.find((e) => e.type === "response.create")!;
    expect(Date.parse(update.receivedAt)).toBeLessThanOrEqual(mediaConnectedAtWall);
    expect(Date.parse(greeting.receivedAt)).toBeGreaterThanOrEqual(mediaConnectedAtWall - 5);
  });

  it("closes Voice Live within a second when the caller hangs up", async () => {
    h = await startCallHarness({ scenario });
    const call = await h.call();
    const media = await call.mediaConnected;
    await media.waitForBotAudio({ timeoutMs: 5000 });
    const hungUpAt = Date.now();
    await call.hangUp();
    await eventually("Voice Live closed", () => h!.emulator.connections().every((c) => c.closedAt !== null), 2000);
    expect(Date.now() - hungUpAt).toBeLessThan(1000);
    await eventually("call released", () => h!.bot.calls.registry.size === 0 && h!.bot.media.size === 0, 2000);
  });

  it("closes Voice Live within a second when the media socket drops and ACS does not reconnect it", async () => {
    h = await startCallHarness({ scenario, env: { MEDIA_RECONNECT_GRACE_MS: "500" } });
    const call = await h.call();
    const media = await call.mediaConnected;
    await media.waitForBotAudio({ timeoutMs: 5000 });
    const closedAt = Date.now();
    await media.close(1001, "network");
    await eventually("Voice Live closed", () => h!.emulator.connections().every((c) => c.closedAt !== null), 2000);
    expect(Date.now() - closedAt).toBeLessThan(1000);
  });

  it("resumes on the same Voice Live session when ACS reconnects the media socket", async () => {
    h = await startCallHarness({ scenario });
    const call = await h.call();
    const media = await call.mediaConnected;
    await media.waitForBotQuiet({ quietMs: 300, timeoutMs: 30_000 });
    const answer = await call.answered;
    const transportUrl = new URL(answer.mediaStreaming!.transportUrl);
    await media.close(1001, "network blip");
    const again = createMediaCaller({
      url: `${h.botUrl.replace("http", "ws")}/media${transportUrl.search}`,
      token: await h.sim.tokenIssuer.mint({ expiresInS: 86_400 }),
      callConnectionId: call.callConnectionId!,
      correlationId: call.correlationId,
      leg: media.leg.name,
    });
    await again.connect();
    again.play(speak(QUESTION), 24000);
    await again.waitForBotAudio({ timeoutMs: 10_000 });
    expect(h.emulator.connections()).toHaveLength(1);
    expect(h.emulator.connections()[0]!.closedAt).toBeNull();
    await again.close();
  });

  it("reconnects once when Voice Live drops mid-call and apologises; hangs up when it drops again", async () => {
    h = await startCallHarness({ scenario, env: { RECONNECT_TEXT: "Sorry, I lost you for a second." } });
    const call = await h.call();
    const media = await call.mediaConnected;
    await media.waitForBotQuiet({ quietMs: 300, timeoutMs: 30_000 });
    expect(h.emulator.disconnect("c1", 1011, "service restart")).toBe(true);
    await eventually("a second session", () => h!.emulator.connections().length === 2, 5000);
    const sorry = await h.emulator.events.waitFor((e) => e.connectionId === "c2" && e.type === "response.create", 5000);
    expect((sorry.event as any).response.pre_generated_assistant_message.content[0].text).toBe("Sorry, I lost you for a second.");
    // A fresh session.update precedes it, and no second greeting.
    expect(h.emulator.events.list({ connectionId: "c2" }).map((e) => e.type)[0]).toBe("session.update");
    await media.waitForBotAudio({ afterMs: media.mediaNowMs() - 50, timeoutMs: 5000 });
    expect(h.emulator.disconnect("c2", 1011, "gone")).toBe(true);
    const end = await call.waitForEnd(5000);
    expect(end.reason).toBe("botHungUp");
  });

  it("writes a per-call conversation log with the greeting, transcripts and barge-ins", async () => {
    const dir = mkdtempSync(join(tmpdir(), "call-log-"));
    h = await startCallHarness({ scenario, env: { CALL_LOG_DIR: dir } });
    const call = await h.call();
    const media = await call.mediaConnected;
    await media.waitForBotQuiet({ quietMs: 300, timeoutMs: 30_000 });
    media.play(speak(QUESTION), 24000);
    await media.waitForBotAudio({ afterMs: media.mediaNowMs(), timeoutMs: 10_000 });
    await media.waitForBotQuiet({ quietMs: 300, timeoutMs: 30_000 });
    await call.hangUp();
    await eventually("log closed", () => h!.bot.media.size === 0, 2000);
    // Written asynchronously: wait for the last line, not for a guessed time.
    await eventually("the log's last line", () => readdirSync(dir).some((f) => readFileSync(join(dir, f), "utf8").includes('"call_ended"')), 5000);
    const [file] = readdirSync(dir);
    const entries = readFileSync(join(dir, file!), "utf8").trim().split("\n").map((line) => JSON.parse(line));
    const types = entries.map((entry) => entry.type);
    expect(types[0]).toBe("call");
    expect(entries[0]).toMatchObject({ caller: "+12065551212", dialed: "+14255551212" });
    expect(types).toEqual(expect.arrayContaining(["voicelive_session", "media_connected", "greeting", "caller", "assistant", "call_ended"]));
    expect(entries.find((entry) => entry.type === "caller").transcript).toBe(QUESTION);
    expect(entries.filter((entry) => entry.type === "assistant").map((entry) => entry.transcript)).toContain(ANSWER);
    expect(entries.find((entry) => entry.type === "voicelive_session")).toMatchObject({ mode: { kind: "model", model: "gpt-4.1" } });
  });
});

describe("media socket security", () => {
  it("refuses a forged ACS token on the upgrade before any Voice Live session opens", async () => {
    h = await startCallHarness({ scenario });
    const { generateKeyPair, SignJWT } = await import("jose");
    const { privateKey } = await generateKeyPair("RS256");
    const forged = await new SignJWT({}).setProtectedHeader({ alg: "RS256", kid: "acs-sim-1" }).setIssuer("https://acscallautomation.communication.azure.com")
      .setAudience(h.sim.resourceId).setIssuedAt().setExpirationTime("1h").sign(privateKey);
    const caller = createMediaCaller({ url: `${h.botUrl.replace("http", "ws")}/media?ctx=x.y`, token: forged, callConnectionId: "c", correlationId: "x", leg: "pcm24k" });
    await expect(caller.connect()).rejects.toMatchObject({ code: "acs_sim_upgrade_refused", status: 401 });
    expect(h.emulator.connections()).toHaveLength(0);
  });

  it("refuses a valid token with a tampered call context", async () => {
    h = await startCallHarness({ scenario });
    const caller = createMediaCaller({
      url: `${h.botUrl.replace("http", "ws")}/media?ctx=eyJ2IjoxfQ.AAAA`,
      token: await h.sim.tokenIssuer.mint({ expiresInS: 3600 }),
      callConnectionId: "c",
      correlationId: "x",
      leg: "pcm24k",
    });
    await expect(caller.connect()).rejects.toMatchObject({ code: "acs_sim_upgrade_refused", status: 403 });
    expect(h.emulator.connections()).toHaveLength(0);
  });
});

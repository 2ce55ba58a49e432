/**
 * Voice Live's audio rate follows the phone leg: a 16 kHz ACS leg is relayed to
 * and from Voice Live at 16 kHz (input_audio_sampling_rate 16000, output
 * pcm16_16000hz), with no resampler on the path; a leg Voice Live has no rate
 * for (μ-law 8 kHz) gets 24 kHz. A session opened before the leg was known is
 * switched before any audio flows.
 */
import { Writable } from "node:stream";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import type { LegName } from "../src/acs-sim/index.js";
import { speechDurationMs, synthesizeSpeech } from "../src/emulator/index.js";
import { eventually, startCallHarness, type CallHarness } from "./support/call-harness.js";

const GREETING = "Thank you for calling Contoso. How can I help you today?";
const QUESTION = "What are your opening hours?";
const ANSWER = "We are open every weekday from nine until five.";
const scenario = { version: 1, name: "hours", turns: [{ user: QUESTION, assistant: [{ say: ANSWER }] }] };

let h: CallHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function captureLogs(): { logger: pino.Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split("\n")) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: "info" }, stream), lines };
}

/** Runs a call with a greeting and one question; returns what Voice Live received and what the caller heard. */
async function callOn(leg: LegName, env: Record<string, string>) {
  const { logger, lines } = captureLogs();
  h = await startCallHarness({ scenario, env: { GREETING_TEXT: GREETING, ...env }, logger });
  const call = await h.call({ leg });
  const media = await call.mediaConnected;
  await media.waitForBotAudio({ timeoutMs: 5000 });
  await media.waitForBotQuiet({ quietMs: 300, timeoutMs: 30_000 });
  const greetingHeardMs = media.heardRuns().reduce((ms, run) => ms + (run.endMs - run.startMs), 0);
  const askedAt = media.mediaNowMs();
  media.play(synthesizeSpeech(QUESTION).samples, 24000);
  const answer = await media.waitForBotAudio({ afterMs: askedAt + speechDurationMs(QUESTION), timeoutMs: 15_000 });
  await eventually("the answer to be fully heard", () => media.heardRuns().some((run) => run.startMs === answer.startMs && run.endMs - run.startMs > speechDurationMs(ANSWER) - 200), 20_000);
  const answerRun = media.heardRuns().find((run) => run.startMs === answer.startMs)!;
  const events = h.emulator.events.list();
  const updates = events.filter((e) => e.type === "session.update").map((e) => ({ index: events.indexOf(e), session: (e.event as any).session }));
  const appends = events.filter((e) => e.type === "input_audio_buffer.append").map((e) => e.event as any);
  const chunks = appends.reduce((n, a) => n + a.chunks, 0);
  const bytes = appends.reduce((n, a) => n + a.audioBytes, 0);
  return {
    events,
    updates,
    firstAppend: events.findIndex((e) => e.type === "input_audio_buffer.append"),
    firstCreate: events.findIndex((e) => e.type === "response.create"),
    bytesPerAppend: bytes / chunks,
    greetingHeardMs,
    answerHeardMs: answerRun.endMs - answerRun.startMs,
    mediaConnected: lines.find((line) => line.msg === "media connected"),
  };
}

describe("Voice Live's audio rate follows the phone leg", () => {
  it("relays a 16 kHz leg at 16 kHz both ways: no resampler, no switch, audio of the right length", async () => {
    const r = await callOn("pcm16k", { ACS_AUDIO_FORMAT: "pcm16KMono" });
    // The (pre-warmed) session was opened at the leg's rate and never changed.
    expect(r.updates).toHaveLength(1);
    expect(r.updates[0]!.session).toMatchObject({ input_audio_format: "pcm16", input_audio_sampling_rate: 16000, output_audio_format: "pcm16_16000hz" });
    // 20 ms appends of 16 kHz PCM16 (640 bytes), as the caller sent them.
    expect(r.bytesPerAppend).toBe(640);
    expect(r.mediaConnected).toMatchObject({ voiceLiveRateHz: 16000, delaysMs: { inbound: 0, outbound: 0 } });
    // 16 kHz audio played as 16 kHz: the greeting and the answer last as long as they were spoken.
    expect(r.greetingHeardMs).toBeGreaterThan(speechDurationMs(GREETING) - 100);
    expect(r.greetingHeardMs).toBeLessThan(speechDurationMs(GREETING) + 400);
    expect(r.answerHeardMs).toBeLessThan(speechDurationMs(ANSWER) + 400);
  });

  it("switches a session opened for a 24 kHz leg to 16 kHz before any audio, when ACS streams 16 kHz", async () => {
    const r = await callOn("pcm16k", { ACS_AUDIO_FORMAT: "pcm24KMono" });
    expect(r.updates[0]!.session).toMatchObject({ input_audio_sampling_rate: 24000, output_audio_format: "pcm16" });
    expect(r.updates).toHaveLength(2);
    expect(r.updates[1]!.session).toEqual({ input_audio_format: "pcm16", input_audio_sampling_rate: 16000, output_audio_format: "pcm16_16000hz" });
    expect(r.updates[1]!.index).toBeLessThan(r.firstCreate);
    expect(r.updates[1]!.index).toBeLessThan(r.firstAppend);
    expect(r.bytesPerAppend).toBe(640);
    expect(r.greetingHeardMs).toBeGreaterThan(speechDurationMs(GREETING) - 100);
    expect(r.greetingHeardMs).toBeLessThan(speechDurationMs(GREETING) + 400);
  });

  it("gives a μ-law leg 24 kHz (Voice Live has no 8 kHz PCM input): a 16 kHz session is switched before any audio", async () => {
    const r = await callOn("mulaw8k", { ACS_AUDIO_FORMAT: "pcm16KMono" });
    expect(r.updates[0]!.session).toMatchObject({ input_audio_sampling_rate: 16000 });
    expect(r.updates).toHaveLength(2);
    expect(r.updates[1]!.session).toEqual({ input_audio_format: "pcm16", input_audio_sampling_rate: 24000, output_audio_format: "pcm16" });
    expect(r.updates[1]!.index).toBeLessThan(r.firstCreate);
    expect(r.updates[1]!.index).toBeLessThan(r.firstAppend);
    expect(r.bytesPerAppend).toBe(960);
    expect(r.mediaConnected).toMatchObject({ voiceLiveRateHz: 24000 });
    expect(r.greetingHeardMs).toBeGreaterThan(speechDurationMs(GREETING) - 100);
    expect(r.greetingHeardMs).toBeLessThan(speechDurationMs(GREETING) + 400);
  });

  it("keeps Voice Live at 24 kHz with VOICELIVE_AUDIO_RATE=24000, resampling a 16 kHz leg in the bot", async () => {
    const r = await callOn("pcm16k", { ACS_AUDIO_FORMAT: "pcm16KMono", VOICELIVE_AUDIO_RATE: "24000" });
    expect(r.updates).toHaveLength(1);
    expect(r.updates[0]!.session).toMatchObject({ input_audio_sampling_rate: 24000, output_audio_format: "pcm16" });
    expect(r.bytesPerAppend).toBe(960);
    expect(r.mediaConnected).toMatchObject({ voiceLiveRateHz: 24000 });
    expect((r.mediaConnected!.delaysMs as { inbound: number }).inbound).toBeGreaterThan(0);
    expect(r.greetingHeardMs).toBeGreaterThan(speechDurationMs(GREETING) - 100);
    expect(r.greetingHeardMs).toBeLessThan(speechDurationMs(GREETING) + 400);
  });
});

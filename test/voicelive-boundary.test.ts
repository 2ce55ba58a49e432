/**
 * No Voice Live peer can take the bot down: thousands of hostile frames thrown
 * at one call, while a second call goes on, leave the process alive, every
 * refused frame counted, the log bounded, and the second call's audio intact.
 */
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { speechDurationMs, synthesizeSpeech } from "../src/emulator/index.js";
import { eventually, startCallHarness, type CallHarness } from "./support/call-harness.js";
import { generateFuzz, oversizedFrame } from "./support/voicelive-fuzz.js";
import { startVoiceLiveProxy, type VoiceLiveProxy } from "./support/voicelive-proxy.js";

const QUESTION = "What are your opening hours on Saturday?";
const FUZZ_FRAMES = 5200;

let h: CallHarness | undefined;
let proxy: VoiceLiveProxy | undefined;
afterEach(async () => {
  await h?.close();
  await proxy?.close();
  h = undefined;
  proxy = undefined;
});

/** Sum of a Prometheus counter's samples whose labels contain `label` (all samples without one). */
function counter(text: string, name: string, label = ""): number {
  let total = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!line.includes(label)) continue;
    total += Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return total;
}

describe("the Voice Live boundary", () => {
  it("survives 5,000+ hostile events on one call while a second call keeps its audio", async () => {
    const logLines: Array<Record<string, unknown>> = [];
    const logger = pino({ level: "info" }, { write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>) });
    h = await startCallHarness({ logger, voiceLiveVia: async (url) => (proxy = await startVoiceLiveProxy(url)).url });
    const metrics = () => h!.bot.metrics.registry.metrics();

    // Call A is the victim; its greeting played, so its session is up.
    const callA = await h.call();
    const mediaA = await callA.mediaConnected;
    await mediaA.waitForBotQuiet({ quietMs: 300, timeoutMs: 30_000 });
    const victim = proxy!.connections[0]!;
    // Call B goes on beside it.
    const callB = await h.call({ from: "+12065550111" });
    const mediaB = await callB.mediaConnected;
    await mediaB.waitForBotQuiet({ quietMs: 300, timeoutMs: 30_000 });
    expect(proxy!.connections).toHaveLength(2);

    const frames = generateFuzz(FUZZ_FRAMES, 7);
    const refused = frames.filter((f) => f.refused !== undefined).length;
    const askedAtMs = mediaB.mediaNowMs();
    mediaB.play(synthesizeSpeech(QUESTION).samples, 24000);
    for (let i = 0; i < frames.length; i += 100) {
      for (const frame of frames.slice(i, i + 100)) victim.inject(frame.data, frame.binary);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(victim.injected).toBe(frames.length);
    const dropped = await eventually(
      "every refused frame counted",
      async () => counter(await metrics(), "bot_voicelive_events_dropped_total") >= refused,
      30_000,
    );
    expect(dropped).toBe(true);

    // B was answered in full while A was flooded.
    const answer = await mediaB.waitForBotAudio({ afterMs: askedAtMs + speechDurationMs(QUESTION), timeoutMs: 20_000 });
    await mediaB.waitForBotQuiet({ quietMs: 300, timeoutMs: 20_000 });
    const heardAnswerMs = mediaB.heardRuns().filter((run) => run.startMs >= answer.startMs).reduce((sum, run) => sum + run.endMs - run.startMs, 0);
    console.log(`call B heard ${Math.round(heardAnswerMs)} ms of answer, ${mediaB.stats().underruns} underrun(s), while A was flooded`);
    expect(heardAnswerMs).toBeGreaterThan(1000);
    expect(mediaB.stats().malformed).toBe(0);
    expect(mediaB.received.filter((m) => m.kind === "stopAudio")).toHaveLength(0);

    // A frame too big to parse closes A's socket; A reconnects and goes on.
    victim.inject(oversizedFrame(), false);
    const replacement = await proxy!.waitForConnection(2, 15_000);
    await replacement.waitForForwarded("session.updated", 15_000);
    expect(victim.closedCode).toBe(1009);
    await eventually("A's reconnect to be counted", async () => counter(await metrics(), "bot_voicelive_reconnects_total", 'outcome="reconnected"') === 1, 15_000);

    const text = await metrics();
    const byReason = Object.fromEntries(
      ["not_json", "not_object", "no_type", "unknown_type", "invalid_fields", "invalid_audio", "binary", "too_large"].map((reason) => [
        reason,
        counter(text, "bot_voicelive_events_dropped_total", `reason="${reason}"`),
      ]),
    );
    console.log(`fuzz: ${frames.length} frames, ${refused} to refuse; dropped by reason ${JSON.stringify(byReason)}`);
    // Every refused frame counted exactly once; nothing well-formed was counted.
    expect(counter(text, "bot_voicelive_events_dropped_total") - byReason.too_large!).toBe(refused);
    expect(byReason.too_large).toBe(1);
    expect(counter(text, "bot_call_faults_total")).toBe(0);

    // Both calls are still up; the process is (this test is running in it).
    expect(callA.state).toBe("connected");
    expect(callB.state).toBe("connected");
    // The log says so per call, at a bounded rate: a handful of lines, all A's, not thousands.
    const dropLines = logLines.filter((line) => line.msg === "invalid Voice Live event dropped");
    expect(dropLines.length).toBeGreaterThan(0);
    expect(dropLines.length).toBeLessThan(40);
    expect(new Set(dropLines.map((line) => line.correlationId))).toEqual(new Set([callA.correlationId]));
  }, 120_000);
});

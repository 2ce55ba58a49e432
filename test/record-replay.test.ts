import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decodeWav } from "../src/audio/index.js";
import { synthesizeSpeech } from "../src/emulator/index.js";
import { loadFixture } from "../src/replay/fixture.js";
import { replayFixture } from "../src/replay/runner.js";
import { conversationTranscript } from "../src/replay/transcript.js";
import { eventually, startCallHarness } from "./support/call-harness.js";

const scenario = {
  version: 1,
  name: "record-me",
  turns: [
    { user: "What time do you open tomorrow?", assistant: [{ say: "We open at nine tomorrow morning." }] },
    { user: "The caller pressed 5 on the keypad.", assistant: [{ say: "You pressed five." }] },
    { user: "Thank you, goodbye.", assistant: [{ say: "Goodbye, have a nice day!" }, { tool: "end_call" }] },
  ],
};

const dialogue = (lines: Array<{ role: string; text: string }>) => lines.filter((l) => l.role === "user" || l.role === "assistant");
const clientEvents = (types: string[]) => types.filter((t) => t !== "input_audio_buffer.append");

describe("record mode", () => {
  // 16 kHz: Voice Live runs at the leg's rate, so the recorder gets 16 kHz caller audio.
  for (const leg of ["pcm24k", "pcm16k"] as const) it(`writes a live call on a ${leg} leg as a fixture that replays to the same transcript and event order`, async () => {
    const recordDir = mkdtempSync(join(tmpdir(), "recorded-"));
    const format: Record<string, string> = leg === "pcm16k" ? { ACS_AUDIO_FORMAT: "pcm16KMono" } : {};
    const h = await startCallHarness({ scenario, env: { RECORD_DIR: recordDir, GREETING_TEXT: "Thanks for calling Contoso.", ...format } });
    let original: { transcript: Array<{ role: string; text: string }>; events: string[] };
    let pressedAtMs = 0;
    let endedAtMs = 0;
    try {
      const call = await h.call({ callerDisplayName: "Rec Order", leg });
      const media = await call.mediaConnected;
      await media.waitForBotQuiet({ quietMs: 300, timeoutMs: 30_000 });
      media.play(synthesizeSpeech("What time do you open tomorrow?").samples, 24000);
      await media.waitForBotAudio({ afterMs: media.mediaNowMs() + 1000, timeoutMs: 10_000 });
      await media.waitForBotQuiet({ quietMs: 400, timeoutMs: 30_000 });
      // The caller's own timeline: audio it has sent (the recording counts audio, not wall time).
      pressedAtMs = media.stats().framesSent * 20;
      media.pressDigit("5");
      await media.waitForBotAudio({ afterMs: media.mediaNowMs() + 500, timeoutMs: 10_000 });
      await media.waitForBotQuiet({ quietMs: 400, timeoutMs: 30_000 });
      media.play(synthesizeSpeech("Thank you, goodbye.").samples, 24000);
      expect((await call.waitForEnd(20_000)).reason).toBe("botHungUp");
      endedAtMs = media.stats().framesSent * 20;
      await eventually("the call session to close", () => h.bot.media.size === 0, 3000);
      original = {
        transcript: dialogue(conversationTranscript(h.emulator.connections())),
        events: clientEvents(h.emulator.events.list().map((e) => e.type)),
      };
    } finally {
      await h.close();
    }

    const [name] = readdirSync(recordDir);
    const dir = join(recordDir, name!);
    await eventually("the fixture files", () => ["call.json", "scenario.json", "expect.json", "caller.wav"].every((f) => existsSync(join(dir, f))), 3000);
    const wav = decodeWav(readFileSync(join(dir, "caller.wav")));
    expect(wav).toMatchObject({ encoding: "mulaw", sampleRateHz: 8000 });
    // The recording runs on the call's own time: as long as the call, the digit where it was pressed.
    expect(Math.abs(wav.samples.length / 8 - endedAtMs)).toBeLessThan(1000);
    const call = JSON.parse(readFileSync(join(dir, "call.json"), "utf8"));
    expect(call).toMatchObject({ from: "+12065551212", to: "+14255551212", callerName: "Rec Order", env: { GREETING_TEXT: "Thanks for calling Contoso." } });
    expect(call.hangUpAtMs).toBeUndefined();
    expect(call.dtmf).toHaveLength(1);
    expect(call.dtmf[0].digit).toBe("5");
    expect(Math.abs(call.dtmf[0].atMs - pressedAtMs)).toBeLessThan(300);
    const recordedScenario = JSON.parse(readFileSync(join(dir, "scenario.json"), "utf8"));
    expect(recordedScenario.turns.map((t: { user: string }) => t.user)).toEqual([
      "What time do you open tomorrow?",
      "The caller pressed 5 on the keypad.",
      "Thank you, goodbye.",
    ]);

    const fixture = loadFixture(dir);
    const replay = await replayFixture(fixture, { speed: 4 });
    expect(replay.results.filter((r) => !r.passed)).toEqual([]);
    expect(dialogue([...replay.transcript])).toEqual(original.transcript);
    expect(clientEvents([...replay.observation.voiceLiveEvents])).toEqual(original.events);
    expect(replay.observation.end?.reason).toBe("botHungUp");
  }, 60_000);
});

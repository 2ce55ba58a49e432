/**
 * The phone leg under stress: a greeting that holds the caller back lets go
 * when its Voice Live session drops, and a media socket that stops reading is
 * closed (and counted) instead of growing the bot's memory.
 */
import { afterEach, describe, expect, it } from "vitest";
import type WebSocket from "ws";
import { speechDurationMs, synthesizeSpeech } from "../src/emulator/index.js";
import { createSystemClock } from "../src/clock.js";
import { createPacer } from "../src/media/pacer.js";
import { MAX_CALLER_BUFFERED_BYTES, PhoneLeg } from "../src/media/phone-leg.js";
import { eventually, startCallHarness, type CallHarness } from "./support/call-harness.js";

let h: CallHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("the phone leg", () => {
  it("answers a caller who spoke after Voice Live dropped during a non-interruptible greeting", async () => {
    const disclaimer = "This call may be recorded for quality and training purposes. Please listen to the whole notice before you speak to us.";
    h = await startCallHarness({ env: { GREETING_TEXT: disclaimer, GREETING_INTERRUPTIBLE: "false", RECONNECT_TEXT: "Sorry, I am back." } });
    const call = await h.call();
    const media = await call.mediaConnected;
    await media.waitForBotAudio({ timeoutMs: 10_000 });
    // The service drops while the disclaimer is playing (and holding the caller back).
    expect(h.emulator.disconnect("c1", 1011, "service restart")).toBe(true);
    await eventually("the replacement session", () => h!.emulator.connections().length === 2, 10_000);
    await h.emulator.events.waitFor((e) => e.connectionId === "c2" && e.type === "response.create", 10_000);
    await media.waitForBotQuiet({ quietMs: 300, timeoutMs: 30_000 });
    const question = "Can I change my delivery address?";
    const askedAt = media.mediaNowMs();
    media.play(synthesizeSpeech(question).samples, 24000);
    // Heard by the new session and answered — not held back until the 60 s cap.
    await h.emulator.events.waitFor((e) => e.connectionId === "c2" && e.type === "input_audio_buffer.append", 10_000);
    await media.waitForBotAudio({ afterMs: askedAt + speechDurationMs(question), timeoutMs: 15_000 });
  });
});

describe("a media socket that stops reading", () => {
  it("is closed once more than the cap is buffered, and counted", () => {
    const pacer = createPacer({ clock: createSystemClock(), leadMs: 100 });
    const overflows: number[] = [];
    const leg = new PhoneLeg(pacer, { itemStarted: () => undefined, drained: () => undefined, overflow: (bytes) => overflows.push(bytes), frameDropped: () => undefined });
    // A peer's socket: open, but the kernel buffer is full and ws is holding bytes.
    const sent: string[] = [];
    let terminated = false;
    const socket = { readyState: 1, bufferedAmount: 1000, send: (text: string) => sent.push(text), terminate: () => void (terminated = true) };
    leg.attach(socket as unknown as WebSocket);
    leg.send("frame-1");
    expect(sent).toEqual(["frame-1"]);
    socket.bufferedAmount = MAX_CALLER_BUFFERED_BYTES + 1;
    leg.send("frame-2");
    expect(sent).toEqual(["frame-1"]);
    expect(terminated).toBe(true);
    expect(overflows).toEqual([MAX_CALLER_BUFFERED_BYTES + 1]);
    pacer.stop();
  });
});

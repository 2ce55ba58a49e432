/**
 * A call that outlives its Voice Live session: the session announces
 * `expires_at`; before then the bot opens a replacement configured the same,
 * carries the conversation over, and switches between turns — the caller
 * hears no apology, no cut, and the next question is answered by the new
 * session with the earlier exchange in its context.
 */
import { afterEach, describe, expect, it } from "vitest";
import { speechDurationMs, synthesizeSpeech } from "../src/emulator/index.js";
import { eventually, startCallHarness, type CallHarness } from "./support/call-harness.js";

const FIRST = "What are your opening hours?";
const SECOND = "And do you open on Saturdays?";
const scenario = {
  version: 1,
  name: "renewal",
  turns: [
    { user: FIRST, assistant: [{ say: "We are open from nine to five." }] },
    { user: SECOND, assistant: [{ say: "Yes, from ten to two." }] },
  ],
};

let h: CallHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("a Voice Live session that expires during a call", () => {
  it("is replaced between turns, with the conversation carried over, and the caller notices nothing", async () => {
    h = await startCallHarness({ scenario, emulator: { sessionLifetimeMs: 9000 }, env: { RECONNECT_TEXT: "Sorry, I lost you." } });
    const call = await h.call();
    const media = await call.mediaConnected;
    await media.waitForBotQuiet({ quietMs: 300, timeoutMs: 30_000 });
    const firstAt = media.mediaNowMs();
    media.play(synthesizeSpeech(FIRST).samples, 24000);
    await media.waitForBotAudio({ afterMs: firstAt + speechDurationMs(FIRST), timeoutMs: 15_000 });
    await media.waitForBotQuiet({ quietMs: 300, timeoutMs: 30_000 });

    // Renewal: a second session, switched to at a quiet moment, before the first expires.
    await eventually("the replacement session", () => h!.emulator.connections().length === 2, 15_000);
    await eventually("the switch", () => h!.emulator.connections()[0]!.closedAt !== null, 15_000);
    const [first, second] = h.emulator.connections();
    const c2 = h.emulator.events.list({ connectionId: second!.id });
    const update1 = h.emulator.events.list({ connectionId: first!.id }).find((e) => e.type === "session.update")!;
    const update2 = c2.find((e) => e.type === "session.update")!;
    expect(update2.event).toEqual(update1.event);
    // The conversation so far, as conversation items, before any caller audio.
    const carried = c2.filter((e) => e.type === "conversation.item.create").map((e) => (e.event as any).item);
    const texts = carried.map((item: any) => `${item.role}: ${item.content[0].text}`);
    expect(texts).toEqual(expect.arrayContaining([`user: ${FIRST}`, "assistant: We are open from nine to five."]));
    const firstAppend = c2.findIndex((e) => e.type === "input_audio_buffer.append");
    const lastCarried = c2.map((e) => e.type).lastIndexOf("conversation.item.create");
    if (firstAppend >= 0) expect(lastCarried).toBeLessThan(firstAppend);
    // Closed by the bot ahead of expiry: no session_expired was needed, no apology said.
    expect(first!.counters.errorsSent).toBe(0);
    expect(c2.some((e) => JSON.stringify(e.event).includes("Sorry, I lost you"))).toBe(false);

    // The next question goes to the new session and is answered.
    const secondAt = media.mediaNowMs();
    media.play(synthesizeSpeech(SECOND).samples, 24000);
    await media.waitForBotAudio({ afterMs: secondAt + speechDurationMs(SECOND), timeoutMs: 15_000 });
    await media.waitForBotQuiet({ quietMs: 300, timeoutMs: 30_000 });
    expect(h.emulator.events.list({ connectionId: second!.id }).some((e) => e.type === "input_audio_buffer.append")).toBe(true);
    expect(h.emulator.connections()[1]!.conversation.some((item: any) => item.role === "assistant" && JSON.stringify(item.content).includes("ten to two"))).toBe(true);
    expect(media.stats().stopAudioCount).toBe(0);
    expect(call.state).toBe("connected");
    expect(await h.bot.metrics.registry.getSingleMetricAsString("bot_voicelive_renewals_total")).toMatch(/outcome="renewed"\} 1/);
  }, 90_000);
});

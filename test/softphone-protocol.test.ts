import { afterEach, describe, expect, it } from "vitest";
import { createMediaCaller, type MediaCaller } from "../src/acs-sim/index.js";
import { speechDurationMs, synthesizeSpeech } from "../src/emulator/index.js";
import { eventually, startCallHarness, type CallHarness } from "./support/call-harness.js";

const TOKEN = "console-token-for-tests-0123456789";
const GREETING = "Contoso, hello.";
const QUESTION = "What are your opening hours?";
const ANSWER = "We are open every weekday from nine until five.";
const scenario = {
  version: 1,
  name: "softphone",
  turns: [
    { user: QUESTION, assistant: [{ say: ANSWER }] },
    { user: "Thanks, goodbye.", assistant: [{ say: "Goodbye!" }, { tool: "end_call" }] },
  ],
};

/** The browser softphone's side of the wire, spoken by the simulated ACS caller (PCM16 24 kHz, AudioMetadata first). */
function softphoneCaller(botUrl: string, token: string): MediaCaller {
  return createMediaCaller({
    url: `${botUrl.replace("http", "ws")}/console/softphone`,
    token,
    leg: "pcm24k",
    // Whatever the browser would send here is ignored: the bot mints the softphone call's own ids.
    callConnectionId: "ignored",
    correlationId: "ignored",
  });
}

/** Milliseconds of bot audio heard in runs that began at or after `fromMs`. */
function heardSince(caller: MediaCaller, fromMs: number): number {
  return caller.heardRuns().filter((run) => run.startMs >= fromMs).reduce((sum, run) => sum + run.endMs - run.startMs, 0);
}

let h: CallHarness | undefined;
const callers: MediaCaller[] = [];
afterEach(async () => {
  for (const caller of callers.splice(0)) if (caller.state === "open") await caller.close();
  await h?.close();
  h = undefined;
});

describe("the browser softphone's media socket", () => {
  it("runs the bot's own call path: greeting, answers, the call in the console, and a bot hang-up closes the socket", async () => {
    h = await startCallHarness({ scenario, env: { CONSOLE_TOKEN: TOKEN, GREETING_TEXT: GREETING } });
    const caller = softphoneCaller(h.botUrl, TOKEN);
    callers.push(caller);
    await caller.connect();
    const greeting = await caller.waitForBotAudio({ timeoutMs: 10_000 });
    // However a busy machine splits it into runs, the whole greeting reaches the caller.
    await caller.waitUntil(() => (heardSince(caller, greeting.startMs) > speechDurationMs(GREETING) - 200 ? true : undefined), 20_000, "the whole greeting");
    await caller.waitForBotQuiet({ quietMs: 300, timeoutMs: 30_000 });

    // It is a call like any other: in the console, with no ACS call behind it.
    const snapshot = async () => (await (await fetch(`${h!.botUrl}/console/api/calls`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as any;
    const live = await eventually("the softphone call in the console", async () => (await snapshot()).calls.find((c: any) => c.source === "softphone"));
    expect(live).toMatchObject({ caller: "browser softphone", dialed: "the bot", state: "connected", live: true, id: expect.stringMatching(/^softphone-/) });
    expect(h.bot.calls.registry.size).toBe(0);

    const askedAt = caller.mediaNowMs();
    caller.play(synthesizeSpeech(QUESTION).samples, 24000);
    const answer = await caller.waitForBotAudio({ afterMs: askedAt + speechDurationMs(QUESTION), timeoutMs: 15_000 });
    await caller.waitUntil(() => (heardSince(caller, answer.startMs) > speechDurationMs(ANSWER) - 200 ? true : undefined), 20_000, "the whole answer");
    await caller.waitForBotQuiet({ quietMs: 300, timeoutMs: 30_000 });
    expect(caller.stats().malformed).toBe(0);

    // The goodbye turn ends the call: the bot's hang-up is closing the socket.
    caller.play(synthesizeSpeech("Thanks, goodbye.").samples, 24000);
    const closed = await caller.closed;
    expect(closed.by).toBe("bot");
    const ended = await eventually("the call ended in the console", async () => (await snapshot()).ended.find((c: any) => c.id === live.id));
    expect(ended).toMatchObject({ live: false, endReason: "end_call" });
    expect(ended.events.filter((e: any) => e.type === "latency").map((e: any) => e.kind)).toEqual(expect.arrayContaining(["greeting", "turn"]));
    expect(ended.events.find((e: any) => e.type === "caller").transcript).toBe(QUESTION);
  }, 90_000);

  it("ends the call when the browser hangs up", async () => {
    h = await startCallHarness({ scenario, env: { CONSOLE_TOKEN: TOKEN, GREETING_TEXT: GREETING, MEDIA_RECONNECT_GRACE_MS: "0" } });
    const caller = softphoneCaller(h.botUrl, TOKEN);
    await caller.connect();
    await caller.waitForBotAudio({ timeoutMs: 10_000 });
    await caller.close(1000, "caller hung up");
    await eventually("the call session to close", () => h!.bot.media.size === 0, 5000);
    await eventually("Voice Live to close", () => h!.emulator.connections().every((c) => c.closedAt !== null), 5000);
  }, 60_000);

  it("dials nothing without the console token on a public deployment, nor while the bot drains", async () => {
    h = await startCallHarness({ scenario, env: { CONSOLE_TOKEN: TOKEN } });
    const refused = softphoneCaller(h.botUrl, "not-the-console-token");
    await expect(refused.connect()).rejects.toMatchObject({ code: "acs_sim_upgrade_refused", status: 401 });
    h.bot.calls.startDraining();
    const draining = softphoneCaller(h.botUrl, TOKEN);
    await expect(draining.connect()).rejects.toMatchObject({ code: "acs_sim_upgrade_refused", status: 503 });
    expect(h.emulator.connections()).toHaveLength(0);
  }, 30_000);
});

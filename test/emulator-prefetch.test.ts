import { afterEach, describe, expect, it } from "vitest";
import { createBuzzVoice, parseScenario, startVoiceLiveEmulator, type SpeechVoice, type VoiceLiveEmulator } from "../src/emulator/index.js";
import { TestClient } from "./emulator-helpers.js";

const scenario = parseScenario({
  version: 1,
  turns: [
    { user: "one", assistant: [{ say: "First answer. It has two sentences." }] },
    { user: "two", assistant: [{ say: "Second answer." }, { tool: "lookup", arguments: {}, answer: "Found {{output}}." }] },
  ],
  fallback: { user: "?", replies: ["Sorry, say again?", "You said {{user}}."] },
});

/** The buzz, recording what the emulator asks for and when. */
function recordingVoice(): SpeechVoice & { calls: Array<{ kind: "synthesize" | "prefetch"; text: string }> } {
  const buzz = createBuzzVoice();
  const calls: Array<{ kind: "synthesize" | "prefetch"; text: string }> = [];
  return {
    engine: "recording",
    calls,
    synthesize(text, voice) {
      calls.push({ kind: "synthesize", text });
      return buzz.synthesize(text, voice);
    },
    prefetch(text) {
      calls.push({ kind: "prefetch", text });
    },
  };
}

let emulator: VoiceLiveEmulator;
let client: TestClient;

afterEach(async () => {
  await client?.close();
  await emulator?.close();
});

describe("Voice Live emulator: prefetching what it will say", () => {
  it("after each response, prefetches the next scripted turn, the fallback replies and the interim texts — never before a response's own sentences", async () => {
    const voice = recordingVoice();
    emulator = await startVoiceLiveEmulator({ port: 0, scenario, voice });
    client = await TestClient.connect(emulator);
    await client.updateSession({ interim_response: { type: "static_interim_response", triggers: ["tool"], texts: ["Hold on."] } });
    expect(voice.calls).toEqual([]); // nothing before the first response
    client.send({ type: "response.create", response: { pre_generated_assistant_message: { type: "message", role: "assistant", content: [{ type: "text", text: "Hello there." }] } } });
    await client.next("response.done", 20_000);
    const afterGreeting = voice.calls.map((c) => `${c.kind}:${c.text.trim()}`);
    expect(afterGreeting.filter((c) => c.startsWith("synthesize:"))).toContain("synthesize:Hello there.");
    expect(afterGreeting.filter((c) => c.startsWith("prefetch:"))).toEqual([
      "prefetch:First answer.",
      "prefetch:It has two sentences.",
      "prefetch:Sorry, say again?",
      "prefetch:Hold on.",
    ]);
    // The first turn: its answer was prefetched; the next turn's lines come after it (never a placeholder line).
    client.send({ type: "conversation.item.create", item: { type: "message", role: "user", content: [{ type: "input_text", text: "one" }] } });
    client.send({ type: "response.create" });
    await client.next((e) => e.type === "response.done" && client.all("response.done").length === 2, 20_000);
    const later = voice.calls.slice(afterGreeting.length).map((c) => `${c.kind}:${c.text.trim()}`);
    const firstPrefetch = later.findIndex((c) => c.startsWith("prefetch:"));
    expect(later.slice(0, firstPrefetch).every((c) => c.startsWith("synthesize:"))).toBe(true);
    expect(later).toContain("prefetch:Second answer.");
    expect(later.some((c) => c.includes("{{"))).toBe(false);
  });
});

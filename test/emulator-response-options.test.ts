import { afterEach, describe, expect, it } from "vitest";
import { parseScenario, startVoiceLiveEmulator, type VoiceLiveEmulator } from "../src/emulator/index.js";
import { TestClient, type ServerEvent } from "./emulator-helpers.js";

const scenario = parseScenario({
  version: 1,
  turns: [
    { user: "first", assistant: [{ delayMs: 800 }, { say: "Here it is." }] },
    { user: "second", assistant: [{ delayMs: 800 }, { say: "Here it is again." }] },
    { user: "third", assistant: [{ tool: "lookup_order", arguments: {} }] },
  ],
});

let emulator: VoiceLiveEmulator;
let client: TestClient;

afterEach(async () => {
  await client?.close();
  await emulator?.close();
});

async function start(query?: Record<string, string>, headers?: Record<string, string>): Promise<void> {
  emulator = await startVoiceLiveEmulator({ port: 0, scenario });
  client = await TestClient.connect(emulator, { ...(query ? { query } : {}), ...(headers ? { headers } : {}) });
}

function typed(text: string): void {
  client.send({ type: "conversation.item.create", item: { type: "message", role: "user", content: [{ type: "input_text", text }] } });
}

/** Transcripts of the responses that finished, in order. */
function spoken(): string[] {
  return client.all("response.audio_transcript.done").map((e) => e.transcript as string);
}

/** Fundamental frequency (Hz) of the loudest 40 ms windows of a PCM16 24 kHz signal, by autocorrelation. */
function medianPitchHz(samples: Int16Array): number {
  const window = 960;
  const frames: Array<{ at: number; energy: number }> = [];
  for (let at = 0; at + window <= samples.length; at += window) {
    let energy = 0;
    for (let i = at; i < at + window; i++) energy += samples[i] * samples[i];
    frames.push({ at, energy });
  }
  const loud = frames.sort((a, b) => b.energy - a.energy).slice(0, Math.max(5, Math.floor(frames.length / 4)));
  const pitches = loud.map(({ at }) => {
    let bestLag = 0;
    let best = -Infinity;
    for (let lag = 60; lag <= 320; lag++) {
      let sum = 0;
      for (let i = at; i + lag < at + window; i++) sum += samples[i] * samples[i + lag];
      if (sum > best) {
        best = sum;
        bestLag = lag;
      }
    }
    return 24000 / bestLag;
  });
  return pitches.sort((a, b) => a - b)[Math.floor(pitches.length / 2)];
}

function audioOf(events: ServerEvent[]): Int16Array {
  const bytes = Buffer.concat(events.filter((e) => e.type === "response.audio.delta").map((e) => Buffer.from(e.delta, "base64")));
  return new Int16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2);
}

describe("Voice Live emulator: per-response options in response.create", () => {
  it("validates each option like the session's, naming the parameter", async () => {
    await start();
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ voice: { type: "robot", name: "x" } }, "invalid_value", "response.voice.type"],
      [{ voice: { type: "azure-standard" } }, "invalid_value", "response.voice.name"],
      [{ tools: [{ type: "code", name: "x" }] }, "invalid_value", "response.tools[0].type"],
      [{ tools: {} }, "invalid_value", "response.tools"],
      [{ tool_choice: "sometimes" }, "invalid_value", "response.tool_choice"],
      [{ tool_choice: { type: "function" } }, "invalid_value", "response.tool_choice.name"],
      [{ instructions: 42 }, "invalid_value", "response.instructions"],
      [{ max_output_tokens: 0 }, "invalid_value", "response.max_output_tokens"],
      [{ max_output_tokens: "lots" }, "invalid_value", "response.max_output_tokens"],
      [{ metadata: { n: 1 } }, "invalid_value", "response.metadata.n"],
      [{ metadata: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, "v"])) }, "invalid_value", "response.metadata"],
      [{ interim_response: { type: "static_interim_response", texts: [] } }, "invalid_value", "response.interim_response.texts"],
      [{ interim_response: { type: "sometimes" } }, "invalid_value", "response.interim_response.type"],
      [{ temperature: 3 }, "invalid_value", "response.temperature"],
      [{ conversation: "other" }, "invalid_value", "response.conversation"],
    ];
    for (const [response, code, param] of cases) {
      expect(await client.expectError({ type: "response.create", event_id: "evt_r", response }), JSON.stringify(response)).toMatchObject({ code, param, event_id: "evt_r" });
    }
    expect(client.all("response.created")).toHaveLength(0);
  });

  it("accepts them all together, echoes voice, metadata and max_output_tokens in the response", async () => {
    await start();
    const voice = { type: "azure-standard", name: "en-US-Ava:DragonHDLatestNeural", temperature: 0.9 };
    client.send({
      type: "response.create",
      response: {
        instructions: "Answer briefly.",
        tools: [{ type: "function", name: "lookup_order", parameters: { type: "object", properties: {} } }],
        tool_choice: { type: "function", name: "lookup_order" },
        voice,
        metadata: { turn: "1" },
        max_output_tokens: 200,
        temperature: 0.7,
      },
    });
    const created = await client.next("response.created");
    expect(created.response).toMatchObject({ voice, metadata: { turn: "1" }, max_output_tokens: 200 });
    expect((await client.next("response.done", 20_000)).response.status).toBe("completed");
    expect(client.all("error")).toEqual([]);
  });

  it("instructions per response are refused in agent mode, like the session's", async () => {
    await start({ "api-version": "2026-07-15", "agent-name": "a", "agent-project-name": "p" }, { authorization: "Bearer t" });
    expect(await client.expectError({ type: "response.create", response: { instructions: "x" } })).toMatchObject({ code: "unsupported_parameter", param: "response.instructions" });
  });

  it("a response's own interim_response covers its slowness when the session has none; interim_response: null silences the session's", async () => {
    await start();
    typed("first");
    client.send({
      type: "response.create",
      response: { interim_response: { type: "static_interim_response", triggers: ["latency"], latency_threshold_ms: 200, texts: ["Hold on."] } },
    });
    await client.waitUntil(() => spoken().length === 2, 20_000);
    expect(spoken()).toEqual(["Hold on.", "Here it is."]);

    await client.updateSession({ interim_response: { type: "static_interim_response", triggers: ["latency"], latency_threshold_ms: 200, texts: ["Session filler."] } });
    typed("second");
    client.send({ type: "response.create", response: { interim_response: null } });
    await client.waitUntil(() => spoken().length === 3, 20_000);
    expect(spoken()[2]).toBe("Here it is again.");
    expect(client.all("response.created")).toHaveLength(3);
  });

  it("a per-response tool trigger plays an interim while the call waits for the tool's output", async () => {
    await start();
    typed("first");
    client.send({ type: "response.create", response: { interim_response: null } });
    await client.waitUntil(() => spoken().length === 1, 20_000);
    typed("second");
    client.send({ type: "response.create", response: { interim_response: null } });
    await client.waitUntil(() => spoken().length === 2, 20_000);
    typed("third");
    client.send({ type: "response.create", response: { interim_response: { type: "llm_interim_response", triggers: ["tool"] } } });
    await client.waitUntil(() => spoken().length === 3, 20_000);
    expect(client.all("response.function_call_arguments.done")).toHaveLength(1);
    expect(spoken()[2]).toBe("One moment please, I'm working on that.");
  });

  it("speaks a response with the voice it names: a male Azure voice has a lower pitch", async () => {
    await start();
    const text = "Thank you for calling. How can I help you today?";
    const say = async (voice: Record<string, unknown>): Promise<Int16Array> => {
      client.send({ type: "response.create", response: { voice, pre_generated_assistant_message: { type: "message", role: "assistant", content: [{ type: "text", text }] } } });
      const created = await client.next("response.created");
      return audioOf(await client.responseEvents(created.response.id, 20_000));
    };
    const female = medianPitchHz(await say({ type: "azure-standard", name: "en-US-Ava:DragonHDLatestNeural" }));
    const male = medianPitchHz(await say({ type: "azure-standard", name: "en-US-Andrew:DragonHDLatestNeural" }));
    expect(female).toBeGreaterThan(140);
    expect(male).toBeLessThan(140);
    expect(male).toBeGreaterThan(70);
  });
});

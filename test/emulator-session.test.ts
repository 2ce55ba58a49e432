import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startVoiceLiveEmulator, type VoiceLiveEmulator } from "../src/emulator/index.js";
import { TestClient } from "./emulator-helpers.js";

let emulator: VoiceLiveEmulator;
let client: TestClient;

beforeEach(async () => {
  emulator = await startVoiceLiveEmulator({ port: 0 });
  client = await TestClient.connect(emulator);
});

afterEach(async () => {
  await client?.close();
  await emulator?.close();
});

describe("Voice Live emulator: session.update", () => {
  it("merges the update and answers session.updated with the whole effective session", async () => {
    const updated = await client.updateSession({
      instructions: "You are Contoso's phone assistant.",
      voice: { type: "azure-standard", name: "en-US-Ava:DragonHDLatestNeural", temperature: 0.8 },
      input_audio_format: "pcm16",
      input_audio_sampling_rate: 16000,
      output_audio_format: "pcm16_16000hz",
      input_audio_transcription: { model: "azure-speech", language: "en-US" },
      tools: [{ type: "function", name: "lookup_order", description: "d", parameters: { type: "object", properties: {} } }],
      input_audio_echo_cancellation: { type: "server_echo_cancellation" },
    });
    expect(updated.type).toBe("session.updated");
    expect(updated.session).toMatchObject({
      instructions: "You are Contoso's phone assistant.",
      input_audio_sampling_rate: 16000,
      output_audio_format: "pcm16_16000hz",
      input_audio_transcription: { model: "azure-speech" },
      input_audio_echo_cancellation: { type: "server_echo_cancellation" },
      model: "gpt-4.1",
    });
    expect(updated.session.tools).toHaveLength(1);

    const second = await client.updateSession({ temperature: 0.7 });
    expect(second.session.temperature).toBe(0.7);
    // Fields not in the second update keep their values.
    expect(second.session.instructions).toBe("You are Contoso's phone assistant.");
    expect(second.session.output_audio_format).toBe("pcm16_16000hz");
  });

  it("takes a turn_detection object as complete: omitted fields get their defaults", async () => {
    const updated = await client.updateSession({
      turn_detection: { type: "azure_semantic_vad", silence_duration_ms: 700, auto_truncate: true },
    });
    expect(updated.session.turn_detection).toEqual({
      type: "azure_semantic_vad",
      threshold: 0.5,
      prefix_padding_ms: 300,
      silence_duration_ms: 700,
      create_response: true,
      interrupt_response: true,
      auto_truncate: true,
    });
    const off = await client.updateSession({ turn_detection: null });
    expect(off.session.turn_detection).toBeNull();
  });

  it("switching to g711_ulaw makes the input rate 8000 Hz", async () => {
    const updated = await client.updateSession({ input_audio_format: "g711_ulaw", output_audio_format: "g711_ulaw" });
    expect(updated.session).toMatchObject({ input_audio_format: "g711_ulaw", input_audio_sampling_rate: 8000 });
  });

  const invalid: Array<[string, Record<string, unknown>, string, string]> = [
    ["an unknown input format", { input_audio_format: "opus" }, "invalid_value", "session.input_audio_format"],
    ["an unknown output format", { output_audio_format: "pcm16_44100hz" }, "invalid_value", "session.output_audio_format"],
    ["an unsupported input rate", { input_audio_sampling_rate: 44100 }, "invalid_value", "session.input_audio_sampling_rate"],
    ["a g711 input at 16 kHz", { input_audio_format: "g711_ulaw", input_audio_sampling_rate: 16000 }, "invalid_value", "session.input_audio_sampling_rate"],
    ["an unknown turn_detection type", { turn_detection: { type: "push_to_talk" } }, "invalid_value", "session.turn_detection.type"],
    [
      "auto_truncate without interrupt_response",
      { turn_detection: { type: "server_vad", interrupt_response: false, auto_truncate: true } },
      "invalid_value",
      "session.turn_detection.auto_truncate",
    ],
    ["a threshold above 1", { turn_detection: { type: "server_vad", threshold: 1.5 } }, "invalid_value", "session.turn_detection.threshold"],
    ["an unknown voice type", { voice: { type: "robot", name: "x" } }, "invalid_value", "session.voice.type"],
    ["a tool that is not a function", { tools: [{ type: "code", name: "x" }] }, "invalid_value", "session.tools[0].type"],
    ["audio-only modalities", { modalities: ["audio"] }, "invalid_value", "session.modalities"],
    [
      "a static interim response without texts",
      { interim_response: { type: "static_interim_response", triggers: ["tool"] } },
      "invalid_value",
      "session.interim_response.texts",
    ],
    ["an unknown interim trigger", { interim_response: { type: "llm_interim_response", triggers: ["silence"] } }, "invalid_value", "session.interim_response.triggers[0]"],
  ];

  for (const [what, session, code, param] of invalid) {
    it(`rejects ${what} with an error event and leaves the session unchanged`, async () => {
      const error = await client.expectError({ type: "session.update", event_id: "evt_client_1", session });
      expect(error).toMatchObject({ type: "invalid_request_error", code, param, event_id: "evt_client_1" });
      expect(typeof error.message).toBe("string");
      // Nothing of the bad update was applied, and the session is still usable.
      const after = await client.updateSession({ temperature: 0.9 });
      expect(after.type).toBe("session.updated");
      expect(after.session.input_audio_format).toBe("pcm16");
      expect(after.session.output_audio_format).toBe("pcm16");
      expect(after.session.turn_detection.type).toBe("server_vad");
    });
  }

  it("rejects interim_response with a realtime audio model (documented as unsupported)", async () => {
    const realtime = await TestClient.connect(emulator, { query: { "api-version": "2026-01-01-preview", model: "gpt-realtime" } });
    const error = await realtime.expectError({
      type: "session.update",
      session: { interim_response: { type: "static_interim_response", triggers: ["tool"], texts: ["One moment."] } },
    });
    expect(error).toMatchObject({ code: "unsupported_parameter", param: "session.interim_response" });
    await realtime.close();
    // A text LLM in cascaded mode accepts it.
    const ok = await client.updateSession({ interim_response: { type: "llm_interim_response", triggers: ["latency"], latency_threshold_ms: 800 } });
    expect(ok.session.interim_response).toMatchObject({ type: "llm_interim_response", triggers: ["latency"], latency_threshold_ms: 800 });
  });

  it("rejects instructions in agent mode", async () => {
    const agent = await TestClient.connect(emulator, {
      query: { "api-version": "2026-01-01-preview", "agent-name": "a", "agent-project-name": "p" },
      headers: { authorization: "Bearer t" },
    });
    const error = await agent.expectError({ type: "session.update", session: { instructions: "Be nice." } });
    expect(error).toMatchObject({ code: "unsupported_parameter", param: "session.instructions" });
    // Interim responses are fine in agent mode.
    const ok = await agent.updateSession({ interim_response: { type: "static_interim_response", triggers: ["tool"], texts: ["Hold on."] } });
    expect(ok.type).toBe("session.updated");
    await agent.close();
  });
});

describe("Voice Live emulator: malformed client messages", () => {
  it("answers bad JSON, a missing type, an unknown type and binary frames with errors and stays open", async () => {
    client.ws.send("{not json");
    expect((await client.next("error")).error.code).toBe("invalid_json");
    client.send({ hello: 1 });
    expect((await client.next("error")).error).toMatchObject({ code: "missing_required_parameter", param: "type" });
    const unknown = await client.expectError({ type: "response.explode", event_id: "e9" });
    expect(unknown).toMatchObject({ code: "invalid_value", param: "type", event_id: "e9" });
    client.ws.send(Buffer.from([1, 2, 3]));
    expect((await client.next("error")).error.code).toBe("invalid_json");
    const still = await client.updateSession({ temperature: 0.8 });
    expect(still.type).toBe("session.updated");
    const snapshot = emulator.connection("c1");
    expect(snapshot?.counters.invalidMessages).toBe(3);
  });

  it("validates required parameters of item and audio events", async () => {
    expect(await client.expectError({ type: "input_audio_buffer.append" })).toMatchObject({ code: "missing_required_parameter", param: "audio" });
    expect(await client.expectError({ type: "input_audio_buffer.append", audio: "%%%%" })).toMatchObject({ code: "invalid_value", param: "audio" });
    expect(await client.expectError({ type: "conversation.item.create" })).toMatchObject({ code: "missing_required_parameter", param: "item" });
    expect(await client.expectError({ type: "conversation.item.create", item: { type: "message", role: "robot", content: [] } })).toMatchObject({
      code: "invalid_value",
      param: "item.role",
    });
    expect(
      await client.expectError({ type: "conversation.item.create", item: { type: "function_call_output", call_id: "call_nope", output: "{}" } }),
    ).toMatchObject({ code: "invalid_value", param: "item.call_id" });
    expect(await client.expectError({ type: "conversation.item.retrieve", item_id: "item_nope" })).toMatchObject({
      code: "item_retrieve_invalid_item_id",
    });
    expect(await client.expectError({ type: "conversation.item.delete", item_id: "item_nope" })).toMatchObject({
      code: "item_delete_invalid_item_id",
    });
  });
});

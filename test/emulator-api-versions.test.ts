import { afterEach, describe, expect, it } from "vitest";
import { SUPPORTED_API_VERSIONS, startVoiceLiveEmulator, type VoiceLiveEmulator } from "../src/emulator/index.js";
import { TestClient, realtimeUrl, tryUpgrade } from "./emulator-helpers.js";

let emulator: VoiceLiveEmulator;

afterEach(async () => {
  await emulator?.close();
});

const pregenerated = (text: string) => ({ pre_generated_assistant_message: { type: "message", role: "assistant", content: [{ type: "text", text }] } });
const INTERIM = { type: "static_interim_response", triggers: ["latency"], latency_threshold_ms: 500, texts: ["One moment."] };

async function connect(apiVersion: string): Promise<TestClient> {
  return TestClient.connect(emulator, { query: { "api-version": apiVersion, model: "gpt-4.1" } });
}

describe("Voice Live emulator: api-version", () => {
  it("accepts every documented version and records which one a session uses", async () => {
    emulator = await startVoiceLiveEmulator({ port: 0 });
    expect([...SUPPORTED_API_VERSIONS]).toEqual(["2025-10-01", "2026-01-01-preview", "2026-04-10", "2026-06-01-preview", "2026-07-15"]);
    for (const version of SUPPORTED_API_VERSIONS) {
      expect((await tryUpgrade(realtimeUrl(emulator, { "api-version": version, model: "gpt-4.1" }), { "api-key": "k" })).status).toBe(101);
    }
    expect(emulator.connections().map((c) => c.apiVersion)).toEqual([...SUPPORTED_API_VERSIONS]);
  });

  it("refuses an unknown version before the upgrade, like Azure: 400 BadRequest naming the supported versions", async () => {
    emulator = await startVoiceLiveEmulator({ port: 0 });
    for (const version of ["2024-10-01-preview", "2026-07-16", "latest", "2026-07-15-preview"]) {
      const result = await tryUpgrade(realtimeUrl(emulator, { "api-version": version, model: "gpt-4.1" }), { "api-key": "k" });
      expect(result.status).toBe(400);
      expect(result.body.error.code).toBe("BadRequest");
      expect(result.body.error.message).toContain("API version not supported");
      expect(result.body.error.message).toContain("2026-07-15");
    }
    expect(emulator.connections()).toHaveLength(0);
  });

  it("2025-10-01 (GA) knows neither pregenerated messages nor interim responses nor streamed text input", async () => {
    emulator = await startVoiceLiveEmulator({ port: 0 });
    const client = await connect("2025-10-01");
    expect(await client.expectError({ type: "response.create", response: pregenerated("Hello.") })).toMatchObject({
      code: "unknown_parameter",
      param: "response.pre_generated_assistant_message",
    });
    expect(await client.expectError({ type: "session.update", session: { interim_response: INTERIM } })).toMatchObject({
      code: "unknown_parameter",
      param: "session.interim_response",
    });
    expect(await client.expectError({ type: "response.create", response: { interim_response: INTERIM } })).toMatchObject({
      code: "unknown_parameter",
      param: "response.interim_response",
    });
    expect(await client.expectError({ type: "input_text.delta", id: "x", delta: "hi" })).toMatchObject({ code: "invalid_value", param: "type" });
    // The same session is still usable: a plain response plays.
    client.send({ type: "response.create" });
    expect((await client.next("response.done")).response.status).toBe("completed");
    await client.close();
  });

  it("2026-01-01-preview and 2026-04-10 speak pregenerated messages and take interim responses; streamed text input waits for 2026-06-01-preview", async () => {
    emulator = await startVoiceLiveEmulator({ port: 0 });
    for (const version of ["2026-01-01-preview", "2026-04-10"]) {
      const client = await connect(version);
      expect((await client.updateSession({ interim_response: INTERIM })).type).toBe("session.updated");
      client.send({ type: "response.create", response: pregenerated("Welcome.") });
      expect((await client.next("response.audio_transcript.done")).transcript).toBe("Welcome.");
      expect(await client.expectError({ type: "input_text.done", id: "x" })).toMatchObject({ code: "invalid_value", param: "type" });
      await client.close();
    }
    for (const version of ["2026-06-01-preview", "2026-07-15"]) {
      const client = await connect(version);
      // Known from this version on: an unknown item is now an item error, not an unknown event type.
      expect(await client.expectError({ type: "input_text.done", id: "nope" })).toMatchObject({ code: "item_not_found", param: "id" });
      await client.close();
    }
  });
});

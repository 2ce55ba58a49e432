import { afterEach, describe, expect, it } from "vitest";
import { startVoiceLiveEmulator, type VoiceLiveEmulator } from "../src/emulator/index.js";
import { DEFAULT_QUERY, TestClient, realtimeUrl, tryUpgrade } from "./emulator-helpers.js";

let emulator: VoiceLiveEmulator;

afterEach(async () => {
  await emulator?.close();
});

describe("Voice Live emulator: connecting", () => {
  it("accepts an api-key and opens with session.created carrying the effective defaults", async () => {
    emulator = await startVoiceLiveEmulator({ port: 0 });
    const client = await TestClient.connect(emulator);
    const created = client.all("session.created")[0];
    expect(created.event_id).toMatch(/^event_/);
    expect(created.session).toMatchObject({
      object: "realtime.session",
      model: "gpt-4.1",
      input_audio_format: "pcm16",
      input_audio_sampling_rate: 24000,
      output_audio_format: "pcm16",
      turn_detection: { type: "server_vad", create_response: true, interrupt_response: true, auto_truncate: false },
    });
    expect(created.session.id).toMatch(/^sess_/);
    expect(emulator.connections()[0]).toMatchObject({ id: "c1", auth: "api-key", apiVersion: "2026-01-01-preview", closedAt: null });
    await client.close();
  });

  it("answers 401 when neither an api-key nor a bearer token is sent", async () => {
    emulator = await startVoiceLiveEmulator({ port: 0 });
    const result = await tryUpgrade(realtimeUrl(emulator, DEFAULT_QUERY), {});
    expect(result.status).toBe(401);
    expect(result.body.error.code).toBe("unauthorized");
    const emptyBearer = await tryUpgrade(realtimeUrl(emulator, DEFAULT_QUERY), { authorization: "Bearer " });
    expect(emptyBearer.status).toBe(401);
    expect(emulator.connections()).toHaveLength(0);
  });

  it("accepts the api-key as a query parameter and a bearer token, and applies the credential checks", async () => {
    emulator = await startVoiceLiveEmulator({
      port: 0,
      acceptApiKey: (key) => key === "good-key",
      acceptBearer: (token) => token === "good-token",
    });
    expect((await tryUpgrade(realtimeUrl(emulator, { ...DEFAULT_QUERY, "api-key": "good-key" }), {})).status).toBe(101);
    expect((await tryUpgrade(realtimeUrl(emulator, DEFAULT_QUERY), { authorization: "Bearer good-token" })).status).toBe(101);
    const badKey = await tryUpgrade(realtimeUrl(emulator, DEFAULT_QUERY), { "api-key": "wrong" });
    expect(badKey).toMatchObject({ status: 401, body: { error: { code: "invalid_api_key" } } });
    const badToken = await tryUpgrade(realtimeUrl(emulator, DEFAULT_QUERY), { authorization: "Bearer wrong" });
    expect(badToken).toMatchObject({ status: 401, body: { error: { code: "invalid_token" } } });
    // The recorded query never keeps the key.
    expect(emulator.connections()[0].auth).toBe("api-key");
  });

  it("requires api-version and a model or an agent", async () => {
    emulator = await startVoiceLiveEmulator({ port: 0 });
    const headers = { "api-key": "k" };
    expect(await tryUpgrade(realtimeUrl(emulator, { model: "gpt-4.1" }), headers)).toMatchObject({
      status: 400,
      body: { error: { code: "missing_api_version" } },
    });
    expect(await tryUpgrade(realtimeUrl(emulator, { "api-version": "2025-10-01" }), headers)).toMatchObject({
      status: 400,
      body: { error: { code: "missing_model" } },
    });
    expect(
      await tryUpgrade(realtimeUrl(emulator, { "api-version": "2025-10-01", "agent-name": "a" }), { authorization: "Bearer t" }),
    ).toMatchObject({ status: 400, body: { error: { code: "missing_agent_project" } } });
  });

  it("answers 404 for another path", async () => {
    emulator = await startVoiceLiveEmulator({ port: 0 });
    const result = await tryUpgrade(`${emulator.url}/openai/realtime?api-version=x&model=y`, { "api-key": "k" });
    expect(result.status).toBe(404);
  });

  it("agent mode accepts an Entra bearer token and describes the agent in the session", async () => {
    emulator = await startVoiceLiveEmulator({ port: 0 });
    const client = await TestClient.connect(emulator, {
      query: { "api-version": "2026-01-01-preview", "agent-name": "support-agent", "agent-project-name": "contoso", "agent-version": "3" },
      headers: { authorization: "Bearer entra-token" },
    });
    const session = client.all("session.created")[0].session;
    expect(session.model).toBeUndefined();
    expect(session.agent).toMatchObject({ name: "support-agent", project_name: "contoso", version: "3" });
    expect(emulator.connections()[0].mode).toMatchObject({ kind: "agent", agentName: "support-agent" });
    await client.close();
  });

  it("agent mode rejects key-based authentication like the service", async () => {
    emulator = await startVoiceLiveEmulator({ port: 0 });
    const query = { "api-version": "2026-01-01-preview", "agent-name": "a", "agent-project-name": "p" };
    const result = await tryUpgrade(realtimeUrl(emulator, query), { "api-key": "k" });
    expect(result).toMatchObject({ status: 401, body: { error: { code: "agent_requires_entra" } } });
  });

  it("serves GET /health and answers 404 JSON for unknown HTTP paths", async () => {
    emulator = await startVoiceLiveEmulator({ port: 0 });
    const http = emulator.url.replace(/^ws/, "http");
    const health = await fetch(`${http}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok" });
    const missing = await fetch(`${http}/nope`);
    expect(missing.status).toBe(404);
  });

  it("disconnect() closes one connection from the server side with the given code", async () => {
    emulator = await startVoiceLiveEmulator({ port: 0 });
    const client = await TestClient.connect(emulator);
    const closed = new Promise<number>((resolve) => client.ws.once("close", (code) => resolve(code)));
    expect(emulator.disconnect("c1", 1011, "boom")).toBe(true);
    expect(await closed).toBe(1011);
    expect(emulator.disconnect("c1")).toBe(false);
  });
});

import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config/index.js";

const valid = {
  PUBLIC_BASE_URL: "https://bot.example.com",
  ACS_CONNECTION_STRING: "endpoint=https://contoso.communication.azure.com/;accesskey=c2VjcmV0",
  ACS_RESOURCE_ID: "5f6c3a2e-8a41-4d5b-9c1e-2b7d0e4f1a93",
};

describe("configuration", () => {
  it("applies the documented defaults", () => {
    const config = loadConfig(valid);
    expect(config.server).toMatchObject({ host: "0.0.0.0", port: 8080, callbackUrl: "https://bot.example.com/api/callbacks", mediaUrl: "wss://bot.example.com/media", local: false });
    expect(config.acs.audioFormat).toBe("pcm24KMono");
    expect(config.acs.jwt).toMatchObject({ issuer: "https://acscallautomation.communication.azure.com", audience: valid.ACS_RESOURCE_ID });
    expect(config.acs.jwt!.jwksUrl.href).toBe("https://acscallautomation.communication.azure.com/calling/keys");
    expect(config.acs.allowInsecureConnection).toBe(false);
    expect(config.acs.mediaContextSecretSource).toBe("derived-from-access-key");
    expect(Object.isFrozen(config.server)).toBe(true);
  });

  it("lists every missing or invalid setting in one error", () => {
    let error: unknown;
    try {
      loadConfig({ PORT: "eighty", ACS_AUDIO_FORMAT: "mp3", PUBLIC_BASE_URL: "http://bot.example.com/path", ACS_RESOURCE_ID: "not-a-guid" });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join("\n");
    expect(problems).toMatch(/PORT must be an integer/);
    expect(problems).toMatch(/ACS_AUDIO_FORMAT must be one of pcm24KMono, pcm16KMono/);
    expect(problems).toMatch(/PUBLIC_BASE_URL must use https/);
    expect(problems).toMatch(/ACS_CONNECTION_STRING or ACS_ENDPOINT is required/);
    expect(problems).toMatch(/ACS_RESOURCE_ID must be the resource's immutable id/);
  });

  it("requires ACS_RESOURCE_ID for a public deployment but not for a loopback run", () => {
    const { ACS_RESOURCE_ID: _omit, ...withoutAudience } = valid;
    expect(() => loadConfig(withoutAudience)).toThrow(/ACS_RESOURCE_ID is required/);
    const local = loadConfig({ ...withoutAudience, PUBLIC_BASE_URL: "http://127.0.0.1:8080" });
    expect(local.acs.jwt).toBeUndefined();
    expect(local.server.mediaUrl).toBe("ws://127.0.0.1:8080/media");
  });

  it("allows plain http to ACS only for a loopback stub", () => {
    expect(loadConfig({ ...valid, ACS_CONNECTION_STRING: "endpoint=http://127.0.0.1:9999/;accesskey=c2VjcmV0" }).acs.allowInsecureConnection).toBe(true);
    expect(() => loadConfig({ ...valid, ACS_CONNECTION_STRING: "endpoint=http://contoso.example/;accesskey=c2VjcmV0" })).toThrow(/loopback/);
  });

  it("uses Entra with ACS_ENDPOINT and wants a shared media secret for several replicas", () => {
    const { ACS_CONNECTION_STRING: _omit, ...rest } = valid;
    const config = loadConfig({ ...rest, ACS_ENDPOINT: "https://contoso.communication.azure.com/" });
    expect(config.acs.credential.kind).toBe("entra");
    expect(config.acs.mediaContextSecretSource).toBe("ephemeral");
    expect(loadConfig({ ...rest, ACS_ENDPOINT: "https://contoso.communication.azure.com/", MEDIA_CONTEXT_SECRET: "x".repeat(32) }).acs.mediaContextSecretSource).toBe("configured");
    expect(() => loadConfig({ ...rest, ACS_ENDPOINT: "https://c.communication.azure.com/", MEDIA_CONTEXT_SECRET: "short" })).toThrow(/at least 32/);
  });

  it("splits EVENTGRID_SECRETS for rotation", () => {
    expect(loadConfig({ ...valid, EVENTGRID_SECRETS: " a , b,," }).acs.eventGridSecrets).toEqual(["a", "b"]);
  });
});

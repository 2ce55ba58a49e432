import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { describeConfig, formatConfigSummary } from "../src/config/describe.js";
import { loadConfig } from "../src/config/index.js";
import { SETTINGS, botSettingsIn, printableValue } from "../src/config/settings.js";

const root = new URL("..", import.meta.url).pathname;

/** The names src/config reads through its EnvReader (env.string("X"), env.raw("X"), …). */
function namesReadByConfig(): Set<string> {
  const names = new Set<string>();
  for (const file of readdirSync(join(root, "src/config")).filter((f) => f.endsWith(".ts"))) {
    const text = readFileSync(join(root, "src/config", file), "utf8");
    for (const match of text.matchAll(/\.(?:raw|has|string|optionalString|requiredString|integer|boolean|oneOf|list)\(\s*"([A-Z][A-Z0-9_]+)"/g)) {
      names.add(match[1]!);
    }
  }
  return names;
}

describe("the settings catalogue and .env.example", () => {
  it("catalogues every setting the configuration reads, and nothing it does not", () => {
    const read = namesReadByConfig();
    const catalogued = new Set(SETTINGS.map((s) => s.name));
    expect([...read].filter((name) => !catalogued.has(name))).toEqual([]);
    expect([...catalogued].filter((name) => !read.has(name))).toEqual([]);
  });

  it(".env.example lists every setting once, grouped, each with a comment", () => {
    const lines = readFileSync(join(root, ".env.example"), "utf8").split("\n");
    const entries = lines
      .map((line, index) => ({ index, match: /^(?:# )?([A-Z][A-Z0-9_]+)=/.exec(line) }))
      .filter((e) => e.match !== null)
      .map((e) => ({ name: e.match![1]!, index: e.index }));
    const names = entries.map((e) => e.name);
    expect(names.filter((name, i) => names.indexOf(name) !== i)).toEqual([]);
    expect([...names].sort()).toEqual(SETTINGS.map((s) => s.name).sort());
    // Grouped: the groups appear in catalogue order, each in one block.
    const groupOf = new Map(SETTINGS.map((s) => [s.name, s.group]));
    const groupSequence = names.map((n) => groupOf.get(n)!).filter((g, i, all) => i === 0 || all[i - 1] !== g);
    expect(groupSequence).toEqual([...new Set(SETTINGS.map((s) => s.group))]);
    // Commented: a comment sits between the previous setting and this one (settings on adjacent lines share it).
    entries.forEach((entry, i) => {
      const from = i === 0 ? 0 : entries[i - 1]!.index + 1;
      const between = lines.slice(from, entry.index);
      if (i > 0 && between.length === 0) return;
      expect(between.some((line) => line.startsWith("# ") && !/^# [A-Z][A-Z0-9_]+=/.test(line)), `${entry.name} has no comment`).toBe(true);
    });
    // Every secret is marked as one.
    for (const setting of SETTINGS.filter((s) => s.secret)) {
      const at = entries.find((e) => e.name === setting.name)!.index;
      expect(lines.slice(Math.max(0, at - 4), at + 1).join("\n"), setting.name).toMatch(/\[secret\]/);
    }
  });

  it("keeps only the bot's own settings from an environment, and never prints a secret", () => {
    expect(botSettingsIn({ PATH: "/bin", HOME: "/root", GREETING_TEXT: "Ahoy", PORT: " " })).toEqual({ GREETING_TEXT: "Ahoy" });
    expect(printableValue("VOICELIVE_API_KEY", "k3y")).toBe("<set>");
    expect(printableValue("GREETING_TEXT", "Ahoy")).toBe("Ahoy");
  });
});

describe("the effective-configuration summary", () => {
  const secrets = {
    ACS_CONNECTION_STRING: "endpoint=https://contoso.communication.azure.com/;accesskey=QUNTLWFjY2Vzcy1rZXktc2VjcmV0",
    VOICELIVE_API_KEY: "vl-key-0123456789",
    EVENTGRID_SECRETS: "eg-secret-new,eg-secret-old",
    METRICS_TOKEN: "metrics-token-xyz",
    MEDIA_CONTEXT_SECRET: "media-context-secret-0123456789abcdef",
  };

  it("says mode, model, voice, endpoints, API version, leg format, JWT and Event Grid secret — and no secret", () => {
    const config = loadConfig({
      ...secrets,
      PUBLIC_BASE_URL: "https://bot.example.com",
      ACS_RESOURCE_ID: "5f6c3a2e-8a41-4d5b-9c1e-2b7d0e4f1a93",
      VOICELIVE_ENDPOINT: "https://contoso-ai.services.ai.azure.com",
      VOICELIVE_MODEL: "gpt-4.1-mini",
      VOICELIVE_VOICE: "en-US-Emma:DragonHDLatestNeural",
      ACS_AUDIO_FORMAT: "pcm16KMono",
      TRANSFER_TARGET: "+14255550100",
    });
    const summary = describeConfig(config);
    const line = formatConfigSummary(summary);
    for (const text of [
      "public mode on 0.0.0.0:8080",
      "model gpt-4.1-mini",
      "https://contoso-ai.services.ai.azure.com",
      "api-version 2026-07-15",
      "api-key",
      "en-US-Emma:DragonHDLatestNeural",
      "https://contoso.communication.azure.com/",
      "leg pcm16KMono",
      "JWT checks on (audience 5f6c3a2e-8a41-4d5b-9c1e-2b7d0e4f1a93",
      "Event Grid secret on (2 accepted)",
      "transfer_to_agent → +14255550100",
    ]) {
      expect(line).toContain(text);
    }
    const everything = JSON.stringify(summary) + line;
    for (const value of ["QUNTLWFjY2Vzcy1rZXktc2VjcmV0", "vl-key-0123456789", "eg-secret-new", "eg-secret-old", "metrics-token-xyz", "media-context-secret"]) {
      expect(everything).not.toContain(value);
    }
  });

  it("says plainly when a local run has no JWT checks, no webhook secret and the embedded emulator", () => {
    const config = loadConfig({ PUBLIC_BASE_URL: "http://127.0.0.1:8080", ACS_CONNECTION_STRING: secrets.ACS_CONNECTION_STRING, AGENT_NAME: "helpdesk", AGENT_PROJECT_NAME: "contoso" });
    const line = formatConfigSummary(describeConfig(config));
    expect(line).toContain("local mode");
    expect(line).toContain("agent helpdesk in project contoso");
    expect(line).toContain("embedded emulator");
    expect(line).toContain("JWT checks OFF");
    expect(line).toContain("Event Grid secret OFF");
  });
});

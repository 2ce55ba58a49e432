/** PROFILES_FILE: a profile per dialed number, validated like the environment, every problem at once. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config/index.js";

const base = {
  PUBLIC_BASE_URL: "http://127.0.0.1:8080",
  ACS_CONNECTION_STRING: "endpoint=http://127.0.0.1:9/;accesskey=c2VjcmV0",
  GREETING_TEXT: "Hello from the environment.",
  VOICELIVE_VOICE: "en-US-Ava:DragonHDLatestNeural",
  TOOLS_FILE: "fixtures/tools/tools.example.json",
  ORDERS_API_URL: "http://127.0.0.1:9",
  ORDERS_API_KEY: "k",
};

function file(document: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), "profiles-")), "profiles.json");
  writeFileSync(path, typeof document === "string" ? document : JSON.stringify(document));
  return path;
}

function problems(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("profiles per dialed number", () => {
  it("without a file, every number gets the environment's settings", () => {
    const config = loadConfig(base);
    const profile = config.profiles!.forNumber("+14255550101");
    expect(profile.name).toBe("default");
    expect(profile.config.call.greeting.text).toBe("Hello from the environment.");
    expect(profile.tools).toBeUndefined();
  });

  it("picks the profile of the dialed number; unlisted numbers get the file's default; unset fields keep the environment's", () => {
    const config = loadConfig({ ...base, PROFILES_FILE: "fixtures/profiles/profiles.example.json" });
    const profiles = config.profiles!;
    expect(profiles.all.map((p) => p.name)).toEqual(["default", "sales", "support"]);
    const sales = profiles.forNumber("4:+14255550101");
    expect(sales.name).toBe("sales");
    expect(sales.config.call.greeting.text).toMatch(/^Contoso sales/);
    expect(sales.config.voiceLive.voice).toBe("en-US-Andrew:DragonHDLatestNeural");
    expect(sales.config.voiceLive.instructions).toMatch(/sales assistant/);
    expect(sales.config.tools.transferTarget).toBe("+14255550199");
    expect(sales.tools).toEqual(["transfer_to_agent", "end_call"]);
    // Inherited from the file's default, then the environment.
    expect(sales.config.call.silence).toMatchObject({ afterMs: 8000, reprompts: 2 });
    expect(sales.config.voiceLive.transcriptionLanguage).toBe("en-US");
    const support = profiles.forNumber("+14255550103");
    expect(support.name).toBe("support");
    expect(support.config.call.limits.maxCallDurationMs).toBe(1_800_000);
    expect(support.config.tools.interim.texts).toEqual(["One moment, I'm looking at your order."]);
    const other = profiles.forNumber("+19995550000");
    expect(other.name).toBe("default");
    expect(other.config.call.greeting.text).toBe("Thank you for calling Contoso. How can I help you today?");
    expect(other.config.voiceLive.voice).toBe("en-US-Ava:DragonHDLatestNeural");
  });

  it("lists every problem of the file and of every profile at once", () => {
    const path = file({
      default: { greeting: { text: "Hi", colour: "blue" } },
      profiles: {
        sales: { numbers: ["+14255550101", "425-555-0102"], interim: { mode: "loud" } },
        support: { numbers: ["+14255550101"] },
        "Bad Name": { numbers: ["+14255550109"] },
      },
    });
    const listed = problems({ ...base, PROFILES_FILE: path });
    expect(listed.join("\n")).toMatch(/\/default\/greeting: unknown field "colour"/);
    expect(listed.join("\n")).toMatch(/\/profiles\/sales\/numbers\/1 must be an E\.164 number/);
    expect(listed.join("\n")).toMatch(/\/profiles\/sales\/interim\/mode must be one of "static", "llm", "off"/);
    expect(listed.join("\n")).toMatch(/profile names are lowercase/);
    expect(listed.length).toBeGreaterThanOrEqual(4);
  });

  it("checks each profile's values like the environment's, naming the profile", () => {
    const path = file({
      profiles: {
        sales: { numbers: ["+14255550101"], interim: { latencyMs: 999_999 }, transfer: { target: "sales desk" } },
        agents: { numbers: ["+14255550102"], agent: { name: "helper", project: "contoso" } },
      },
    });
    const listed = problems({ ...base, VOICELIVE_API_KEY: "key", PROFILES_FILE: path }).join("\n");
    expect(listed).toMatch(/profile "sales": INTERIM_LATENCY_MS must be between 0 and 30000/);
    expect(listed).toMatch(/profile "sales": TRANSFER_TARGET must be an E\.164 phone number/);
    expect(listed).toMatch(/profile "agents": VOICELIVE_API_KEY cannot be used with AGENT_NAME/);
  });

  it("refuses a number claimed by two profiles, and a file that is not JSON", () => {
    const twice = file({ profiles: { a: { numbers: ["+14255550101"] }, b: { numbers: ["+14255550101"] } } });
    expect(problems({ ...base, PROFILES_FILE: twice }).join("\n")).toMatch(/\+14255550101 is in both profiles "a" and "b"/);
    expect(problems({ ...base, PROFILES_FILE: file("{ nope") }).join("\n")).toMatch(/PROFILES_FILE .*JSON/);
  });
});

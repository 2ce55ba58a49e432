/**
 * A recorded call fixture (fixtures/calls/<name>/, documented in fixtures/README.md):
 * call.json (who called, bot settings, key presses, hang-up), caller.wav (the
 * caller's audio, G.711 μ-law 8 kHz mono, from media connect), scenario.json
 * (what Voice Live says; absent = the bot's embedded default) and expect.json.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import type { LegName } from "../acs-sim/index.js";
import { decodeWav } from "../audio/index.js";
import { AppError } from "../errors.js";
import { parseExpectations, type Expectation } from "./expectations.js";

export interface FixtureTool {
  readonly name: string;
  readonly description: string;
  readonly parameters: Record<string, unknown>;
  /** How long the tool takes (media ms; a fast replay scales it). */
  readonly delayMs: number;
  readonly output: unknown;
}

export interface Fixture {
  readonly name: string;
  readonly dir: string;
  readonly description: string;
  readonly from: string;
  readonly to: string;
  readonly callerName: string | undefined;
  /**
   * How the simulated ACS streams the call. Undefined (the default): as ACS does,
   * PCM16 at the rate of the bot's ACS_AUDIO_FORMAT (24 kHz unless set), the
   * recording decoded and resampled by the simulator's media-server model;
   * "mulaw8k": the G.711 bytes unchanged (a G.711 gateway or a recorded call);
   * "pcm16k"/"pcm24k": ACS with that audio format.
   */
  readonly leg: LegName | undefined;
  readonly env: Readonly<Record<string, string>>;
  readonly dtmf: ReadonlyArray<{ readonly atMs: number; readonly digit: string }>;
  readonly hangUpAtMs: number | undefined;
  readonly tailMs: number;
  readonly tools: readonly FixtureTool[];
  /** The caller's audio: μ-law bytes at 8 kHz, and the same decoded to PCM16. */
  readonly callerMulaw: Uint8Array;
  readonly callerSamples: Int16Array;
  readonly callerDurationMs: number;
  /** The emulator scenario (raw JSON; the emulator parses it), or undefined for the embedded default. */
  readonly scenario: unknown;
  readonly expectations: readonly Expectation[];
}

export class FixtureError extends AppError {
  constructor(dir: string, message: string) {
    super("fixture_invalid", `fixture ${dir}: ${message}`);
  }
}

const LEGS: readonly LegName[] = ["mulaw8k", "pcm16k", "pcm24k"];

export function loadFixture(dir: string): Fixture {
  const read = (file: string): unknown => {
    const path = join(dir, file);
    try {
      return JSON.parse(readFileSync(path, "utf8"));
    } catch (error) {
      throw new FixtureError(dir, `${file}: ${(error as Error).message}`);
    }
  };
  const call = read("call.json") as Record<string, unknown>;
  const fail = (message: string): never => {
    throw new FixtureError(dir, message);
  };
  const str = (field: string, fallback?: string): string => {
    const value = call[field] ?? fallback;
    if (typeof value !== "string" || value === "") fail(`call.json: ${field} must be a non-empty string`);
    return value as string;
  };
  const num = (value: unknown, field: string, fallback?: number): number => {
    const n = value ?? fallback;
    if (typeof n !== "number" || !Number.isFinite(n) || n < 0) fail(`call.json: ${field} must be a number ≥ 0`);
    return n as number;
  };
  const leg = call.leg as LegName | undefined;
  if (leg !== undefined && !LEGS.includes(leg)) fail(`call.json: leg must be one of ${LEGS.join(", ")} (or absent: ACS's configured PCM format)`);
  const env = (call.env ?? {}) as Record<string, unknown>;
  for (const [key, value] of Object.entries(env)) if (typeof value !== "string") fail(`call.json: env.${key} must be a string`);
  const dtmf = ((call.dtmf ?? []) as unknown[]).map((entry, index) => {
    const e = entry as { atMs?: unknown; digit?: unknown };
    if (typeof e.digit !== "string" || !/^[0-9*#A-D]$/.test(e.digit)) fail(`call.json: dtmf[${index}].digit must be one key`);
    return { atMs: num(e.atMs, `dtmf[${index}].atMs`), digit: e.digit as string };
  });
  const tools = ((call.tools ?? []) as unknown[]).map((entry, index) => {
    const t = entry as Record<string, unknown>;
    if (typeof t.name !== "string" || typeof t.description !== "string" || typeof t.parameters !== "object" || t.parameters === null) {
      fail(`call.json: tools[${index}] needs name, description and parameters`);
    }
    return {
      name: t.name as string,
      description: t.description as string,
      parameters: t.parameters as Record<string, unknown>,
      delayMs: num(t.delayMs, `tools[${index}].delayMs`, 0),
      output: t.output ?? { status: "ok" },
    };
  });

  const wavPath = join(dir, "caller.wav");
  if (!existsSync(wavPath)) fail("caller.wav is missing");
  const wav = decodeWav(readFileSync(wavPath));
  if (wav.encoding !== "mulaw" || wav.sampleRateHz !== 8000) {
    fail(`caller.wav must be G.711 μ-law 8 kHz mono (a recorded phone call), got ${wav.encoding} at ${wav.sampleRateHz} Hz`);
  }
  const scenarioPath = join(dir, "scenario.json");
  const expectPath = join(dir, "expect.json");
  return {
    name: basename(dir),
    dir,
    description: typeof call.description === "string" ? call.description : "",
    from: str("from", "+12065551212"),
    to: str("to", "+14255551212"),
    callerName: typeof call.callerName === "string" ? call.callerName : undefined,
    leg,
    env: env as Record<string, string>,
    dtmf,
    hangUpAtMs: call.hangUpAtMs === undefined ? undefined : num(call.hangUpAtMs, "hangUpAtMs"),
    tailMs: num(call.tailMs, "tailMs", 5000),
    tools,
    callerMulaw: wav.data,
    callerSamples: wav.samples,
    callerDurationMs: (wav.data.length / 8000) * 1000,
    scenario: existsSync(scenarioPath) ? read("scenario.json") : undefined,
    expectations: existsSync(expectPath) ? parseExpectations(read("expect.json"), dir) : [],
  };
}

export const FIXTURES_ROOT = "fixtures/calls";

/**
 * "all" → every fixture under fixtures/calls; a fixture directory (with call.json);
 * a folder of fixture directories → each of them; or a fixture's name under fixtures/calls.
 */
export function fixtureDirs(spec: string, root = FIXTURES_ROOT): string[] {
  const fixturesIn = (folder: string): string[] =>
    readdirSync(folder)
      .map((name) => join(folder, name))
      .filter((dir) => statSync(dir).isDirectory() && existsSync(join(dir, "call.json")))
      .sort();
  if (spec === "all") return fixturesIn(root);
  const dir = existsSync(spec) ? spec : join(root, spec);
  if (existsSync(join(dir, "call.json"))) return [dir];
  if (existsSync(dir) && statSync(dir).isDirectory()) {
    const inside = fixturesIn(dir);
    if (inside.length > 0) return inside;
    throw new AppError("fixture_invalid", `no fixture in ${spec}: neither it nor any folder directly inside it has a call.json`);
  }
  const names = existsSync(root) ? fixturesIn(root).map((d) => basename(d)) : [];
  throw new AppError(
    "fixture_invalid",
    `no fixture at ${spec} (a fixture folder with call.json, a folder of them, "all", or one of: ${names.join(", ") || "none"})`,
  );
}

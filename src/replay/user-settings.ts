/**
 * The user's own settings for `npm run demo` and `npm run replay`: the
 * environment over ./.env, as the bot reads them, applied over each fixture's
 * call.json env. Wiring settings (public origin, ACS, Voice Live endpoint and
 * key) are not applied: a replay brings its own ACS and Voice Live.
 */
import { existsSync, readFileSync } from "node:fs";
import { parseEnv } from "node:util";
import { printableValue, settingInfo, SETTINGS } from "../config/settings.js";

export interface UserSettings {
  /** Handed to the in-process bot over the fixture's env (plus other variables a TOOLS_FILE may substitute). */
  readonly env: Readonly<Record<string, string>>;
  /** The bot settings applied, printable (secrets masked), with where each came from. */
  readonly applied: ReadonlyArray<{ readonly name: string; readonly value: string; readonly source: "environment" | ".env" }>;
  /** Wiring settings the user has set that a replay replaces with its own peers. */
  readonly notApplied: readonly string[];
}

export const NO_USER_SETTINGS: UserSettings = { env: {}, applied: [], notApplied: [] };

export function readUserSettings(envFilePath: string, processEnv: Readonly<Record<string, string | undefined>>): UserSettings {
  const fromFile: Record<string, string | undefined> = existsSync(envFilePath) ? parseEnv(readFileSync(envFilePath, "utf8")) : {};
  const env: Record<string, string> = {};
  const applied: Array<UserSettings["applied"][number]> = [];
  const notApplied: string[] = [];
  for (const [name, value] of Object.entries({ ...fromFile, ...processEnv })) {
    if (value === undefined) continue;
    const info = settingInfo(name);
    if (info?.wiring) {
      if (value.trim() !== "") notApplied.push(name);
      continue;
    }
    env[name] = value;
    if (info && value.trim() !== "") {
      applied.push({ name, value: printableValue(name, value), source: processEnv[name] !== undefined ? "environment" : ".env" });
    }
  }
  const order = (name: string): number => SETTINGS.findIndex((s) => s.name === name);
  applied.sort((a, b) => order(a.name) - order(b.name));
  notApplied.sort((a, b) => order(a) - order(b));
  return { env, applied, notApplied };
}

/** What a person sees before the call: which of their settings apply, and which do not. */
export function describeUserSettings(settings: UserSettings): string[] {
  const lines: string[] = [];
  if (settings.applied.length > 0) {
    lines.push("Your settings, applied over the fixture's:");
    for (const s of settings.applied) lines.push(`  ${s.name}=${s.value}  (from ${s.source === ".env" ? ".env" : "the environment"})`);
  }
  if (settings.notApplied.length > 0) {
    lines.push(`Not applied (the replay runs its own ACS and Voice Live): ${settings.notApplied.join(", ")}`);
  }
  return lines;
}

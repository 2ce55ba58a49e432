/**
 * Profiles per dialed number (PROFILES_FILE): each one is the deployment's
 * settings with the profile's overrides applied, validated exactly like the
 * environment (every problem of every profile listed at once). Without a file,
 * one profile — "default" — is the environment itself, so nothing changes.
 */
import type { Env } from "./env-reader.js";
import { profileSettings, readProfilesFile, type ProfileSpec } from "./profiles-file.js";

export interface CallProfile<C> {
  readonly name: string;
  /** Dialed numbers (E.164) that get this profile; empty for the default one. */
  readonly numbers: readonly string[];
  readonly config: C;
  /** Tool names offered on calls of this profile; undefined: every tool the deployment has. */
  readonly tools: readonly string[] | undefined;
}

export interface Profiles<C> {
  readonly default: CallProfile<C>;
  readonly all: readonly CallProfile<C>[];
  /** The profile of a dialed number ("+14255550100" or "4:+14255550100"), else the default one. */
  forNumber(dialed: string | undefined): CallProfile<C>;
}

export const DEFAULT_PROFILE = "default";

/**
 * Builds every profile's config with `load` (the same validation as the
 * environment); problems come back prefixed with the profile's name.
 */
export function loadProfiles<C>(env: Env, load: (env: Env) => C, problemsOf: (error: unknown) => readonly string[] | undefined): { profiles?: Profiles<C>; problems: string[] } {
  const path = env.PROFILES_FILE?.trim();
  const problems: string[] = [];
  const build = (name: string, spec: ProfileSpec | undefined, numbers: readonly string[]): CallProfile<C> | undefined => {
    const overrides = spec ? profileSettings(spec) : {};
    try {
      return { name, numbers, config: load({ ...env, PROFILES_FILE: undefined, ...overrides }), tools: spec?.tools };
    } catch (error) {
      const listed = problemsOf(error);
      if (!listed) throw error;
      // The environment's own problems are reported once, by the caller; a profile's are its own.
      problems.push(...listed.map((problem) => `profile "${name}": ${problem}`));
      return undefined;
    }
  };
  if (!path) {
    const only = build(DEFAULT_PROFILE, undefined, []);
    return only ? { profiles: profileSet(only, [only]), problems } : { problems };
  }
  const read = readProfilesFile(path);
  if (!read.document) return { problems: read.problems };
  const fallback = build(DEFAULT_PROFILE, read.document.default, []);
  const named = Object.entries(read.document.profiles ?? {}).map(([name, spec]) => build(name, mergeSpecs(read.document!.default, spec), spec.numbers));
  if (!fallback || named.some((profile) => profile === undefined)) return { problems };
  return { profiles: profileSet(fallback, [fallback, ...(named as CallProfile<C>[])]), problems };
}

/** A named profile starts from the file's default one. */
function mergeSpecs(base: ProfileSpec | undefined, own: ProfileSpec): ProfileSpec {
  if (!base) return own;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(own)) {
    const inherited = merged[key];
    merged[key] =
      value && typeof value === "object" && !Array.isArray(value) && inherited && typeof inherited === "object" && !Array.isArray(inherited)
        ? { ...inherited, ...value }
        : value;
  }
  // An agent in one and a model in the other: the profile's own choice wins.
  if (own.agent && !own.model && !own.instructions) {
    delete merged.model;
    delete merged.instructions;
  }
  if ((own.model || own.instructions) && !own.agent) delete merged.agent;
  return merged as ProfileSpec;
}

function profileSet<C>(fallback: CallProfile<C>, all: CallProfile<C>[]): Profiles<C> {
  const byNumber = new Map<string, CallProfile<C>>();
  for (const profile of all) for (const number of profile.numbers) byNumber.set(number, profile);
  return {
    default: fallback,
    all,
    forNumber: (dialed) => (dialed ? byNumber.get(dialed.replace(/^4:/, "")) : undefined) ?? fallback,
  };
}

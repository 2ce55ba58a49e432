/**
 * What the official SDK declares about server events, read from its own type
 * declarations (`models.d.ts` of @azure/ai-voicelive), so the catalogue test
 * checks the emulator against the SDK and not against a copy of it:
 * - `checkSdkShape(value, "ServerEventResponseDone")`: a deserialized event has
 *   every property the SDK types as required, with the declared primitive types
 *   (recursively through interfaces, arrays, aliases and discriminated unions);
 * - `droppedFields(raw, deserialized)`: wire fields the deserializer did not
 *   carry over (it drops what it does not know, silently).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

interface Property {
  readonly optional: boolean;
  readonly type: string;
}

interface SdkModel {
  readonly interfaces: ReadonlyMap<string, { readonly base: string | null; readonly props: ReadonlyMap<string, Property> }>;
  readonly aliases: ReadonlyMap<string, string>;
}

export function loadSdkModel(): SdkModel {
  const entry = createRequire(import.meta.url).resolve("@azure/ai-voicelive");
  const dts = readFileSync(join(dirname(entry), "..", "esm", "models", "models.d.ts"), "utf8").replace(/\/\*[\s\S]*?\*\//g, "");
  const interfaces = new Map<string, { base: string | null; props: Map<string, Property> }>();
  for (const match of dts.matchAll(/export interface (\w+)(?: extends (\w+))? \{([^}]*)\}/g)) {
    const props = new Map<string, Property>();
    for (const line of match[3].split("\n")) {
      const prop = /^\s*"?(\w+)"?(\?)?: (.+);\s*$/.exec(line);
      if (prop) props.set(prop[1], { optional: prop[2] === "?", type: prop[3].trim() });
    }
    interfaces.set(match[1], { base: match[2] ?? null, props });
  }
  const aliases = new Map<string, string>();
  for (const match of dts.matchAll(/export type (\w+) = ([^;]+);/g)) aliases.set(match[1], match[2].trim());
  if (interfaces.size < 100) throw new Error(`read only ${interfaces.size} interfaces from the SDK's models.d.ts`);
  return { interfaces, aliases };
}

/** Top-level `|` split (none of the SDK's unions nest generics with `|`). */
function unionMembers(type: string): string[] {
  const members: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < type.length; i++) {
    const ch = type[i];
    if (ch === "<" || ch === "(" || ch === "[") depth += 1;
    else if (ch === ">" || ch === ")" || ch === "]") depth -= 1;
    else if (ch === "|" && depth === 0) {
      members.push(type.slice(start, i).trim());
      start = i + 1;
    }
  }
  members.push(type.slice(start).trim());
  return members;
}

function allProps(model: SdkModel, name: string): Map<string, Property> {
  const props = new Map<string, Property>();
  for (let current: string | null = name; current !== null; ) {
    const found = model.interfaces.get(current);
    if (found === undefined) break;
    for (const [key, prop] of found.props) if (!props.has(key)) props.set(key, prop);
    current = found.base;
  }
  return props;
}

/** The union member whose literal discriminator (`type: "…"`, `role: "…"`) matches the value, if any. */
function discriminated(model: SdkModel, members: string[], value: Record<string, unknown>): string | undefined {
  for (const member of members) {
    if (!model.interfaces.has(member)) continue;
    const props = allProps(model, member);
    const literals = [...props].filter(([, p]) => /^"[^"]*"$/.test(p.type));
    if (literals.length > 0 && literals.every(([key, p]) => value[key] === JSON.parse(p.type))) return member;
  }
  return undefined;
}

/** Problems with `value` as an instance of SDK type `type` (empty: it conforms). */
export function checkSdkShape(model: SdkModel, value: unknown, type: string, path = "event"): string[] {
  const members = unionMembers(type);
  if (members.length > 1) {
    if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      const member = discriminated(model, members, value as Record<string, unknown>);
      if (member !== undefined) return checkSdkShape(model, value, member, path);
    }
    const attempts = members.map((m) => checkSdkShape(model, value, m, path));
    return attempts.some((a) => a.length === 0) ? [] : attempts.sort((a, b) => a.length - b.length)[0];
  }
  const t = members[0];
  if (t.endsWith("[]")) {
    if (!Array.isArray(value)) return [`${path}: expected an array (${t})`];
    return value.flatMap((item, i) => checkSdkShape(model, item, t.slice(0, -2), `${path}[${i}]`));
  }
  if (/^"[^"]*"$/.test(t)) return value === JSON.parse(t) ? [] : [`${path}: expected ${t}, got ${JSON.stringify(value)}`];
  if (/^-?\d+(\.\d+)?$/.test(t)) return value === Number(t) ? [] : [`${path}: expected ${t}`];
  switch (t) {
    case "string":
    case "number":
    case "boolean":
      return typeof value === t ? [] : [`${path}: expected a ${t}, got ${JSON.stringify(value)}`];
    case "Date":
      return value instanceof Date && !Number.isNaN(value.getTime()) ? [] : [`${path}: expected a Date`];
    case "any":
    case "unknown":
      return [];
    default:
      break;
  }
  if (t.startsWith("Record<")) return typeof value === "object" && value !== null ? [] : [`${path}: expected an object (${t})`];
  const alias = model.aliases.get(t);
  if (alias !== undefined) return checkSdkShape(model, value, alias, path);
  if (!model.interfaces.has(t)) return [];
  if (typeof value !== "object" || value === null || Array.isArray(value)) return [`${path}: expected a ${t} object, got ${JSON.stringify(value)}`];
  const object = value as Record<string, unknown>;
  const problems: string[] = [];
  for (const [key, prop] of allProps(model, t)) {
    const v = object[key];
    if (v === undefined || v === null) {
      // The wire says "absent" with null too; only a required property must be there.
      if (!prop.optional) problems.push(`${path}.${key}: required by the SDK's ${t}, missing`);
      continue;
    }
    problems.push(...checkSdkShape(model, v, prop.type, `${path}.${key}`));
  }
  return problems;
}

/** `audio_offset_ms` and `audioOffsetInMs` name the same field: lower case, no underscores, "inms" → "ms". */
function normalize(key: string): string {
  return key.toLowerCase().replace(/_/g, "").replace(/inms$/, "ms");
}

/** Paths of wire fields (non-null) that have no counterpart in the deserialized event. */
export function droppedFields(raw: unknown, deserialized: unknown, path = ""): string[] {
  if (Array.isArray(raw)) {
    if (!Array.isArray(deserialized)) return [path];
    return raw.flatMap((item, i) => droppedFields(item, deserialized[i], `${path}[${i}]`));
  }
  if (typeof raw !== "object" || raw === null) return [];
  if (typeof deserialized !== "object" || deserialized === null) return [path];
  const out = deserialized as Record<string, unknown>;
  const byName = new Map(Object.keys(out).filter((k) => out[k] !== undefined).map((k) => [normalize(k), k]));
  const dropped: string[] = [];
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (value === null || value === undefined) continue;
    const match = byName.get(normalize(key));
    const at = path === "" ? key : `${path}.${key}`;
    if (match === undefined) dropped.push(at);
    else dropped.push(...droppedFields(value, out[match], at));
  }
  return dropped;
}

/** The SDK interface a server event type deserializes to (from its `type` literal). */
export function interfaceForEventType(model: SdkModel, type: string): string | undefined {
  for (const [name] of model.interfaces) {
    if (!name.startsWith("ServerEvent")) continue;
    const typeProp = allProps(model, name).get("type");
    if (typeProp?.type === JSON.stringify(type)) return name;
  }
  return undefined;
}

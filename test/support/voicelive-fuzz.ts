/**
 * Generated hostile Voice Live traffic: for every server event the bot acts on,
 * a well-formed template (protocols.md §4) and its mutations — each required
 * field missing, each given the wrong JSON type — plus unknown types, JSON that
 * is not an object, frames that are not JSON, binary frames, bad audio, and
 * well-formed events in nonsensical order. Each frame says whether the bot must
 * refuse it at the boundary (`refused`), so a test can account for every one.
 */
import { createRandom, deriveSeed, type Random } from "../../src/emulator/rng.js";

export interface FuzzFrame {
  readonly data: string | Buffer;
  readonly binary: boolean;
  /** Why the boundary must refuse it; undefined: well-formed (the bot must cope with it). */
  readonly refused: "malformed" | "bad_audio" | undefined;
  readonly label: string;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Required fields per type: dotted paths into the template, all of them acted on by a bot. */
const TEMPLATES: Array<{ event: { [key: string]: Json }; required: string[] }> = [
  { event: { type: "session.created", event_id: "e", session: { id: "sess_fz", model: "gpt-4.1" } }, required: ["session", "session.id"] },
  { event: { type: "session.updated", event_id: "e", session: { id: "sess_fz" } }, required: ["session", "session.id"] },
  { event: { type: "input_audio_buffer.speech_started", audio_start_ms: 1200, item_id: "item_u" }, required: ["audio_start_ms", "item_id"] },
  { event: { type: "input_audio_buffer.speech_stopped", audio_end_ms: 2400, item_id: "item_u" }, required: ["audio_end_ms", "item_id"] },
  { event: { type: "conversation.item.created", previous_item_id: null, item: { id: "item_x", type: "message", role: "user", content: [] } }, required: ["item", "item.type"] },
  { event: { type: "conversation.item.input_audio_transcription.completed", item_id: "item_u", content_index: 0, transcript: "hello" }, required: ["item_id", "transcript"] },
  { event: { type: "conversation.item.input_audio_transcription.failed", item_id: "item_u", content_index: 0, error: { code: "x", message: "y" } }, required: ["item_id"] },
  { event: { type: "conversation.item.truncated", item_id: "item_a", content_index: 0, audio_end_ms: 300 }, required: ["item_id", "audio_end_ms"] },
  { event: { type: "response.created", response: { id: "resp_fz", status: "in_progress", output: [] } }, required: ["response", "response.id"] },
  {
    event: { type: "response.output_item.added", response_id: "resp_fz", output_index: 0, item: { id: "item_f", type: "function_call", name: "fz_tool", call_id: "call_fz" } },
    required: ["response_id", "output_index", "item", "item.type"],
  },
  {
    event: { type: "response.output_item.done", response_id: "resp_fz", output_index: 0, item: { id: "item_a", type: "message", role: "assistant" } },
    required: ["response_id", "output_index", "item", "item.type"],
  },
  {
    event: { type: "response.audio.delta", response_id: "resp_fz", item_id: "item_a", output_index: 0, content_index: 0, delta: "AAAAAAAA" },
    required: ["response_id", "item_id", "delta"],
  },
  { event: { type: "response.audio.done", response_id: "resp_fz", item_id: "item_a", output_index: 0, content_index: 0 }, required: ["response_id", "item_id"] },
  {
    event: { type: "response.audio_transcript.done", response_id: "resp_fz", item_id: "item_a", output_index: 0, content_index: 0, transcript: "hi" },
    required: ["response_id", "item_id", "transcript"],
  },
  {
    event: { type: "response.function_call_arguments.done", response_id: "resp_fz", item_id: "item_f", output_index: 0, call_id: "call_fz", name: "fz_tool", arguments: "{}" },
    required: ["response_id", "call_id", "arguments"],
  },
  { event: { type: "response.done", response: { id: "resp_fz", status: "completed", output: [] } }, required: ["response", "response.id", "response.status"] },
  { event: { type: "error", event_id: "e", error: { type: "invalid_request_error", code: "fz_code", message: "fuzz" } }, required: ["error"] },
];

const SAMPLES: Json[] = [null, true, 0, 7.5, "text", [], [1, "a"], {}, { nested: { deep: [null] } }];

function jsonType(value: Json): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

function clone<T extends Json>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function getParent(root: { [key: string]: Json }, path: string): { parent: { [key: string]: Json }; key: string } {
  const parts = path.split(".");
  let node = root;
  for (const part of parts.slice(0, -1)) node = node[part] as { [key: string]: Json };
  return { parent: node, key: parts.at(-1)! };
}

function base64Of(bytes: number, random: Random): string {
  const buffer = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i += 1) buffer[i] = Math.floor(random() * 256);
  return buffer.toString("base64");
}

/** Ids that mean nothing to the bot's state (no known tool name: the fuzz must not end the call by asking for end_call). */
function oddIds(event: { [key: string]: Json }, random: Random, n: number): void {
  const id = `fz_${n}_${Math.floor(random() * 1e6)}`;
  if (typeof event.response_id === "string") event.response_id = random() < 0.5 ? id : "resp_fz";
  if (typeof event.item_id === "string") event.item_id = random() < 0.5 ? id : event.item_id;
  if (typeof event.call_id === "string") event.call_id = id;
  const response = event.response as { [key: string]: Json } | undefined;
  if (response && typeof response.id === "string") response.id = random() < 0.5 ? id : "resp_fz";
  const item = event.item as { [key: string]: Json } | undefined;
  if (item && typeof item.call_id === "string") item.call_id = id;
  if (typeof event.arguments === "string") event.arguments = random() < 0.5 ? "{not json" : '{"a":[1,{"b":null}]}';
  if (typeof event.transcript === "string") event.transcript = random() < 0.5 ? "" : "é漢字 🙂 ".repeat(Math.floor(random() * 20));
}

/** Mutations of every template, then random extras, `count` frames in all (at least every mutation once). */
export function generateFuzz(count: number, seed = 1): FuzzFrame[] {
  const random = createRandom(deriveSeed(seed, 0, "voicelive-fuzz"));
  const frames: FuzzFrame[] = [];
  const push = (data: string | Buffer, refused: FuzzFrame["refused"], label: string, binary = false): void => {
    frames.push({ data, binary, refused, label });
  };

  const mutationsOnce = (): void => {
    for (const { event, required } of TEMPLATES) {
      for (const path of required) {
        const missing = clone(event);
        const { parent, key } = getParent(missing, path);
        delete parent[key];
        push(JSON.stringify(missing), "malformed", `${event.type} without ${path}`);
        const original = getParent(event, path);
        for (const sample of SAMPLES) {
          if (jsonType(sample) === jsonType(original.parent[original.key]!)) continue;
          const wrong = clone(event);
          const target = getParent(wrong, path);
          target.parent[target.key] = sample;
          push(JSON.stringify(wrong), "malformed", `${event.type} with ${path} as ${jsonType(sample)}`);
        }
      }
    }
    for (const text of ["null", "[]", "[1,2]", "42", '"session.updated"', "true"]) push(text, "malformed", `JSON ${text}`);
    for (const text of ["", "{", "not json", '{"type":"response.done"', "\u0000\u0001"]) push(text, "malformed", "not JSON");
    for (const text of ["{}", '{"type":5}', '{"type":null}', '{"type":{"x":1}}']) push(text, "malformed", "no string type");
  };
  mutationsOnce();

  let n = 0;
  while (frames.length < count) {
    n += 1;
    const roll = random();
    if (roll < 0.3) {
      // A well-formed event with ids that make no sense to the call.
      const template = TEMPLATES[Math.floor(random() * TEMPLATES.length)]!;
      const event = clone(template.event);
      oddIds(event, random, n);
      if (event.type === "response.audio.delta") event.delta = base64Of(1 + Math.floor(random() * 4800), random);
      push(JSON.stringify(event), undefined, `odd ${event.type}`);
    } else if (roll < 0.45) {
      const type = random() < 0.5 ? `fz.unknown.${n}` : ["response.audio.delta2", "session.destroyed", "RESPONSE.DONE", "x".repeat(300)][n % 4]!;
      push(JSON.stringify({ type, payload: n }), "malformed", "unknown type");
    } else if (roll < 0.55) {
      push(Buffer.from([0x7b, n & 0xff, 0x00, 0xff]), "malformed", "binary frame", true);
    } else if (roll < 0.65) {
      // Not padded base64 (length not a multiple of 4): refused by the parser.
      push(JSON.stringify({ type: "response.audio.delta", response_id: `fz_bad_${n}`, item_id: "item_b", output_index: 0, content_index: 0, delta: "AAAAA" }), "malformed", "delta length not a multiple of 4");
    } else if (roll < 0.72) {
      // Right length, characters outside the alphabet: refused by the audio layer's strict decoder.
      push(JSON.stringify({ type: "response.audio.delta", response_id: `fz_bad_${n}`, item_id: "item_b", output_index: 0, content_index: 0, delta: "AA$A!!!!" }), "bad_audio", "delta not base64");
    } else {
      // Re-issue a random mutation (missing/wrong-typed field), with a fresh random position.
      const template = TEMPLATES[Math.floor(random() * TEMPLATES.length)]!;
      const path = template.required[Math.floor(random() * template.required.length)]!;
      const event = clone(template.event);
      const { parent, key } = getParent(event, path);
      const originalType = jsonType(parent[key]!);
      const candidates = SAMPLES.filter((s) => jsonType(s) !== originalType);
      if (random() < 0.3) delete parent[key];
      else parent[key] = candidates[Math.floor(random() * candidates.length)]!;
      push(JSON.stringify(event), "malformed", `${template.event.type} ${path} broken`);
    }
  }
  return frames;
}

/** A frame over the bot's 1 MiB limit: the bot must close that socket (and reconnect), not parse it. */
export function oversizedFrame(): string {
  return JSON.stringify({ type: "response.audio.delta", response_id: "fz_big", item_id: "item_big", output_index: 0, content_index: 0, delta: "A".repeat(2 * 1024 * 1024) });
}

/**
 * Conversation item events: create (messages, function calls and their
 * outputs), truncate (validated like the service: assistant audio items only,
 * content_index 0, not past the audio produced, once), retrieve, delete.
 * Items are always appended; previous_item_id is checked but not used to reorder.
 */
import { supportsFeature } from "./api-versions.js";
import type { ClientEvent, EmulatorConnection } from "./connection.js";
import { applyTruncation } from "./input-events.js";
import { callerTurn } from "./planner.js";
import { ErrorCodes, ProtocolError, invalidValue, missingParameter } from "./protocol-error.js";

const ITEM_TYPES = ["message", "function_call", "function_call_output"] as const;
const ROLES = ["user", "assistant", "system"] as const;
/** function_call_output texts kept until answered; beyond this the oldest go. */
const MAX_PENDING_OUTPUTS = 256;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function requiredString(value: unknown, param: string): string {
  if (value === undefined || value === null) throw missingParameter(param);
  if (typeof value !== "string") throw new ProtocolError(ErrorCodes.invalidValue, `Invalid value for '${param}': expected a string.`, param);
  return value;
}

/** Text of a message's content parts (input_text/text parts, input_audio transcripts). */
function contentText(content: unknown[]): string {
  const parts: string[] = [];
  for (const part of content) {
    if (!isObject(part)) continue;
    if (typeof part.text === "string") parts.push(part.text);
    else if (typeof part.transcript === "string") parts.push(part.transcript);
  }
  return parts.join(" ");
}

export function onItemCreate(conn: EmulatorConnection, event: ClientEvent): void {
  const item = event.item;
  if (!isObject(item)) throw missingParameter("item");
  const previousId = event.previous_item_id;
  if (previousId !== undefined && previousId !== null && previousId !== "root" && !conn.conversation.has(String(previousId))) {
    throw new ProtocolError(ErrorCodes.invalidValue, `Previous item with id '${String(previousId)}' not found.`, "previous_item_id");
  }
  let id: string;
  if (item.id === undefined || item.id === null) {
    id = conn.ids.next("item");
  } else {
    id = requiredString(item.id, "item.id");
    if (conn.conversation.has(id)) throw new ProtocolError(ErrorCodes.invalidValue, `Item with id '${id}' already exists.`, "item.id");
  }
  const type = item.type ?? "message";
  const wire: Record<string, unknown> = { id, object: "realtime.item", type, status: "completed" };
  let text = "";
  let userTurn = false;
  switch (type) {
    case "message": {
      const role = item.role;
      if (!(ROLES as readonly unknown[]).includes(role)) throw invalidValue("item.role", role, ROLES);
      if (!Array.isArray(item.content)) throw missingParameter("item.content");
      text = contentText(item.content);
      wire.role = role;
      // Audio in content parts is not kept nor echoed: an empty string (the SDK types `audio` as a required string).
      wire.content = item.content.map((part) => (isObject(part) && typeof part.audio === "string" ? { ...part, audio: "" } : part));
      userTurn = role === "user";
      break;
    }
    case "function_call_output": {
      const callId = requiredString(item.call_id, "item.call_id");
      const output = requiredString(item.output, "item.output");
      if (conn.conversation.findFunctionCall(callId) === undefined) {
        throw new ProtocolError(ErrorCodes.invalidValue, `Tool call ID '${callId}' not found in conversation.`, "item.call_id");
      }
      conn.toolOutputs.set(callId, output);
      if (conn.toolOutputs.size > MAX_PENDING_OUTPUTS) conn.toolOutputs.delete(conn.toolOutputs.keys().next().value as string);
      wire.call_id = callId;
      wire.output = output;
      text = output;
      break;
    }
    case "function_call":
      wire.name = requiredString(item.name, "item.name");
      wire.call_id = requiredString(item.call_id, "item.call_id");
      wire.arguments = item.arguments === undefined ? "" : requiredString(item.arguments, "item.arguments");
      break;
    default:
      throw invalidValue("item.type", type, ITEM_TYPES);
  }
  // An empty user message is the start of streamed text input (2026-06-01-preview+): its turn comes at input_text.done.
  const streamed = userTurn && text.trim() === "" && supportsFeature(conn.apiVersion, "inputTextStreaming");
  const previous = conn.conversation.add({ id, wire, text, ...(streamed ? { inputText: { done: false } } : {}) });
  conn.send({ type: "conversation.item.created", previous_item_id: previous, item: { ...wire } });
  if (userTurn && !streamed) takeTypedTurn(conn, text);
}

/** A typed user message is a caller turn; the next response.create answers it. */
export function takeTypedTurn(conn: EmulatorConnection, text: string): void {
  const turn = callerTurn(conn.scenario, conn.turnsTaken, conn.replyRandom, text);
  conn.turnsTaken += 1;
  conn.program = turn.program;
  conn.lastUserText = text;
}

export function onItemTruncate(conn: EmulatorConnection, event: ClientEvent): void {
  const itemId = requiredString(event.item_id, "item_id");
  if (event.content_index === undefined) throw missingParameter("content_index");
  if (event.content_index !== 0) throw invalidValue("content_index", event.content_index, [0]);
  const audioEndMs = event.audio_end_ms;
  if (audioEndMs === undefined) throw missingParameter("audio_end_ms");
  if (typeof audioEndMs !== "number" || !Number.isInteger(audioEndMs) || audioEndMs < 0) {
    throw new ProtocolError(ErrorCodes.invalidValue, "Invalid value for 'audio_end_ms': expected a non-negative integer.", "audio_end_ms");
  }
  const stored = conn.conversation.get(itemId);
  if (stored === undefined) throw new ProtocolError(ErrorCodes.truncateInvalidItemId, `Item with item_id not found: ${itemId}`, "item_id");
  if (stored.wire.type !== "message" || stored.wire.role !== "assistant") {
    throw new ProtocolError(ErrorCodes.invalidValue, "Only assistant messages can be truncated.", "item_id");
  }
  if (stored.audio === undefined) throw new ProtocolError(ErrorCodes.invalidValue, "The item has no audio content to truncate.", "content_index");
  if (stored.audio.truncatedAtMs !== null) {
    throw new ProtocolError(ErrorCodes.alreadyTruncated, `Item ${itemId} has already been truncated.`, "item_id");
  }
  const producedMs = Math.floor(stored.audio.sentMs);
  if (audioEndMs > producedMs) {
    throw new ProtocolError(ErrorCodes.invalidValue, `Audio content of ${producedMs}ms is already shorter than ${audioEndMs}ms`, "audio_end_ms");
  }
  applyTruncation(stored, audioEndMs);
  conn.send({ type: "conversation.item.truncated", item_id: itemId, content_index: 0, audio_end_ms: audioEndMs });
}

export function onItemRetrieve(conn: EmulatorConnection, event: ClientEvent): void {
  const itemId = requiredString(event.item_id, "item_id");
  const stored = conn.conversation.get(itemId);
  if (stored === undefined) throw new ProtocolError("item_retrieve_invalid_item_id", `Item with item_id not found: ${itemId}`, "item_id");
  conn.send({ type: "conversation.item.retrieved", item: { ...stored.wire } });
}

export function onItemDelete(conn: EmulatorConnection, event: ClientEvent): void {
  const itemId = requiredString(event.item_id, "item_id");
  if (!conn.conversation.delete(itemId)) {
    throw new ProtocolError("item_delete_invalid_item_id", `Item with item_id not found: ${itemId}`, "item_id");
  }
  conn.send({ type: "conversation.item.deleted", item_id: itemId });
}

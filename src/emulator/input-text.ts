/**
 * Streaming text input (api-version 2026-06-01-preview and later): the client
 * creates a user message with an empty `input_text` part, appends to it with
 * `input_text.delta {id, delta, content_index?}` and ends it with
 * `input_text.done {id, content_index?}`. The finished text is the caller's
 * turn, answered by the next `response.create`. The service sends no event for
 * either; a bad one gets an `error` event like any client event.
 */
import type { ClientEvent, EmulatorConnection } from "./connection.js";
import type { StoredItem } from "./conversation.js";
import { takeTypedTurn } from "./item-events.js";
import { ErrorCodes, ProtocolError, missingParameter } from "./protocol-error.js";
import { isObject } from "./session-fields.js";

/** The streamed item and its input_text part, or the error the client gets. */
function target(conn: EmulatorConnection, event: ClientEvent): { item: StoredItem; part: Record<string, unknown> } {
  const id = event.id;
  if (id === undefined || id === null) throw missingParameter("id");
  if (typeof id !== "string") throw new ProtocolError(ErrorCodes.invalidValue, "Invalid value for 'id': expected the item id (a string).", "id");
  const item = conn.conversation.get(id);
  if (item === undefined) throw new ProtocolError(ErrorCodes.itemNotFound, `Item with id '${id}' not found.`, "id");
  if (item.wire.type !== "message" || item.wire.role !== "user") {
    throw new ProtocolError(ErrorCodes.invalidValue, "Text can only be streamed into a user message item.", "id");
  }
  const index = event.content_index ?? 0;
  const content = item.wire.content as unknown[];
  const part = typeof index === "number" && Number.isInteger(index) ? content[index] : undefined;
  if (!isObject(part) || part.type !== "input_text") {
    throw new ProtocolError(ErrorCodes.invalidValue, `Content part ${JSON.stringify(index)} of item '${id}' is not an input_text part.`, "content_index");
  }
  if (item.inputText === undefined || item.inputText.done) {
    throw new ProtocolError(ErrorCodes.invalidValue, `Item '${id}' is not open for streamed text (created with text, or input_text.done already sent).`, "id");
  }
  return { item, part };
}

export function onInputTextDelta(conn: EmulatorConnection, event: ClientEvent): void {
  if (event.delta === undefined) throw missingParameter("delta");
  if (typeof event.delta !== "string") throw new ProtocolError(ErrorCodes.invalidValue, "Invalid value for 'delta': expected a string.", "delta");
  const { item, part } = target(conn, event);
  part.text = `${typeof part.text === "string" ? part.text : ""}${event.delta}`;
  item.text += event.delta;
}

export function onInputTextDone(conn: EmulatorConnection, event: ClientEvent): void {
  const { item } = target(conn, event);
  (item.inputText as { done: boolean }).done = true;
  takeTypedTurn(conn, item.text);
}

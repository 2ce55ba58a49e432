/**
 * The greeting, sent once per call: a branded pregenerated message (exact text,
 * TTS, enters the conversation) or an LLM-generated one (system item + response).
 */
import type { CallContext } from "../calls/call-context-token.js";
import type { GreetingConfig } from "../config/call.js";
import type { ClientEvent, ResponseOptions } from "./protocol.js";

export function renderTemplate(template: string, context: CallContext): string {
  const values: Record<string, string> = {
    callerNumber: context.callerNumber ?? "",
    calleeNumber: context.calleeNumber ?? "",
    callerName: context.callerDisplayName ?? "",
  };
  return template
    .replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? values[name]! : whole))
    .replace(/\s+([,.!?])/g, "$1")
    .replace(/\s{2,}/g, " ")
    .trim();
}

/** A response that speaks exactly `text` (TTS) and adds it to the conversation. */
export function pregeneratedResponse(text: string): ResponseOptions {
  return { pre_generated_assistant_message: { type: "message", role: "assistant", content: [{ type: "text", text }] } };
}

/** The events that make Voice Live greet the caller. */
export function greetingEvents(config: GreetingConfig, context: CallContext): { events: ClientEvent[]; text: string } {
  if (config.mode === "llm") {
    const text = renderTemplate(config.llmInstructions, context);
    return {
      text,
      events: [
        { type: "conversation.item.create", item: { type: "message", role: "system", content: [{ type: "input_text", text }] } },
        { type: "response.create" },
      ],
    };
  }
  const text = renderTemplate(config.text, context);
  return { text, events: [{ type: "response.create", response: pregeneratedResponse(text) }] };
}

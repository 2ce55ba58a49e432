/** The conversation as Voice Live kept it (the emulator's items), as readable lines. */
import type { ConnectionSnapshot } from "../emulator/index.js";

export interface TranscriptLine {
  readonly role: string;
  readonly text: string;
}

export function conversationTranscript(connections: readonly ConnectionSnapshot[]): TranscriptLine[] {
  const lines: TranscriptLine[] = [];
  for (const connection of connections) {
    for (const item of connection.conversation) {
      const type = item.type;
      if (type === "message") {
        const parts = Array.isArray(item.content) ? (item.content as Array<Record<string, unknown>>) : [];
        const text = parts.map((part) => (typeof part.transcript === "string" ? part.transcript : typeof part.text === "string" ? part.text : "")).join(" ").trim();
        if (text !== "") lines.push({ role: String(item.role), text });
      } else if (type === "function_call") {
        lines.push({ role: "tool_call", text: `${String(item.name)}(${String(item.arguments ?? "")})` });
      } else if (type === "function_call_output") {
        lines.push({ role: "tool_output", text: String(item.output ?? "") });
      }
    }
  }
  return lines;
}

export function formatTranscript(lines: readonly TranscriptLine[]): string {
  const label: Record<string, string> = { user: "Caller", assistant: "Bot", system: "System", tool_call: "Tool call", tool_output: "Tool output" };
  return lines.map((line) => `${label[line.role] ?? line.role}: ${line.text}`).join("\n") + (lines.length ? "\n" : "");
}

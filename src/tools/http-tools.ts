/**
 * A business tool behind an HTTPS endpoint: POST of the validated arguments as
 * JSON; the response body (bounded) becomes the function output.
 */
import type { HttpToolSpec } from "../config/tools-file.js";
import { toolError, type ToolDefinition } from "./types.js";

export function httpTool(spec: HttpToolSpec): ToolDefinition {
  return {
    name: spec.name,
    description: spec.description,
    parameters: spec.parameters,
    timeoutMs: spec.timeoutMs,
    async execute(args, context) {
      const response = await fetch(spec.url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/plain;q=0.9", ...spec.headers },
        body: JSON.stringify(args),
        signal: context.signal,
        redirect: "error",
      });
      const body = await readBounded(response, spec.maxResponseBytes);
      if (body === undefined) {
        return toolError("response_too_large", `${spec.name} answered more than ${spec.maxResponseBytes} bytes`);
      }
      if (!response.ok) {
        return toolError("http_error", `${spec.name} answered HTTP ${response.status}`, { status: response.status, body: body.slice(0, 500) });
      }
      return { output: body };
    },
  };
}

/** The body as text, or undefined once it exceeds `maxBytes` (the rest is not read). */
async function readBounded(response: Response, maxBytes: number): Promise<string | undefined> {
  const declared = Number(response.headers.get("content-length") ?? "0");
  if (declared > maxBytes) {
    await response.body?.cancel();
    return undefined;
  }
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

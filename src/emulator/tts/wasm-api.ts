/**
 * The WebAssembly JS API, typed to what the main thread uses (compiling the
 * synthesizer's module): the project's TypeScript libs (ES2023 + Node types) do
 * not declare it, and under `--jitless` it does not exist (then the emulator
 * falls back to the buzz).
 */
export type WasmModule = object;

interface WasmJsApi {
  compile(bytes: Uint8Array): Promise<WasmModule>;
}

export const wasmJsApi: WasmJsApi | undefined = (globalThis as { WebAssembly?: WasmJsApi }).WebAssembly;

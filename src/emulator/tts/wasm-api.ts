/**
 * The WebAssembly JS API, typed to what the synthesizer uses: the project's
 * TypeScript libs (ES2023 + Node types) do not declare it, and under
 * `--jitless` it does not exist (then the emulator falls back to the buzz).
 */
export type WasmModule = object;

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

export interface WasmInstance {
  readonly exports: Readonly<Record<string, unknown>>;
}

export type WasmImports = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

interface WasmJsApi {
  compile(bytes: Uint8Array): Promise<WasmModule>;
  Instance: new (module: WasmModule, imports: WasmImports) => WasmInstance;
}

export const wasmJsApi: WasmJsApi | undefined = (globalThis as { WebAssembly?: WasmJsApi }).WebAssembly;

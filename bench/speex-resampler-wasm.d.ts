// The package ships no types; this is the part of the Emscripten module the benchmark uses.
interface SpeexWasmModule {
  readonly HEAP16: Int16Array;
  readonly HEAPU32: Uint32Array;
  _malloc(bytes: number): number;
  _free(pointer: number): void;
  _speex_resampler_init(channels: number, inRate: number, outRate: number, quality: number, errPointer: number): number;
  _speex_resampler_process_int(
    state: number,
    channel: number,
    inPointer: number,
    inLengthPointer: number,
    outPointer: number,
    outLengthPointer: number,
  ): number;
  _speex_resampler_reset_mem(state: number): number;
  _speex_resampler_get_input_latency(state: number): number;
  _speex_resampler_destroy(state: number): void;
}

declare module "@echogarden/speex-resampler-wasm" {
  const create: () => Promise<SpeexWasmModule>;
  export default create;
}

declare module "@echogarden/speex-resampler-wasm/simd" {
  const create: () => Promise<SpeexWasmModule>;
  export default create;
}

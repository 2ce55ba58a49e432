import { AudioError } from "./errors.js";
import { KERNEL_MAX_INPUT_SAMPLES, maxOutputsFor, type FirKernel } from "./fir-kernel.js";
import type { PolyphaseBank } from "./polyphase-bank.js";
import { alignedGroupSize, firWasmAvailable, instantiateFirWasm, type FirWasmExports } from "./wasm-fir-module.js";

// Byte offsets inside each instance's private 64 KiB page.
const TAPS_OFFSET = 0; // ≤ 3 phases × 128 taps × 4 B
const LINE_OFFSET = 2048; // float32: history + chunk + read slack
const INPUT_OFFSET = 8192; // int16 staging (+ slack: convert works 4 at a time)
const OUTPUT_OFFSET = 12288; // int16 results (+ slack: the kernels write whole groups)
const END_OFFSET = 20480;
/** Samples of slack past each region: kernels read and write whole groups past the last real output. */
const SLACK = 64;

/** True when this runtime can run the WASM SIMD kernel ("auto" then picks it). */
export function wasmFirKernelAvailable(): boolean {
  return firWasmAvailable();
}

/** Multiplier such that ⌊t / up⌋ = (t · magic) >>> 16 for every t ≤ maxT (checked, not assumed). */
function divisionMagic(up: number, maxT: number): number {
  const magic = Math.floor(65536 / up) + 1;
  for (let t = 0; t <= maxT; t++) {
    if (Math.imul(t, magic) >>> 16 !== Math.floor(t / up)) throw new RangeError(`no 16-bit division magic for ${up}`);
  }
  return magic;
}

/** FIR kernel on a private WebAssembly instance (one per resampler: no shared mutable state). */
export function createWasmFirKernel(bank: PolyphaseBank): FirKernel {
  const instance = instantiateFirWasm(bank);
  if (instance === undefined) {
    throw new AudioError("audio_wasm_unavailable", "this runtime cannot run WebAssembly SIMD");
  }
  const wasm: FirWasmExports = instance;
  const { taps, phaseLength, upFactor: up, downFactor: down } = bank;
  const groupSize = alignedGroupSize(bank);
  const maxInputSamples = KERNEL_MAX_INPUT_SAMPLES;
  const maxOutputSamples = maxOutputsFor(bank, maxInputSamples);
  const history = phaseLength - 1;
  if (
    TAPS_OFFSET + taps.byteLength > LINE_OFFSET ||
    LINE_OFFSET + (history + maxInputSamples + SLACK) * 4 > INPUT_OFFSET ||
    INPUT_OFFSET + (maxInputSamples + SLACK) * 2 > OUTPUT_OFFSET ||
    OUTPUT_OFFSET + (maxOutputSamples + SLACK) * 2 > END_OFFSET
  ) {
    throw new RangeError("FIR bank does not fit the WASM kernel's memory layout");
  }
  const magic = divisionMagic(up, (maxInputSamples + SLACK) * up);

  const memory = wasm.memory.buffer; // never grown, so these views stay valid
  new Float32Array(memory, TAPS_OFFSET, taps.length).set(taps);
  const line = new Float32Array(memory, LINE_OFFSET, history + maxInputSamples + SLACK);
  const input = new Int16Array(memory, INPUT_OFFSET, maxInputSamples);
  const output = new Int16Array(memory, OUTPUT_OFFSET, maxOutputSamples);
  const phaseBytes = phaseLength * 4;
  const chunkOffset = LINE_OFFSET + history * 4;

  function run(inputCount: number, phase: number, outputCount: number): void {
    wasm.convert(INPUT_OFFSET, chunkOffset, inputCount);
    // Outputs before the first phase-0 one (at most up − 1, only when a chunk starts mid-cycle) take the general path.
    let lead = 0;
    while (lead < outputCount && (phase + down * lead) % up !== 0) lead++;
    if (lead > 0) wasm.fir(TAPS_OFFSET, phaseBytes, LINE_OFFSET, OUTPUT_OFFSET, lead, phase, up, down, magic);
    const rest = outputCount - lead;
    if (rest > 0) {
      const window = LINE_OFFSET + 4 * ((phase + down * lead) / up);
      wasm.firAligned(TAPS_OFFSET, window, OUTPUT_OFFSET + 2 * lead, Math.ceil(rest / groupSize));
    }
    line.copyWithin(0, inputCount, inputCount + history);
  }

  return {
    maxInputSamples,
    maxOutputSamples,
    input,
    output,
    run,
    reset: () => line.fill(0),
  };
}

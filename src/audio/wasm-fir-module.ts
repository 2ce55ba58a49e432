/**
 * The FIR kernel as hand-assembled WebAssembly SIMD (see wasm-assembler.ts),
 * one module per filter bank, compiled once at load. Exports:
 *
 *   memory   one 64 KiB page, private to each instance
 *   convert(src, dst, n)
 *       int16 at `src` → float32 at `dst`, n rounded up to 4.
 *   fir(taps, phaseBytes, line, out, n, t, up, down, magic)      — any phase
 *       for n outputs: q = t / up (as (t·magic) >> 16), p = t − q·up;
 *         out[m] = int16(Σ_j taps[p·phaseLength + j] · line[q + j]);  t += down
 *       Four outputs at a time, each with its own accumulator.
 *   firAligned(taps, window, out, groups)                         — the fast path
 *       `groups` groups of G outputs whose first output has phase 0; `window`
 *       is that output's line address. Within a group, output i reads line
 *       offset ⌊down·i/up⌋ with phase (down·i) mod up — fixed per bank, so the
 *       loads are generated once per distinct tap phase and line offset and
 *       shared across outputs (e.g. 8 kHz → 24 kHz: 5 loads per 6 outputs per
 *       step instead of 12; 24 → 8 kHz: 5 per 4 instead of 8).
 *
 * Arithmetic, identical in both paths: per output, a 4-lane float32
 * accumulator sums taps·line over steps of 4 taps in order; lanes are reduced
 * as (l0 + l2) + (l1 + l3); the result is rounded half to even and saturated
 * to int16. So an output's value never depends on which path or which chunk
 * produced it: streaming equals whole-buffer processing exactly.
 * Both paths write up to G − 1 (fir: 3) outputs past the end; callers keep slack.
 */
import type { PolyphaseBank } from "./polyphase-bank.js";
import { POLYPHASE_BANKS } from "./polyphase-bank.js";
import {
  BLOCK, END, F32X4_ADD, F32X4_CONVERT_I32X4_S, F32X4_MUL, F32X4_NEAREST, I16X8_NARROW_I32X4_S, I32,
  I32X4_TRUNC_SAT_F32X4_S, I32_ADD, I32_EQZ, I32_LT_U, I32_MUL, I32_NE, I32_SHL, I32_SHR_U, I32_SUB, LOOP,
  V128, V128_ZERO, assembleModule, brIf, get, i32c, i32x4Load16x4S, i64Store, i64x2ExtractLane, set,
  shuffle32, tee, v128Load, v128Store, type WasmFunction,
} from "./wasm-assembler.js";

/**
 * Outputs per firAligned group: a multiple of the up factor with 4–6
 * accumulators, so accumulators plus shared loads fit x64's 16 vector
 * registers (measured: 8 per group was slower for 24 → 8 and 24 → 16 kHz).
 */
export function alignedGroupSize(bank: PolyphaseBank): number {
  return bank.upFactor === 3 ? 6 : 4;
}

const LANES_LO = shuffle32([0, 4, 1, 5]);
const LANES_HI = shuffle32([2, 6, 3, 7]);
const HALVES_LO = shuffle32([0, 1, 4, 5]);
const HALVES_HI = shuffle32([2, 3, 6, 7]);

/** Pushes [Σa, Σb, Σc, Σd] (each (l0 + l2) + (l1 + l3)) for four v128 operands (local index, or null for zero). */
function reduce4(accs: (number | null)[], tmpA: number, tmpB: number): number[] {
  const operand = (local: number | null) => (local === null ? V128_ZERO : get(local));
  const pairSum = (a: number | null, b: number | null) => [
    ...operand(a), ...operand(b), ...LANES_LO, ...operand(a), ...operand(b), ...LANES_HI, ...F32X4_ADD,
  ];
  return [
    ...pairSum(accs[0], accs[1]), ...set(tmpA),
    ...pairSum(accs[2], accs[3]), ...set(tmpB),
    ...get(tmpA), ...get(tmpB), ...HALVES_LO, ...get(tmpA), ...get(tmpB), ...HALVES_HI, ...F32X4_ADD,
  ];
}

/** Rounds the four float32 sums on the stack and stores them as int16 at [address on the stack below them] + offset. */
function storeInt16x4(tmp: number, offset: number): number[] {
  return [
    ...F32X4_NEAREST, ...I32X4_TRUNC_SAT_F32X4_S, ...tee(tmp), ...get(tmp), ...I16X8_NARROW_I32X4_S,
    ...i64x2ExtractLane(0), ...i64Store(offset),
  ];
}

function convertFunction(): WasmFunction {
  const [src, dst, n, end] = [0, 1, 2, 3];
  return {
    name: "convert",
    params: [I32, I32, I32],
    locals: [[1, I32]],
    code: [
      ...BLOCK,
      ...get(n), ...I32_EQZ, ...brIf(0),
      ...get(src), ...get(n), ...i32c(1), ...I32_SHL, ...I32_ADD, ...set(end),
      ...LOOP,
      ...get(dst), ...get(src), ...i32x4Load16x4S(0), ...F32X4_CONVERT_I32X4_S, ...v128Store(0),
      ...get(dst), ...i32c(16), ...I32_ADD, ...set(dst),
      ...get(src), ...i32c(8), ...I32_ADD, ...tee(src),
      ...get(end), ...I32_LT_U, ...brIf(0),
      ...END,
      ...END,
    ],
  };
}

function firFunction(): WasmFunction {
  const [taps, phaseBytes, line, out, n, t, up, down, magic] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [q, j, outEnd] = [9, 10, 11];
  const tp = [12, 13, 14, 15];
  const lp = [16, 17, 18, 19];
  const acc = [20, 21, 22, 23];
  const [tmpA, tmpB] = [24, 25];
  const locate = (k: number) => [
    ...get(t), ...get(magic), ...I32_MUL, ...i32c(16), ...I32_SHR_U, ...tee(q), // q = t / up
    ...i32c(2), ...I32_SHL, ...get(line), ...I32_ADD, ...set(lp[k]), // lp = line + 4q
    ...get(taps), ...get(t), ...get(q), ...get(up), ...I32_MUL, ...I32_SUB,
    ...get(phaseBytes), ...I32_MUL, ...I32_ADD, ...set(tp[k]), // tp = taps + (t − q·up)·phaseBytes
    ...get(t), ...get(down), ...I32_ADD, ...set(t),
  ];
  const accumulate = (k: number) => [
    ...get(acc[k]),
    ...get(tp[k]), ...get(j), ...I32_ADD, ...v128Load(0),
    ...get(lp[k]), ...get(j), ...I32_ADD, ...v128Load(0),
    ...F32X4_MUL, ...F32X4_ADD, ...set(acc[k]),
  ];
  return {
    name: "fir",
    params: new Array<number>(9).fill(I32),
    locals: [[11, I32], [6, V128]],
    code: [
      ...BLOCK,
      ...get(n), ...I32_EQZ, ...brIf(0),
      ...get(out), ...get(n), ...i32c(3), ...I32_ADD, ...i32c(2), ...I32_SHR_U, ...i32c(3), ...I32_SHL,
      ...I32_ADD, ...set(outEnd), // outEnd = out + 8·⌈n/4⌉
      ...LOOP, // per four outputs
      ...locate(0), ...locate(1), ...locate(2), ...locate(3),
      ...acc.flatMap((a) => [...V128_ZERO, ...set(a)]),
      ...i32c(0), ...set(j),
      ...LOOP, // per four taps
      ...accumulate(0), ...accumulate(1), ...accumulate(2), ...accumulate(3),
      ...get(j), ...i32c(16), ...I32_ADD, ...tee(j),
      ...get(phaseBytes), ...I32_LT_U, ...brIf(0),
      ...END,
      ...get(out), ...reduce4(acc, tmpA, tmpB), ...storeInt16x4(tmpA, 0),
      ...get(out), ...i32c(8), ...I32_ADD, ...tee(out),
      ...get(outEnd), ...I32_LT_U, ...brIf(0),
      ...END,
      ...END,
    ],
  };
}

function firAlignedFunction(bank: PolyphaseBank): WasmFunction {
  const { upFactor: up, downFactor: down, phaseLength } = bank;
  const groupSize = alignedGroupSize(bank);
  const phaseBytes = phaseLength * 4;
  const [taps, window, out, groups] = [0, 1, 2, 3];
  const [tp, lp, tpEnd] = [4, 5, 6];
  const acc = Array.from({ length: groupSize }, (_, i) => 7 + i);
  const tapVec = Array.from({ length: up }, (_, p) => 7 + groupSize + p);
  const lineVec = 7 + groupSize + up;
  const [tmpA, tmpB] = [lineVec + 1, lineVec + 2];

  const offsetOf = (i: number) => Math.floor((down * i) / up);
  const phaseOf = (i: number) => (down * i) % up;
  const phases = [...new Set(acc.map((_, i) => phaseOf(i)))];
  const offsets = [...new Set(acc.map((_, i) => offsetOf(i)))];
  const step = [
    ...phases.flatMap((p) => [...get(tp), ...v128Load(p * phaseBytes), ...set(tapVec[p])]),
    ...offsets.flatMap((d) => [
      ...get(lp), ...v128Load(4 * d), ...set(lineVec),
      ...acc.flatMap((a, i) => offsetOf(i) !== d ? [] : [
        ...get(a), ...get(tapVec[phaseOf(i)]), ...get(lineVec), ...F32X4_MUL, ...F32X4_ADD, ...set(a),
      ]),
    ]),
  ];
  const stores: number[] = [];
  for (let c = 0; c * 4 < groupSize; c++) {
    const four = [0, 1, 2, 3].map((k) => acc[4 * c + k] ?? null);
    stores.push(...get(out), ...reduce4(four, tmpA, tmpB), ...storeInt16x4(tmpA, 8 * c));
  }
  return {
    name: "firAligned",
    params: [I32, I32, I32, I32],
    locals: [[3, I32], [groupSize + up + 3, V128]],
    code: [
      ...BLOCK,
      ...get(groups), ...I32_EQZ, ...brIf(0),
      ...get(taps), ...i32c(phaseBytes), ...I32_ADD, ...set(tpEnd),
      ...LOOP, // per group
      ...acc.flatMap((a) => [...V128_ZERO, ...set(a)]),
      ...get(taps), ...set(tp),
      ...get(window), ...set(lp),
      ...LOOP, // per four taps
      ...step,
      ...get(lp), ...i32c(16), ...I32_ADD, ...set(lp),
      ...get(tp), ...i32c(16), ...I32_ADD, ...tee(tp),
      ...get(tpEnd), ...I32_LT_U, ...brIf(0),
      ...END,
      ...stores,
      ...get(out), ...i32c(2 * groupSize), ...I32_ADD, ...set(out),
      ...get(window), ...i32c((4 * down * groupSize) / up), ...I32_ADD, ...set(window),
      ...get(groups), ...i32c(1), ...I32_SUB, ...tee(groups),
      ...i32c(0), ...I32_NE, ...brIf(0),
      ...END,
      ...END,
    ],
  };
}

// The project's TypeScript libs (ES2023 + Node 20 types) do not declare the WebAssembly
// JS API, and under --jitless it does not exist: reach it through globalThis, typed to what is used.
interface WasmJsApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { readonly exports: unknown };
}
const wasmJsApi = (globalThis as { WebAssembly?: WasmJsApi }).WebAssembly;

export interface FirWasmExports {
  readonly memory: { readonly buffer: ArrayBuffer };
  convert(src: number, dst: number, n: number): void;
  fir(taps: number, phaseBytes: number, line: number, out: number, n: number, t: number, up: number, down: number, magic: number): void;
  firAligned(taps: number, window: number, out: number, groups: number): void;
}

export function buildFirModuleBytes(bank: PolyphaseBank): Uint8Array<ArrayBuffer> {
  return assembleModule(1, [convertFunction(), firFunction(), firAlignedFunction(bank)]);
}

/** Compiled once at load, one per bank (immutable); empty when this runtime has no WebAssembly SIMD. */
const MODULES: ReadonlyMap<PolyphaseBank, object> = (() => {
  const modules = new Map<PolyphaseBank, object>();
  if (wasmJsApi === undefined) return modules;
  for (const bank of POLYPHASE_BANKS) {
    const bytes = buildFirModuleBytes(bank);
    if (!wasmJsApi.validate(bytes)) return new Map();
    modules.set(bank, new wasmJsApi.Module(bytes));
  }
  return modules;
})();

export function firWasmAvailable(): boolean {
  return MODULES.size > 0;
}

/** A fresh instance (own memory) of the bank's kernel, or undefined when WebAssembly SIMD is unavailable. */
export function instantiateFirWasm(bank: PolyphaseBank): FirWasmExports | undefined {
  const module = MODULES.get(bank);
  if (wasmJsApi === undefined || module === undefined) return undefined;
  return new wasmJsApi.Instance(module).exports as FirWasmExports;
}

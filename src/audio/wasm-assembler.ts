/**
 * Just enough of the WebAssembly binary format to hand-assemble the FIR
 * kernel (wasm-fir-module.ts) at load, with no toolchain. Opcodes are from the
 * WebAssembly core spec (MVP + fixed-width SIMD); each emitter returns bytes.
 */

export const I32 = 0x7f;
export const V128 = 0x7b;

export const uleb = (value: number): number[] => {
  const bytes: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (value !== 0);
  return bytes;
};

export const sleb = (value: number): number[] => {
  const bytes: number[] = [];
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    const done = (value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0);
    bytes.push(done ? byte : byte | 0x80);
    if (done) return bytes;
  }
};

export const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const name = (text: string): number[] => vec([...text].map((c) => [c.charCodeAt(0)]));

// Control and locals.
export const BLOCK = [0x02, 0x40];
export const LOOP = [0x03, 0x40];
export const END = [0x0b];
export const brIf = (depth: number) => [0x0d, ...uleb(depth)];
export const get = (local: number) => [0x20, ...uleb(local)];
export const set = (local: number) => [0x21, ...uleb(local)];
export const tee = (local: number) => [0x22, ...uleb(local)];

// Integer ops.
export const i32c = (value: number) => [0x41, ...sleb(value)];
export const I32_EQZ = [0x45];
export const I32_NE = [0x47];
export const I32_LT_U = [0x49];
export const I32_ADD = [0x6a];
export const I32_SUB = [0x6b];
export const I32_MUL = [0x6c];
export const I32_SHL = [0x74];
export const I32_SHR_U = [0x76];

// Memory. Alignment hint 0 (byte): every access may be unaligned.
const memarg = (offset: number) => [0, ...uleb(offset)];
export const i64Store = (offset: number) => [0x37, ...memarg(offset)];

// SIMD (0xFD prefix, LEB128 sub-opcode).
const simd = (op: number) => [0xfd, ...uleb(op)];
export const v128Load = (offset: number) => [...simd(0x00), ...memarg(offset)];
export const i32x4Load16x4S = (offset: number) => [...simd(0x03), ...memarg(offset)];
export const v128Store = (offset: number) => [...simd(0x0b), ...memarg(offset)];
export const V128_ZERO = [...simd(0x0c), ...new Array<number>(16).fill(0)];
/** i8x16.shuffle picking four 32-bit lanes: 0–3 from the first operand, 4–7 from the second. */
export const shuffle32 = (lanes: number[]) => [
  ...simd(0x0d),
  ...lanes.flatMap((lane) => [4 * lane, 4 * lane + 1, 4 * lane + 2, 4 * lane + 3]),
];
export const i64x2ExtractLane = (lane: number) => [...simd(0x1d), lane];
export const F32X4_NEAREST = simd(0x6a);
export const I16X8_NARROW_I32X4_S = simd(0x85);
export const F32X4_ADD = simd(0xe4);
export const F32X4_MUL = simd(0xe6);
export const I32X4_TRUNC_SAT_F32X4_S = simd(0xf8);
export const F32X4_CONVERT_I32X4_S = simd(0xfa);

export interface WasmFunction {
  readonly name: string;
  readonly params: number[];
  /** Local declarations after the params: [count, type] pairs. */
  readonly locals: [number, number][];
  readonly code: number[];
}

/** A module with one exported memory ("memory", `pages` × 64 KiB, private to each instance) and exported void functions. */
export function assembleModule(pages: number, functions: WasmFunction[]): Uint8Array<ArrayBuffer> {
  const types = functions.map((f) => [0x60, ...vec(f.params.map((p) => [p])), ...vec([])]);
  const bodies = functions.map((f) => {
    const body = [...vec(f.locals.map(([count, type]) => [...uleb(count), type])), ...f.code, ...END];
    return [...uleb(body.length), ...body];
  });
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(3, vec(functions.map((_, i) => uleb(i)))),
    ...section(5, vec([[0x00, ...uleb(pages)]])),
    ...section(7, vec([
      [...name("memory"), 0x02, 0],
      ...functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]),
    ])),
    ...section(10, vec(bodies)),
  ]);
}

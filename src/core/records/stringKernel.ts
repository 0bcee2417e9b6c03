/**
 * The long-run step of the content hash (identity.ts strRun, strScan) as WebAssembly SIMD: sixteen
 * bytes a step, as four little-endian words, one to each of the hash's four lanes (lane j:
 * l = imul(l ^ w, LANE_MUL[j])), while counting the bytes' UTF-16 units and noting any control
 * character. It reads the bytes where they lie, in this thread's byte arena (wasm/byteArena.ts: the
 * file reader's buffers, the hash's scratch); identity.ts runs the same step as JavaScript on anything
 * else (tests compare the two).
 *
 * run(p, n, stops): up to n ≥ 1 steps over the bytes at p, ending before the first step that holds
 * either of the two bytes in stops (bits 0-7 and 8-15: a string's closing quote and backslash; 0xff,
 * which UTF-8 never holds, for none). The lanes are read from and written back to the arena's bytes
 * [0, 16); a control character sets the word at 16; the bytes consumed go to the word at 20. It
 * returns their UTF-16 units (a byte each, less continuation bytes 10xxxxxx, plus one for each
 * four-byte lead 11110xxx).
 */
import { arenaMemory } from '../wasm/byteArena';
import {
  BLOCK,
  body,
  BR_IF,
  END,
  get,
  I32,
  I32_ADD,
  I32_LT_U,
  I32_SHL,
  I32_SHR_U,
  I32_SUB,
  i32const,
  i32store,
  LOOP,
  oneFunctionModule,
  set,
  simd,
  tee,
  V128,
  v128const,
  v128load,
  v128store,
  I32X4_MUL,
  V128_XOR,
} from '../wasm/assemble';

/** The lanes' multipliers (odd). */
export const LANE_MUL = [2654435761 | 0, 1597334677, 2246822519 | 0, 3266489917 | 0] as const;

const splat = (byte: number) => v128const(Array.from({ length: 16 }, () => byte));
const I8X16_SPLAT = simd(0x0f);
const I8X16_EQ = simd(0x23);
const I8X16_LT_S = simd(0x25);
const I8X16_LT_U = simd(0x26);
const I8X16_GE_U = simd(0x2c);
const V128_OR = simd(0x50);
const V128_ANY_TRUE = simd(0x53);
const I8X16_SUB = simd(0x71);
const I16X8_EXTADD_PAIRWISE_I8X16_S = simd(0x7c);
const I32X4_EXTADD_PAIRWISE_I16X8_S = simd(0x7e);
const I32X4_ADD = simd(0xae);
const i32x4ExtractLane = (k: number) => [...simd(0x1b), k];

function runFunction(): number[] {
  // params 0: p, 1: n, 2: stops; i32 locals 3: end, 4: start; v128 locals 5: lanes, 6: units (per lane), 7: control, 8: x, 9, 10: the stop bytes
  const [P, N, STOPS, E, START, LANES, UNITS, CONTROL, X, STOP_A, STOP_B] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const mul = v128const(LANE_MUL.flatMap((k) => [k & 255, (k >>> 8) & 255, (k >>> 16) & 255, (k >>> 24) & 255]));
  const c: number[] = [];
  c.push(...i32const(0), ...v128load(0), ...set(LANES));
  c.push(...get(P), ...tee(START), ...get(N), ...i32const(4), I32_SHL, I32_ADD, ...set(E));
  c.push(...get(STOPS), ...I8X16_SPLAT, ...set(STOP_A), ...get(STOPS), ...i32const(8), I32_SHR_U, ...I8X16_SPLAT, ...set(STOP_B));
  c.push(...BLOCK, ...LOOP);
  c.push(...get(P), ...v128load(0), ...tee(X));
  // a step that holds a stop byte ends the run before it
  c.push(...get(STOP_A), ...I8X16_EQ, ...get(X), ...get(STOP_B), ...I8X16_EQ, ...V128_OR, ...V128_ANY_TRUE, ...BR_IF(1));
  // lanes = (lanes ^ x) * mul
  c.push(...get(X), ...get(LANES), ...V128_XOR, ...mul, ...I32X4_MUL, ...set(LANES));
  // units += widened((x < 0xc0 signed: a continuation byte, -1) - (x >= 0xf0: a four-byte lead, -1))
  c.push(...get(UNITS), ...get(X), ...splat(0xc0), ...I8X16_LT_S, ...get(X), ...splat(0xf0), ...I8X16_GE_U, ...I8X16_SUB);
  c.push(...I16X8_EXTADD_PAIRWISE_I8X16_S, ...I32X4_EXTADD_PAIRWISE_I16X8_S, ...I32X4_ADD, ...set(UNITS));
  // control |= x < 0x20
  c.push(...get(CONTROL), ...get(X), ...splat(0x20), ...I8X16_LT_U, ...V128_OR, ...set(CONTROL));
  c.push(...get(P), ...i32const(16), I32_ADD, ...tee(P), ...get(E), I32_LT_U, ...BR_IF(0), END, END);
  c.push(...i32const(0), ...get(LANES), ...v128store(0));
  c.push(...i32const(0), ...get(CONTROL), ...V128_ANY_TRUE, ...i32store(16));
  c.push(...i32const(0), ...get(P), ...get(START), I32_SUB, ...i32store(20));
  c.push(...get(P), ...get(START), I32_SUB);
  for (let k = 0; k < 4; k++) c.push(...get(UNITS), ...i32x4ExtractLane(k), I32_ADD);
  return body(
    [
      [2, I32],
      [6, V128],
    ],
    c,
  );
}

export function stringModuleBytes(): Uint8Array<ArrayBuffer> {
  return oneFunctionModule({ fnName: 'run', params: [I32, I32, I32], results: [I32], body: runFunction(), memory: { import: true } });
}

export interface StringKernel {
  /** the arena's bytes: strRun hands the kernel only views of this buffer */
  readonly buffer: ArrayBuffer;
  /** the lanes (0-3), the control flag (4), the bytes consumed (5) */
  readonly state: Int32Array;
  readonly run: (p: number, n: number, stops: number) => number;
}

let kernel: StringKernel | null | undefined;

/** The kernel, or null where the runtime has no WebAssembly SIMD (then strRun is all JavaScript). */
export function stringKernel(): StringKernel | null {
  if (kernel === undefined) {
    kernel = null;
    try {
      const memory = arenaMemory();
      const bytes = stringModuleBytes();
      if (memory && WebAssembly.validate(bytes)) {
        const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
        kernel = { buffer: memory.buffer, state: new Int32Array(memory.buffer, 0, 6), run: instance.exports.run as StringKernel['run'] };
      }
    } catch {
      kernel = null;
    }
  }
  return kernel;
}

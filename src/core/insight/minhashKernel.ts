/**
 * The inner loop of MinHash (minhash.ts): for each of the 256 permutations, the least permuted hash
 * over a text's shingles. It is shingles × 256 multiply-xor-shift-min steps, nearly all of the
 * signing cost, so it runs as WebAssembly SIMD (four permutations a vector, 16 a pass over the
 * shingles) when the runtime has it, else as plain JavaScript, four permutations at a time. Both give
 * the same minima (tested).
 *
 * The permutation of a 32-bit shingle hash x by (a, b): h = imul(x ^ a, b); h ^= h >>> 16; minima are
 * taken over h as a signed 32-bit value.
 *
 * The WebAssembly module is assembled here from its instructions (no build step, no .wasm file); its
 * memory holds the permutations' constants (xor at 0, mul at 1 KB), the minima (2 KB) and the
 * shingles (from 4 KB, grown as a text needs).
 */
import {
  BR_IF,
  END,
  get,
  I32,
  I32_ADD,
  I32_LT_U,
  i32const,
  LOOP,
  memarg,
  oneFunctionModule,
  set,
  simd,
  tee,
  uleb,
  v128const,
  v128load,
  v128store,
  I32X4_MUL,
  V128_XOR,
} from '../wasm/assemble';

export const PERMUTATION_COUNT = 256;

const XOR_AT = 0;
const MUL_AT = 1024;
const MIN_AT = 2048;
const SHINGLES_AT = 4096;
const PAGE = 65536;

/** A loop that writes the minima of `n` shingles under the loaded permutations. */
export interface MinimaKernel {
  readonly kind: 'wasm-simd' | 'js';
  /** Room for `n` shingle hashes: write them here, then call minima(n, ...). */
  shingleBuffer(n: number): Int32Array;
  /** Load the permutations' constants (when they are not the ones loaded). */
  load(xor: Int32Array, mul: Int32Array): void;
  /** The low 16 bits of each permutation's minimum over shingleBuffer's first n values, into out[offset ..]. */
  minima(n: number, out: Uint16Array, offset: number): void;
}

const V128_CONST_I32_MAX = v128const(Array.from({ length: 4 }, () => [0xff, 0xff, 0xff, 0x7f]).flat());
const LOAD32_SPLAT = [...simd(0x09), ...memarg(2, 0)]; // v128.load32_splat
const I32X4_SHR_U = simd(0xad);
const I32X4_MIN_S = simd(0xb6);

const LANES = 4; // vectors of 4 permutations kept in registers during one pass over the shingles

/**
 * (func (param $sh i32) (param $n i32) (param $perm i32) (param $out i32)) — $perm and $out are moved
 * by a block of LANES vectors each pass (LANES × 4 permutations).
 */
function minimaFunction(LANES: number): number[] {
  // params 0..3: sh, n, perm, out; i32 locals 4: p, 5: end, 6: permEnd; v128 locals 7: v, 8: t, 9..16: minima
  const [SH, N, PERM, OUT, P, E, PERM_END, V, T] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const M = (k: number) => 9 + k;
  const body: number[] = [];
  // end = sh + n * 4 ; permEnd = perm + 1024
  body.push(...get(SH), ...get(N), ...get(N), I32_ADD, ...get(N), ...get(N), I32_ADD, I32_ADD, I32_ADD, ...set(E));
  body.push(...get(PERM), ...i32const(1024), I32_ADD, ...set(PERM_END));
  body.push(...LOOP); // a block of 32 permutations
  for (let k = 0; k < LANES; k++) body.push(...V128_CONST_I32_MAX, ...set(M(k)));
  body.push(...get(SH), ...set(P));
  body.push(...LOOP); // each shingle
  body.push(...get(P), ...LOAD32_SPLAT, ...set(V));
  for (let k = 0; k < LANES; k++) {
    // m_k = min_s(m_k, t ^ (t >>> 16)) where t = (v ^ xor_k) * mul_k
    body.push(...get(M(k)));
    body.push(...get(V), ...get(PERM), ...v128load(XOR_AT + 16 * k), ...V128_XOR);
    body.push(...get(PERM), ...v128load(MUL_AT + 16 * k), ...I32X4_MUL, ...tee(T));
    body.push(...get(T), ...i32const(16), ...I32X4_SHR_U, ...V128_XOR);
    body.push(...I32X4_MIN_S, ...set(M(k)));
  }
  body.push(...get(P), ...i32const(4), I32_ADD, ...tee(P), ...get(E), I32_LT_U, ...BR_IF(0), END);
  for (let k = 0; k < LANES; k++) body.push(...get(OUT), ...get(M(k)), ...v128store(16 * k));
  body.push(...get(OUT), ...i32const(16 * LANES), I32_ADD, ...set(OUT));
  body.push(...get(PERM), ...i32const(16 * LANES), I32_ADD, ...tee(PERM), ...get(PERM_END), I32_LT_U, ...BR_IF(0), END);
  body.push(END);
  const locals = [2, ...uleb(3), 0x7f, ...uleb(2 + LANES), 0x7b];
  const fn = [...locals, ...body];
  return [...uleb(fn.length), ...fn];
}

/** The module: one function "minima" (type (i32 i32 i32 i32) -> ()) and its memory "memory". */
export function minimaModuleBytes(lanes = LANES): Uint8Array<ArrayBuffer> {
  return oneFunctionModule({ fnName: 'minima', params: [I32, I32, I32, I32], results: [], body: minimaFunction(lanes), memory: { pages: 1 } });
}

class WasmKernel implements MinimaKernel {
  readonly kind = 'wasm-simd';
  private readonly memory: WebAssembly.Memory;
  private readonly run: (sh: number, n: number, perm: number, out: number) => void;
  private loaded?: Int32Array;
  private shingles!: Int32Array;
  private mins!: Int32Array;

  constructor(instance: WebAssembly.Instance) {
    this.memory = instance.exports.memory as WebAssembly.Memory;
    this.run = instance.exports.minima as (sh: number, n: number, perm: number, out: number) => void;
    this.views();
  }

  private views(): void {
    this.shingles = new Int32Array(this.memory.buffer, SHINGLES_AT);
    this.mins = new Int32Array(this.memory.buffer, MIN_AT, PERMUTATION_COUNT);
  }

  shingleBuffer(n: number): Int32Array {
    if (n > this.shingles.length) {
      const need = SHINGLES_AT + n * 4;
      this.memory.grow(Math.ceil((need - this.memory.buffer.byteLength) / PAGE));
      this.views();
    }
    return this.shingles;
  }

  load(xor: Int32Array, mul: Int32Array): void {
    if (this.loaded === xor) return;
    const m = new Int32Array(this.memory.buffer);
    m.set(xor, XOR_AT / 4);
    m.set(mul, MUL_AT / 4);
    this.loaded = xor;
  }

  minima(n: number, out: Uint16Array, offset: number): void {
    this.run(SHINGLES_AT, n, XOR_AT, MIN_AT);
    const mins = this.mins;
    for (let i = 0; i < PERMUTATION_COUNT; i++) out[offset + i] = mins[i]! & 0xffff;
  }
}

class JsKernel implements MinimaKernel {
  readonly kind = 'js';
  private shingles = new Int32Array(1024);
  private xor: Int32Array = new Int32Array(PERMUTATION_COUNT);
  private mul: Int32Array = new Int32Array(PERMUTATION_COUNT);

  shingleBuffer(n: number): Int32Array {
    if (n > this.shingles.length) this.shingles = new Int32Array(Math.max(n, this.shingles.length * 2));
    return this.shingles;
  }

  load(xor: Int32Array, mul: Int32Array): void {
    this.xor = xor;
    this.mul = mul;
  }

  minima(n: number, out: Uint16Array, offset: number): void {
    const x = this.shingles,
      xor = this.xor,
      mul = this.mul;
    // four permutations a pass: each shingle is read once for four running minima
    for (let i = 0; i < PERMUTATION_COUNT; i += 4) {
      const a0 = xor[i]!,
        b0 = mul[i]!,
        a1 = xor[i + 1]!,
        b1 = mul[i + 1]!,
        a2 = xor[i + 2]!,
        b2 = mul[i + 2]!,
        a3 = xor[i + 3]!,
        b3 = mul[i + 3]!;
      let m0 = 0x7fffffff,
        m1 = 0x7fffffff,
        m2 = 0x7fffffff,
        m3 = 0x7fffffff;
      for (let s = 0; s < n; s++) {
        const v = x[s]!;
        let h0 = Math.imul(v ^ a0, b0);
        h0 ^= h0 >>> 16;
        if (h0 < m0) m0 = h0;
        let h1 = Math.imul(v ^ a1, b1);
        h1 ^= h1 >>> 16;
        if (h1 < m1) m1 = h1;
        let h2 = Math.imul(v ^ a2, b2);
        h2 ^= h2 >>> 16;
        if (h2 < m2) m2 = h2;
        let h3 = Math.imul(v ^ a3, b3);
        h3 ^= h3 >>> 16;
        if (h3 < m3) m3 = h3;
      }
      out[offset + i] = m0 & 0xffff;
      out[offset + i + 1] = m1 & 0xffff;
      out[offset + i + 2] = m2 & 0xffff;
      out[offset + i + 3] = m3 & 0xffff;
    }
  }
}

function wasmKernel(): MinimaKernel | undefined {
  try {
    if (typeof WebAssembly !== 'object') return undefined;
    const bytes = minimaModuleBytes();
    if (!WebAssembly.validate(bytes)) return undefined; // no SIMD in this runtime
    return new WasmKernel(new WebAssembly.Instance(new WebAssembly.Module(bytes), {}));
  } catch {
    return undefined;
  }
}

/** A kernel of the kind asked for (tests compare them), else the fastest this runtime runs. */
export function minimaKernel(kind?: 'wasm-simd' | 'js'): MinimaKernel {
  if (kind === 'js') return new JsKernel();
  const k = wasmKernel();
  if (!k && kind === 'wasm-simd') throw new Error('WebAssembly SIMD is not available in this runtime');
  return k ?? new JsKernel();
}

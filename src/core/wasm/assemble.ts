/**
 * WebAssembly modules assembled from their instructions (no toolchain, no .wasm file): the few
 * encodings our kernels use, in the binary format (https://webassembly.github.io/spec/core/binary/).
 */

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) return [...out, b];
    out.push(b | 0x80);
  }
}

/** A SIMD instruction (0xfd prefix) by its opcode. */
export const simd = (op: number) => [0xfd, ...uleb(op)];
export const memarg = (align: number, offset: number) => [...uleb(align), ...uleb(offset)];
export const get = (i: number) => [0x20, ...uleb(i)];
export const set = (i: number) => [0x21, ...uleb(i)];
export const tee = (i: number) => [0x22, ...uleb(i)];
export const i32const = (v: number) => [0x41, ...sleb(v)];
export const I32_ADD = 0x6a;
export const I32_SUB = 0x6b;
export const I32_SHR_U = 0x76;
export const I32_SHL = 0x74;
export const I32_LT_U = 0x49;
export const I32 = 0x7f;
export const V128 = 0x7b;
export const BLOCK = [0x02, 0x40];
export const LOOP = [0x03, 0x40];
export const BR_IF = (depth: number) => [0x0d, depth];
export const END = 0x0b;
export const i32store = (offset: number) => [0x36, ...memarg(2, offset)];
export const v128load = (offset: number) => [...simd(0x00), ...memarg(4, offset)];
export const v128store = (offset: number) => [...simd(0x0b), ...memarg(4, offset)];
/** v128.const from sixteen bytes. */
export const v128const = (bytes: readonly number[]) => [...simd(0x0c), ...bytes];
/** SIMD instructions both kernels use (one home for their opcodes) */
export const V128_XOR = simd(0x51);
export const I32X4_MUL = simd(0xb5);

export function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

export const name = (s: string) => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];

/** A function body: its locals as [count, type] groups, then its instructions (END appended). */
export function body(locals: readonly (readonly [number, number])[], code: readonly number[]): number[] {
  const fn = [...uleb(locals.length), ...locals.flatMap(([n, t]) => [...uleb(n), t]), ...code, END];
  return [...uleb(fn.length), ...fn];
}

/**
 * A module of one function, exported by `fnName`, of type (params) -> (results), with a memory:
 * its own exported as "memory" (`pages` long), or imported as env.memory (`import: true`).
 */
export function oneFunctionModule(opts: {
  fnName: string;
  params: readonly number[];
  results: readonly number[];
  body: number[];
  memory: { import: true } | { pages: number };
}): Uint8Array<ArrayBuffer> {
  const { fnName, params, results, memory } = opts;
  const imported = 'import' in memory;
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [1, 0x60, ...uleb(params.length), ...params, ...uleb(results.length), ...results]),
    ...(imported ? section(2, [1, ...name('env'), ...name('memory'), 0x02, 0x00, 1]) : []),
    ...section(3, [1, 0]),
    ...(imported ? [] : section(5, [1, 0x00, ...uleb(memory.pages)])),
    ...section(7, imported ? [1, ...name(fnName), 0x00, 0] : [2, ...name(fnName), 0x00, 0, ...name('memory'), 0x02, 0]),
    ...section(10, [1, ...opts.body]),
  ]);
}

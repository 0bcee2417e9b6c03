/**
 * Identity by content: a record is named by a hash of its canonical JSON (keys sorted, no
 * whitespace), never by its line number. Reordering lines or reformatting a record keeps its id.
 */
import type { createHash as CreateHash } from 'node:crypto';

// node:crypto is loaded on first use: validating a file never needs it, and loading it is part of every start-up
let createHash: typeof CreateHash | undefined;

function collectKeys(v: unknown, into: Set<string>): void {
  if (Array.isArray(v)) {
    for (const x of v) if (x !== null && typeof x === 'object') collectKeys(x, into);
  } else if (v !== null && typeof v === 'object') {
    for (const k in v) {
      into.add(k);
      const x = (v as Record<string, unknown>)[k];
      if (x !== null && typeof x === 'object') collectKeys(x, into);
    }
  }
}

/**
 * Canonical JSON: keys sorted at every level, no whitespace. JSON.stringify with a replacer array
 * writes the listed keys in the array's order, so passing every key of the record, sorted, makes
 * the native serializer do the work. (Keys that look like array indices are kept as they are.)
 */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  const keys = new Set<string>();
  collectKeys(v, keys);
  return JSON.stringify(v, [...keys].sort());
}

/** Reference implementation of canonicalJson (tests compare the two). */
export function canonicalJsonSlow(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) {
    let s = '[';
    for (let i = 0; i < v.length; i++) s += (i ? ',' : '') + canonicalJsonSlow(v[i]);
    return s + ']';
  }
  const keys = Object.keys(v)
    .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
    .sort();
  let s = '{';
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    s += (i ? ',' : '') + JSON.stringify(k) + ':' + canonicalJsonSlow((v as Record<string, unknown>)[k]);
  }
  return s + '}';
}

/** Stable record id: the first 16 hex digits of sha256(canonical JSON). */
export function contentId(record: unknown): string {
  createHash ??= (require('node:crypto') as typeof import('node:crypto')).createHash;
  return createHash('sha256').update(canonicalJson(record)).digest('hex').slice(0, 16);
}

/*
 * contentHash: the same equivalence as canonicalJson (key order and whitespace do not matter), but
 * computed by walking the parsed value and feeding a two-lane 53-bit hash (cyrb53's mixing) with
 * no intermediate string. Fast enough for every line of a large file; kept in memory only.
 *
 * A string is hashed as its UTF-8 bytes, four to a little-endian word, the words alternating between
 * the two lanes, then its byte length. Bytes, not UTF-16 units, so that the byte-level scan of a file
 * (checks/cleanLine.ts) hashes a string straight from the file's bytes with the very same function
 * as this walk over a parsed value: both feed strRun/strByte. (A lone surrogate hashes as U+FFFD,
 * which is what UTF-8 makes of it; the scan never meets one, it leaves such lines to this walk.)
 * An object's members are hashed each as mix(key hash, value hash) from fixed seeds and summed: the
 * sum does not depend on key order, and a member's value hash alone is at hand (chosen vs rejected).
 */

/** The hash registers: the running state that tags and strings feed. */
export const hs = { a: 0, b: 0, cls: 0 };
const K1 = 2654435761;
const K2 = 1597334677;
export const SEED_A = 0x9e3779b9 | 0;
export const SEED_B = 0x85ebca6b | 0;

/*
 * Per byte, the class the run loop sums: bits 0-4 its UTF-16 units in the raw text (ASCII and lead
 * bytes 1, continuation bytes 0, a four-byte lead 2), bits 5-8 a control character (not allowed raw
 * in a JSON string). Eight summed never carry.
 */
export const CLASS_CONTROL = 0x1e0;
export const CLS = new Uint16Array(256);
for (let d = 0; d < 256; d++) {
  let c = d < 0x80 ? 1 : d < 0xc0 ? 0 : d < 0xf0 ? 1 : 2;
  if (d < 0x20) c |= 1 << 5;
  CLS[d] = c;
}

// the string being hashed: its lanes, the unfinished word and its byte count, whose lane is next, its length
let sa = 0,
  sb = 0,
  sw = 0,
  snb = 0,
  sodd = 0,
  slen = 0;

/** UTF-16 units of eight UTF-8 bytes: a byte each, less continuation bytes (10xxxxxx), plus one per four-byte lead (11110xxx). */
function unitsOf8(w1: number, w2: number): number {
  if (((w1 | w2) & 0x80808080) === 0) return 8;
  return (
    8 -
    count8(w1 & ~(w1 << 1) & 0x80808080) -
    count8(w2 & ~(w2 << 1) & 0x80808080) +
    count8(w1 & (w1 << 1) & (w1 << 2) & (w1 << 3) & 0x80808080) +
    count8(w2 & (w2 << 1) & (w2 << 2) & (w2 << 3) & 0x80808080)
  );
}

/** How many of the top bits of the four bytes of m (m & 0x80808080) are set. */
function count8(m: number): number {
  return Math.imul(m >>> 7, 0x01010101) >>> 24;
}

export function strBegin(): void {
  sa = hs.a;
  sb = hs.b;
  sw = 0;
  snb = 0;
  sodd = 0;
  slen = 0;
}

/** Whether a Uint32Array reads memory little-endian (the words are defined little-endian). */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
// a 32-bit view of the buffer strRun reads last (a file's chunk: the same for every line of it)
let viewOf: ArrayBufferLike | undefined;
let view: Uint32Array<ArrayBufferLike> = new Uint32Array(0);

/** Feed bytes [s, e) of the string's UTF-8; returns their UTF-16 units, leaves their classes (CLS, ORed) in hs.cls. */
export function strRun(buf: Uint8Array, s: number, e: number): number {
  let a = sa,
    b = sb,
    w = sw,
    nb = snb,
    odd = sodd;
  let units = 0,
    cls = 0;
  let i = s;
  if (nb === 0 && odd === 0 && e - s >= 32 && LITTLE_ENDIAN) {
    // long runs: eight bytes a step read as 32-bit words of memory (three loads, not eight), two words to a step
    if (buf.buffer !== viewOf) {
      viewOf = buf.buffer;
      view = new Uint32Array(buf.buffer, 0, buf.buffer.byteLength >>> 2);
    }
    const v = view;
    const abs = buf.byteOffset + i;
    let k = abs >>> 2;
    const sh = (abs & 3) << 3;
    // the last step reads the word after the eight bytes: stay inside the view and the run
    const steps = Math.min((e - i) >>> 3, (v.length - k - 2) >> 1);
    if (steps > 0) {
      const rs = 32 - sh;
      let lo = v[k]! | 0;
      for (let n = 0; n < steps; n++) {
        const m1 = v[k + 1]! | 0;
        const m2 = v[k + 2]! | 0;
        const w1 = sh === 0 ? lo : (lo >>> sh) | (m1 << rs);
        const w2 = sh === 0 ? m1 : (m1 >>> sh) | (m2 << rs);
        lo = m2;
        k += 2;
        a = Math.imul(a ^ w1, K1);
        b = Math.imul(b ^ w2, K2);
        units += unitsOf8(w1, w2);
        if ((((w1 - 0x20202020) & ~w1) | ((w2 - 0x20202020) & ~w2)) & 0x80808080) cls |= CLASS_CONTROL;
      }
      i += steps << 3;
    }
  }
  while (i < e) {
    if (nb === 0 && odd === 0 && i + 7 < e) {
      // eight bytes a step, as two words, one to each lane (a 32-bit view of the memory measured no faster: strings are short)
      const w1 = buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24);
      const w2 = buf[i + 4]! | (buf[i + 5]! << 8) | (buf[i + 6]! << 16) | (buf[i + 7]! << 24);
      a = Math.imul(a ^ w1, K1);
      b = Math.imul(b ^ w2, K2);
      units += unitsOf8(w1, w2);
      // a byte below 0x20: set in the top bit of some byte of (w - 0x20202020) & ~w (exact as to whether there is one)
      if ((((w1 - 0x20202020) & ~w1) | ((w2 - 0x20202020) & ~w2)) & 0x80808080) cls |= CLASS_CONTROL;
      i += 8;
      continue;
    }
    // byte by byte: to finish a word begun before, to reach the even lane, and the last few bytes
    const d = buf[i++]!;
    const c = CLS[d]!;
    units += c & 31;
    cls |= c;
    w |= d << (nb << 3);
    if (++nb === 4) {
      if (odd) b = Math.imul(b ^ w, K2);
      else a = Math.imul(a ^ w, K1);
      odd ^= 1;
      w = 0;
      nb = 0;
    }
  }
  sa = a;
  sb = b;
  sw = w;
  snb = nb;
  sodd = odd;
  slen += e - s;
  hs.cls = cls;
  return units;
}

/** Feed one byte of the string's UTF-8 (a byte an escape stands for). */
export function strByte(d: number): void {
  sw |= d << (snb << 3);
  slen++;
  if (++snb === 4) {
    if (sodd) sb = Math.imul(sb ^ sw, K2);
    else sa = Math.imul(sa ^ sw, K1);
    sodd ^= 1;
    sw = 0;
    snb = 0;
  }
}

/** End the string: its last word, then its length (no two sequences of strings feed the same words). */
export function strEnd(): void {
  let a = sa,
    b = sb;
  if (snb !== 0) {
    if (sodd) b = Math.imul(b ^ sw, K2);
    else a = Math.imul(a ^ sw, K1);
  }
  hs.a = Math.imul(a ^ (slen + 0x10000), K1);
  hs.b = Math.imul(b ^ (slen + 0x10000), K2);
}

let scratch = Buffer.allocUnsafe(1 << 16);

function feedString(s: string): void {
  if (s.length * 3 > scratch.length) scratch = Buffer.allocUnsafe(Math.max(s.length * 3, scratch.length * 2));
  const n = scratch.write(s, 0, 'utf8');
  strBegin();
  strRun(scratch, 0, n);
  strEnd();
}

export function feedTag(tag: number): void {
  hs.a = Math.imul(hs.a ^ (tag + 0x20000), K1);
  hs.b = Math.imul(hs.b ^ (tag + 0x20001), K2);
}

/** One object member's contribution to the object's sum, from its key's and its value's hashes. */
export function memberMix(ka: number, kb: number, va: number, vb: number): void {
  let a = Math.imul(ka ^ (vb >>> 15), 2246822507) ^ Math.imul(va ^ (va >>> 13), 3266489909);
  let b = Math.imul(kb ^ (va >>> 15), 2246822507) ^ Math.imul(vb ^ (vb >>> 13), 3266489909);
  a = Math.imul(a ^ (a >>> 16), 2246822507) ^ Math.imul(b ^ (b >>> 13), 3266489909);
  b = Math.imul(b ^ (b >>> 16), 2246822507) ^ Math.imul(a ^ (a >>> 13), 3266489909);
  hs.a = a;
  hs.b = b;
}

/** After an object's members were summed: the tags that close it, fed into the saved outer state. */
export function objectEnd(outerA: number, outerB: number, members: number, sumA: number, sumB: number): void {
  hs.a = outerA;
  hs.b = outerB;
  feedTag(8);
  feedTag(members);
  feedTag(sumA);
  feedTag(sumB);
}

function feedValue(v: unknown): void {
  switch (typeof v) {
    case 'string':
      feedTag(1);
      feedString(v);
      return;
    case 'number':
      feedTag(2);
      feedString(String(v));
      return;
    case 'boolean':
      feedTag(v ? 3 : 4);
      return;
    case 'object':
      if (v === null) {
        feedTag(5);
      } else if (Array.isArray(v)) {
        feedTag(6);
        for (let i = 0; i < v.length; i++) feedValue(v[i]);
        feedTag(7);
      } else {
        const outerA = hs.a,
          outerB = hs.b;
        let sumA = 0,
          sumB = 0,
          members = 0;
        for (const k in v) {
          hs.a = SEED_A;
          hs.b = SEED_B;
          feedString(k);
          const ka = hs.a,
            kb = hs.b;
          hs.a = SEED_A;
          hs.b = SEED_B;
          feedValue((v as Record<string, unknown>)[k]);
          memberMix(ka, kb, hs.a, hs.b);
          sumA = (sumA + hs.a) | 0;
          sumB = (sumB + hs.b) | 0;
          members++;
        }
        objectEnd(outerA, outerB, members, sumA, sumB);
      }
      return;
    default:
      feedTag(10);
  }
}

export const HASH_SEED_A = 0xdeadbeef | 0;
export const HASH_SEED_B = 0x41c6ce57;

/** The 53-bit result from the registers. */
export function hashResult(): number {
  let a = hs.a,
    b = hs.b;
  a = Math.imul(a ^ (a >>> 16), 2246822507);
  a ^= Math.imul(b ^ (b >>> 13), 3266489909);
  b = Math.imul(b ^ (b >>> 16), 2246822507);
  b ^= Math.imul(a ^ (a >>> 13), 3266489909);
  return 4294967296 * (2097151 & b) + (a >>> 0);
}

/** 53-bit hash of a parsed JSON value, invariant under key order and formatting. */
export function contentHash(v: unknown): number {
  hs.a = HASH_SEED_A;
  hs.b = HASH_SEED_B;
  feedValue(v);
  return hashResult();
}

/**
 * Identity by content: a record is named by a hash of its canonical JSON (keys sorted, no
 * whitespace), never by its line number. Reordering lines or reformatting a record keeps its id.
 */
import type { createHash as CreateHash } from 'node:crypto';
import { takeSlot } from '../wasm/byteArena';
import { LANE_MUL, stringKernel, type StringKernel } from './stringKernel';

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
 * A string is hashed as its UTF-8 bytes, four to a little-endian word, word k into lane k mod 4 of
 * four lanes (lane j: l = imul(l ^ w, LANE_MUL[j]); four independent chains, so that sixteen bytes
 * go in a step, as one WebAssembly SIMD vector in records/stringKernel.ts), then the lanes are folded
 * into the two registers with its byte length. Bytes, not UTF-16 units, so that the byte-level scan
 * of a file (checks/cleanLine.ts) hashes a string straight from the file's bytes with the very same
 * function as this walk over a parsed value: both feed strRun/strByte, and the hash does not depend
 * on how a string's bytes are split between calls. (A lone surrogate hashes as U+FFFD, which is
 * what UTF-8 makes of it; the scan never meets one, it leaves such lines to this walk.)
 * An object's members are hashed each as mix(key hash, value hash) from fixed seeds and summed: the
 * sum does not depend on key order, and a member's value hash alone is at hand (chosen vs rejected).
 */

/** The hash registers: the running state that tags and strings feed. */
export const hs = { a: 0, b: 0, cls: 0, units: 0 };
const [K1, K2, K3, K4] = LANE_MUL;
export const SEED_A = 0x9e3779b9 | 0;
export const SEED_B = 0x85ebca6b | 0;
// what lanes 2 and 3 start from, beside the registers
export const LANE_SEED_C = 0x27d4eb2f;
export const LANE_SEED_D = 0x165667b1;

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
let l0 = 0,
  l1 = 0,
  l2 = 0,
  l3 = 0,
  sw = 0,
  snb = 0,
  slane = 0,
  slen = 0;

/** UTF-16 units of four UTF-8 bytes: a byte each, less continuation bytes (10xxxxxx), plus one per four-byte lead (11110xxx). */
function unitsOf4(w: number): number {
  if ((w & 0x80808080) === 0) return 4;
  return 4 - count8(w & ~(w << 1) & 0x80808080) + count8(w & (w << 1) & (w << 2) & (w << 3) & 0x80808080);
}

/** How many of the top bits of the four bytes of m (m & 0x80808080) are set. */
function count8(m: number): number {
  return Math.imul(m >>> 7, 0x01010101) >>> 24;
}

/** Whether one of the four bytes of w is below 0x20: set in the top bit of some byte of (w - 0x20202020) & ~w (exact as to whether there is one). */
const hasControl = (w: number) => ((w - 0x20202020) & ~w & 0x80808080) !== 0;

export function strBegin(): void {
  l0 = hs.a;
  l1 = hs.b;
  l2 = hs.a ^ LANE_SEED_C;
  l3 = hs.b ^ LANE_SEED_D;
  sw = 0;
  snb = 0;
  slane = 0;
  slen = 0;
}

/** Runs at least this long go to the WebAssembly kernel when their bytes lie in the arena (a call costs some ten nanoseconds). */
export const KERNEL_MIN = 48;
let kernel: StringKernel | null | undefined;

/**
 * The bytes of w that are a quote or a backslash, as their top bits (the has-a-zero-byte test: its
 * lowest bit is exact, bits above a true one may be spurious); 0 when there is none.
 */
function stopBytes(w: number): number {
  const q = w ^ 0x22222222,
    b = w ^ 0x5c5c5c5c;
  return (((q - 0x01010101) & ~q) | ((b - 0x01010101) & ~b)) & 0x80808080;
}

/** Feed bytes [s, e) of the string's UTF-8; returns their UTF-16 units, leaves their classes (CLS, ORed) in hs.cls. */
export function strRun(buf: Uint8Array, s: number, e: number): number {
  feed(buf, s, e, RUN);
  return hs.units;
}

/**
 * Feed a string's raw bytes from s up to its first quote or backslash (its end, or an escape) or e;
 * returns where it stopped; their UTF-16 units are left in hs.units, their classes in hs.cls.
 */
export function strScan(buf: Uint8Array, s: number, e: number): number {
  return feed(buf, s, e, SCAN);
}

/**
 * strBegin and strScan in one, and strEnd too when the stop is the string's closing quote (most
 * strings have no escape: one call, the state in locals); else the string stays open, as strScan leaves it.
 */
export function strWhole(buf: Uint8Array, s: number, e: number): number {
  return feed(buf, s, e, WHOLE);
}

const RUN = 0,
  SCAN = 1,
  WHOLE = 2;

function feed(buf: Uint8Array, s: number, e: number, mode: number): number {
  const stop = mode !== RUN;
  let a: number, b: number, c: number, d: number, w: number, nb: number, lane: number;
  if (mode === WHOLE) {
    a = hs.a;
    b = hs.b;
    c = a ^ LANE_SEED_C;
    d = b ^ LANE_SEED_D;
    w = nb = lane = slen = 0;
  } else {
    a = l0;
    b = l1;
    c = l2;
    d = l3;
    w = sw;
    nb = snb;
    lane = slane;
  }
  let units = 0,
    cls = 0;
  let i = s;
  // below `slow`, byte by byte: the step that begins at slow's left holds a stop byte
  let slow = s;
  // the kernel, once known to read this buffer
  let k: StringKernel | null | undefined;
  while (i < e) {
    if (nb === 0) {
      // (a string's first sixteen bytes go a word at a time: most strings are short, their stop is near)
      if (lane === 0 && i + 15 < e && i >= slow && (!stop || i - s >= 16)) {
        // a string that ran clean through its first sixteen bytes is long enough for the kernel, when its bytes lie in the arena
        if (e - i >= KERNEL_MIN) {
          if (k === undefined) {
            if (kernel === undefined) kernel = stringKernel();
            k = kernel !== null && buf.buffer === kernel.buffer ? kernel : null;
          }
          if (k !== null) {
            const n = (e - i) >>> 4;
            const st = k.state;
            st[0] = a;
            st[1] = b;
            st[2] = c;
            st[3] = d;
            units += k.run(buf.byteOffset + i, n, stop ? 0x5c22 : 0xffff);
            a = st[0]!;
            b = st[1]!;
            c = st[2]!;
            d = st[3]!;
            if (st[4]) cls |= CLASS_CONTROL;
            const got = st[5]!;
            i += got;
            if (got < n << 4) slow = i + 16;
            continue;
          }
        }
        // sixteen bytes a step, as four words, one to each lane
        const w1 = buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24);
        const w2 = buf[i + 4]! | (buf[i + 5]! << 8) | (buf[i + 6]! << 16) | (buf[i + 7]! << 24);
        const w3 = buf[i + 8]! | (buf[i + 9]! << 8) | (buf[i + 10]! << 16) | (buf[i + 11]! << 24);
        const w4 = buf[i + 12]! | (buf[i + 13]! << 8) | (buf[i + 14]! << 16) | (buf[i + 15]! << 24);
        if (!stop || (stopBytes(w1) | stopBytes(w2) | stopBytes(w3) | stopBytes(w4)) === 0) {
          a = Math.imul(a ^ w1, K1);
          b = Math.imul(b ^ w2, K2);
          c = Math.imul(c ^ w3, K3);
          d = Math.imul(d ^ w4, K4);
          units += unitsOf4(w1) + unitsOf4(w2) + unitsOf4(w3) + unitsOf4(w4);
          if (hasControl(w1) || hasControl(w2) || hasControl(w3) || hasControl(w4)) cls |= CLASS_CONTROL;
          i += 16;
          continue;
        }
        slow = i + 16; // the stop is in these sixteen bytes: a word at a time to it
      }
      if (i + 3 < e) {
        // a word at a time: to reach lane 0, and to the stop
        const x = buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24);
        const m = stop ? stopBytes(x) : 0;
        if (m === 0) {
          w = x;
          units += unitsOf4(x);
          if (hasControl(x)) cls |= CLASS_CONTROL;
          i += 4;
          nb = 4;
        } else {
          // the stop is byte n of this word: the n bytes before it begin a word (the rest read as spaces: one unit each, no control)
          const n = (31 - Math.clz32(m & -m)) >>> 3;
          if (n > 0) {
            const low = (1 << (n << 3)) - 1;
            const y = (x & low) | (0x20202020 & ~low);
            w = x & low;
            units += unitsOf4(y) - (4 - n);
            if (hasControl(y)) cls |= CLASS_CONTROL;
            i += n;
            nb = n;
          }
          break;
        }
      }
    }
    if (nb < 4) {
      // byte by byte: to finish a word begun before, and the last few bytes
      const x = buf[i]!;
      if (stop && (x === 34 || x === 92)) break;
      i++;
      const cx = CLS[x]!;
      units += cx & 31;
      cls |= cx;
      w |= x << (nb << 3);
      nb++;
    }
    if (nb === 4) {
      if (lane === 0) a = Math.imul(a ^ w, K1);
      else if (lane === 1) b = Math.imul(b ^ w, K2);
      else if (lane === 2) c = Math.imul(c ^ w, K3);
      else d = Math.imul(d ^ w, K4);
      lane = (lane + 1) & 3;
      w = 0;
      nb = 0;
    }
  }
  hs.cls = cls;
  hs.units = units;
  if (mode === WHOLE && i < e && buf[i] === 34) {
    fold(a, b, c, d, w, nb, lane, i - s);
    return i;
  }
  l0 = a;
  l1 = b;
  l2 = c;
  l3 = d;
  sw = w;
  snb = nb;
  slane = lane;
  slen += i - s;
  return i;
}

/** Feed one byte of the string's UTF-8 (a byte an escape stands for). */
export function strByte(x: number): void {
  sw |= x << (snb << 3);
  slen++;
  if (++snb === 4) {
    if (slane === 0) l0 = Math.imul(l0 ^ sw, K1);
    else if (slane === 1) l1 = Math.imul(l1 ^ sw, K2);
    else if (slane === 2) l2 = Math.imul(l2 ^ sw, K3);
    else l3 = Math.imul(l3 ^ sw, K4);
    slane = (slane + 1) & 3;
    sw = 0;
    snb = 0;
  }
}

/** End the string: its last word, then the lanes folded into the registers with its length (no two sequences of strings feed the same words). */
export function strEnd(): void {
  fold(l0, l1, l2, l3, sw, snb, slane, slen);
}

function fold(a: number, b: number, c: number, d: number, w: number, nb: number, lane: number, len: number): void {
  if (nb !== 0) {
    if (lane === 0) a = Math.imul(a ^ w, K1);
    else if (lane === 1) b = Math.imul(b ^ w, K2);
    else if (lane === 2) c = Math.imul(c ^ w, K3);
    else d = Math.imul(d ^ w, K4);
  }
  a = Math.imul(a ^ (len + 0x10000), K1) ^ Math.imul(c ^ (c >>> 15), K3);
  b = Math.imul(b ^ (len + 0x10000), K2) ^ Math.imul(d ^ (d >>> 15), K4);
  hs.a = Math.imul(a ^ (a >>> 16), K1);
  hs.b = Math.imul(b ^ (b >>> 16), K2);
}

let scratch: Buffer | undefined;

function feedString(s: string): void {
  // the scratch lies in the byte arena when a slot is free, so that long strings go to the kernel
  scratch ??= takeSlot() ?? Buffer.allocUnsafe(1 << 16);
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

/**
 * Python's json module raises RecursionError near 1,000 levels (995 at the top level; fewer inside a trainer's
 * own calls), so a record nested deeper cannot be trained on. The hash stops descending there (what lies
 * below counts as one tag) and says so: analyzeLine reports the line, and nothing here overflows the stack.
 */
export const MAX_NESTING = 900;
let tooDeep = false;

/** Whether a value nests deeper than MAX_NESTING; the walk stops there, so it never overflows the stack. */
export function nestsTooDeep(v: unknown, depth = 1): boolean {
  if (v === null || typeof v !== 'object') return false;
  if (depth > MAX_NESTING) return true;
  const items = Array.isArray(v) ? v : Object.values(v);
  for (let i = 0; i < items.length; i++) {
    const x: unknown = items[i];
    if (x !== null && typeof x === 'object' && nestsTooDeep(x, depth + 1)) return true;
  }
  return false;
}

/** Whether the last contentHash met a value nested deeper than MAX_NESTING. */
export function lastHashTooDeep(): boolean {
  return tooDeep;
}

function feedValue(v: unknown, depth: number): void {
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
      } else if (depth > MAX_NESTING) {
        tooDeep = true;
        feedTag(11);
      } else if (Array.isArray(v)) {
        feedTag(6);
        for (let i = 0; i < v.length; i++) feedValue(v[i], depth + 1);
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
          feedValue((v as Record<string, unknown>)[k], depth + 1);
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
  tooDeep = false;
  feedValue(v, 1);
  return hashResult();
}

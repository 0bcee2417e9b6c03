/**
 * Identity by content: a record is named by a hash of its canonical JSON (keys sorted, no
 * whitespace), never by its line number. Reordering lines or reformatting a record keeps its id.
 */
import { createHash } from 'node:crypto';

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
  const keys = Object.keys(v).filter((k) => (v as Record<string, unknown>)[k] !== undefined).sort();
  let s = '{';
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    s += (i ? ',' : '') + JSON.stringify(k) + ':' + canonicalJsonSlow((v as Record<string, unknown>)[k]);
  }
  return s + '}';
}

/** Stable record id: the first 16 hex digits of sha256(canonical JSON). */
export function contentId(record: unknown): string {
  return createHash('sha256').update(canonicalJson(record)).digest('hex').slice(0, 16);
}

/*
 * contentHash: the same equivalence as canonicalJson (key order and whitespace do not matter), but
 * computed by walking the parsed value and feeding a two-lane 53-bit hash (cyrb53's mixing) with
 * no intermediate string. Fast enough for every line of a large file; kept in memory only.
 */
let h1 = 0;
let h2 = 0;

/*
 * Strings of 32 or more UTF-16 units are copied (natively) into a scratch buffer and read two units per
 * 32-bit load: measured a quarter faster than charCodeAt on the benchmark files. Shorter strings
 * (keys, roles) are read with charCodeAt. Which path a string takes depends on its length only, so
 * equal strings always hash equally.
 */
const LONG = 32;
let scratch = Buffer.allocUnsafe(1 << 16);
let words = new Int32Array(scratch.buffer, scratch.byteOffset, scratch.length >> 2);

function feedLongString(s: string): void {
  const bytes = s.length * 2;
  if (bytes + 8 > scratch.length) {
    scratch = Buffer.allocUnsafe((Math.max(bytes + 8, scratch.length * 2) + 7) & ~7);
    words = new Int32Array(scratch.buffer, scratch.byteOffset, scratch.length >> 2);
  }
  scratch.write(s, 0, 'utf16le');
  // zero up to the next 8-byte boundary: the last two words may run past the string
  words[bytes >> 2] = bytes & 2 ? words[bytes >> 2]! & 0xffff : 0;
  words[(bytes >> 2) + 1] = 0;
  const n = (bytes + 7) >> 2;
  let a = h1, b = h2;
  for (let i = 0; i + 1 < n; i += 2) {
    a = Math.imul(a ^ words[i]!, 2654435761);
    b = Math.imul(b ^ words[i + 1]!, 1597334677);
  }
  h1 = Math.imul(a ^ (s.length + 0x10000), 2654435761);
  h2 = Math.imul(b ^ (s.length + 0x10000), 1597334677);
}

function feedString(s: string): void {
  const n = s.length;
  if (n >= LONG) return feedLongString(s);
  let a = h1, b = h2;
  let i = 0;
  // four UTF-16 units per step, two to each lane: a collision needs both lanes to collide
  for (; i + 3 < n; i += 4) {
    a = Math.imul(a ^ (s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16)), 2654435761);
    b = Math.imul(b ^ (s.charCodeAt(i + 2) | (s.charCodeAt(i + 3) << 16)), 1597334677);
  }
  for (; i < n; i++) {
    const ch = s.charCodeAt(i);
    a = Math.imul(a ^ ch, 2654435761);
    b = Math.imul(b ^ ch, 1597334677);
  }
  // the length ends the string: no two sequences of strings feed the same characters
  a = Math.imul(a ^ (n + 0x10000), 2654435761);
  b = Math.imul(b ^ (n + 0x10000), 1597334677);
  h1 = a;
  h2 = b;
}

function feedTag(tag: number): void {
  h1 = Math.imul(h1 ^ (tag + 0x20000), 2654435761);
  h2 = Math.imul(h2 ^ (tag + 0x20001), 1597334677);
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
        // members are hashed one by one and summed: the sum does not depend on key order, so no
        // key list is allocated and sorted for every object of every line
        const saveA = h1, saveB = h2;
        let sumA = 0, sumB = 0, members = 0;
        for (const k in v) {
          h1 = 0x9e3779b9;
          h2 = 0x85ebca6b;
          feedString(k);
          feedValue((v as Record<string, unknown>)[k]);
          let a = h1, b = h2;
          a = Math.imul(a ^ (a >>> 16), 2246822507) ^ Math.imul(b ^ (b >>> 13), 3266489909);
          b = Math.imul(b ^ (b >>> 16), 2246822507) ^ Math.imul(a ^ (a >>> 13), 3266489909);
          sumA = (sumA + a) | 0;
          sumB = (sumB + b) | 0;
          members++;
        }
        h1 = saveA;
        h2 = saveB;
        feedTag(8);
        feedTag(members);
        feedTag(sumA);
        feedTag(sumB);
      }
      return;
    default:
      feedTag(10);
  }
}

/** 53-bit hash of a parsed JSON value, invariant under key order and formatting. */
export function contentHash(v: unknown): number {
  h1 = 0xdeadbeef;
  h2 = 0x41c6ce57;
  feedValue(v);
  let a = h1, b = h2;
  a = Math.imul(a ^ (a >>> 16), 2246822507);
  a ^= Math.imul(b ^ (b >>> 13), 3266489909);
  b = Math.imul(b ^ (b >>> 16), 2246822507);
  b ^= Math.imul(a ^ (a >>> 13), 3266489909);
  return 4294967296 * (2097151 & b) + (a >>> 0);
}

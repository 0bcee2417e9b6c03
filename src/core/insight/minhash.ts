/**
 * MinHash signatures of a text's word 5-grams, as Lilac computes near-duplicates (datasketch's
 * scheme): normalise the text, take its word shingles, keep per permutation the least hash.
 *
 * Each of the PERMUTATIONS hash functions is a bijection of 32-bit values (xor a seed, multiply by an
 * odd number, xor-shift), applied to a well-mixed 32-bit hash of the shingle. A signature keeps the
 * low 16 bits of each minimum (b-bit MinHash): 512 bytes a record; two unrelated minima agree by
 * chance with probability 2^-16, which the Jaccard estimate takes out.
 *
 * Signing does not make a string per word or shingle: word hashes are taken while scanning the text
 * (per-character lowercase and letter/digit tables for NFKC text; a text whose lowercase depends on
 * context goes through words()), shingles are combined from them into a typed array, and the
 * permutations' minima come from minhashKernel.ts (WebAssembly SIMD where available). The hashes are
 * exactly those of words() and of a per-permutation loop (tested).
 */

import { minimaKernel, PERMUTATION_COUNT, type MinimaKernel } from './minhashKernel';

export const PERMUTATIONS = PERMUTATION_COUNT;
export const SHINGLE_WORDS = 5;
export const DEFAULT_SEED = 1;

const CHANCE = 1 / 65536;

/** Lowercased words: letters and digits, everything else a separator (NFKC first). */
export function words(text: string): string[] {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** A word's hash: FNV-1a over its UTF-16 code units, mixed. */
function hashWord(w: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < w.length; i++) h = Math.imul(h ^ w.charCodeAt(i), FNV_PRIME);
  return fmix(h);
}

/**
 * Per BMP code unit of NFKC text, filled 256 at a time on first use: LOWER, its lowercase; KIND, 1 when
 * that lowercase is a letter or digit (a word character), 0 a separator, 2 a character whose lowercase
 * is not one code unit or depends on its neighbours (İ, final Σ: such a text goes through words()),
 * 3 a high surrogate (the pair's code point is looked up in ASTRAL).
 */
const LOWER = new Uint16Array(65536);
const KIND = new Uint8Array(65536);
const FILLED = new Uint8Array(256);
const ASTRAL = new Map<number, number>(); // code point -> its lowercase code point if a word character, -1 separator, -2 via words()
const WORD_CHAR = /^[\p{L}\p{N}]$/u;

function fill(block: number): void {
  for (let c = block << 8; c < (block + 1) << 8; c++) {
    if (c >= 0xd800 && c <= 0xdbff) KIND[c] = 3;
    else if (c >= 0xdc00 && c <= 0xdfff)
      KIND[c] = 0; // a lone low surrogate
    else {
      const lower = String.fromCharCode(c).toLowerCase();
      if (lower.length !== 1 || c === 0x3a3) KIND[c] = 2;
      else {
        LOWER[c] = lower.charCodeAt(0);
        KIND[c] = WORD_CHAR.test(lower) ? 1 : 0;
      }
    }
  }
  FILLED[block] = 1;
}

function astral(cp: number): number {
  let k = ASTRAL.get(cp);
  if (k === undefined) {
    const lower = String.fromCodePoint(cp).toLowerCase();
    const lcp = lower.codePointAt(0)!;
    k = lower.length !== String.fromCodePoint(lcp).length ? -2 : WORD_CHAR.test(lower) ? lcp : -1;
    ASTRAL.set(cp, k);
  }
  return k;
}

let wordBuf = new Int32Array(1024);

function pushWord(count: number, h: number): void {
  if (count === wordBuf.length) {
    const b = new Int32Array(wordBuf.length * 2);
    b.set(wordBuf);
    wordBuf = b;
  }
  wordBuf[count] = fmix(h);
}

/**
 * The hashes of the words of `words(text)` into wordBuf, in one pass over the text without making the
 * strings; returns their count, or -1 when the text must go through words() (a character whose
 * lowercase is not one code unit, or a non-ASCII text that NFKC changes is retried normalised).
 */
function scanWords(text: string, normalised: boolean): number {
  let count = 0,
    h = FNV_OFFSET,
    inWord = false;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    let c = text.charCodeAt(i);
    let word: boolean;
    if (c < 0x80) {
      if (c >= 65 && c <= 90) c += 32;
      word = (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
    } else {
      if (!normalised) return -2;
      if (!FILLED[c >> 8]) fill(c >> 8);
      const kind = KIND[c]!;
      if (kind === 1) {
        c = LOWER[c]!;
        word = true;
      } else if (kind === 0) word = false;
      else if (kind === 2) return -1;
      else {
        const d = i + 1 < n ? text.charCodeAt(i + 1) : 0;
        if (d < 0xdc00 || d > 0xdfff)
          word = false; // a lone high surrogate
        else {
          i++;
          const lower = astral(((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000);
          if (lower === -2) return -1;
          word = lower >= 0;
          if (word) {
            if (lower >= 0x10000) {
              h = Math.imul(h ^ (((lower - 0x10000) >> 10) + 0xd800), FNV_PRIME);
              c = ((lower - 0x10000) & 0x3ff) + 0xdc00;
            } else c = lower;
          }
        }
      }
    }
    if (word) {
      h = Math.imul(h ^ c, FNV_PRIME);
      inWord = true;
    } else if (inWord) {
      pushWord(count++, h);
      h = FNV_OFFSET;
      inWord = false;
    }
  }
  if (inWord) pushWord(count++, h);
  return count;
}

/** The number of word hashes of `words(text)` now in wordBuf. */
function wordHashes(text: string): number {
  let count = scanWords(text, false);
  if (count === -2) count = scanWords(text.normalize('NFKC'), true);
  if (count >= 0) return count;
  const ws = words(text);
  count = 0;
  for (const w of ws) {
    if (count === wordBuf.length) pushWord(count, 0); // grows
    wordBuf[count++] = hashWord(w);
  }
  return count;
}

/**
 * The shingle hashes of a text (word n-grams; a text shorter than n words is one shingle) into
 * `into(count)`'s first `count` places, duplicates kept (a minimum does not see them); returns count.
 */
function shingleHashes(text: string, n: number, into: (count: number) => Int32Array): number {
  const nw = wordHashes(text);
  if (nw === 0) return 0;
  const count = Math.max(1, nw - n + 1);
  const out = into(count);
  const ws = wordBuf;
  for (let i = 0; i < count; i++) {
    let h = 0x9747b28c;
    const end = Math.min(i + n, nw);
    for (let k = i; k < end; k++) h = Math.imul(h ^ ws[k]!, 0x5bd1e995) ^ (h >>> 15);
    out[i] = fmix(h);
  }
  return count;
}

let scratch = new Int32Array(1024);
const scratchOf = (count: number) => (scratch.length >= count ? scratch : (scratch = new Int32Array(count)));

/** The distinct shingle hashes of a text: word n-grams (a text shorter than n words is one shingle). */
export function shingles(text: string, n = SHINGLE_WORDS): Uint32Array {
  const count = shingleHashes(text, n, scratchOf);
  return Uint32Array.from(new Set(new Uint32Array(scratch.buffer, 0, count)));
}

/** The permutations' constants for a seed (mulberry32): xor seeds and odd multipliers. */
export class Permutations {
  readonly xor = new Int32Array(PERMUTATIONS);
  readonly mul = new Int32Array(PERMUTATIONS);
  constructor(readonly seed = DEFAULT_SEED) {
    let t = seed >>> 0;
    const next = () => {
      t = (t + 0x6d2b79f5) | 0;
      let r = Math.imul(t ^ (t >>> 15), 1 | t);
      r ^= r + Math.imul(r ^ (r >>> 7), 61 | r);
      return (r ^ (r >>> 14)) | 0;
    };
    for (let i = 0; i < PERMUTATIONS; i++) {
      this.xor[i] = next();
      this.mul[i] = next() | 1;
    }
  }
}

let kernel: MinimaKernel | undefined;

/** The kind of loop that computes the minima here (WebAssembly SIMD, else JavaScript). */
export function minimaKind(): MinimaKernel['kind'] {
  return (kernel ??= minimaKernel()).kind;
}

/**
 * Write the signature of `text` at `out[offset .. offset + PERMUTATIONS)`. Returns false for a text
 * without words (no signature: it is nobody's near-duplicate). Minima are taken over signed 32-bit
 * values (an order-preserving relabelling of the unsigned ones) by the kernel (minhashKernel.ts).
 */
export function signInto(text: string, perms: Permutations, out: Uint16Array, offset: number, k: MinimaKernel = (kernel ??= minimaKernel())): boolean {
  const n = shingleHashes(text, SHINGLE_WORDS, (count) => k.shingleBuffer(count));
  if (n === 0) return false;
  k.load(perms.xor, perms.mul);
  k.minima(n, out, offset);
  return true;
}

export function signature(text: string, perms = new Permutations()): Uint16Array | undefined {
  const out = new Uint16Array(PERMUTATIONS);
  return signInto(text, perms, out, 0) ? out : undefined;
}

/** The Jaccard similarity that two signatures estimate (the share of equal minima, chance agreement removed). */
export function estimateJaccard(a: Uint16Array, ai: number, b: Uint16Array, bi: number): number {
  let same = 0;
  for (let i = 0; i < PERMUTATIONS; i++) if (a[ai + i] === b[bi + i]) same++;
  return Math.max(0, (same / PERMUTATIONS - CHANCE) / (1 - CHANCE));
}

/** The exact Jaccard similarity of two texts' shingle sets (the tests' reference). */
export function exactJaccard(a: string, b: string): number {
  const sa = new Set(shingles(a));
  const sb = new Set(shingles(b));
  let inter = 0;
  for (const x of sa) if (sb.has(x)) inter++;
  const union = sa.size + sb.size - inter;
  return union === 0 ? 0 : inter / union;
}

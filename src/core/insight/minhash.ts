/**
 * MinHash signatures of a text's word 5-grams, as Lilac computes near-duplicates (datasketch's
 * scheme): normalise the text, take its word shingles, keep per permutation the least hash.
 *
 * Each of the PERMUTATIONS hash functions is a bijection of 32-bit values (xor a seed, multiply by an
 * odd number, xor-shift), applied to a well-mixed 32-bit hash of the shingle. A signature keeps the
 * low 16 bits of each minimum (b-bit MinHash): 512 bytes a record; two unrelated minima agree by
 * chance with probability 2^-16, which the Jaccard estimate takes out.
 */

export const PERMUTATIONS = 256;
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

let wordBuf = new Int32Array(1024);

/**
 * The hashes of the words of `words(text)`, in one pass without making the strings: ASCII is
 * lowercased and split here; a text with other characters goes through words() (NFKC, Unicode classes).
 */
function wordHashes(text: string): { hashes: Int32Array; count: number } {
  let count = 0;
  const push = (h: number) => {
    if (count === wordBuf.length) {
      const b = new Int32Array(wordBuf.length * 2);
      b.set(wordBuf);
      wordBuf = b;
    }
    wordBuf[count++] = fmix(h);
  };
  let ascii = true;
  for (let i = 0; i < text.length; i++)
    if (text.charCodeAt(i) > 0x7f) {
      ascii = false;
      break;
    }
  if (!ascii) {
    for (const w of words(text)) {
      let h = 0x811c9dc5;
      for (let i = 0; i < w.length; i++) h = Math.imul(h ^ w.charCodeAt(i), 0x01000193);
      push(h);
    }
    return { hashes: wordBuf, count };
  }
  let h = 0x811c9dc5,
    inWord = false;
  for (let i = 0; i <= text.length; i++) {
    let c = i < text.length ? text.charCodeAt(i) : 32;
    if (c >= 65 && c <= 90) c += 32;
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) {
      h = Math.imul(h ^ c, 0x01000193);
      inWord = true;
    } else if (inWord) {
      push(h);
      h = 0x811c9dc5;
      inWord = false;
    }
  }
  return { hashes: wordBuf, count };
}

/** The distinct shingle hashes of a text: word n-grams (a text shorter than n words is one shingle). */
export function shingles(text: string, n = SHINGLE_WORDS): Uint32Array {
  const { hashes: ws, count: nw } = wordHashes(text);
  if (nw === 0) return new Uint32Array(0);
  const count = Math.max(1, nw - n + 1);
  const out = new Set<number>();
  for (let i = 0; i < count; i++) {
    let h = 0x9747b28c;
    for (let k = i; k < Math.min(i + n, nw); k++) h = Math.imul(h ^ ws[k]!, 0x5bd1e995) ^ (h >>> 15);
    out.add(fmix(h));
  }
  return Uint32Array.from(out);
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

/**
 * Write the signature of `text` at `out[offset .. offset + PERMUTATIONS)`. Returns false for a text
 * without words (no signature: it is nobody's near-duplicate). Minima are taken over signed 32-bit
 * values (an order-preserving relabelling of the unsigned ones), one permutation at a time so that
 * the running minimum stays in a register.
 */
export function signInto(text: string, perms: Permutations, out: Uint16Array, offset: number): boolean {
  const sh = shingles(text);
  const n = sh.length;
  if (n === 0) return false;
  const { xor, mul } = perms;
  const x = new Int32Array(sh.buffer, sh.byteOffset, n);
  for (let i = 0; i < PERMUTATIONS; i++) {
    const a = xor[i]!,
      b = mul[i]!;
    let m = 0x7fffffff;
    for (let s = 0; s < n; s++) {
      let h = Math.imul(x[s]! ^ a, b);
      h ^= h >>> 16;
      if (h < m) m = h;
    }
    out[offset + i] = m & 0xffff;
  }
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

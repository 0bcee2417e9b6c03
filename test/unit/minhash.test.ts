// MinHash signing (insight/minhash.ts, insight/minhashKernel.ts): the fast word scan hashes exactly the
// words of words() (NFKC, lowercase, Unicode letters and digits), the WebAssembly SIMD and JavaScript
// minima loops agree with a plain per-permutation loop, and the Jaccard estimate stays close to the exact one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimateJaccard, exactJaccard, Permutations, PERMUTATIONS, shingles, signInto, words } from '../../src/core/insight/minhash';
import { minimaKernel, minimaModuleBytes } from '../../src/core/insight/minhashKernel';

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The reference: shingles from the words of words(), one string at a time. */
function referenceShingles(text: string, n = 5): number[] {
  const ws = words(text).map((w) => {
    let h = 0x811c9dc5;
    for (let i = 0; i < w.length; i++) h = Math.imul(h ^ w.charCodeAt(i), 0x01000193);
    return fmix(h) | 0;
  });
  if (ws.length === 0) return [];
  const out = new Set<number>();
  for (let i = 0; i < Math.max(1, ws.length - n + 1); i++) {
    let h = 0x9747b28c;
    for (let k = i; k < Math.min(i + n, ws.length); k++) h = Math.imul(h ^ ws[k]!, 0x5bd1e995) ^ (h >>> 15);
    out.add(fmix(h));
  }
  return [...out];
}

/** The reference minima: one permutation at a time over the distinct shingles. */
function referenceSignature(sh: readonly number[], perms: Permutations): Uint16Array {
  const out = new Uint16Array(PERMUTATIONS);
  for (let i = 0; i < PERMUTATIONS; i++) {
    let m = 0x7fffffff;
    for (const x of sh) {
      let h = Math.imul(x ^ perms.xor[i]!, perms.mul[i]!);
      h ^= h >>> 16;
      if (h < m) m = h;
    }
    out[i] = m & 0xffff;
  }
  return out;
}

function rng(seed: number): () => number {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) | 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r ^= r + Math.imul(r ^ (r >>> 7), 61 | r);
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

test('the word scan hashes the words of words() for every BMP character, alone and inside words', () => {
  const bad: string[] = [];
  for (let c = 0x80; c < 0x10000; c++) {
    const ch = String.fromCharCode(c);
    const text = `a${ch}b ${ch} Q${ch}${ch}9 x`;
    const got = [...shingles(text, 1)];
    if (got.join() !== referenceShingles(text, 1).join()) bad.push(c.toString(16));
  }
  assert.deepEqual(bad.slice(0, 20), [], `${bad.length} characters hash differently`);
});

test('the word scan agrees with words() on mixed scripts, final sigma, İ, combining marks, astral letters and emoji', () => {
  const pieces = [
    'ΟΔΟΣ',
    'Σ',
    'σοφός',
    'İstanbul',
    'ǅemal',
    'e\u0301',
    'ﬁne',
    'ｆｕｌｌ',
    '\u00a0',
    '²³',
    'Ⅻ',
    '𝐀𝐁c',
    '𐐀𐐨',
    '😀',
    '𠀀字',
    '\ud800',
    '\udc00',
    'naïve',
    'Straße',
    '数据',
    'ñandú',
    'a-b',
    "don't",
    'x1',
    '  ',
    ',',
  ];
  const r = rng(11);
  for (let k = 0; k < 400; k++) {
    const n = 1 + Math.floor(r() * 30);
    const text = Array.from({ length: n }, () => pieces[Math.floor(r() * pieces.length)]!).join(r() < 0.5 ? ' ' : '');
    assert.deepEqual([...shingles(text)], referenceShingles(text), JSON.stringify(text));
  }
  for (let cp = 0x10000; cp < 0x30000; cp += 37) {
    const ch = String.fromCodePoint(cp);
    const text = `a${ch} ${ch}b ${ch}`;
    assert.deepEqual([...shingles(text, 1)], referenceShingles(text, 1), `U+${cp.toString(16)}`);
  }
});

test('the WebAssembly module validates, and both minima loops equal the per-permutation reference', () => {
  assert.ok(WebAssembly.validate(minimaModuleBytes()), 'the assembled module is valid WebAssembly');
  const wasm = minimaKernel('wasm-simd');
  const js = minimaKernel('js');
  assert.equal(wasm.kind, 'wasm-simd');
  const r = rng(5);
  for (const seed of [1, 7]) {
    const perms = new Permutations(seed);
    for (const nWords of [1, 3, 5, 6, 40, 300, 40_000]) {
      const text = Array.from({ length: nWords }, () => 'w' + Math.floor(r() * 5000)).join(' ');
      const expected = referenceSignature(referenceShingles(text), perms);
      for (const k of [wasm, js]) {
        const out = new Uint16Array(PERMUTATIONS + 3);
        assert.equal(signInto(text, perms, out, 3, k), true);
        assert.deepEqual(out.subarray(3), expected, `${k.kind}, seed ${seed}, ${nWords} words`);
      }
    }
  }
  assert.equal(signInto(' ,; ', new Permutations(), new Uint16Array(PERMUTATIONS), 0, wasm), false);
});

test('the MinHash estimate stays within 4 standard errors of the exact Jaccard similarity on generated pairs', () => {
  const r = rng(3);
  const vocab = Array.from({ length: 3000 }, (_, i) => 'w' + i);
  let sumErr = 0,
    pairs = 0;
  for (let k = 0; k < 300; k++) {
    const a = Array.from({ length: 60 + Math.floor(r() * 300) }, () => vocab[Math.floor(r() * vocab.length)]!);
    // b: a with a share of its words replaced, inserted or dropped
    const rate = r() * 0.3;
    const b: string[] = [];
    for (const w of a) {
      const x = r();
      if (x < rate / 3) continue;
      b.push(x < (2 * rate) / 3 ? vocab[Math.floor(r() * vocab.length)]! : w);
      if (x > 1 - rate / 3) b.push(vocab[Math.floor(r() * vocab.length)]!);
    }
    const ta = a.join(' '),
      tb = b.join(' ');
    const sa = new Uint16Array(PERMUTATIONS),
      sb = new Uint16Array(PERMUTATIONS);
    signInto(ta, new Permutations(), sa, 0);
    signInto(tb, new Permutations(), sb, 0);
    const exact = exactJaccard(ta, tb);
    const est = estimateJaccard(sa, 0, sb, 0);
    const se = Math.sqrt((exact * (1 - exact)) / PERMUTATIONS);
    assert.ok(Math.abs(est - exact) <= 4 * se + 0.01, `pair ${k}: estimate ${est.toFixed(3)} vs exact ${exact.toFixed(3)}`);
    sumErr += Math.abs(est - exact);
    pairs++;
  }
  assert.ok(sumErr / pairs < 0.025, `mean absolute error ${(sumErr / pairs).toFixed(4)}`);
});

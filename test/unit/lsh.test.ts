// LSH over MinHash signatures (insight/lsh.ts): the typed-array band table gives exactly the clusters
// and matches of the plain Map-of-buckets algorithm it replaced, on signatures with crowded buckets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PERMUTATIONS, estimateJaccard } from '../../src/core/insight/minhash';
import { nearDuplicateClusters, nearMatches, optimalBands, type Signatures } from '../../src/core/insight/lsh';

const REPS = 4;

function bandHash(sigs: Uint16Array, base: number, rows: number): number {
  let h = 0x2545f491;
  for (let k = 0; k < rows; k++) h = Math.imul(h ^ sigs[base + k]!, 0x9e3779b1) ^ (h >>> 13);
  return h;
}

/** The reference: a Map from band hash to its representatives, union-find with the least index as root. */
function referenceClusters(s: Signatures, threshold: number): number[][] {
  const { bands, rows } = optimalBands(threshold);
  const parent = Array.from({ length: s.count }, (_, i) => i);
  const find = (x: number): number => (parent[x] === x ? x : (parent[x] = find(parent[x]!)));
  const verified = new Set<number>();
  for (let b = 0; b < bands; b++) {
    const table = new Map<number, number[]>();
    for (let i = 0; i < s.count; i++) {
      if (!s.has[i]) continue;
      const key = bandHash(s.sigs, i * PERMUTATIONS + b * rows, rows);
      const reps = table.get(key);
      if (!reps) {
        table.set(key, [i]);
        continue;
      }
      let joined = false;
      for (const r of reps) {
        if (find(r) === find(i)) {
          joined = true;
          break;
        }
        if (verified.has(r * s.count + i)) continue;
        if (estimateJaccard(s.sigs, r * PERMUTATIONS, s.sigs, i * PERMUTATIONS) >= threshold) {
          const [ra, rb] = [find(r), find(i)];
          if (ra < rb) parent[rb] = ra;
          else if (rb < ra) parent[ra] = rb;
          joined = true;
          break;
        }
        verified.add(r * s.count + i);
      }
      if (!joined && reps.length < REPS) reps.push(i);
    }
  }
  const groups = new Map<number, number[]>();
  for (let i = 0; i < s.count; i++) if (s.has[i]) groups.set(find(i), [...(groups.get(find(i)) ?? []), i]);
  return [...groups.values()].filter((g) => g.length > 1).sort((a, b) => a[0]! - b[0]!);
}

function referenceMatches(q: Signatures, c: Signatures, threshold: number): number[] {
  const { bands, rows } = optimalBands(threshold);
  const out = new Array<number>(q.count).fill(-1);
  for (let b = 0; b < bands; b++) {
    const table = new Map<number, number[]>();
    for (let i = 0; i < c.count; i++) {
      if (!c.has[i]) continue;
      const key = bandHash(c.sigs, i * PERMUTATIONS + b * rows, rows);
      const reps = table.get(key);
      if (!reps) table.set(key, [i]);
      else if (reps.length < REPS) reps.push(i);
    }
    for (let i = 0; i < q.count; i++) {
      if (!q.has[i] || out[i] !== -1) continue;
      for (const r of table.get(bandHash(q.sigs, i * PERMUTATIONS + b * rows, rows)) ?? []) {
        if (estimateJaccard(q.sigs, i * PERMUTATIONS, c.sigs, r * PERMUTATIONS) >= threshold) {
          out[i] = r;
          break;
        }
      }
    }
  }
  return out;
}

/** Groups of signatures around random bases, each member with a share of its values redrawn; some exact copies, some without a signature. */
function generated(count: number, seed: number): Signatures {
  let t = seed;
  const r = () => ((t = (Math.imul(t, 1103515245) + 12345) | 0) >>> 8) / (1 << 24);
  const sigs = new Uint16Array(count * PERMUTATIONS);
  const has = new Uint8Array(count);
  let base = new Uint16Array(PERMUTATIONS);
  for (let i = 0; i < count; i++) {
    if (r() < 0.05) base = Uint16Array.from(base, () => Math.floor(r() * 65536));
    // exact copies of the base, members just under a strict threshold (crowded buckets), and looser ones
    const kind = r();
    const change = kind < 0.2 ? 0 : kind < 0.6 ? 0.04 + r() * 0.06 : r() * 0.4;
    for (let k = 0; k < PERMUTATIONS; k++) sigs[i * PERMUTATIONS + k] = r() < change ? Math.floor(r() * 65536) : base[k]!;
    has[i] = r() < 0.97 ? 1 : 0;
  }
  return { count, sigs, has };
}

test('clusters from the typed band table equal the Map-of-buckets reference at several thresholds', () => {
  for (const seed of [1, 2, 3]) {
    const s = generated(2500, seed);
    for (const threshold of [0.5, 0.85, 0.95]) {
      const got = nearDuplicateClusters(s, { threshold });
      assert.ok(got.length > 10, `seed ${seed} at ${threshold}: ${got.length} clusters (the data must have some)`);
      assert.deepEqual(got, referenceClusters(s, threshold), `seed ${seed} at ${threshold}`);
    }
  }
});

test('held-out matches from the typed band table equal the reference', () => {
  const corpus = generated(2000, 9);
  // queries: corpus records with a share of their values redrawn, and unrelated ones
  const queries = generated(1000, 10);
  let t = 77;
  const r = () => ((t = (Math.imul(t, 1103515245) + 12345) | 0) >>> 8) / (1 << 24);
  for (let q = 0; q < queries.count; q += 2) {
    const from = Math.floor(r() * corpus.count);
    const change = r() * 0.4;
    for (let k = 0; k < PERMUTATIONS; k++) if (r() >= change) queries.sigs[q * PERMUTATIONS + k] = corpus.sigs[from * PERMUTATIONS + k]!;
  }
  for (const threshold of [0.6, 0.85]) {
    const got = [...nearMatches(queries, corpus, threshold)];
    assert.ok(got.filter((m) => m >= 0).length > 10, `${got.filter((m) => m >= 0).length} matches (the data must have some)`);
    assert.deepEqual(got, referenceMatches(queries, corpus, threshold));
  }
});

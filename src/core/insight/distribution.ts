/**
 * Distribution match between the training prompts and a sample of production inputs (the guide's
 * "most common failure mode"): prompt lengths (two-sample Kolmogorov–Smirnov statistic), vocabulary
 * (share of production word tokens never seen in training prompts), template / system-prompt mix
 * (total variation distance between the two shares). Each has a documented warning threshold.
 */
import { shownSignature } from '../checks/template';

/** Warn above these (README, "Distribution match"). */
export const THRESHOLDS = {
  /** the largest gap between the two empirical length distributions */
  ks: 0.2,
  /** share of production word tokens unseen in training prompts */
  unseenVocabulary: 0.1,
  /** total variation distance between the template / system-prompt shares */
  templateMix: 0.2,
} as const;

/** The two-sample Kolmogorov–Smirnov statistic D = sup |F_a(x) − F_b(x)|. */
export function ksStatistic(a: readonly number[], b: readonly number[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  const x = Float64Array.from(a).sort();
  const y = Float64Array.from(b).sort();
  let i = 0,
    j = 0,
    d = 0;
  // |i/nx − j/ny| as |i·ny − j·nx| / (nx·ny): whole numbers, one division at the end, so 0.2 is 0.2 and not
  // 0.20000000000000007 (which read "0.20 > 0.2" against the threshold)
  while (i < x.length && j < y.length) {
    const v = Math.min(x[i]!, y[j]!);
    while (i < x.length && x[i] === v) i++;
    while (j < y.length && y[j] === v) j++;
    d = Math.max(d, Math.abs(i * y.length - j * x.length));
  }
  return d / (x.length * y.length);
}

/** Total variation distance between two count tables: half the sum of |share_a − share_b|. */
export function totalVariation(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): number {
  let na = 0,
    nb = 0;
  for (const v of a.values()) na += v;
  for (const v of b.values()) nb += v;
  if (na === 0 || nb === 0) return 0;
  let s = 0;
  for (const k of new Set([...a.keys(), ...b.keys()])) s += Math.abs((a.get(k) ?? 0) / na - (b.get(k) ?? 0) / nb);
  return s / 2;
}

export interface ProductionMatch {
  readonly file: string;
  readonly records: number;
  readonly promptLength: { readonly ks: number; readonly trainP50: number; readonly productionP50: number };
  readonly vocabulary: { readonly unseenShare: number; readonly examples: readonly string[] };
  readonly templates: { readonly distance: number; readonly unseen: readonly { readonly template: string; readonly share: number }[] };
  readonly thresholds: typeof THRESHOLDS;
  readonly warnings: readonly string[];
}

export interface Side {
  readonly promptTokens: readonly number[];
  readonly templates: ReadonlyMap<string, number>;
}

const median = (v: readonly number[]) => {
  if (!v.length) return 0;
  const s = [...v].sort((p, q) => p - q);
  return s[Math.floor((s.length - 1) / 2)]!;
};
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

export function productionMatch(
  file: string,
  train: Side & { readonly vocabulary: ReadonlySet<string> },
  prod: Side & { readonly words: ReadonlyMap<string, number> },
  records: number,
): ProductionMatch {
  const ks = ksStatistic(train.promptTokens, prod.promptTokens);
  let total = 0,
    unseen = 0;
  const unseenWords: [string, number][] = [];
  for (const [w, c] of prod.words) {
    total += c;
    if (!train.vocabulary.has(w)) {
      unseen += c;
      unseenWords.push([w, c]);
    }
  }
  unseenWords.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const unseenShare = total ? unseen / total : 0;
  const distance = totalVariation(train.templates, prod.templates);
  let prodTotal = 0;
  for (const v of prod.templates.values()) prodTotal += v;
  const unseenTemplates = [...prod.templates]
    .filter(([t]) => !train.templates.has(t))
    .map(([t, c]) => ({ template: shownSignature(t), share: c / prodTotal }))
    .sort((a, b) => b.share - a.share)
    .slice(0, 5);
  const warnings: string[] = [];
  const trainP50 = median(train.promptTokens);
  const productionP50 = median(prod.promptTokens);
  if (ks > THRESHOLDS.ks)
    warnings.push(
      `Prompt lengths differ from production (KS statistic ${ks.toFixed(2)} > ${THRESHOLDS.ks}; median ${trainP50} tokens in training, ${productionP50} in production): add training records shaped like the production inputs.`,
    );
  if (unseenShare > THRESHOLDS.unseenVocabulary)
    warnings.push(
      `${pct(unseenShare)} of the production words never occur in the training prompts (> ${pct(THRESHOLDS.unseenVocabulary)}; e.g. ${unseenWords
        .slice(0, 5)
        .map(([w]) => w)
        .join(', ')}): cover that vocabulary.`,
    );
  if (distance > THRESHOLDS.templateMix)
    warnings.push(
      `The template / system-prompt mix differs from production (total variation ${distance.toFixed(2)} > ${THRESHOLDS.templateMix})${unseenTemplates.length ? `; production uses templates training never does, e.g. "${unseenTemplates[0]!.template} …"` : ''}: train on the templates production uses.`,
    );
  return {
    file,
    records,
    promptLength: { ks, trainP50, productionP50 },
    vocabulary: { unseenShare, examples: unseenWords.slice(0, 10).map(([w]) => w) },
    templates: { distance, unseen: unseenTemplates },
    thresholds: THRESHOLDS,
    warnings,
  };
}

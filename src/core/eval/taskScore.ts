/** One metric over a held-out set, with its 95% bootstrap interval (the twin of metrics.score in Python). */
import { bootstrapCI, meanCI, type BootstrapOptions } from './bootstrap';
import { exactMatch, jsonSchemaPass, labelOf, macroF1, mean, rougeL, tokenF1, type MetricId } from './metrics';

export interface TaskScore {
  readonly metric: MetricId;
  readonly score: number;
  readonly n: number;
  readonly ci95: [number, number];
}

const PER_ITEM: Record<'exact_match' | 'token_f1' | 'rouge_l', (prediction: string, reference: string) => number> = {
  exact_match: exactMatch,
  token_f1: tokenF1,
  rouge_l: rougeL,
};

/**
 * Score paired references and predictions. json_schema needs `validate` (a compiled schema); it
 * ignores the references.
 */
export function scoreMetric(
  metric: MetricId,
  references: readonly string[],
  predictions: readonly string[],
  validate?: (value: unknown) => boolean,
  opts: BootstrapOptions = {},
): TaskScore {
  if (references.length !== predictions.length) {
    throw new Error(`${metric} needs as many predictions as references (${predictions.length} vs ${references.length})`);
  }
  const n = predictions.length;
  if (metric === 'macro_f1') {
    const refs = references.map(labelOf);
    const preds = predictions.map(labelOf);
    const ci95 = bootstrapCI(
      n,
      (idx) =>
        macroF1(
          Array.from(idx, (i) => refs[i]!),
          Array.from(idx, (i) => preds[i]!),
        ),
      opts,
    );
    return { metric, score: macroF1(refs, preds), n, ci95 };
  }
  let scores: number[];
  if (metric === 'json_schema') {
    if (!validate) throw new Error('json_schema needs a schema');
    scores = predictions.map((p) => jsonSchemaPass(p, validate));
  } else {
    const f = PER_ITEM[metric];
    scores = predictions.map((p, i) => f(p, references[i]!));
  }
  return { metric, score: mean(scores), n, ci95: meanCI(scores, opts) };
}

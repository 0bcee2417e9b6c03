/**
 * Task metrics on a held-out set. The trainer's Python has the twin of this module
 * (trainer/ftstudio_trainer/metrics.py); both are held to test/fixtures/metric-vectors.json and agree
 * to 1e-9. Every character class below is spelt out so that JavaScript and Python mean the same thing
 * (Python's str.split and re's \b are Unicode-aware; JavaScript's \s and \b are not the same sets).
 *
 * Scores are fractions in [0, 1]: the mean of per-item scores (exact_match, token_f1, rouge_l,
 * json_schema) or, for macro_f1, a statistic of the whole set.
 */

export const METRICS = ['exact_match', 'token_f1', 'rouge_l', 'macro_f1', 'json_schema'] as const;
export type MetricId = (typeof METRICS)[number];

/** The characters Python's str.isspace() accepts (what str.split() and str.strip() split on). */
const PY_SPACE = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const SPACE_RUNS = new RegExp(`[${PY_SPACE}]+`, 'u');
const TRIM = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, 'gu');

/** Python's str.split(): runs of whitespace separate, none at either end. */
export function pySplit(s: string): string[] {
  return s.split(SPACE_RUNS).filter((t) => t !== '');
}

/** Python's str.strip(). */
export function pyStrip(s: string): string {
  return s.replace(TRIM, '');
}

/** string.punctuation: the ASCII punctuation SQuAD removes. */
const PUNCTUATION = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/g;
/** re.sub(r'\b(a|an|the)\b', ' ', text) with Python's Unicode word characters (letters, digits, _). */
const ARTICLES = /(?<![\p{L}\p{N}_])(?:a|an|the)(?![\p{L}\p{N}_])/gu;

/** SQuAD v1.1's normalize_answer: lower case, punctuation removed, articles removed, whitespace collapsed. */
export function normalizeAnswer(s: string): string {
  return pySplit(s.toLowerCase().replace(PUNCTUATION, '').replace(ARTICLES, ' ')).join(' ');
}

/** 1 when prediction and reference are equal after normalisation, else 0 (SQuAD v1.1). */
export function exactMatch(prediction: string, reference: string): number {
  return normalizeAnswer(prediction) === normalizeAnswer(reference) ? 1 : 0;
}

/** How many tokens the two lists share, counting repeats (Counter(a) & Counter(b)). */
function overlap(a: readonly string[], b: readonly string[]): number {
  const counts = new Map<string, number>();
  for (const t of a) counts.set(t, (counts.get(t) ?? 0) + 1);
  let same = 0;
  for (const t of b) {
    const n = counts.get(t);
    if (n) {
      same++;
      counts.set(t, n - 1);
    }
  }
  return same;
}

/**
 * SQuAD's token F1 over normalised whitespace tokens. When either side has no tokens the score is 1
 * if both are empty, else 0 (SQuAD v1.1 scored empty against empty as 0; v2 and HF evaluate as 1).
 */
export function tokenF1(prediction: string, reference: string): number {
  const p = pySplit(normalizeAnswer(prediction));
  const r = pySplit(normalizeAnswer(reference));
  if (p.length === 0 || r.length === 0) return p.length === r.length ? 1 : 0;
  const same = overlap(p, r);
  if (same === 0) return 0;
  const precision = (1.0 * same) / p.length;
  const recall = (1.0 * same) / r.length;
  return (2 * precision * recall) / (precision + recall);
}

/** Google rouge-score's tokenizer without stemming: lower case, every run outside [a-z0-9] separates. */
export function rougeTokens(s: string): string[] {
  return s
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((t) => t !== '');
}

function lcsLength(a: readonly string[], b: readonly string[]): number {
  let prev = new Int32Array(b.length + 1);
  let cur = new Int32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) cur[j] = a[i - 1] === b[j - 1] ? prev[j - 1]! + 1 : Math.max(prev[j]!, cur[j - 1]!);
    [prev, cur] = [cur, prev];
  }
  return prev[b.length]!;
}

/** ROUGE-L F-measure (β = 1) as rouge-score computes it; 0 when either side has no tokens. */
export function rougeL(prediction: string, reference: string): number {
  const target = rougeTokens(reference);
  const pred = rougeTokens(prediction);
  if (target.length === 0 || pred.length === 0) return 0;
  const lcs = lcsLength(target, pred);
  const precision = lcs / pred.length;
  const recall = lcs / target.length;
  return precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
}

/** A classification label from a model's output or a reference: the text without surrounding whitespace. */
export function labelOf(s: string): string {
  return pyStrip(s);
}

/**
 * scikit-learn's f1_score(average="macro") over the labels that occur in references or predictions:
 * per label F1 = 2·tp / (2·tp + fp + fn), averaged without weights. 0 for an empty set.
 */
export function macroF1(references: readonly string[], predictions: readonly string[]): number {
  if (references.length !== predictions.length)
    throw new Error(`macro_f1 needs as many predictions as references (${predictions.length} vs ${references.length})`);
  const stats = new Map<string, [number, number, number]>(); // tp, in references, in predictions
  const of = (l: string) => {
    let s = stats.get(l);
    if (!s) stats.set(l, (s = [0, 0, 0]));
    return s;
  };
  for (let i = 0; i < references.length; i++) {
    const r = references[i]!;
    const p = predictions[i]!;
    of(r)[1]++;
    of(p)[2]++;
    if (r === p) of(r)[0]++;
  }
  if (stats.size === 0) return 0;
  // summed in sorted label order: both languages then add the same numbers in the same order
  const labels = [...stats.keys()].sort(byCodePoint);
  let sum = 0;
  for (const l of labels) {
    const [tp, inRefs, inPreds] = stats.get(l)!;
    sum += (2 * tp) / (inRefs + inPreds);
  }
  return sum / labels.length;
}

/** Python's string order (by code point); JavaScript's default sort compares UTF-16 units. */
export function byCodePoint(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** Parse an output as strict JSON (no NaN / Infinity, as Python's json.loads is told to refuse them). */
export function parseJsonOutput(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

/** 1 when the output parses as JSON and `validate` accepts it, else 0. */
export function jsonSchemaPass(output: string, validate: (value: unknown) => boolean): number {
  const parsed = parseJsonOutput(output);
  return parsed.ok && validate(parsed.value) ? 1 : 0;
}

/** The mean of a list, summed left to right (0 for an empty list). */
export function mean(xs: ArrayLike<number>): number {
  if (xs.length === 0) return 0;
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return s / xs.length;
}

// Task metrics: the TypeScript side is held to the same vectors as trainer/ftstudio_trainer/metrics.py
// (test/fixtures/metric-vectors.json; trainer/tests/test_metrics.py holds Python to them and to
// scikit-learn, the official SQuAD script and numpy). Agreement to 1e-9.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exactMatch, macroF1, normalizeAnswer, rougeL, rougeTokens, tokenF1, type MetricId } from '../../src/core/eval/metrics';
import { bootstrapCI, meanCI, mulberry32, percentile } from '../../src/core/eval/bootstrap';
import { scoreMetric } from '../../src/core/eval/taskScore';
import { compileUserSchema } from '../../src/core/checks/schemaCheck';

interface Vectors {
  prng: { seed: number; first: number[] }[];
  pairs: { prediction: string; reference: string; exact_match: number; token_f1: number; rouge_l: number; normalized: string; rougeTokens: string[] }[];
  macroF1: { references: string[]; predictions: string[]; score: number }[];
  jsonSchema: { schema: object; outputs: string[]; passes: number[] };
  sets: { metric: MetricId; references: string[]; predictions: string[]; schema?: object; score: number; n: number; ci95: [number, number] }[];
}

const V = JSON.parse(readFileSync(join(__dirname, '../fixtures/metric-vectors.json'), 'utf8')) as Vectors;
const TOL = 1e-9;
const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) <= TOL, `${what}: ${a} vs ${b}`);

test('normalisation, tokens, exact match, token F1 and ROUGE-L equal the shared vectors', () => {
  assert.ok(V.pairs.length > 50);
  const fns = { exact_match: exactMatch, token_f1: tokenF1, rouge_l: rougeL } as const;
  for (const c of V.pairs) {
    const what = JSON.stringify([c.prediction, c.reference]);
    assert.equal(normalizeAnswer(c.prediction), c.normalized, what);
    assert.deepEqual(rougeTokens(c.prediction), c.rougeTokens, what);
    for (const [name, f] of Object.entries(fns)) close(f(c.prediction, c.reference), c[name as keyof typeof fns], `${name} ${what}`);
  }
});

test('macro F1 equals the shared vectors (scikit-learn in the Python test)', () => {
  for (const c of V.macroF1) close(macroF1(c.references, c.predictions), c.score, JSON.stringify(c));
  assert.throws(() => macroF1(['a'], []), /as many predictions/);
});

test('json_schema passes exactly the outputs that parse and validate', () => {
  const validate = compileUserSchema(V.jsonSchema.schema, 'fixture');
  const passes = V.jsonSchema.outputs.map((o) => scoreMetric('json_schema', [''], [o], (v) => validate(v)).score);
  assert.deepEqual(passes, V.jsonSchema.passes);
});

test('the PRNG gives the same numbers as the Python twin', () => {
  for (const c of V.prng) {
    const next = mulberry32(c.seed);
    assert.deepEqual(
      c.first.map(() => next()),
      c.first,
      `seed ${c.seed}`,
    );
  }
});

test('scores and 95% bootstrap intervals equal the Python ones', () => {
  for (const c of V.sets) {
    const schema = c.schema ? compileUserSchema(c.schema, 'fixture') : undefined;
    const r = scoreMetric(c.metric, c.references, c.predictions, schema ? (v) => schema(v) : undefined);
    assert.equal(r.n, c.n);
    close(r.score, c.score, `${c.metric} score`);
    close(r.ci95[0], c.ci95[0], `${c.metric} ci lo`);
    close(r.ci95[1], c.ci95[1], `${c.metric} ci hi`);
  }
});

test('interval rules: numpy percentiles, a constant gives a point, the seed matters, 1,000 resamples', () => {
  const xs = [0.1, 0.2, 0.3, 0.5, 0.55, 0.7, 0.9];
  close(percentile(xs, 0.5), 0.5, 'median');
  close(percentile(xs, 0.025), 0.1 + 0.1 * 0.15, 'p2.5'); // pos = 0.15 between 0.1 and 0.2
  assert.deepEqual(meanCI(new Array(20).fill(0.5)), [0.5, 0.5]);
  const spread = Array.from({ length: 37 }, (_, i) => ((i * 7) % 37) / 37);
  assert.notDeepEqual(meanCI(spread, { seed: 1 }), meanCI(spread, { seed: 2 }));
  let calls = 0;
  bootstrapCI(5, () => ++calls);
  assert.equal(calls, 1000);
  assert.deepEqual(
    bootstrapCI(0, () => 1),
    [0, 0],
  );
});

test('scoreMetric names what it cannot do', () => {
  assert.throws(() => scoreMetric('exact_match', ['a'], []), /as many predictions/);
  assert.throws(() => scoreMetric('json_schema', ['a'], ['a']), /needs a schema/);
});

test('byCodePoint orders strings as Python does (by code point, not by UTF-16 unit)', async () => {
  const { byCodePoint } = await import('../../src/core/eval/metrics');
  // U+FFFF sorts before U+1F600 by code point; by UTF-16 unit the emoji's high surrogate (U+D83D) would come first
  assert.deepEqual(['😀', 'b', '\uffff', 'a', 'ab', ''].sort(byCodePoint), ['', 'a', 'ab', 'b', '\uffff', '😀']);
  assert.ok(byCodePoint('b', 'a') > 0);
  assert.ok(byCodePoint('a', 'b') < 0);
  assert.equal(byCodePoint('x', 'x'), 0);
});

test('xmlText (JUnit reports): characters XML cannot hold become U+FFFD; markup is escaped', async () => {
  const { xmlText } = await import('../../src/core/eval/junit');
  assert.equal(xmlText('a\u0000b\u001fc\uffff'), 'a\ufffdb\ufffdc\ufffd');
  assert.equal(xmlText('lone \ud800 high, lone \udc00 low, pair 😀'), 'lone \ufffd high, lone \ufffd low, pair 😀');
  assert.equal(xmlText('tab\tnew\nline'), 'tab\tnew\nline');
  assert.equal(xmlText(`<a href="x" title='y'>&</a>`), '&lt;a href=&quot;x&quot; title=&apos;y&apos;&gt;&amp;&lt;/a&gt;');
});

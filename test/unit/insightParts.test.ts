// Dataset insight parts on small exact inputs: LSH bands and their edges, the Jaccard estimate, the
// distribution match's warnings, summaries and histograms, the plain-text report, near-duplicate sets and
// diagnostics, and the semantic checks' pure parts (with a stand-in embedder).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { estimateJaccard, exactJaccard, Permutations, PERMUTATIONS, shingles, signature, words } from '../../src/core/insight/minhash';
import { nearDuplicateClusters, nearMatches, optimalBands, searchBands, type Signatures } from '../../src/core/insight/lsh';
import { productionMatch, THRESHOLDS } from '../../src/core/insight/distribution';
import { datasetStats, histogram, summarize, type DatasetStats } from '../../src/core/insight/stats';
import { statsText } from '../../src/core/insight/reportText';
import {
  lineClusters,
  nearDuplicateDiagnostics,
  nearLeakDiagnostics,
  recordShingleText,
  SignatureSet,
  signLines,
  signRecord,
} from '../../src/core/insight/nearDuplicates';
import { contentHash } from '../../src/core/records/identity';
import type { Embedder } from '../../src/core/insight/embeddings';
import {
  addEmbeddingRecord,
  EMBED_CHUNK,
  embedAll,
  nearestAbove,
  newEmbeddingRecords,
  openEmbedder,
  readEmbeddingRecords,
  semanticClusters,
  semanticDescription,
  semanticLeakage,
  semanticLeaks,
  semanticSection,
  SEMANTIC_MAX_PAIRS,
  SEMANTIC_MAX_RECORDS,
} from '../../src/core/insight/semantic';
import { estimateTokenCounter } from '../../src/core/tokens/tokenCounter';

// first in this file: the word buffer has not grown yet (1024 words)
test('MinHash: a long text that goes through words() (it has an İ) keeps all its words', () => {
  const text = 'İstanbul ' + Array.from({ length: 1500 }, (_, i) => `w${i}`).join(' ');
  assert.equal(words(text).length, 1502);
  // 1502 distinct words: 1498 distinct 5-word shingles
  assert.equal(shingles(text).length, 1498);
  assert.equal(shingles('Istanbul ' + Array.from({ length: 1500 }, (_, i) => `w${i}`).join(' ')).length, 1497);
});

/** Two signatures equal but for one value in each of the 18 bands of 14 rows (0.85): no band agrees, J ≈ 0.93. */
function differingInEveryBand(): { a: Uint16Array; b: Uint16Array } {
  const a = new Uint16Array(PERMUTATIONS);
  for (let k = 10; k < PERMUTATIONS; k++) a[k] = 1000 + k;
  const b = a.slice();
  for (let band = 0; band < 18; band++) b[band * 14] = a[band * 14]! + 1;
  return { a, b };
}

test('LSH: a pair that agrees in no band is no candidate, however close (edges of the band loop)', () => {
  assert.deepEqual(optimalBands(0.85), { bands: 18, rows: 14 });
  const { a, b } = differingInEveryBand();
  const est = estimateJaccard(a, 0, b, 0);
  assert.ok(est > 0.92 && est < 0.94, String(est));
  const one = (s: Uint16Array): Signatures => ({ count: 1, sigs: s, has: Uint8Array.of(1) });
  assert.deepEqual([...nearMatches(one(b), one(a))], [-1]);
  // the same pair in one set: not clustered (a's first values are 0, as past the last record)
  const both = new Uint16Array(2 * PERMUTATIONS);
  both.set(b, 0);
  both.set(a, PERMUTATIONS);
  const bands: [number, number][] = [];
  assert.deepEqual(nearDuplicateClusters({ count: 2, sigs: both, has: Uint8Array.of(1, 1) }, { onBand: (d, t) => bands.push([d, t]) }), []);
  assert.deepEqual(
    bands,
    Array.from({ length: 18 }, (_, i) => [i + 1, 18]),
  );
  // one band more in common makes them a pair
  const c = b.slice();
  for (let k = 14; k < 28; k++) c[k] = a[k]!;
  assert.deepEqual([...nearMatches(one(c), one(a))], [0]);
  both.set(c, 0);
  assert.deepEqual(nearDuplicateClusters({ count: 2, sigs: both, has: Uint8Array.of(1, 1) }), [[0, 1]]);
  // records without a signature are nobody's match, and queries without one stay -1
  assert.deepEqual(nearDuplicateClusters({ count: 2, sigs: both, has: Uint8Array.of(1, 0) }), []);
  assert.deepEqual([...nearMatches({ count: 1, sigs: c, has: Uint8Array.of(0) }, one(a))], [-1]);
  assert.deepEqual([...nearMatches(one(c), { count: 1, sigs: a, has: Uint8Array.of(0) })], [-1]);
  // a threshold above the estimate verifies the candidate away; one equal to it keeps it
  assert.deepEqual([...nearMatches(one(c), one(a), 0.99)], [-1]);
  const d = a.slice();
  for (let k = 236; k < PERMUTATIONS; k++) d[k] = 1;
  const exact = estimateJaccard(d, 0, a, 0);
  assert.deepEqual([...nearMatches(one(d), one(a), exact)], [0]);
  both.set(d, 0);
  assert.deepEqual(nearDuplicateClusters({ count: 2, sigs: both, has: Uint8Array.of(1, 1) }, { threshold: exact }), [[0, 1]]);
});

test('LSH: a record without a signature links nothing, even one close to two others', () => {
  // record 1 is within J 0.92 of records 0 and 2, which are 0.84 apart: without record 1 they stay apart
  const mid = Uint16Array.from({ length: PERMUTATIONS }, (_, k) => 500 + k);
  const s = new Uint16Array(3 * PERMUTATIONS);
  s.set(mid, 0);
  s.set(mid, PERMUTATIONS);
  s.set(mid, 2 * PERMUTATIONS);
  for (let k = 0; k < 20; k++) s[k] = 9000 + k;
  for (let k = 100; k < 120; k++) s[2 * PERMUTATIONS + k] = 9000 + k;
  assert.ok(estimateJaccard(s, 0, s, 2 * PERMUTATIONS) < 0.85);
  assert.deepEqual(nearDuplicateClusters({ count: 3, sigs: s, has: Uint8Array.of(1, 0, 1) }), []);
  assert.deepEqual(nearDuplicateClusters({ count: 3, sigs: s, has: Uint8Array.of(1, 1, 1) }), [[0, 1, 2]]);
});

test('LSH: bands and rows searched for small permutation counts and other thresholds', () => {
  const got = [8, 16, 32, 64].map((p) => [0.3, 0.5, 0.7, 0.9].map((t) => searchBands(t, p)).map((x) => `${x.bands}x${x.rows}`));
  assert.deepEqual(got, [
    ['8x1', '5x1', '4x2', '2x4'],
    ['10x1', '8x2', '5x3', '2x7'],
    ['10x1', '10x2', '8x4', '4x8'],
    ['32x2', '21x3', '12x5', '5x12'],
  ]);
  assert.deepEqual(optimalBands(0.5), { bands: 42, rows: 4 });
  assert.deepEqual(optimalBands(0.9), { bands: 13, rows: 19 });
  assert.deepEqual(optimalBands(0.9), searchBands(0.9));
  assert.deepEqual(optimalBands(0.7, 64), { bands: 12, rows: 5 });
  // the cache holds 256-permutation answers only
  assert.deepEqual(optimalBands(0.85, 64), searchBands(0.85, 64));
  assert.deepEqual(optimalBands(0.6, 64), searchBands(0.6, 64));
  assert.deepEqual(optimalBands(0.6), searchBands(0.6));
  assert.notDeepEqual(optimalBands(0.6), optimalBands(0.6, 64));
});

test('MinHash: the estimate is exactly 1 for equal signatures and 0 for unrelated ones, read at the given offsets', () => {
  const a = Uint16Array.from({ length: PERMUTATIONS }, (_, k) => k * 7 + 1);
  assert.equal(estimateJaccard(a, 0, a.slice(), 0), 1);
  const two = new Uint16Array(2 * PERMUTATIONS);
  two.set(a, PERMUTATIONS);
  assert.equal(estimateJaccard(two, PERMUTATIONS, a, 0), 1);
  assert.equal(estimateJaccard(two, 0, a, 0), 0);
  const half = a.slice();
  for (let k = 0; k < PERMUTATIONS / 2; k++) half[k] = 60000 + k;
  // 128 of 256 equal, chance agreement (1/65536) taken out
  assert.equal(estimateJaccard(half, 0, a, 0), (0.5 - 1 / 65536) / (1 - 1 / 65536));
  assert.deepEqual(words('Hello, WORLD! ﬁne 42x'), ['hello', 'world', 'fine', '42x']);
  assert.equal(shingles('a b c d e f g', 3).length, 5);
  assert.equal(shingles('a b', 3).length, 1);
  assert.equal(exactJaccard('', ''), 0);
  assert.equal(exactJaccard('a b c d e f', 'a b c d e f'), 1);
  assert.equal(exactJaccard('a b c d e f', 'a b c d e g'), 1 / 3);
});

const trainSide = {
  promptTokens: [1, 2, 3, 4, 5],
  templates: new Map([
    ['a', 2],
    ['b', 2],
  ]),
  vocabulary: new Set(['w0']),
};

test('production match: at the thresholds exactly (KS 0.2, 10% unseen words) no warning is given', () => {
  assert.deepEqual(THRESHOLDS, { ks: 0.2, unseenVocabulary: 0.1, templateMix: 0.2 });
  const prod = {
    promptTokens: [2, 2, 3, 4, 5],
    templates: new Map([
      ['a', 1],
      ['b', 1],
    ]),
    words: new Map([
      ['w0', 9],
      ['zz', 1],
    ]),
  };
  assert.deepEqual(productionMatch('p.jsonl', trainSide, prod, 5), {
    file: 'p.jsonl',
    records: 5,
    promptLength: { ks: 0.2, trainP50: 3, productionP50: 3 },
    vocabulary: { unseenShare: 0.1, examples: ['zz'] },
    templates: { distance: 0, unseen: [] },
    thresholds: THRESHOLDS,
    warnings: [],
  });
});

test('production match: unseen words by count then name (ten examples, five in the warning), unseen templates by share (five)', () => {
  const words = new Map<string, number>([
    ['w0', 1],
    ['k', 2],
    ['b', 3],
    ['a', 3],
    ...['c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'l'].map((w) => [w, 1] as [string, number]),
  ]);
  const templates = new Map([
    ['system:you are', 1],
    ['x', 3],
    ['y', 1],
    ['z', 1],
    ['v', 1],
    ['u', 1],
    ['a', 2],
  ]);
  const m = productionMatch('p.jsonl', trainSide, { promptTokens: [1, 2, 3, 4, 5, 6], templates, words }, 6);
  assert.deepEqual([m.promptLength.trainP50, m.promptLength.productionP50], [3, 3]);
  assert.ok(Math.abs(m.promptLength.ks - 1 / 6) < 1e-12);
  assert.equal(m.vocabulary.unseenShare, 17 / 18);
  assert.deepEqual(m.vocabulary.examples, ['a', 'b', 'k', 'c', 'd', 'e', 'f', 'g', 'h', 'i']);
  assert.deepEqual(m.templates.unseen, [
    { template: 'x', share: 0.3 },
    { template: 'you are', share: 0.1 },
    { template: 'y', share: 0.1 },
    { template: 'z', share: 0.1 },
    { template: 'v', share: 0.1 },
  ]);
  assert.ok(Math.abs(m.templates.distance - 0.8) < 1e-12);
  assert.deepEqual(m.warnings, [
    '94.4% of the production words never occur in the training prompts (> 10.0%; e.g. a, b, k, c, d): cover that vocabulary.',
    'The template / system-prompt mix differs from production (total variation 0.80 > 0.2); production uses templates training never does, e.g. "x …": train on the templates production uses.',
  ]);
});

test('production match: a template mix warning without unseen templates; an empty production sample', () => {
  const only = productionMatch('p.jsonl', trainSide, { promptTokens: [1, 2, 3, 4, 5], templates: new Map([['a', 1]]), words: new Map() }, 5);
  assert.deepEqual(only.warnings, [
    'The template / system-prompt mix differs from production (total variation 0.50 > 0.2): train on the templates production uses.',
  ]);
  const empty = productionMatch('p.jsonl', trainSide, { promptTokens: [], templates: new Map([['c', 1]]), words: new Map() }, 0);
  assert.deepEqual(empty.promptLength, { ks: 0, trainP50: 3, productionP50: 0 });
  assert.deepEqual(empty.vocabulary, { unseenShare: 0, examples: [] });
  assert.deepEqual(empty.templates, { distance: 1, unseen: [{ template: 'c', share: 1 }] });
  // the median of an even count is the lower middle value
  const even = productionMatch('p.jsonl', { ...trainSide, promptTokens: [4, 1, 3, 2] }, { promptTokens: [10, 30], templates: new Map(), words: new Map() }, 2);
  assert.deepEqual([even.promptLength.trainP50, even.promptLength.productionP50], [2, 10]);
  // no production templates at all: no distance to speak of
  assert.equal(even.templates.distance, 0);
});

test('summaries by nearest rank on tiny samples; the mean to one decimal', () => {
  assert.deepEqual(summarize([]), { min: 0, p50: 0, p90: 0, p99: 0, max: 0, mean: 0 });
  assert.deepEqual(summarize([5]), { min: 5, p50: 5, p90: 5, p99: 5, max: 5, mean: 5 });
  assert.deepEqual(summarize([2, 1]), { min: 1, p50: 1, p90: 2, p99: 2, max: 2, mean: 1.5 });
  assert.deepEqual(summarize([3, 1, 2, 2]), { min: 1, p50: 2, p90: 3, p99: 3, max: 3, mean: 2 });
  assert.deepEqual(summarize([10, 1, 1]), { min: 1, p50: 1, p90: 10, p99: 10, max: 10, mean: 4 });
  assert.equal(summarize([1, 2, 2]).mean, 1.7);
});

test('histograms: empty, one value, bins as wide as needed to cover min..max, the trained share per bin', () => {
  assert.deepEqual(histogram([]), { edges: [0, 1], counts: [0] });
  assert.deepEqual(histogram([7]), { edges: [7, 8], counts: [1] });
  assert.deepEqual(histogram([0, 9]), { edges: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], counts: [1, 0, 0, 0, 0, 0, 0, 0, 0, 1] });
  assert.deepEqual(histogram([0, 10]), { edges: [0, 2, 4, 6, 8, 10, 12], counts: [1, 0, 0, 0, 0, 1] });
  assert.deepEqual(histogram([0, 25]), { edges: [0, 3, 6, 9, 12, 15, 18, 21, 24, 27], counts: [1, 0, 0, 0, 0, 0, 0, 0, 1] });
  assert.deepEqual(histogram([0, 25, 3, 2], 10, { part: [0, 5, 3, 0] }), {
    edges: [0, 3, 6, 9, 12, 15, 18, 21, 24, 27],
    counts: [2, 1, 0, 0, 0, 0, 0, 0, 1],
    trainedShare: [0, 1, 0, 0, 0, 0, 0, 0, 0.2],
  });
  assert.deepEqual(histogram([5, 5, 5], 3, { part: [1, 1, 1] }), { edges: [5, 6], counts: [3], trainedShare: [0.2] });
  assert.deepEqual(histogram([1.5, 2.5]), { edges: [1.5, 2.5, 3.5], counts: [1, 1] });
});

const summary = (min: number) => ({ min, p50: 1500, p90: 3, p99: 4, max: 12345, mean: 2.5 });
const noHistogram = { edges: [0, 1], counts: [0] };
const baseStats: DatasetStats = {
  file: 'train.jsonl',
  records: 1234,
  skippedLines: 0,
  format: null,
  tokens: {
    source: 'estimate',
    description: 'estimate, 4 chars a token',
    total: summary(1),
    trained: summary(2),
    prompt: summary(3),
    completion: summary(4),
    trainedShare: 0.4567,
    histograms: { prompt: noHistogram, completion: noHistogram, total: noHistogram },
  },
  maxSeqLength: 2048,
  overLength: 0,
  overLengthLines: [],
  turns: { ...summary(1), histogram: noHistogram },
  roles: {},
  templates: [],
  duplicates: { repeats: 0, groups: [] },
  nearDuplicates: { threshold: 0.85, bands: 18, rows: 14, records: 0, clusters: [] },
  semantic: { enabled: false, message: 'semantic checks are off: test' },
  goal: null,
  production: null,
};
const TOKEN_LINES = [
  'tokens (estimate, 4 chars a token)',
  '  total       min 1 · p50 1,500 · p90 3 · p99 4 · max 12,345 · mean 2.5',
  '  prompt      min 3 · p50 1,500 · p90 3 · p99 4 · max 12,345 · mean 2.5',
  '  completion  min 4 · p50 1,500 · p90 3 · p99 4 · max 12,345 · mean 2.5',
  '  trained share 45.7%',
];

test('stats text: a bare report says unknown format, none, no goal and no production data', () => {
  assert.deepEqual(statsText(baseStats).split('\n'), [
    'train.jsonl: 1,234 records, unknown format',
    ...TOKEN_LINES,
    'over maxSeqLength 2,048: 0 records',
    'turns: min 1 · p50 1,500 · p90 3 · p99 4 · max 12,345 · mean 2.5',
    'roles: none',
    'templates: none',
    'exact duplicates: 0 repeats in 0 groups',
    'near-duplicates (Jaccard ≥ 0.85, 18 bands × 14 rows): 0 clusters, 0 records',
    'semantic checks are off: test',
    'size vs goal: no goal in finetune.json (style, domain-vocabulary, task, instruction-following)',
    'production match: no data.production in finetune.json',
  ]);
});

test('stats text: every section filled, lists cut at ten with how many more', () => {
  const groups = Array.from({ length: 12 }, (_, i) => [i * 2 + 1, i * 2 + 2]);
  const full: DatasetStats = {
    ...baseStats,
    skippedLines: 1500,
    format: 'prompt-completion',
    overLength: 11,
    overLengthLines: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
    roles: { user: 1200, assistant: 1100 },
    templates: [
      { template: 'you are', system: true, count: 1001 },
      { template: 'translate', system: false, count: 3 },
    ],
    duplicates: { repeats: 13, groups },
    nearDuplicates: {
      threshold: 0.9,
      bands: 13,
      rows: 19,
      records: 4,
      clusters: [
        [1, 3],
        [5, 7],
      ],
    },
    semantic: {
      enabled: true,
      description: 'm (384-dimensional, from x), cosine ≥ 0.95',
      threshold: 0.95,
      clusters: [[2, 9]],
      leakage: {
        heldout: '/a/b/test.jsonl',
        train: '/a/b/train.jsonl',
        leaks: Array.from({ length: 11 }, (_, i) => ({ heldoutLine: i + 1, trainLine: i + 20, cosine: 0.97654 })),
      },
    },
    goal: { goal: 'task', title: 'Task', min: 1000, max: 5000, records: 1234, standing: 'within', message: '1,234 records for goal "task"' },
    production: {
      file: 'prod.jsonl',
      records: 2500,
      promptLength: { ks: 0.12345, trainP50: 1, productionP50: 2 },
      vocabulary: { unseenShare: 0.1234, examples: [] },
      templates: { distance: 0.5, unseen: [] },
      thresholds: { ks: 0.2, unseenVocabulary: 0.1, templateMix: 0.2 },
      warnings: ['w1', 'w2'],
    },
  };
  assert.deepEqual(statsText(full).split('\n'), [
    'train.jsonl: 1,234 records, prompt-completion (1,500 lines not records: see ftstudio validate)',
    ...TOKEN_LINES,
    'over maxSeqLength 2,048: 11 records (lines 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, …)',
    'turns: min 1 · p50 1,500 · p90 3 · p99 4 · max 12,345 · mean 2.5',
    'roles: user 1,200, assistant 1,100',
    'templates: "you are…" (system) 1,001; "translate…" 3',
    'exact duplicates: 13 repeats in 12 groups',
    '  lines 1, 2',
    '  lines 3, 4',
    '  lines 5, 6',
    '  lines 7, 8',
    '  lines 9, 10',
    '  lines 11, 12',
    '  lines 13, 14',
    '  lines 15, 16',
    '  lines 17, 18',
    '  lines 19, 20',
    '  … 2 more',
    'near-duplicates (Jaccard ≥ 0.9, 13 bands × 19 rows): 2 clusters, 4 records',
    '  lines 1, 3',
    '  lines 5, 7',
    'semantic near-duplicates (m (384-dimensional, from x), cosine ≥ 0.95): 1 clusters',
    '  lines 2, 9',
    'semantic leakage (test.jsonl into train.jsonl): 11 held-out records',
    '  held-out line 1 ~ training line 20 (cosine 0.977)',
    '  held-out line 2 ~ training line 21 (cosine 0.977)',
    '  held-out line 3 ~ training line 22 (cosine 0.977)',
    '  held-out line 4 ~ training line 23 (cosine 0.977)',
    '  held-out line 5 ~ training line 24 (cosine 0.977)',
    '  held-out line 6 ~ training line 25 (cosine 0.977)',
    '  held-out line 7 ~ training line 26 (cosine 0.977)',
    '  held-out line 8 ~ training line 27 (cosine 0.977)',
    '  held-out line 9 ~ training line 28 (cosine 0.977)',
    '  held-out line 10 ~ training line 29 (cosine 0.977)',
    '  … 1 more',
    'size vs goal: 1,234 records for goal "task"',
    'production match (prod.jsonl, 2,500 inputs): prompt length KS 0.123 (warn > 0.2), unseen vocabulary 12.3% (warn > 10%), template mix distance 0.500 (warn > 0.2)',
    '  warning: w1',
    '  warning: w2',
  ]);
});

test('stats text: exactly ten lines or groups need no "more"; a skipped semantic search and a missing partner are said', () => {
  const groups = Array.from({ length: 10 }, (_, i) => [i * 2 + 1, i * 2 + 2]);
  const s: DatasetStats = {
    ...baseStats,
    overLength: 10,
    overLengthLines: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    duplicates: { repeats: 10, groups },
    semantic: { enabled: true, description: 'd', threshold: 0.95, clusters: [], skipped: 'too many', leakage: null },
  };
  assert.deepEqual(statsText(s).split('\n'), [
    'train.jsonl: 1,234 records, unknown format',
    ...TOKEN_LINES,
    'over maxSeqLength 2,048: 10 records (lines 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)',
    'turns: min 1 · p50 1,500 · p90 3 · p99 4 · max 12,345 · mean 2.5',
    'roles: none',
    'templates: none',
    'exact duplicates: 10 repeats in 10 groups',
    '  lines 1, 2',
    '  lines 3, 4',
    '  lines 5, 6',
    '  lines 7, 8',
    '  lines 9, 10',
    '  lines 11, 12',
    '  lines 13, 14',
    '  lines 15, 16',
    '  lines 17, 18',
    '  lines 19, 20',
    'near-duplicates (Jaccard ≥ 0.85, 18 bands × 14 rows): 0 clusters, 0 records',
    'semantic near-duplicates (d): too many',
    'semantic leakage: no held-out or training partner for this file',
    'size vs goal: no goal in finetune.json (style, domain-vocabulary, task, instruction-following)',
    'production match: no data.production in finetune.json',
  ]);
  const skippedLeak: DatasetStats = {
    ...baseStats,
    semantic: { enabled: true, description: 'd', threshold: 0.95, clusters: [], leakage: { heldout: 'h.jsonl', train: 't.jsonl', leaks: [], skipped: 'json' } },
  };
  const tenLeaks: DatasetStats = {
    ...baseStats,
    semantic: {
      enabled: true,
      description: 'd',
      threshold: 0.95,
      clusters: [],
      leakage: { heldout: 'h.jsonl', train: 't.jsonl', leaks: Array.from({ length: 10 }, (_, i) => ({ heldoutLine: i + 1, trainLine: 1, cosine: 0.96 })) },
    },
  };
  const tenText = statsText(tenLeaks).split('\n');
  assert.equal(tenText[13], 'semantic leakage (h.jsonl into t.jsonl): 10 held-out records');
  assert.equal(tenText[23], '  held-out line 10 ~ training line 1 (cosine 0.960)');
  assert.equal(tenText[24], 'size vs goal: no goal in finetune.json (style, domain-vocabulary, task, instruction-following)');
  assert.deepEqual(statsText(skippedLeak).split('\n').slice(11, 14), [
    'near-duplicates (Jaccard ≥ 0.85, 18 bands × 14 rows): 0 clusters, 0 records',
    'semantic near-duplicates (d): 0 clusters',
    'semantic leakage (h.jsonl into t.jsonl): json',
  ]);
});

const sentence = (i: number) => `record ${i} talks about ${['rivers', 'stones', 'lamps', 'quills'][i % 4]} and the number ${i * 7919} in words ${i}`;

test('signature set: grows past its first 64 places keeping lines, lengths and signatures; a text without words has none', () => {
  const set = new SignatureSet();
  for (let i = 0; i < 130; i++) set.add(i === 65 ? ' ,; ' : sentence(i), i * 2, i + 100);
  assert.equal(set.count, 130);
  assert.ok(set.has.length >= 130);
  for (const i of [0, 63, 64, 129]) {
    assert.equal(set.lines[i], i * 2);
    assert.equal(set.lens[i], i + 100);
    assert.deepEqual(set.signatureOf(i), signature(sentence(i), new Permutations()), `record ${i}`);
  }
  assert.equal(set.has[65], 0);
  assert.equal(set.signatureOf(65), undefined);
  // places reserved first and filled from elsewhere; a signature appended from a cache
  const other = new SignatureSet();
  assert.deepEqual([other.reserve(5, 50), other.reserve(6)], [0, 1]);
  assert.deepEqual([other.has[0], other.lens[1]], [0, 0]);
  const sigs = new Uint16Array(2 * PERMUTATIONS);
  sigs.set(set.signatureOf(0)!, PERMUTATIONS);
  other.putSignatures(0, sigs, Uint8Array.of(0, 1));
  assert.equal(other.signatureOf(0), undefined);
  assert.deepEqual(other.signatureOf(1), set.signatureOf(0));
  other.addSignature(undefined, 9);
  other.addSignature(set.signatureOf(1), 10, 33);
  assert.equal(other.count, 4);
  assert.equal(other.signatureOf(2), undefined);
  assert.deepEqual(other.signatureOf(3), set.signatureOf(1));
  assert.deepEqual([other.lines[3], other.lens[3], other.lens[2]], [10, 33, 0]);
  for (let i = 0; i < 70; i++) other.addSignature(set.signatureOf(0), 100 + i);
  assert.deepEqual(other.signatureOf(73), set.signatureOf(0));
  assert.deepEqual(other.signatureOf(3), set.signatureOf(1));
  // clusters as lines: record 1 (line 6) has the same signature as the records on lines 100 onwards
  assert.deepEqual(lineClusters(other)[0]!.slice(0, 3), [6, 100, 101]);
});

test('record signatures: prompt and trained side joined by a newline; signLines signs each distinct record once and keeps a cache', () => {
  assert.equal(recordShingleText({ prompt: 'Q', completion: 'A' }), 'Q\nA');
  const rec = { prompt: sentence(1), completion: sentence(2) };
  assert.deepEqual(signRecord(rec), signature(`${sentence(1)}\n${sentence(2)}`));
  assert.equal(signRecord({ text: ' ' }), undefined);
  const lines = [JSON.stringify(rec), 'not json', JSON.stringify({ text: '...' }), JSON.stringify(rec), JSON.stringify({ text: sentence(3) })];
  const { set, cache } = signLines(lines);
  assert.equal(set.count, 3);
  assert.deepEqual([...set.lines.slice(0, 3)], [0, 2, 4]);
  assert.deepEqual([...set.lens.slice(0, 3)], [lines[0]!.length, lines[2]!.length, lines[4]!.length]);
  assert.deepEqual([...set.has.slice(0, 3)], [1, 0, 1]);
  assert.deepEqual([...cache.keys()], [contentHash(rec), contentHash({ text: '...' }), contentHash({ text: sentence(3) })]);
  assert.equal(cache.get(contentHash({ text: '...' })), null);
  // a cached signature is used as it is; the cache keeps only the records still present
  const fake = new Uint16Array(PERMUTATIONS).fill(7);
  const again = signLines(
    lines.slice(0, 2),
    new Map<number, Uint16Array | null>([
      [contentHash(rec), fake],
      [123, null],
    ]),
  );
  assert.deepEqual(again.set.signatureOf(0), fake);
  assert.deepEqual([...again.cache.keys()], [contentHash(rec)]);
  // hashes given: NaN lines are skipped without parsing, the others read from the cache or signed
  const hashes = [11, NaN, 11, 12];
  const byHash = signLines([JSON.stringify(rec), 'x', 'y', JSON.stringify({ text: sentence(3) })], new Map([[11, fake]]), (i) => hashes[i]!);
  assert.equal(byHash.set.count, 2);
  assert.deepEqual([...byHash.set.lines.slice(0, 2)], [0, 3]);
  assert.deepEqual(byHash.set.signatureOf(0), fake);
  assert.deepEqual(byHash.set.signatureOf(1), signRecord({ text: sentence(3) }));
  assert.equal(signLines(['{bad'], new Map(), () => 5).cache.get(5), null);
});

test('near-duplicate and near-leak diagnostics: every later member of a cluster, the threshold as a rounded percentage; skipped lines left out', () => {
  const set = new SignatureSet();
  set.add(sentence(1), 2, 40);
  set.add(sentence(1), 5, 41);
  set.add(sentence(1), 9, 42);
  const d = nearDuplicateDiagnostics(set, [[0, 1, 2]], 0.855);
  assert.deepEqual(
    d.map((x) => [x.line, x.end, x.severity, x.related?.[0]?.line, x.related?.[0]?.end]),
    [
      [5, 41, 'warning', 2, 40],
      [9, 42, 'warning', 2, 40],
    ],
  );
  assert.equal(d[0]!.message, 'Near-duplicate of the record on line 3 (≥ 86% of their word 5-grams shared; a cluster of 3): keep one, or make them differ.');
  assert.deepEqual(nearDuplicateDiagnostics(set, []), []);
  const train = new SignatureSet();
  train.add(sentence(7), 0, 10);
  train.add(sentence(1), 3, 11);
  const held = new SignatureSet();
  held.add(sentence(1), 0, 20);
  held.add(sentence(9), 1, 21);
  held.add(sentence(1), 4, 22);
  const leaks = nearLeakDiagnostics(held, train, 'train.jsonl', new Set([4]), 0.9);
  assert.deepEqual(
    leaks.map((x) => [x.line, x.start, x.end, x.code, x.severity]),
    [[0, 0, 20, 'heldout-near-leak', 'warning']],
  );
  assert.equal(
    leaks[0]!.message,
    'This held-out record nearly repeats train.jsonl (line 4; ≥ 90% of word 5-grams shared): rewrite or move one of them, or held-out scores will be inflated.',
  );
  assert.equal(nearLeakDiagnostics(held, train, 'train.jsonl', new Set()).length, 2);
});

const v = (...xs: number[]) => Float32Array.from(xs);
/** unit vector at an angle (degrees) in the plane */
const at = (deg: number) => v(Math.cos((deg * Math.PI) / 180), Math.sin((deg * Math.PI) / 180));

/** A stand-in model: a text's vector is the unit vector at the angle its first number gives; chunk sizes recorded. */
function fakeEmbedder(): Embedder & { chunks: number[] } {
  const chunks: number[] = [];
  return {
    dimension: 2,
    chunks,
    embed: async (texts) => {
      chunks.push(texts.length);
      return texts.map((t) => at(Number(/\d+/.exec(t)?.[0] ?? 90)));
    },
  };
}

test('semantic clusters: linked transitively at cosine >= threshold, ordered by first member; the nearest base vector per query', () => {
  assert.equal(SEMANTIC_MAX_RECORDS, 10_000);
  const vs = [at(0), at(90), at(1), at(91), at(180), at(2)];
  assert.deepEqual(semanticClusters(vs, Math.cos((1.5 * Math.PI) / 180)), [
    [0, 2, 5],
    [1, 3],
  ]);
  // the threshold itself counts
  assert.deepEqual(semanticClusters([v(1, 0), v(0.5, 0.5)], 0.5), [[0, 1]]);
  assert.deepEqual(semanticClusters([v(1, 0), v(0.5, 0.5)], 0.50001), []);
  assert.deepEqual(semanticClusters([], 0.9), []);
  const ac = new AbortController();
  ac.abort();
  assert.throws(() => semanticClusters(vs, 0.9, ac.signal));
  assert.throws(() => semanticClusters([at(0)], 0.9, ac.signal));
  // nearest: the best base vector (the first of equals), only when at or above the threshold
  const base = [at(10), at(50), at(50), at(100)];
  assert.deepEqual(
    nearestAbove([at(48), at(0), at(200)], base, 0.95).map(([q, b, c]) => [q, b, Number(c.toFixed(6))]),
    [
      [0, 1, Number(Math.cos((2 * Math.PI) / 180).toFixed(6))],
      [1, 0, Number(Math.cos((10 * Math.PI) / 180).toFixed(6))],
    ],
  );
  assert.deepEqual(nearestAbove([v(1, 0)], [v(0.5, 0)], 0.5), [[0, 0, 0.5]]);
  assert.deepEqual(nearestAbove([v(1, 0)], [], -Infinity), []);
  assert.throws(() => nearestAbove([v(1, 0)], base, 0.5, ac.signal));
});

test('embedding in chunks of 256 with progress after each; records kept up to a limit but all counted', async () => {
  assert.equal(EMBED_CHUNK, 256);
  const e = fakeEmbedder();
  const progress: [number, number, string][] = [];
  const texts = Array.from({ length: 600 }, (_, i) => `t ${i % 360}`);
  const out = await embedAll(e, texts, 'embedding x', { onProgress: (d, t, w) => progress.push([d, t, w]) });
  assert.equal(out.length, 600);
  assert.deepEqual(out[300], at(300));
  assert.deepEqual(e.chunks, [256, 256, 88]);
  assert.deepEqual(progress, [
    [256, 600, 'embedding x'],
    [512, 600, 'embedding x'],
    [600, 600, 'embedding x'],
  ]);
  assert.deepEqual(await embedAll(e, [], 'none'), []);
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(embedAll(e, texts, 'x', { signal: ac.signal }));
  const r = newEmbeddingRecords();
  assert.deepEqual(r, { texts: [], lines: [], lens: [], count: 0 });
  addEmbeddingRecord(r, { prompt: 'Q ', completion: 'A' }, 3, 30, 2);
  addEmbeddingRecord(r, { text: 'plain' }, 5, 12, 2);
  addEmbeddingRecord(r, { text: 'dropped' }, 6, 13, 2);
  assert.deepEqual(r, { texts: ['Q A', 'plain'], lines: [3, 5], lens: [30, 12], count: 3 });
});

test('semantic leaks between JSONL files: each held-out record with its nearest training record at or above the threshold', async () => {
  const d = mkdtempSync(join(tmpdir(), 'ftstudio-semantic-parts-'));
  try {
    const heldout = join(d, 'test.jsonl');
    const train = join(d, 'train.jsonl');
    const t = (n: number) => JSON.stringify({ text: `angle ${n}` });
    writeFileSync(heldout, [t(10), 'junk', t(10), t(200), t(52)].join('\n') + '\n');
    writeFileSync(train, [t(300), t(50), t(11)].join('\n') + '\n');
    const records = await readEmbeddingRecords(heldout, 100);
    assert.deepEqual(records, { texts: ['angle 10', 'angle 200', 'angle 52'], lines: [0, 3, 4], lens: [t(10).length, t(200).length, t(52).length], count: 3 });
    assert.deepEqual(await readEmbeddingRecords(heldout, 1), { texts: ['angle 10'], lines: [0], lens: [t(10).length], count: 3 });
    const e = fakeEmbedder();
    const progress: string[] = [];
    const r = await semanticLeaks(e, heldout, train, 0.99, { onProgress: (_d, _t, w) => progress.push(w) });
    assert.deepEqual(r, {
      leaks: [
        { heldoutLine: 1, trainLine: 3, cosine: 1, heldoutLength: t(10).length },
        { heldoutLine: 5, trainLine: 2, cosine: 0.999, heldoutLength: t(52).length },
      ],
    });
    assert.deepEqual(progress, ['embedding test.jsonl', 'embedding train.jsonl', 'semantic leakage']);
    assert.deepEqual(await semanticLeakage(e, heldout, train, 0.9998), { heldout, train, leaks: [{ heldoutLine: 1, trainLine: 3, cosine: 1 }] });
    // vectors already embedded for one side are used as they are
    const chunksBefore = e.chunks.length;
    const have = { path: heldout, records, vectors: [at(300), at(0), at(0)] };
    assert.deepEqual(
      (await semanticLeaks(e, heldout, train, 0.99, { have })).leaks.map((l) => [l.heldoutLine, l.trainLine]),
      [[1, 1]],
    );
    assert.equal(e.chunks.length, chunksBefore + 1);
    // a .json side, or more records than kept: nothing compared, and why
    const json = await semanticLeakage(e, join(d, 'test.json'), train, 0.9);
    assert.deepEqual(json, {
      heldout: join(d, 'test.json'),
      train,
      leaks: [],
      skipped: 'semantic leakage is compared between JSONL files only (a .json array is one side)',
    });
    assert.equal((await semanticLeaks(e, heldout, join(d, 'TRAIN.JSON'), 0.9)).skipped?.startsWith('semantic leakage is compared'), true);
    const partial = { path: heldout, records: { texts: [], lines: [], lens: [], count: 12_345 }, vectors: [] };
    assert.deepEqual(await semanticLeaks(e, heldout, train, 0.9, { have: partial }), {
      leaks: [],
      skipped: `12,345 held-out × 3 training records is over the ${SEMANTIC_MAX_PAIRS.toLocaleString('en-US')} pairs compared exhaustively`,
    });
    assert.equal(SEMANTIC_MAX_PAIRS.toLocaleString('en-US'), '50,000,000');
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('semantic description and a model that cannot be opened: the section is off with the reason and where the model came from', async () => {
  assert.equal(semanticDescription({ dir: '/models/mini-lm', from: 'the setting' }, 384), 'mini-lm (384-dimensional, from the setting), cosine ≥ 0.95');
  assert.equal(semanticDescription({ dir: '/models/mini-lm', from: 'x', threshold: 0.9 }, 8), 'mini-lm (8-dimensional, from x), cosine ≥ 0.9');
  const d = mkdtempSync(join(tmpdir(), 'ftstudio-semantic-off-'));
  try {
    const cfg = { dir: join(d, 'absent'), from: 'finetune.json embeddings.model' };
    const off = await openEmbedder(cfg);
    assert.ok('off' in off);
    assert.equal(
      off.off,
      `semantic checks are off: the embedding model folder ${cfg.dir} does not exist (the model from finetune.json embeddings.model; fix or re-export it, README "Local embeddings")`,
    );
    assert.deepEqual(await semanticSection(join(d, 'x.jsonl'), newEmbeddingRecords(), cfg, undefined), { enabled: false, message: off.off });
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('dataset stats: lines that are not records counted (blank ones not), roles and templates by count, repeats, over-length lines, production prompts of every shape', async () => {
  const d = mkdtempSync(join(tmpdir(), 'ftstudio-stats-parts-'));
  try {
    const file = join(d, 'train.jsonl');
    const chat = (sys: string | undefined, u: string, a: string) =>
      JSON.stringify({ messages: [...(sys ? [{ role: 'system', content: sys }] : []), { role: 'user', content: u }, { role: 'assistant', content: a }] });
    const lines = [
      chat('You are terse.', 'Translate: cat', 'chat'),
      '',
      '   ',
      'oops',
      '[1,2]',
      chat('You are terse.', 'Translate: dog', 'chien'),
      chat('You are terse.', 'Translate: dog', 'chien'),
      chat(undefined, 'Translate: cat', 'chat'),
      chat(undefined, 'Summarise: long text here', 'short'),
      chat('You are terse.', 'Translate: cat', 'chat'),
    ];
    // no newline at the end: the bytes read are counted up to the file's size, not past it
    writeFileSync(file, lines.join('\n'));
    const prod = join(d, 'prod.jsonl');
    writeFileSync(
      prod,
      [
        '"Translate: bird"',
        JSON.stringify({ messages: [{ role: 'user', content: 'Translate: fish' }] }),
        'bad',
        '',
        '[1]',
        JSON.stringify({ prompt: 'Summarise: x', completion: 'y' }),
        JSON.stringify({ text: 'Translate: owl' }),
      ].join('\n'),
    );
    const progress: string[] = [];
    const size = Buffer.byteLength(lines.join('\n'));
    const s = await datasetStats(file, {
      counter: estimateTokenCounter(),
      maxSeqLength: 10,
      production: prod,
      onProgress: (a, b, w) => progress.push(`${a}/${b} ${w}`),
    });
    assert.deepEqual(progress.slice(-2), [`${size}/${size} reading`, `${size}/${size} near-duplicates`]);
    for (const p of progress) assert.ok(Number(p.split('/')[0]) <= size, p);
    assert.deepEqual([s.file, s.records, s.skippedLines, s.format], ['train.jsonl', 6, 2, 'language-modeling']);
    assert.equal(s.tokens.trainedShare, 0.085);
    assert.deepEqual(s.tokens.total, { min: 8, p50: 13, p90: 13, p99: 13, max: 13, mean: 11.8 });
    assert.deepEqual(s.tokens.prompt, { min: 7, p50: 12, p90: 12, p99: 12, max: 12, mean: 10.8 });
    assert.deepEqual(s.tokens.histograms.total, {
      edges: [8, 9, 10, 11, 12, 13, 14],
      counts: [1, 0, 0, 1, 0, 4],
      trainedShare: [0.125, 0, 0, 0.091, 0, 0.077],
    });
    assert.deepEqual(s.tokens.histograms.completion, { edges: [1, 2], counts: [6] });
    assert.deepEqual([s.overLength, s.overLengthLines], [5, [1, 6, 7, 9, 10]]);
    assert.deepEqual(s.turns, { min: 2, p50: 3, p90: 3, p99: 3, max: 3, mean: 2.7, histogram: { edges: [2, 3, 4], counts: [2, 4] } });
    assert.deepEqual(Object.entries(s.roles), [
      ['user', 6],
      ['assistant', 6],
      ['system', 4],
    ]);
    assert.deepEqual(s.templates, [
      { template: 'you are terse', system: true, count: 4 },
      { template: 'summarise long text', system: false, count: 1 },
      { template: 'translate cat', system: false, count: 1 },
    ]);
    assert.deepEqual(s.duplicates, {
      repeats: 2,
      groups: [
        [1, 10],
        [6, 7],
      ],
    });
    assert.deepEqual(s.nearDuplicates, { threshold: 0.85, bands: 18, rows: 14, records: 0, clusters: [] });
    assert.equal(s.goal, null);
    // production: a bare string, a chat without an answer, a prompt-completion record and a plain text (its words, no template); the rest ignored
    const p = s.production!;
    assert.equal(p.records, 4);
    assert.deepEqual(p.promptLength, { ks: 1, trainP50: 12, productionP50: 4 });
    assert.deepEqual(p.vocabulary, { unseenShare: 0.5, examples: ['bird', 'fish', 'owl', 'x'] });
    assert.deepEqual(
      p.templates.unseen.map((t) => t.template),
      ['translate bird', 'translate fish', 'summarise x'],
    );
    // a record exactly at maxSeqLength is not over it
    const at13 = await datasetStats(file, { counter: estimateTokenCounter(), maxSeqLength: 13 });
    assert.deepEqual([at13.overLength, at13.overLengthLines, at13.production], [0, [], null]);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

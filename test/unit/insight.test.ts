// Dataset insight: MinHash + LSH near-duplicates, the KS statistic, the goal table, the stats document and `ftstudio stats`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { estimateJaccard, exactJaccard, Permutations, signature, shingles } from '../../src/core/insight/minhash';
import { DEFAULT_THRESHOLD, nearDuplicateClusters, optimalBands, searchBands } from '../../src/core/insight/lsh';
import { SignatureSet } from '../../src/core/insight/nearDuplicates';
import { ksStatistic, productionMatch, totalVariation } from '../../src/core/insight/distribution';
import { GOALS, goalStanding } from '../../src/core/project/goals';
import { datasetStats, histogram, summarize } from '../../src/core/insight/stats';
import { estimateTokenCounter } from '../../src/core/tokens/tokenCounter';
import { main } from '../../src/cli/main';

const dir = mkdtempSync(join(tmpdir(), 'ftstudio-insight-'));
const VOCAB = ['river', 'stone', 'lamp', 'orchard', 'violet', 'engine', 'harbour', 'quill', 'meadow', 'copper', 'lantern', 'thistle'];
/** n distinct words, from `from` on: word i is VOCAB[i % 12] + i, so texts share exactly the words they share by index */
const wordsFrom = (from: number, n: number) => Array.from({ length: n }, (_, k) => VOCAB[(from + k) % VOCAB.length]! + (from + k)).join(' ');

test('shingles: word 5-grams of the normalised text; a short text is one shingle', () => {
  assert.equal(shingles(wordsFrom(0, 10)).length, 6);
  assert.deepEqual(shingles('Hello, WORLD!  again and again'), shingles('hello world again and again'));
  assert.equal(shingles('two words').length, 1);
  assert.equal(shingles('  ,.; ').length, 0);
});

test('MinHash estimates the Jaccard similarity of known pairs within 0.07', () => {
  // a = words 0..99, b = words s..s+99: 96 shingles each, sharing 96 - s → J = (96 - s) / (96 + s)
  for (const s of [0, 3, 8, 16, 32, 64]) {
    const a = wordsFrom(0, 100);
    const b = wordsFrom(s, 100);
    const exact = exactJaccard(a, b);
    assert.ok(Math.abs(exact - Math.max(0, 96 - s) / (96 + s)) < 1e-9, `exact ${exact} at shift ${s}`);
    const est = estimateJaccard(signature(a)!, 0, signature(b)!, 0);
    assert.ok(Math.abs(est - exact) < 0.07, `shift ${s}: estimate ${est} vs exact ${exact}`);
  }
});

test('MinHash is deterministic for a seed and changes with it', () => {
  const t = wordsFrom(0, 40);
  assert.deepEqual(signature(t, new Permutations(7)), signature(t, new Permutations(7)));
  assert.notDeepEqual(signature(t, new Permutations(7)), signature(t, new Permutations(8)));
  assert.equal(signature('   '), undefined);
});

test('LSH bands and rows for 0.85 over 256 permutations: 18 × 14 (recall-weighted datasketch optimum)', () => {
  assert.deepEqual(optimalBands(0.85), { bands: 18, rows: 14 });
  // the default's bands are kept, not searched: the search gives the same
  assert.deepEqual(searchBands(DEFAULT_THRESHOLD), optimalBands(DEFAULT_THRESHOLD));
  const { bands, rows } = optimalBands(0.5);
  assert.ok(bands * rows <= 256 && rows < 14, `${bands} × ${rows}`);
});

test('clusters: near-duplicates chain through union-find; unrelated and below-threshold records stay out', () => {
  const set = new SignatureSet();
  const texts = [
    wordsFrom(0, 200), // 0
    wordsFrom(500, 50), // 1: unrelated
    wordsFrom(2, 200), // 2: J(0,2) = 194/198 ≈ 0.98
    wordsFrom(1000, 80), // 3: unrelated
    wordsFrom(6, 200), // 4: J(2,4) ≈ 0.98, J(0,4) ≈ 0.94
    wordsFrom(1500, 60), // 5
    wordsFrom(1530, 60), // 6: J(5,6) = 26/86 ≈ 0.3: not a near-duplicate
    wordsFrom(2000, 100), // 7
    wordsFrom(2003, 100), // 8: J(7,8) = 93/99 ≈ 0.94
  ];
  texts.forEach((t, i) => set.add(t, i));
  assert.deepEqual(nearDuplicateClusters(set), [
    [0, 2, 4],
    [7, 8],
  ]);
  // a stricter threshold leaves out the pair below it (J ≈ 0.94)
  assert.ok(!nearDuplicateClusters(set, { threshold: 0.99 }).some((c) => c.includes(7)));
  // the same input, the same clusters
  assert.deepEqual(nearDuplicateClusters(set), nearDuplicateClusters(set));
  const ac = new AbortController();
  ac.abort();
  assert.throws(() => nearDuplicateClusters(set, { signal: ac.signal }));
});

test('two-sample KS statistic equals the hand-computed value', () => {
  // F_a: 1→.25 2→.5 3→.75 4→1; F_b: 3→.2 4→.4 5→.6 6→.8 7→1; the largest gap is at 4: |1 − 0.4| = 0.6
  assert.equal(ksStatistic([1, 2, 3, 4], [3, 4, 5, 6, 7]), 0.6);
  assert.equal(ksStatistic([1, 2, 3], [1, 2, 3]), 0);
  assert.equal(ksStatistic([1, 1, 1], [9, 9]), 1);
  // ties across the samples step together: {1,2,2,3} vs {2,2,2,4}: at 2 F_a = .75, F_b = .75; at 1 gap .25; at 3 gap .25
  assert.equal(ksStatistic([1, 2, 2, 3], [2, 2, 2, 4]), 0.25);
  // exact, not 0.20000000000000007 (1 - 0.8): at the threshold it must not read "0.20 > 0.2"
  assert.equal(ksStatistic([1, 2, 3, 4, 5], [2, 3, 4, 5, 6]), 0.2);
  assert.equal(ksStatistic([1, 2, 3], [4, 5, 6, 7, 8, 9, 10]), 1);
  assert.equal(
    totalVariation(
      new Map([
        ['a', 3],
        ['b', 1],
      ]),
      new Map([
        ['a', 1],
        ['c', 1],
      ]),
    ),
    0.5 * (0.25 + 0.25 + 0.5),
  );
});

test('KS statistic does not depend on the order of either sample', () => {
  // pins: both samples are sorted before the empirical distributions are compared
  assert.equal(ksStatistic([3, 1, 2], [1, 2, 3]), 0);
  assert.equal(ksStatistic([4, 3, 2, 1], [7, 6, 5, 4, 3]), 0.6);
});

test('production match: no prompt-length warning when the lengths match; the documented warning when they do not', () => {
  // pins: the prompt-length warning is given only above the KS threshold, with the statistic and both medians
  const train = { promptTokens: [10, 20, 30], templates: new Map([['t', 3]]), vocabulary: new Set(['hello', 'world']) };
  const same = productionMatch('prod.jsonl', train, { promptTokens: [30, 10, 20], templates: new Map([['t', 3]]), words: new Map([['hello', 2]]) }, 3);
  assert.equal(same.promptLength.ks, 0);
  assert.deepEqual(same.warnings, []);
  const longer = productionMatch('prod.jsonl', train, { promptTokens: [100, 200], templates: new Map([['t', 2]]), words: new Map([['hello', 2]]) }, 2);
  assert.deepEqual(longer.warnings, [
    'Prompt lengths differ from production (KS statistic 1.00 > 0.2; median 20 tokens in training, 100 in production): add training records shaped like the production inputs.',
  ]);
});

test("goal table: the guide's ranges, and where a size stands", () => {
  assert.deepEqual(Object.fromEntries(Object.entries(GOALS).map(([k, g]) => [k, [g.min, g.max]])), {
    style: [200, 500],
    'domain-vocabulary': [500, 1500],
    task: [1000, 5000],
    'instruction-following': [2000, 10000],
  });
  assert.equal(goalStanding('task', 999).standing, 'below');
  assert.match(goalStanding('task', 999).message, /1 more to reach the minimum/);
  assert.equal(goalStanding('task', 1000).standing, 'within');
  assert.equal(goalStanding('task', 5000).standing, 'within');
  assert.equal(goalStanding('task', 5001).standing, 'above');
});

test('summaries (nearest-rank percentiles) and 10-bin histograms', () => {
  const v = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.deepEqual(summarize(v), { min: 1, p50: 50, p90: 90, p99: 99, max: 100, mean: 50.5 });
  const h = histogram(v);
  assert.equal(h.counts.length, 10);
  assert.deepEqual(h.counts, Array(10).fill(10));
  assert.deepEqual(h.edges, [1, 11, 21, 31, 41, 51, 61, 71, 81, 91, 101]);
  const w = histogram([10, 10], 10, { part: [5, 0] });
  assert.deepEqual(w.trainedShare, [0.25]);
});

const pc = (prompt: string, completion: string) => JSON.stringify({ prompt, completion });

function writeDataset(): { file: string; config: string } {
  const lines = [
    pc('Summarise: ' + wordsFrom(0, 200), 'A short summary.'), // 1
    pc('What is two plus two?', 'Four.'), // 2
    pc('Summarise: ' + wordsFrom(0, 200) + ' quickly', 'A short summary.'), // 3: near 1 (J ≈ 0.96)
    pc('What is two plus two?', 'Four.'), // 4: exact repeat of 2
    pc('Write a poem about ' + 'x'.repeat(3000), 'Roses.'), // 5: over 600 tokens
    'not json', // 6
    JSON.stringify({ prompt: [{ role: '<script>alert(1)</script>', content: 'What is this?' }], completion: [{ role: 'assistant', content: 'Text.' }] }), // 7: a role is shown
  ];
  const file = join(dir, 'train.jsonl');
  writeFileSync(file, lines.join('\n') + '\n');
  const prod = join(dir, 'production.jsonl');
  writeFileSync(
    prod,
    [
      JSON.stringify('Tell me about quantum flux capacitors ' + 'zyx '.repeat(1000)),
      JSON.stringify({ messages: [{ role: 'user', content: 'Explain flux capacitors in depth ' + 'qqq '.repeat(1000) }] }),
    ].join('\n'),
  );
  const config = join(dir, 'finetune.json');
  writeFileSync(
    config,
    JSON.stringify({
      method: 'sft',
      model: 'm',
      goal: 'style',
      data: { train: 'train.jsonl', production: 'production.jsonl' },
      training: { maxSeqLength: 600 },
    }),
  );
  return { file, config };
}

test('stats: the documented JSON document, computed from the file', async () => {
  const { file } = writeDataset();
  const s = await datasetStats(file, { counter: estimateTokenCounter(), maxSeqLength: 600, goal: 'style', production: join(dir, 'production.jsonl') });
  assert.equal(s.records, 6);
  assert.equal(s.skippedLines, 1);
  assert.equal(s.format, 'prompt-completion');
  assert.equal(s.tokens.source, 'estimate');
  for (const k of ['total', 'trained', 'prompt', 'completion'] as const)
    assert.deepEqual(Object.keys(s.tokens[k]), ['min', 'p50', 'p90', 'p99', 'max', 'mean']);
  // "Four." is 5 characters: round(5/4) = 1 trained token (the estimate)
  assert.equal(s.tokens.completion.min, 1);
  assert.equal(s.overLength, 1);
  assert.deepEqual(s.overLengthLines, [5]);
  assert.deepEqual(s.duplicates.groups, [[2, 4]]);
  assert.deepEqual(s.nearDuplicates.clusters, [[1, 3]]);
  assert.equal(s.goal?.standing, 'below');
  assert.ok(s.production);
  assert.equal(s.production.records, 2);
  assert.equal(s.production.promptLength.ks, 1); // every production prompt is longer than every training prompt
  assert.ok(s.production.vocabulary.unseenShare > 0.9);
  assert.equal(s.production.warnings.length, 2 + (s.production.templates.distance > 0.2 ? 1 : 0));
  assert.equal(s.semantic.enabled, false);
});

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

test('ftstudio stats: --json prints one document; --html writes a self-contained report with text escaped', async () => {
  const { file, config } = writeDataset();
  const r = await run('stats', file, '--config', config, '--json');
  assert.equal(r.code, 0, r.err);
  const doc = JSON.parse(r.out);
  for (const k of ['records', 'format', 'tokens', 'overLength', 'turns', 'roles', 'templates', 'duplicates', 'nearDuplicates', 'goal', 'production'])
    assert.ok(k in doc, k);
  assert.equal(doc.tokens.source, 'estimate');
  assert.deepEqual(doc.nearDuplicates.clusters, [[1, 3]]);
  assert.equal(doc.goal.goal, 'style');
  assert.equal(doc.overLength, 1);
  const html = join(dir, 'report.html');
  const h = await run('stats', file, '--config', config, '--html', html);
  assert.equal(h.code, 0, h.err);
  assert.match(h.out, /near-duplicates .*: 1 clusters/);
  const page = readFileSync(html, 'utf8');
  assert.ok(page.includes("default-src 'none'"));
  assert.ok(!page.includes('<script'), 'no script in the report');
  assert.ok(page.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), 'dataset text escaped');
});

test('ftstudio stats text: the templates line names each template, system-prompt ones marked, with its count', async () => {
  // pins: the plain-text report lists the templates as "<start>…" (system) N, joined by "; "
  const d = mkdtempSync(join(tmpdir(), 'ftstudio-stats-templates-'));
  const file = join(d, 'train.jsonl');
  const chat = (system: string | undefined, user: string) =>
    JSON.stringify({
      messages: [...(system ? [{ role: 'system', content: system }] : []), { role: 'user', content: user }, { role: 'assistant', content: 'ok' }],
    });
  writeFileSync(
    file,
    [chat('You are a helpful bot.', 'Translate: hello'), chat('You are a helpful bot.', 'Translate: cat'), chat(undefined, 'Summarise: a long text here')].join(
      '\n',
    ) + '\n',
  );
  const r = await run('stats', file);
  assert.equal(r.code, 0, r.err);
  assert.ok(r.out.split('\n').includes('templates: "you are a…" (system) 2; "summarise a long…" 1'), r.out);
});

test('ftstudio stats: exit 2 with a clear message on usage and I/O problems', async () => {
  const { file } = writeDataset();
  const cases: [string[], RegExp][] = [
    [['stats'], /stats needs exactly one DATASET/],
    [['stats', join(dir, 'missing.jsonl')], /cannot read dataset .*missing\.jsonl: no such file/],
    [['stats', dir], /it is a directory/],
    [['stats', file, '--config', join(dir, 'nope.json')], /cannot read config .*nope\.json: no such file/],
    [['stats', file, '--threshold', '3'], /--threshold must be/],
    [['stats', file, '--bogus'], /unknown option --bogus/],
  ];
  const arr = join(dir, 'arr.json');
  writeFileSync(arr, '[]');
  cases.push([['stats', arr], /stats reads JSONL/]);
  const badProd = join(dir, 'bad-prod.json');
  writeFileSync(badProd, JSON.stringify({ method: 'sft', model: 'm', data: { train: 'train.jsonl', production: 'gone.jsonl' } }));
  cases.push([['stats', file, '--config', badProd], /data\.production of .*: .*gone\.jsonl: no such file/]);
  for (const [argv, re] of cases) {
    const r = await run(...argv);
    assert.equal(r.code, 2, argv.join(' '));
    assert.match(r.err, re, argv.join(' '));
  }
  assert.equal((await run('stats', '--help')).code, 0);
});

test('validateDataset: the near-duplicate pass gives the same diagnostics on a worker thread (an editor large file) as inline', async () => {
  const { validateDataset } = await import('../../src/core/validation/validateDataset');
  const { file } = writeDataset();
  const opts = { maxTokens: 4096, minRecords: 0 };
  const near = (r: { diagnostics: readonly { code: string; line: number; related?: readonly { line: number }[] }[] }) =>
    r.diagnostics.filter((d) => d.code === 'near-duplicate').map((d) => [d.line + 1, d.related?.[0]?.line]);
  const inline = near(await validateDataset(file, opts));
  assert.deepEqual(inline, [[3, 0]]);
  assert.deepEqual(near(await validateDataset(file, opts, { offThread: true })), inline);
  assert.deepEqual(near(await validateDataset(file, { ...opts, nearDuplicateThreshold: 0 })), []);
});

test('ftstudio validate: near-duplicates by default up to NEAR_DUPLICATE_AUTO_RECORDS records; above, named on stderr unless --near-duplicates', async () => {
  const { NEAR_DUPLICATE_AUTO_RECORDS, runsNearDuplicates } = await import('../../src/core/validation/validateDataset');
  assert.equal(runsNearDuplicates('auto', NEAR_DUPLICATE_AUTO_RECORDS), true);
  assert.equal(runsNearDuplicates('auto', NEAR_DUPLICATE_AUTO_RECORDS + 1), false);
  assert.equal(runsNearDuplicates(true, NEAR_DUPLICATE_AUTO_RECORDS + 1), true);
  assert.equal(runsNearDuplicates(undefined, NEAR_DUPLICATE_AUTO_RECORDS + 1), true);
  assert.equal(runsNearDuplicates(false, 1), false);
  // one near copy planted at the top of a file one record over the limit
  const sentence = 'the quick brown fox jumps over the lazy dog near the river bank today';
  const lines = [JSON.stringify({ text: sentence }), JSON.stringify({ text: sentence.replace('today', 'again') })];
  for (let i = lines.length; i <= NEAR_DUPLICATE_AUTO_RECORDS; i++) lines.push(JSON.stringify({ text: `record number ${i} is unique ${i * 7919}` }));
  const file = join(dir, 'over-limit.jsonl');
  writeFileSync(file, lines.join('\n') + '\n');
  const auto = await run(...['validate', '--json', '--min-records', '0', file]);
  assert.match(auto.err, /over-limit\.jsonl: near-duplicates not checked \(20,001 records, over 20,000\): add --near-duplicates/);
  const codes = (r: { out: string }) => (JSON.parse(r.out) as { files: { diagnostics: { code: string }[] }[] }).files[0]!.diagnostics.map((d) => d.code);
  assert.ok(!codes(auto).includes('near-duplicate'));
  const forced = await run(...['validate', '--json', '--near-duplicates', '--min-records', '0', file]);
  assert.equal(forced.err, '');
  assert.ok(codes(forced).includes('near-duplicate'));
});

test('ftstudio stats without a finetune.json: the defaults, no embedding model, exit 0', async () => {
  const alone = mkdtempSync(join(tmpdir(), 'ftstudio-stats-alone-'));
  const file = join(alone, 'train.jsonl');
  writeFileSync(file, [pc('What is two plus two?', 'Four.'), pc('Name a colour.', 'Blue.')].join('\n') + '\n');
  const r = await run('stats', file, '--json');
  assert.equal(r.code, 0, r.err);
  const doc = JSON.parse(r.out);
  assert.equal(doc.records, 2);
  assert.equal(doc.semantic.enabled, false);
});

test('goal standing: the message says inside the range, or above it with the quality-over-volume advice', () => {
  // pins: the exact wording of the within and above messages
  assert.equal(goalStanding('style', 300).message, `300 records for goal "style" (Style / tone / output format): inside the guide's 200–500.`);
  assert.equal(
    goalStanding('style', 1200).message,
    `1,200 records for goal "style" (Style / tone / output format): above the guide's 200–500; beyond this, quality review matters more than volume.`,
  );
});

test('near-duplicate diagnostics: each later member points at the first, with the threshold as a percentage and the line ranges', async () => {
  const { nearDuplicateDiagnostics } = await import('../../src/core/insight/nearDuplicates');
  const set = new SignatureSet();
  set.add(wordsFrom(0, 40), 3, 120);
  set.add(wordsFrom(0, 40), 7, 130);
  const d = nearDuplicateDiagnostics(set, [[0, 1]], 0.9);
  // pins: one diagnostic on line 7 spanning its record, the message with "≥ 90%", related to line 3
  assert.deepEqual(
    d.map((x) => [x.line, x.start, x.end, x.code, x.message, x.related]),
    [
      [
        7,
        0,
        130,
        'near-duplicate',
        'Near-duplicate of the record on line 4 (≥ 90% of their word 5-grams shared; a cluster of 2): keep one, or make them differ.',
        [{ line: 3, start: 0, end: 120, message: 'First record of the cluster' }],
      ],
    ],
  );
});

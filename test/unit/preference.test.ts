// Pair derivation and agreement statistics, checked against hand-computed and published examples.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cohensKappa, krippendorffAlphaOrdinal } from '../../src/core/preference/agreement';
import { derivePairs, RankedRowError } from '../../src/core/preference/pairs';
import { validateText } from '../../src/core/checks/datasetModel';

test('all-pairs, best-vs-rest, best-vs-worst; tie groups yield no pair inside them', () => {
  const row = { prompt: 'P', ranked: ['a', ['b', 'c'], 'd'] };
  const str = (s: string) => derivePairs(row, s as never).map((p) => `${p.chosen}>${p.rejected}`);
  assert.deepEqual(str('all-pairs'), ['a>b', 'a>c', 'a>d', 'b>d', 'c>d']);
  assert.deepEqual(str('best-vs-rest'), ['a>b', 'a>c', 'a>d']);
  assert.deepEqual(str('best-vs-worst'), ['a>d']);
  assert.deepEqual(derivePairs({ prompt: 'P', ranked: [['a', 'b']] }, 'all-pairs'), []);
  assert.deepEqual(
    derivePairs({ prompt: 'P', ranked: [['a', 'b'], 'c'] }, 'best-vs-worst').map((p) => `${p.chosen}>${p.rejected}`),
    ['a>c', 'b>c'],
  );
});

test('conversational candidates are turn lists; exported pairs validate clean', () => {
  const u = (c: string) => [{ role: 'user', content: c }];
  const a = (c: string) => [{ role: 'assistant', content: c }];
  const row = { prompt: u('Hi'), ranked: [a('Hello!'), [a('Hey.'), a('Yo.')], a('...')] };
  const pairs = derivePairs(row, 'all-pairs');
  assert.equal(pairs.length, 5);
  const std = derivePairs({ prompt: 'Say hi', ranked: ['Hello!', 'hi', 'go away'] }, 'all-pairs');
  for (const set of [pairs, std]) {
    const r = validateText(set.map((p) => JSON.stringify(p)).join('\n'), { maxTokens: 4096, minRecords: 0 });
    assert.deepEqual(r.diagnostics, []);
    assert.equal(r.format, 'preference');
  }
});

test('malformed ranked rows say what is wrong', () => {
  assert.throws(() => derivePairs({ ranked: ['a'] }, 'all-pairs'), /missing "prompt"/);
  assert.throws(() => derivePairs({ prompt: 'p' }, 'all-pairs'), /missing "ranked"/);
  assert.throws(() => derivePairs({ prompt: 'p', ranked: ['a', 3] }, 'all-pairs'), /ranked\[1\]/);
  assert.throws(() => derivePairs({ prompt: [{ role: 'user', content: 'q' }], ranked: ['a', 'b'] }, 'all-pairs'), RankedRowError);
  // pins: a row built in code with holes filled by undefined is still a RankedRowError naming the element, not a TypeError
  assert.throws(
    () => derivePairs({ prompt: 'p', ranked: ['a', [undefined]] }, 'all-pairs'),
    (e) => e instanceof RankedRowError && e.message === 'ranked[1] is neither a candidate (a string or a list of turns) nor a tie group of candidates',
  );
  assert.throws(() => derivePairs({ prompt: [undefined], ranked: ['a', 'b'] }, 'all-pairs'), RankedRowError);
});

test("Cohen's kappa: the textbook 2x2 example (po 0.7, pe 0.5, kappa 0.4)", () => {
  const a = new Map<string, string>();
  const b = new Map<string, string>();
  let i = 0;
  const add = (x: string, y: string, n: number) => {
    for (let k = 0; k < n; k++, i++) {
      a.set(String(i), x);
      b.set(String(i), y);
    }
  };
  add('yes', 'yes', 20);
  add('yes', 'no', 5);
  add('no', 'yes', 10);
  add('no', 'no', 15);
  const r = cohensKappa(a, b);
  assert.equal(r.items, 50);
  assert.equal(r.percent, 0.7);
  assert.ok(Math.abs(r.kappa! - 0.4) < 1e-12);
  assert.deepEqual(cohensKappa(new Map([['x', 'a']]), new Map([['y', 'a']])), { items: 0, percent: null, kappa: null });
});

test("Krippendorff's alpha (ordinal): Krippendorff's 2011 reliability example gives 0.815", () => {
  const _ = undefined;
  const coders = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, _, _, _],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, _, 3],
    [_, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, _],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, _],
  ];
  const units = coders[0]!.map((_v, u) => coders.map((c) => c[u]));
  const r = krippendorffAlphaOrdinal(units);
  assert.equal(r.pairable, 11);
  assert.equal(Number(r.alpha!.toFixed(3)), 0.815);
  assert.equal(
    krippendorffAlphaOrdinal([
      [1, 1],
      [2, 2],
      [3, 3],
    ]).alpha,
    1,
  );
});

test('CLI: pairs writes validating pairs and names bad rows; agreement reads the annotation log', async () => {
  const { mkdtempSync, writeFileSync, readFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { main } = await import('../../src/cli/main');
  const { appendAnnotation, annotationsPath } = await import('../../src/core/preference/annotationStore');
  const dir = mkdtempSync(join(tmpdir(), 'ftstudio-pairs-'));
  const ranked = join(dir, 'ranked.jsonl');
  writeFileSync(ranked, [JSON.stringify({ prompt: 'Say hi', ranked: ['Hello!', ['Hi.', 'Hey.'], 'Go away.'] }), '{"prompt": "x"}', ''].join('\n'));
  const io = { out: [] as string[], err: [] as string[] };
  const run = (...argv: string[]) => main(argv, { out: (s) => io.out.push(s), err: (s) => io.err.push(s) });
  const out = join(dir, 'pairs.jsonl');
  assert.equal(await run('pairs', ranked, '--strategy', 'best-vs-rest', '--out', out), 1);
  assert.match(io.err.join('\n'), /ranked\.jsonl:2: missing "ranked"/);
  assert.match(io.err.join('\n'), /^3 pairs from 1 of 2 rows \(best-vs-rest\) -> /m);
  const pairs = readFileSync(out, 'utf8').trim().split('\n');
  assert.equal(pairs.length, 3);
  assert.equal(await run('validate', '--min-records', '0', out), 0);
  assert.equal(await run('pairs', ranked, '--strategy', 'nope'), 2);
  assert.equal(await run('pairs', dir), 2);
  assert.match(io.err.at(-1)!, /^ftstudio: \S+ is a directory$/);

  const dataset = join(dir, 'prefs.jsonl');
  writeFileSync(dataset, '');
  const log = annotationsPath(dir, dataset);
  const ev = (annotator: string, id: string, choice: 'chosen' | 'rejected' | 'tie') =>
    appendAnnotation(log, { v: 1, kind: 'pair', id, line: 1, annotator, time: '2026-01-01T00:00:00Z', choice, shown: ['chosen', 'rejected'] });
  ['chosen', 'chosen', 'rejected', 'tie'].forEach((c, i) => ev('ana', `r${i}`, c as never));
  ['chosen', 'rejected', 'rejected', 'tie'].forEach((c, i) => ev('bo', `r${i}`, c as never));
  const cwd = process.cwd();
  process.chdir(dir);
  io.out.length = 0;
  try {
    assert.equal(await run('agreement', dataset, '--json'), 0);
  } finally {
    process.chdir(cwd);
  }
  const report = JSON.parse(io.out.join(''));
  // the same as text: one line per pair of annotators
  io.out.length = 0;
  process.chdir(dir);
  try {
    assert.equal(await run('agreement', dataset), 0);
  } finally {
    process.chdir(cwd);
  }
  assert.deepEqual(io.out, ["pairs ana vs bo: 4 items, agreement 75.0%, Cohen's kappa 0.636"]);
  assert.deepEqual(report.annotators, ['ana', 'bo']);
  assert.equal(report.pairs[0].items, 4);
  assert.equal(report.pairs[0].percentAgreement, 0.75);
  // po 0.75; pe = (2/4)(1/4) + (1/4)(2/4) + (1/4)(1/4) = 5/16; kappa = (0.75 - 0.3125) / 0.6875
  assert.ok(Math.abs(report.pairs[0].kappa - (0.75 - 0.3125) / 0.6875) < 1e-12);
});

test('export: confirmed pairs kept, swapped pairs swapped, ties/flags/split votes dropped; rankings by mean rank', async () => {
  const { buildItems } = await import('../../src/core/preference/items');
  const { exportLabelled } = await import('../../src/core/preference/exportPairs');
  const lines = ['p', 'q', 'r', 's', 't'].map((x) => JSON.stringify({ prompt: x, chosen: `${x}-good`, rejected: `${x}-bad` }));
  lines.push('{"prompt": "u", "chosen": "c", "rejceted": "r"}');
  const items = buildItems(lines);
  assert.equal(items.mode, 'pair');
  assert.equal(items.items.length, 5, 'a record without a rejected side is not labelled');
  const ev = (annotator: string, i: number, choice: string) => ({
    v: 1 as const,
    kind: 'pair' as const,
    id: items.items[i]!.id,
    line: i + 1,
    annotator,
    time: '',
    choice: choice as never,
  });
  const events = [ev('ana', 0, 'chosen'), ev('ana', 1, 'rejected'), ev('ana', 2, 'tie'), ev('ana', 3, 'flag'), ev('ana', 4, 'chosen'), ev('bo', 4, 'rejected')];
  const r = exportLabelled(lines, items, events);
  assert.deepEqual(r.pairs, [
    { prompt: 'p', chosen: 'p-good', rejected: 'p-bad' },
    { prompt: 'q', chosen: 'q-bad', rejected: 'q-good' },
  ]);
  assert.deepEqual([r.kept, r.swapped, r.dropped, r.unlabelled], [1, 1, 3, 0]);
  // items nobody labelled are counted as such
  const some = exportLabelled(lines, items, events.slice(0, 2));
  assert.deepEqual([some.kept, some.swapped, some.dropped, some.unlabelled], [1, 1, 0, 3]);

  const ranked = [JSON.stringify({ prompt: 'Say hi', completions: ['Hello!', 'hi', 'Go away.'] })];
  const rItems = buildItems(ranked);
  assert.equal(rItems.mode, 'ranking');
  const rev = (annotator: string, ranks: (number | null)[]) => ({
    v: 1 as const,
    kind: 'ranking' as const,
    id: rItems.items[0]!.id,
    line: 1,
    annotator,
    time: '',
    ranks,
  });
  const rr = exportLabelled(ranked, rItems, [rev('ana', [1, 2, 3]), rev('bo', [1, 3, 2])], 'all-pairs');
  // means: Hello 1, hi 2.5, Go away 2.5 -> Hello > {hi, Go away} (a tie group)
  assert.deepEqual(
    rr.pairs.map((p) => `${p.chosen}>${p.rejected}`),
    ['Hello!>hi', 'Hello!>Go away.'],
  );
  const grouped = buildItems(['a', 'b', 'c'].map((c) => JSON.stringify({ prompt: 'same', completion: c })));
  assert.equal(grouped.mode, 'ranking');
  assert.deepEqual(
    grouped.items.map((i) => i.lines),
    [[1, 2, 3]],
  );
});

test('word diff marks what only one side has', async () => {
  const { wordDiff } = await import('../../src/core/preference/wordDiff');
  const d = wordDiff('The cat sat on the mat.', 'The dog sat on the mat.');
  assert.deepEqual(
    d.left.filter((s) => s.op === 'only').map((s) => s.text),
    ['cat'],
  );
  assert.deepEqual(
    d.right.filter((s) => s.op === 'only').map((s) => s.text),
    ['dog'],
  );
  assert.equal(d.left.map((s) => s.text).join(''), 'The cat sat on the mat.');
  // pins: words left over at the end of the longer side are kept and marked as only on that side
  assert.deepEqual(wordDiff('Yes, and more words.', 'Yes,'), {
    left: [
      { text: 'Yes,', op: 'same' },
      { text: ' and more words.', op: 'only' },
    ],
    right: [{ text: 'Yes,', op: 'same' }],
  });
  assert.deepEqual(wordDiff('No.', 'No. Never.'), {
    left: [{ text: 'No.', op: 'same' }],
    right: [
      { text: 'No.', op: 'same' },
      { text: ' Never.', op: 'only' },
    ],
  });
});

test('pair content: an OpenAI preference record gives its input messages and the preferred / non-preferred outputs', async () => {
  // pins: pairContent reads the OpenAI DPO keys (the ranking panel and the pair export show these)
  const { pairContent } = await import('../../src/core/preference/items');
  const input = { messages: [{ role: 'user', content: 'Hi' }] };
  const good = [{ role: 'assistant', content: 'Hello!' }];
  const bad = [{ role: 'assistant', content: 'Go away.' }];
  assert.deepEqual(pairContent(JSON.stringify({ input, preferred_output: good, non_preferred_output: bad })), {
    prompt: input.messages,
    chosen: good,
    rejected: bad,
    openai: true,
  });
  assert.deepEqual(pairContent(JSON.stringify({ prompt: 'P', chosen: 'a', rejected: 'b' })), { prompt: 'P', chosen: 'a', rejected: 'b', openai: false });
  assert.equal(pairContent(JSON.stringify({ prompt: 'P', completion: 'c' })), undefined);
});

test('progressive items: the first item without indexing the file; the same items once complete', async () => {
  const { ProgressiveItems, buildItems } = await import('../../src/core/preference/items');
  const lines = Array.from({ length: 12_000 }, (_, i) =>
    i % 10 === 5 ? '{"text": "not a pair"}' : JSON.stringify({ prompt: `p${i}`, chosen: 'a', rejected: `b${i}` }),
  );
  const lazy = new ProgressiveItems(lines);
  assert.equal(lazy.done, false);
  assert.equal(lazy.ensure(0)!.lines[0], 1);
  assert.equal(lazy.ensure(5)!.lines[0], 7, 'line 6 is not a pair');
  assert.ok(lazy.items.length < 1000, `indexed ${lazy.items.length} items for item 5`);
  const full = buildItems(lines);
  assert.deepEqual(lazy.complete().items, full.items);
  assert.equal(full.items.length, 10_800);
  assert.equal(lazy.ensure(10_800), undefined);
});

test('word diff: words dropped from the middle or the front of the left side are marked, the shared words kept whole', async () => {
  const { wordDiff } = await import('../../src/core/preference/wordDiff');
  // pins: a removed middle run is one "only" segment and the right side stays one unmarked segment
  assert.deepEqual(wordDiff('keep this and that', 'keep that'), {
    left: [
      { text: 'keep ', op: 'same' },
      { text: 'this and ', op: 'only' },
      { text: 'that', op: 'same' },
    ],
    right: [{ text: 'keep that', op: 'same' }],
  });
  // pins: reordered words: the shared word is matched, not the whitespace between them
  assert.deepEqual(wordDiff('Paris is the capital', 'capital Paris'), {
    left: [
      { text: 'Paris is the ', op: 'only' },
      { text: 'capital', op: 'same' },
    ],
    right: [
      { text: 'capital', op: 'same' },
      { text: ' Paris', op: 'only' },
    ],
  });
});

test("Krippendorff's alpha: every coder giving the one same value is perfect agreement (1), not undefined", () => {
  // pins: a single value used throughout gives alpha 1 (no expected disagreement to divide by)
  assert.deepEqual(
    krippendorffAlphaOrdinal([
      [2, 2],
      [2, 2, 2],
    ]),
    { alpha: 1, pairable: 2 },
  );
});

test('agreement report: skipped pairs are left out of the pair agreement; a pair event with stray ranks is no ranking', async () => {
  const { agreementReport } = await import('../../src/core/preference/agreementReport');
  type AnnotationEvent = Parameters<typeof agreementReport>[0][number];
  const ev = (annotator: string, id: string, extra: Pick<AnnotationEvent, 'kind' | 'choice' | 'ranks'>): AnnotationEvent => ({
    v: 1 as const,
    line: 1,
    time: '2024-01-01T00:00:00Z',
    annotator,
    id,
    ...extra,
  });
  const events = [
    ev('ann', 'r1', { kind: 'pair', choice: 'chosen' }),
    ev('bob', 'r1', { kind: 'pair', choice: 'chosen' }),
    ev('ann', 'r2', { kind: 'pair', choice: 'skip' }),
    ev('bob', 'r2', { kind: 'pair', choice: 'skip', ranks: [1, 2] }),
    ev('ann', 'r3', { kind: 'pair', choice: 'flag', ranks: [2, 1] }),
    ev('bob', 'r3', { kind: 'pair', choice: 'flag', ranks: [2, 1] }),
  ];
  // pins: only r1 counts as a compared item (skips and flags out); no ranking statistic from pair events
  assert.deepEqual(agreementReport(events), {
    annotators: ['ann', 'bob'],
    pairs: [{ a: 'ann', b: 'bob', items: 1, percentAgreement: 1, kappa: 1 }],
    rankings: null,
  });
});

test('items: the mode is decided by the first 200 records (blank and non-object lines not counted); ties go to pairs', async () => {
  const { modeOf, MODE_SAMPLE_RECORDS } = await import('../../src/core/preference/items');
  assert.equal(MODE_SAMPLE_RECORDS, 200);
  const pair = (i: number) => JSON.stringify({ prompt: `p${i}`, chosen: 'a', rejected: `b${i}` });
  const comp = (i: number) => JSON.stringify({ prompt: `q${i}`, completions: ['x', 'y'] });
  const pc = (p: string, c: string) => JSON.stringify({ prompt: p, completion: c });
  assert.deepEqual(modeOf([]), { mode: 'pair', grouped: false });
  // 100 pairs and 100 completion rows in the sample: a tie, so pairs; the 201st record is not looked at
  const sample = ['', 'not json', '[1]', '"str"', ...Array.from({ length: 100 }, (_, i) => pair(i)), ...Array.from({ length: 101 }, (_, i) => comp(i))];
  assert.deepEqual(modeOf(sample), { mode: 'pair', grouped: false });
  // 99 pairs and 101 completion rows after the four lines that are no records: ranking
  assert.deepEqual(modeOf([...sample.slice(0, 4), ...sample.slice(5)]), { mode: 'ranking', grouped: false });
  assert.deepEqual(modeOf([pair(1), comp(1)]), { mode: 'pair', grouped: false });
  // prompt-completion rows group by prompt only when they outnumber the completions rows
  assert.deepEqual(modeOf([pc('a', 'b'), comp(1)]), { mode: 'ranking', grouped: false });
  assert.deepEqual(modeOf([pc('a', 'b'), pc('a', 'c'), comp(1)]), { mode: 'ranking', grouped: true });
});

test('items: prompt groups of two or more lines, named by prompt and candidates whatever their order; the rest skipped', async () => {
  const { buildItems } = await import('../../src/core/preference/items');
  const { canonicalJson, contentId } = await import('../../src/core/records/identity');
  const { createHash } = await import('node:crypto');
  const rec = (p: string, c: string) => ({ prompt: p, completion: c });
  const lines = [rec('a', '1'), 'bad', rec('b', '1'), rec('a', '2'), { prompt: 'q', completions: ['x', 'y'] }, rec('c', '1'), rec('c', '2'), rec('a', '3')].map(
    (r) => (typeof r === 'string' ? r : JSON.stringify(r)),
  );
  const g = buildItems(lines);
  assert.equal(g.mode, 'ranking');
  const idOf = (p: string, cs: string[]) =>
    createHash('sha256')
      .update(
        canonicalJson(p) +
          '\u0000' +
          cs
            .map((c) => contentId(rec(p, c)))
            .sort()
            .join(','),
      )
      .digest('hex')
      .slice(0, 16);
  assert.deepEqual(g.items, [
    { id: idOf('a', ['1', '2', '3']), lines: [1, 4, 8] },
    { id: idOf('c', ['1', '2']), lines: [6, 7] },
  ]);
  // the completions row and the one-line group "b" are skipped ("bad" is no record at all)
  assert.equal(g.skipped, 2);
  const reordered = buildItems([rec('a', '3'), rec('a', '1'), rec('a', '2')].map((r) => JSON.stringify(r)));
  assert.deepEqual(reordered.items, [{ id: idOf('a', ['1', '2', '3']), lines: [1, 2, 3] }]);
  assert.notEqual(buildItems([rec('a', '3'), rec('a', '1')].map((r) => JSON.stringify(r))).items[0]!.id, reordered.items[0]!.id);
});

test('items: pair mode takes records with both sides (TRL or OpenAI), ranking mode completions rows; others are counted as skipped', async () => {
  const { buildItems } = await import('../../src/core/preference/items');
  const { contentId } = await import('../../src/core/records/identity');
  const trl = { prompt: 'p1', chosen: 'a', rejected: 'b1' };
  const openai = { input: { messages: [] }, preferred_output: [], non_preferred_output: [] };
  const lines = [
    trl,
    '',
    'x',
    openai,
    { input: { messages: [] }, preferred_output: [] },
    { prompt: 'q2', completions: ['x', 'y'] },
    { prompt: 'a', completion: 'b' },
  ].map((r) => (typeof r === 'string' ? r : JSON.stringify(r)));
  const p = buildItems(lines);
  assert.equal(p.mode, 'pair');
  assert.deepEqual(p.items, [
    { id: contentId(trl), lines: [1] },
    { id: contentId(openai), lines: [4] },
  ]);
  assert.equal(p.skipped, 3);
  const comp = (q: string) => ({ prompt: q, completions: ['x', 'y'] });
  const r = buildItems([comp('q1'), { prompt: 'p2', chosen: 'a', rejected: 'b2' }, comp('q3'), { prompt: 'a', completion: 'b' }].map((x) => JSON.stringify(x)));
  assert.equal(r.mode, 'ranking');
  assert.deepEqual(r.items, [
    { id: contentId(comp('q1')), lines: [1] },
    { id: contentId(comp('q3')), lines: [3] },
  ]);
  assert.equal(r.skipped, 2);
});

test('items: a file of up to 5000 lines is indexed at once, a longer one in steps', async () => {
  const { ProgressiveItems } = await import('../../src/core/preference/items');
  const pair = (i: number) => JSON.stringify({ prompt: `p${i}`, chosen: 'a', rejected: `b${i}` });
  const five = Array.from({ length: 5000 }, (_, i) => pair(i));
  const eager = new ProgressiveItems(five);
  assert.equal(eager.done, true);
  assert.equal(eager.items.length, 5000);
  const lazy = new ProgressiveItems([...five, pair(5000)]);
  assert.equal(lazy.done, false);
  assert.equal(lazy.items.length, 0);
  assert.equal(lazy.step(3), false);
  assert.deepEqual(
    lazy.items.map((i) => i.lines[0]),
    [1, 2, 3],
  );
  // ensure(k) indexes until item k exists (256 lines a step)
  assert.equal(lazy.ensure(3)!.lines[0], 4);
  assert.equal(lazy.items.length, 259);
  assert.equal(lazy.ensure(258)!.lines[0], 259);
  assert.equal(lazy.items.length, 259);
  assert.equal(lazy.step(10_000), true);
  assert.equal(lazy.items.length, 5001);
  assert.equal(lazy.ensure(5001), undefined);
});

test('items: ranking content of a completions row or of a prompt group; an unreadable line gives none; the swap is fixed per annotator and record', async () => {
  const { rankingContent, pairContent, showSwapped } = await import('../../src/core/preference/items');
  assert.deepEqual(rankingContent([JSON.stringify({ prompt: 'q1', completions: ['x', 'y'] })]), { prompt: 'q1', candidates: ['x', 'y'] });
  const pc = (p: string, c: string) => JSON.stringify({ prompt: p, completion: c });
  assert.deepEqual(rankingContent([pc('a', 'b'), pc('a', 'c')]), { prompt: 'a', candidates: ['b', 'c'] });
  assert.deepEqual(rankingContent([pc('a', 'b')]), { prompt: 'a', candidates: ['b'] });
  assert.equal(rankingContent([pc('a', 'b'), 'x']), undefined);
  assert.equal(rankingContent([pc('a', 'b'), '  ']), undefined);
  assert.equal(pairContent(''), undefined);
  assert.equal(pairContent('[]'), undefined);
  assert.equal(pairContent('{'), undefined);
  assert.deepEqual(pairContent(JSON.stringify({ preferred_output: 'a', non_preferred_output: 'b' })), {
    prompt: undefined,
    chosen: 'a',
    rejected: 'b',
    openai: true,
  });
  // sha256("ann\0r3")[0] >= 128, sha256("ann\0r5")[0] is 128 exactly, sha256("ann\0r1")[0] is 127
  assert.deepEqual(
    [showSwapped('r1', 'ann'), showSwapped('r2', 'ann'), showSwapped('r1', 'bob'), showSwapped('r3', 'ann'), showSwapped('r5', 'ann')],
    [false, false, false, true, true],
  );
  // a JSON array is no record; a completions row without a prompt is no ranking row
  assert.equal(rankingContent(['[1]']), undefined);
  const { modeOf } = await import('../../src/core/preference/items');
  assert.deepEqual(modeOf([JSON.stringify({ completions: ['x', 'y'] })]), { mode: 'pair', grouped: false });
  // several lines are a prompt group even when the first carries a completions list
  assert.deepEqual(rankingContent([JSON.stringify({ prompt: 'a', completions: ['x'] }), pc('a', 'b')]), { prompt: 'a', candidates: [undefined, 'b'] });
});

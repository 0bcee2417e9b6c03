// Sampling, the held-out split, the review store (with a crash mid-write), the gate, leakage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { indexLines, type RecordRef } from '../../src/core/records/recordIndex';
import { allocate, sampleRecords, seededScore, surelySampled } from '../../src/core/sampling/sample';
import { planSplit, splitFile, SplitExistsError } from '../../src/core/sampling/split';
import { appendEvent, currentDecisions, lastUndoable, readLog, type ReviewEvent } from '../../src/core/review/reviewStore';
import { resolveSample, reviewStatus } from '../../src/core/review/reviewStatus';
import { leakageDiagnostics } from '../../src/core/checks/leakage';
import { main } from '../../src/cli/main';

const dir = mkdtempSync(join(tmpdir(), 'ftstudio-review-'));
const rec = (i: number, source = 'web') => JSON.stringify({ prompt: `You are a tutor. Question ${i}?`, completion: `Answer ${i}.`, metadata: { source } });
const lines = (n: number, f = rec) => Array.from({ length: n }, (_, i) => f(i));

test('a sample is reproducible, independent of line order, and seed-dependent', () => {
  const refs = indexLines(lines(1000));
  const a = sampleRecords(refs, { seed: 7 });
  assert.equal(a.size, 50);
  const shuffled = indexLines([...lines(1000)].reverse());
  const b = sampleRecords(shuffled, { seed: 7 });
  assert.deepEqual(new Set(a.records.map((r) => r.id)), new Set(b.records.map((r) => r.id)));
  const c = sampleRecords(refs, { seed: 8 });
  assert.notDeepEqual(new Set(a.records.map((r) => r.id)), new Set(c.records.map((r) => r.id)));
  assert.deepEqual(
    a.records.map((r) => r.line),
    [...a.records.map((r) => r.line)].sort((x, y) => x - y),
  );
});

test('growing the dataset by 10% keeps at least 90% of the sample', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const before = sampleRecords(indexLines(lines(2000)), { seed, fraction: 0.05 });
    const after = sampleRecords(indexLines(lines(2200)), { seed, fraction: 0.05 });
    const kept = new Set(after.records.map((r) => r.id));
    const share = before.records.filter((r) => kept.has(r.id)).length / before.size;
    assert.ok(share >= 0.9, `seed ${seed}: kept ${share}`);
  }
});

test('a review sample (keepBelowFraction) streams: every record scored below the fraction is in it, it holds the lowest-scoring sample of the target size, and is at least that size', () => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    const refs = indexLines(lines(3000));
    const lowest = sampleRecords(refs, { seed, fraction: 0.05 });
    const review = sampleRecords(refs, { seed, fraction: 0.05, keepBelowFraction: true });
    const ids = new Set(review.records.map((r) => r.id));
    // a reader that sees one record at a time knows these are in, whatever follows
    const sure = refs.filter((r) => surelySampled(seed, 0.05, r.id));
    assert.ok(sure.length > 0);
    for (const r of sure) assert.ok(ids.has(r.id), `seed ${seed}: line ${r.line} is surely sampled`);
    // what the rule without the option drew is all in it (a decision on such a record still maps)
    for (const r of lowest.records) assert.ok(ids.has(r.id), `seed ${seed}: line ${r.line} of the lowest-scoring sample`);
    assert.equal(review.size, Math.max(lowest.size, sure.length));
    assert.ok(review.size >= Math.ceil(0.05 * 3000) && review.size < 0.065 * 3000, `seed ${seed}: ${review.size} of 3000`);
    // nothing else: the top-up is the lowest of the rest
    const extra = review.records.filter((r) => !surelySampled(seed, 0.05, r.id));
    for (const r of extra) assert.ok(seededScore(seed, r.id) >= 0.05);
    assert.deepEqual(
      review.records.map((r) => r.line),
      [...review.records.map((r) => r.line)].sort((x, y) => x - y),
    );
  }
  // stratified: the same per stratum
  const mixed = [...lines(600, (i) => rec(i, 'web')), ...lines(300, (i) => rec(i + 1000, 'forum'))];
  const refs = indexLines(mixed, { stratifyBy: 'metadata.source' });
  const s = sampleRecords(refs, { seed: 3, stratified: true, fraction: 0.1, keepBelowFraction: true });
  const ids = new Set(s.records.map((r) => r.id));
  for (const r of refs) if (surelySampled(3, 0.1, r.id)) assert.ok(ids.has(r.id));
  for (const r of sampleRecords(refs, { seed: 3, stratified: true, fraction: 0.1 }).records) assert.ok(ids.has(r.id));
});

test('stratified samples are proportional (largest remainder); small sets get a minimum; odd fractions warn', () => {
  assert.deepEqual(allocate([50, 30, 20], 10), [5, 3, 2]);
  assert.deepEqual(
    allocate([5, 5, 1], 3),
    [2, 1, 0].map((x, i) => (i === 1 ? 1 : x)),
  );
  const mixed = [...lines(600, (i) => rec(i, 'web')), ...lines(300, (i) => rec(i + 1000, 'forum')), ...lines(100, (i) => rec(i + 5000, 'docs'))];
  const s = sampleRecords(indexLines(mixed, { stratifyBy: 'metadata.source' }), { seed: 3, stratified: true, fraction: 0.1 });
  const counts: Record<string, number> = {};
  for (const r of s.records) counts[r.stratum!] = (counts[r.stratum!] ?? 0) + 1;
  assert.deepEqual(counts, { web: 60, forum: 30, docs: 10 });
  assert.equal(sampleRecords(indexLines(lines(30)), {}).size, 10);
  assert.equal(sampleRecords(indexLines(lines(4)), {}).size, 4);
  assert.match(sampleRecords(indexLines(lines(100)), { fraction: 0.2 }).warnings[0]!, /outside the advised 5–10%/);
  const dup = indexLines([rec(1), rec(1), rec(2)]);
  assert.equal(sampleRecords(dup, {}).size, 2, 'a duplicated record is sampled once');
});

test('the split keeps duplicates and shared prompts on one side', async () => {
  const withDupes = [...lines(500), rec(3), rec(3), JSON.stringify({ prompt: 'You are a tutor. Question 7?', completion: 'Another answer.' })];
  const refs = indexLines(withDupes, { withPrompt: true });
  const plan = planSplit(refs, { seed: 1, fraction: 0.1 });
  const sideOf = (line: number) => plan.heldoutLines.has(line);
  assert.equal(sideOf(4), sideOf(501));
  assert.equal(sideOf(501), sideOf(502));
  assert.equal(sideOf(8), sideOf(503), 'same prompt, same side');
  assert.ok(plan.heldoutLines.size >= 45 && plan.heldoutLines.size <= 60, String(plan.heldoutLines.size));
  const file = join(dir, 'qa.jsonl');
  writeFileSync(file, withDupes.join('\n') + '\n\n{oops\n');
  const r = await splitFile(file, dir, { seed: 1 });
  assert.equal(r.train + r.heldout, withDupes.length + 1);
  assert.equal(r.unreadable, 1);
  assert.equal(readFileSync(r.files.heldout, 'utf8').trim().split('\n').length, r.heldout);
  const recorded = JSON.parse(readFileSync(r.files.record, 'utf8'));
  assert.equal(recorded.seed, 1);
  assert.equal(recorded.heldoutIds.length, r.heldout);
  await assert.rejects(splitFile(file, dir, { seed: 1 }), SplitExistsError);
  const train = indexLines(readFileSync(r.files.train, 'utf8').split('\n'), { withPrompt: true });
  const held = indexLines(readFileSync(r.files.heldout, 'utf8').split('\n'), { withPrompt: true });
  assert.deepEqual(leakageDiagnostics(held, train, 'qa.train.jsonl'), []);
});

test('leakage: an exact duplicate and a shared prompt are reported on the held-out line', () => {
  const train = indexLines([rec(1), rec(2)], { withPrompt: true });
  const held = indexLines([rec(3), rec(1), JSON.stringify({ prompt: 'You are a tutor. Question 2?', completion: 'Other.' })], { withPrompt: true });
  const d = leakageDiagnostics(held, train, 'x.train.jsonl');
  assert.deepEqual(
    d.map((x) => [x.line, x.code]),
    [
      [1, 'heldout-leak'],
      [2, 'heldout-prompt-leak'],
    ],
  );
  assert.match(d[0]!.message, /also in x\.train\.jsonl \(line 1\)/);
  assert.match(d[1]!.message, /prompt .* \(line 2\)/);
});

const ev = (id: string, decision: 'pass' | 'fail' | undefined, reviewer = 'ana', kind: 'decision' | 'undo' = 'decision'): ReviewEvent => ({
  v: 1,
  kind,
  id,
  line: 1,
  seed: 0,
  reviewer,
  time: new Date(0).toISOString(),
  decision,
  reasons: decision === 'fail' ? ['wrong'] : [],
});

test('the store folds decisions: last wins, undo retracts, a fail from any reviewer stands', () => {
  const events = [ev('a', 'pass'), ev('b', 'fail'), ev('b', 'pass'), ev('c', 'pass'), ev('c', undefined, 'ana', 'undo'), ev('a', 'fail', 'bo')];
  const mine = currentDecisions(events, 0, 'ana');
  assert.equal(mine.get('a')!.decision, 'pass');
  assert.equal(mine.get('b')!.decision, 'pass');
  assert.equal(mine.has('c'), false);
  assert.equal(currentDecisions(events, 0).get('a')!.decision, 'fail');
  assert.equal(lastUndoable(events, 0, 'ana')!.id, 'b');
});

test('the gate: complete and at or above the threshold; an edited record needs a new decision', () => {
  const refs: RecordRef[] = [
    { line: 1, id: 'a' },
    { line: 2, id: 'b' },
    { line: 3, id: 'c2' },
  ];
  const manifest = {
    v: 1 as const,
    dataset: 'd',
    fraction: 0.05,
    seed: 0,
    createdAt: '',
    records: [
      { line: 1, id: 'a' },
      { line: 2, id: 'b' },
      { line: 3, id: 'c' },
    ],
  };
  const decisions = currentDecisions([ev('a', 'pass'), ev('b', 'pass'), ev('c', 'pass')], 0);
  const items = resolveSample(manifest, refs, decisions);
  assert.equal(items[2]!.changedSinceReview, true);
  assert.equal(items[2]!.current!.id, 'c2');
  assert.deepEqual(reviewStatus(items, 0.9), {
    sampled: 3,
    reviewed: 2,
    passed: 2,
    failed: 0,
    passRate: 1,
    gate: 'incomplete',
    threshold: 0.9,
    changedSinceReview: 1,
  });
  const after = resolveSample(manifest, refs, currentDecisions([ev('a', 'pass'), ev('b', 'fail'), ev('c', 'pass'), ev('c2', 'pass')], 0));
  assert.equal(reviewStatus(after, 0.9).gate, 'failed');
  assert.equal(reviewStatus(after, 0.6).gate, 'passed');
});

test('a torn last line in the log loses nothing before it', () => {
  const log = join(dir, 'torn.jsonl');
  appendEvent(log, ev('a', 'pass'));
  appendEvent(log, ev('b', 'fail'));
  writeFileSync(log, readFileSync(log, 'utf8') + '{"v":1,"kind":"decis');
  const r = readLog(log);
  assert.equal(r.events.length, 2);
  assert.match(r.problems[0]!, /torn\.jsonl:3: unreadable line/);
  appendEvent(log, ev('c', 'pass'));
  assert.equal(readLog(log).events.length, 3, 'appending after a torn line keeps every event');
});

test('a writer killed in the middle of an atomic write leaves the old file whole', async () => {
  const target = join(dir, 'victim.jsonl');
  writeFileSync(target, '{"kept": true}\n');
  const script = `
    const { writeFileAtomic } = require(${JSON.stringify(join(__dirname, '../../src/core/jsonl/atomicFile.ts'))});
    process.send('go');
    writeFileAtomic(${JSON.stringify(target)}, 'x'.repeat(200 * 1024 * 1024));`;
  for (let k = 0; k < 3; k++) {
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    await new Promise<void>((r) => child.once('message', () => r()));
    await new Promise((r) => setTimeout(r, 30 + k * 40));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const text = readFileSync(target, 'utf8');
    assert.ok(text === '{"kept": true}\n' || text.length === 200 * 1024 * 1024, `partial file of ${text.length} bytes`);
  }
  assert.equal(readFileSync(target, 'utf8'), '{"kept": true}\n');
  // the temporary files of killed writers are the only leftovers; the target was never touched
  assert.ok(readdirSync(dir).filter((f) => f.startsWith('.victim.jsonl.')).length <= 3);
});

test('CLI: sample --json, split refuses to overwrite, review-status without a review', async () => {
  const file = join(dir, 'cli.jsonl');
  writeFileSync(file, lines(400).join('\n'));
  const run = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  const s = await run('sample', file, '--seed', '3', '--json');
  assert.equal(s.code, 0);
  const doc = JSON.parse(s.out);
  assert.deepEqual(Object.keys(doc), ['fraction', 'seed', 'size', 'records']);
  assert.equal(doc.size, 20);
  assert.deepEqual(Object.keys(doc.records[0]), ['line', 'id']);
  assert.equal((await run('sample', file, '--seed', '3', '--json')).out, s.out);
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    assert.equal((await run('split', file)).code, 0);
    const again = await run('split', file);
    assert.equal(again.code, 2);
    assert.match(again.err, /already exist.*--force/);
    assert.equal((await run('split', file, '--force', '--fraction', '0.12')).code, 0);
    const st = await run('review-status', file, '--json');
    assert.equal(st.code, 1);
    // the size the review sample would have: the one `ftstudio sample` draws (and the panel would), at least 5% of 400
    const sampled = JSON.parse((await run('sample', file, '--json')).out).size as number;
    assert.ok(sampled >= 20, `${sampled}`);
    assert.deepEqual(JSON.parse(st.out), { sampled, reviewed: 0, passed: 0, failed: 0, passRate: null, gate: 'incomplete' });
    const v = await run('validate', '--json', join(dir, 'cli.heldout.jsonl'));
    assert.deepEqual(
      JSON.parse(v.out).files[0].diagnostics.filter((d: { code: string }) => d.code === 'heldout-leak'),
      [],
    );
  } finally {
    process.chdir(cwd);
  }
  assert.ok(existsSync(join(dir, '.finetune', 'splits', 'cli.json')));
});

// The review sample's rules (core/sampling/sample): the allocation over strata, the fraction's range and
// advice, the minimum, the "all of them" warning, and the fields of the result.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { indexLines, type RecordRef } from '../../src/core/records/recordIndex';
import { allocate, distinct, sampleRecords, MIN_SAMPLE } from '../../src/core/sampling/sample';

const rec = (i: number, source?: string) =>
  JSON.stringify({ prompt: `Question ${i}?`, completion: `Answer ${i}.`, ...(source ? { metadata: { source } } : {}) });
const refs = (n: number) => indexLines(Array.from({ length: n }, (_, i) => rec(i)));

test('allocate: the largest remainders get the seats left, ties to the first group; never more than a group holds', () => {
  assert.deepEqual(allocate([1, 1, 1], 1), [1, 0, 0]);
  assert.deepEqual(allocate([1, 1, 1], 2), [1, 1, 0]);
  assert.deepEqual(allocate([2, 3], 1), [0, 1], '0.4 vs 0.6: the larger remainder wins');
  assert.deepEqual(allocate([3, 2], 1), [1, 0]);
  assert.deepEqual(allocate([1, 1], 5), [1, 1], 'more seats than records: every group is full, no more');
  assert.deepEqual(allocate([1, 9], 5), [1, 4], 'a full group passes its seat on');
  assert.deepEqual(allocate([0, 0], 3), [0, 0]);
  assert.deepEqual(allocate([], 3), []);
  assert.deepEqual(allocate([4, 4], 0), [0, 0]);
});

test('the fraction must be in (0, 1]; outside the advised range it warns, at its ends it does not', () => {
  const big = refs(400);
  for (const bad of [0, -0.1, 1.01, Number.NaN]) assert.throws(() => sampleRecords(big, { fraction: bad }), /fraction must be in \(0, 1\], got/, String(bad));
  assert.equal(sampleRecords(big, { fraction: 1 }).size, 400, 'a fraction of 1 is all of it');
  assert.deepEqual(sampleRecords(big, { fraction: 0.05 }).warnings, []);
  assert.deepEqual(sampleRecords(big, { fraction: 0.1 }).warnings, []);
  assert.deepEqual(sampleRecords(big, { fraction: 0.04 }).warnings, ['fraction 0.04 is outside the advised 5–10%']);
  assert.deepEqual(sampleRecords(big, { fraction: 0.11 }).warnings, ['fraction 0.11 is outside the advised 5–10%']);
  assert.deepEqual(sampleRecords(big, { fraction: 0.12, advised: { min: 0.1, max: 0.15 } }).warnings, [], 'the caller’s advised range applies');
  assert.deepEqual(sampleRecords(big, { fraction: 0.2, advised: { min: 0.1, max: 0.15 } }).warnings, ['fraction 0.2 is outside the advised 10–15%']);
});

test('a small set: at least the minimum, and a warning when the sample is all of it (not when the fraction asks for all)', () => {
  assert.equal(MIN_SAMPLE, 10);
  const s = sampleRecords(refs(4));
  assert.equal(s.size, 4);
  assert.deepEqual(s.warnings, ['only 4 distinct records: all of them are in the sample']);
  assert.deepEqual(sampleRecords(refs(10)).warnings, ['only 10 distinct records: all of them are in the sample']);
  assert.deepEqual(sampleRecords(refs(11)).warnings, [], '10 of 11 is not all of them');
  assert.equal(sampleRecords(refs(11)).size, 10);
  assert.equal(sampleRecords(refs(50), { minimum: 3 }).size, 3, 'ceil(5% of 50) = 3');
  assert.equal(sampleRecords(refs(50), { minimum: 1 }).size, 3);
  assert.equal(sampleRecords(refs(41), { minimum: 1 }).size, 3, 'ceil(2.05) = 3');
  assert.deepEqual(sampleRecords(refs(4), { fraction: 1, advised: { min: 0, max: 1 } }).warnings, []);
  const empty = sampleRecords([]);
  assert.deepEqual(
    { size: empty.size, population: empty.population, warnings: empty.warnings, records: empty.records },
    { size: 0, population: 0, warnings: [], records: [] },
  );
});

test('the result names its fraction, seed (0 by default), size and population; records come in line order', () => {
  const all = refs(300);
  const s = sampleRecords(all, { fraction: 0.1 });
  assert.deepEqual({ fraction: s.fraction, seed: s.seed, size: s.size, population: s.population }, { fraction: 0.1, seed: 0, size: 30, population: 300 });
  assert.deepEqual(s.records, sampleRecords(all, { fraction: 0.1, seed: 0 }).records);
  assert.equal(sampleRecords(all).fraction, 0.05, 'the default fraction is 5%');
  assert.equal(sampleRecords(all).size, 15);
  const lines = s.records.map((r) => r.line);
  assert.deepEqual(
    lines,
    [...lines].sort((a, b) => a - b),
  );
  assert.equal(new Set(s.records.map((r) => r.id)).size, 30);
});

test('distinct keeps the first line of each content id, in line order', () => {
  const r = (line: number, id: string): RecordRef => ({ line, id, len: 1 });
  assert.deepEqual(
    distinct([r(0, 'a'), r(1, 'b'), r(2, 'a'), r(3, 'c'), r(4, 'b')]).map((x) => x.line),
    [0, 1, 3],
  );
});

test('stratified: records without the field form their own stratum; each stratum gets its share of the lowest scores', () => {
  const lines = [...Array.from({ length: 60 }, (_, i) => rec(i, 'web')), ...Array.from({ length: 40 }, (_, i) => rec(100 + i))];
  const all = indexLines(lines, { stratifyBy: 'metadata.source' });
  const s = sampleRecords(all, { fraction: 0.1, stratified: true, seed: 5 });
  const counts = new Map<string | undefined, number>();
  for (const r of s.records) counts.set(r.stratum, (counts.get(r.stratum) ?? 0) + 1);
  assert.equal(s.size, 10);
  assert.equal(counts.get('web'), 6);
  assert.equal(
    [...counts.entries()].filter(([k]) => k !== 'web').reduce((a, [, n]) => a + n, 0),
    4,
  );
  // within a stratum the sample is that stratum's own lowest-scoring records: the same as sampling it alone
  const web = all.filter((r) => r.stratum === 'web');
  const alone = sampleRecords(web, { fraction: 0.1, seed: 5, minimum: 1 }).records.map((r) => r.id);
  assert.deepEqual(
    s.records.filter((r) => r.stratum === 'web').map((r) => r.id),
    alone,
  );
});

test('seededScore: the first 32 bits of sha256("<seed>:<id>") as a fraction of 2^32; surelySampled is a score below the fraction', async () => {
  const { createHash } = await import('node:crypto');
  const { seededScore, surelySampled } = await import('../../src/core/sampling/sample');
  const want = (seed: number, id: string) => createHash('sha256').update(`${seed}:${id}`).digest().readUInt32BE(0) / 2 ** 32;
  for (const [seed, id] of [
    [0, 'abc'],
    [7, 'abc'],
    [7, '0123456789abcdef'],
  ] as const) {
    assert.equal(seededScore(seed, id), want(seed, id));
    const s = seededScore(seed, id);
    assert.ok(s >= 0 && s < 1);
    assert.equal(surelySampled(seed, s, id), false, 'at the fraction: not below it');
    assert.equal(surelySampled(seed, s + 1e-9, id), true);
  }
  assert.notEqual(seededScore(0, 'abc'), seededScore(1, 'abc'));
});

test('the sample is the records of lowest score, whatever their line order; the seed changes it', () => {
  const all = refs(200);
  const s = sampleRecords(all, { fraction: 0.05, seed: 9 });
  const scores = (rs: readonly RecordRef[]) => rs.map((r) => createScore(9, r.id));
  const inSample = new Set(s.records.map((r) => r.id));
  const maxIn = Math.max(...scores(s.records));
  const minOut = Math.min(...scores(all.filter((r) => !inSample.has(r.id))));
  assert.ok(maxIn < minOut, 'every record in the sample scores below every record outside it');
  assert.deepEqual(
    sampleRecords([...all].reverse(), { fraction: 0.05, seed: 9 })
      .records.map((r) => r.id)
      .sort(),
    s.records.map((r) => r.id).sort(),
  );
  assert.notDeepEqual(sampleRecords(all, { fraction: 0.05, seed: 10 }).records, s.records);
  // duplicates count once: the population is the distinct records
  const dup = sampleRecords([...all, ...all.slice(0, 50)], { fraction: 0.05, seed: 9 });
  assert.equal(dup.population, 200);
  assert.deepEqual(dup.records, s.records);
});

test('keepBelowFraction: every record scored below the fraction joins the lowest `size`, and no other', () => {
  const all = refs(400);
  for (const seed of [1, 2, 3]) {
    const plain = sampleRecords(all, { fraction: 0.05, seed, minimum: 1 });
    const kept = sampleRecords(all, { fraction: 0.05, seed, minimum: 1, keepBelowFraction: true });
    const below = all.filter((r) => createScore(seed, r.id) < 0.05);
    const want = new Set([...plain.records, ...below].map((r) => r.id));
    assert.deepEqual(new Set(kept.records.map((r) => r.id)), want, `seed ${seed}`);
    assert.equal(kept.size, want.size);
  }
});

function createScore(seed: number, id: string): number {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createHash } = require('node:crypto') as typeof import('node:crypto');
  return createHash('sha256').update(`${seed}:${id}`).digest().readUInt32BE(0) / 2 ** 32;
}

test('keepBelowFraction: a record scored exactly at the fraction is not below it; a fraction of 1 keeps all', () => {
  const all = refs(400);
  const seed = 4;
  const ranked = [...all].sort((a, b) => createScore(seed, a.id) - createScore(seed, b.id));
  // a record whose score as the fraction asks for fewer records than rank below it
  const r = ranked.findIndex((x, i) => i > 20 && Math.ceil(createScore(seed, x.id) * 400) <= i);
  assert.ok(r > 0);
  const at = ranked[r]!;
  const s = sampleRecords(all, { fraction: createScore(seed, at.id), seed, minimum: 1, keepBelowFraction: true, advised: { min: 0, max: 1 } });
  assert.equal(
    s.records.some((x) => x.id === at.id),
    false,
  );
  assert.deepEqual(new Set(s.records.map((x) => x.id)), new Set(ranked.slice(0, r).map((x) => x.id)));
  assert.equal(sampleRecords(all, { fraction: 1, keepBelowFraction: true }).size, 400);
});

// Strata in the review sample and the held-out split (core/sampling; written for mutants that survived
// `STRYKER_FOLDER=sampling npm run mutate`): which stratum gets a seat on a tie, a plain sample ignores
// strata, the split stratifies only when asked, and the split's files hold exactly what they should.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { indexLines, type RecordRef } from '../../src/core/records/recordIndex';
import { allocate, sampleRecords } from '../../src/core/sampling/sample';
import { planSplit, splitFile } from '../../src/core/sampling/split';

const rec = (i: number, source?: string) =>
  JSON.stringify({ prompt: `Question ${i}?`, completion: `Answer ${i}.`, ...(source ? { metadata: { source } } : {}) });

test('allocate: the seats left go round every group with room, not only the first half', () => {
  assert.deepEqual(allocate([1, 1, 1, 1], 3), [1, 1, 1, 0]);
});

test('a tie between strata goes to the stratum whose name sorts first, whatever the line order; a record without one sorts as "(missing)"', () => {
  const r = (line: number, id: string, stratum?: string): RecordRef => ({ line, id, len: 1, stratum });
  const one = { fraction: 0.5, stratified: true, minimum: 1 };
  assert.deepEqual(
    sampleRecords([r(0, 'x', 'b'), r(1, 'y', 'a')], one).records.map((x) => x.stratum),
    ['a'],
  );
  assert.deepEqual(
    sampleRecords([r(0, 'x'), r(1, 'y', '!')], one).records.map((x) => x.stratum),
    ['!'],
    '"!" sorts before "(missing)"',
  );
  assert.deepEqual(
    sampleRecords([r(0, 'x'), r(1, 'y', 'b')], one).records.map((x) => x.stratum),
    [undefined],
    '"(missing)" sorts before "b"',
  );
});

test('without `stratified`, strata are ignored: the sample is the lowest scores overall', () => {
  const lines = [...Array.from({ length: 90 }, (_, i) => rec(i, 'web')), ...Array.from({ length: 10 }, (_, i) => rec(100 + i, 'docs'))];
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    const withStrata = sampleRecords(indexLines(lines, { stratifyBy: 'metadata.source' }), { seed, fraction: 0.1 });
    const without = sampleRecords(indexLines(lines), { seed, fraction: 0.1 });
    assert.deepEqual(
      withStrata.records.map((x) => x.id),
      without.records.map((x) => x.id),
      `seed ${seed}`,
    );
  }
});

test('planSplit stratifies only when stratifyBy is given, and then exactly proportionally', () => {
  const lines = [...Array.from({ length: 190 }, (_, i) => rec(i, 'web')), ...Array.from({ length: 10 }, (_, i) => rec(1000 + i, 'books'))];
  const strata = indexLines(lines, { stratifyBy: 'metadata.source' });
  const plain = indexLines(lines);
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    const held = planSplit(strata, { seed, stratifyBy: 'metadata.source' });
    const books = [...held.heldoutLines].filter((l) => lines[l - 1]!.includes('books')).length;
    assert.equal(books, 1, `seed ${seed}: 10% of 10 books`);
    assert.deepEqual(planSplit(strata, { seed }).heldoutIds, planSplit(plain, { seed }).heldoutIds, `seed ${seed}: no stratifyBy, no strata`);
  }
});

test('splitFile: records sharing a prompt stay together; the train and held-out files are exactly the lines of each side; the record ends with a newline', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ftstudio-split-strata-'));
  try {
    const data = join(dir, 'd.jsonl');
    const lines = Array.from({ length: 40 }, (_, i) => JSON.stringify({ prompt: `Q${i % 20}?`, completion: `A${i}` }));
    writeFileSync(data, lines.join('\n') + '\n');
    const r = await splitFile(data, dir, { seed: 3 });
    const heldout = readFileSync(r.files.heldout, 'utf8');
    const train = readFileSync(r.files.train, 'utf8');
    const held = [...r.plan.heldoutLines].sort((a, b) => a - b);
    assert.equal(held.length, 4, '2 of 20 prompts, 2 records each');
    assert.equal(new Set(held.map((l) => JSON.parse(lines[l - 1]!).prompt)).size, 2);
    assert.equal(heldout, held.map((l) => lines[l - 1] + '\n').join(''));
    assert.equal(
      train,
      lines
        .filter((_, i) => !r.plan.heldoutLines.has(i + 1))
        .map((l) => l + '\n')
        .join(''),
    );
    assert.ok(readFileSync(r.files.record, 'utf8').endsWith('}\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

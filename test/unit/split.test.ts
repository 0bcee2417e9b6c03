// The held-out split's options, warnings and files (written for mutants that survived `npm run mutate` on split.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { indexLines } from '../../src/core/records/recordIndex';
import { planSplit, splitFile, splitPaths, SplitExistsError } from '../../src/core/sampling/split';

const rec = (i: number, source = 'web') => JSON.stringify({ prompt: `Question ${i}?`, completion: `Answer ${i}.`, metadata: { source } });

test('planSplit: 10% by default, at least one held out from two prompts, none from one (with a warning)', () => {
  const refs = indexLines(Array.from({ length: 200 }, (_, i) => rec(i)));
  const plan = planSplit(refs);
  assert.equal(plan.fraction, 0.1);
  assert.equal(plan.heldoutLines.size, 20);
  assert.equal(plan.records, 200);
  assert.equal(plan.stratifyBy, undefined);
  assert.deepEqual(plan.warnings, []);
  const two = planSplit(indexLines([rec(1), rec(2)]), { fraction: 0.1 });
  assert.equal(two.heldoutLines.size, 1);
  assert.ok(!two.warnings.some((w) => /fewer than 2|^only /.test(w)), JSON.stringify(two.warnings));
  const one = planSplit(indexLines([rec(1)]));
  assert.equal(one.heldoutLines.size, 0);
  assert.deepEqual(one.warnings, ['fewer than 2 distinct prompts: nothing can be held out']);
});

test('planSplit with stratifyBy: each stratum gives its share', () => {
  const lines = [...Array.from({ length: 150 }, (_, i) => rec(i, 'web')), ...Array.from({ length: 50 }, (_, i) => rec(1000 + i, 'books'))];
  const refs = indexLines(lines, { stratifyBy: 'metadata.source' });
  const plan = planSplit(refs, { fraction: 0.1, stratifyBy: 'metadata.source', seed: 3 });
  const held = [...plan.heldoutLines].map((l) => JSON.parse(lines[l - 1]!).metadata.source);
  assert.equal(held.filter((s) => s === 'web').length, 15);
  assert.equal(held.filter((s) => s === 'books').length, 5);
  assert.equal(plan.stratifyBy, 'metadata.source');
});

test('splitFile: the files, the record, blank lines dropped, and a refusal that names what exists', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ftstudio-split-'));
  const data = join(dir, 'QA.JSONL');
  writeFileSync(data, [rec(1), '', ...Array.from({ length: 19 }, (_, i) => rec(i + 2))].join('\n') + '\n');
  const files = splitPaths(data, dir);
  assert.deepEqual(files, { train: join(dir, 'QA.train.jsonl'), heldout: join(dir, 'QA.heldout.jsonl'), record: join(dir, '.finetune', 'splits', 'QA.json') });
  const r = await splitFile(data, dir, { seed: 5, fraction: 0.1 });
  assert.equal(r.train + r.heldout, 20);
  assert.equal(r.heldout, 2);
  assert.equal(r.unreadable, 0);
  const trainText = readFileSync(files.train, 'utf8');
  assert.ok(trainText.endsWith('}\n') && !trainText.includes('\n\n'), 'one record a line, no blank line');
  const record = JSON.parse(readFileSync(files.record, 'utf8'));
  assert.deepEqual(
    { ...record, createdAt: undefined, sha256: undefined, heldoutIds: undefined },
    {
      v: 1,
      dataset: 'QA.JSONL',
      seed: 5,
      fraction: 0.1,
      stratifyBy: null,
      createdAt: undefined,
      train: 18,
      heldout: 2,
      sha256: undefined,
      heldoutIds: undefined,
    },
  );
  assert.match(record.sha256, /^[0-9a-f]{64}$/);
  assert.equal(record.heldoutIds.length, 2);
  await assert.rejects(splitFile(data, dir), (e: Error) => e instanceof SplitExistsError && e.message === `${files.train} and ${files.heldout} already exist`);
  writeFileSync(files.heldout, '');
  const { unlinkSync } = await import('node:fs');
  unlinkSync(files.train);
  await assert.rejects(splitFile(data, dir), (e: Error) => e.message === `${files.heldout} already exists`);
  const again = await splitFile(data, dir, { overwrite: true, seed: 5, fraction: 0.1, stratifyBy: 'metadata.source' });
  assert.equal(again.heldout, 2);
  assert.equal(JSON.parse(readFileSync(files.record, 'utf8')).stratifyBy, 'metadata.source');
});

test('splitFile: the split record as written (indented, one key a line, a final newline); one prompt only: all in train, an empty held-out file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ftstudio-split-record-'));
  try {
    const data = join(dir, 'one.jsonl');
    const same = [JSON.stringify({ prompt: 'Same?', completion: 'a' }), JSON.stringify({ prompt: 'Same?', completion: 'b' })];
    writeFileSync(data, same.join('\n') + '\n');
    const r = await splitFile(data, dir);
    assert.deepEqual([r.train, r.heldout, r.unreadable], [2, 0, 0]);
    assert.deepEqual(r.plan.warnings, ['fewer than 2 distinct prompts: nothing can be held out']);
    assert.equal(readFileSync(r.files.train, 'utf8'), same.join('\n') + '\n');
    assert.equal(readFileSync(r.files.heldout, 'utf8'), '');
    const text = readFileSync(r.files.record, 'utf8');
    const { createHash } = await import('node:crypto');
    const createdAt = JSON.parse(text).createdAt as string;
    assert.match(createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(
      text,
      [
        '{',
        '  "v": 1,',
        '  "dataset": "one.jsonl",',
        `  "sha256": "${createHash('sha256').update(readFileSync(data)).digest('hex')}",`,
        '  "seed": 0,',
        '  "fraction": 0.1,',
        '  "stratifyBy": null,',
        `  "createdAt": "${createdAt}",`,
        '  "train": 2,',
        '  "heldout": 0,',
        '  "heldoutIds": []',
        '}',
        '',
      ].join('\n'),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('planSplit: records sharing a prompt go together, every one of their ids listed; the records count is every ref', () => {
  const refs = indexLines(
    [JSON.stringify({ prompt: 'A?', completion: '1' }), JSON.stringify({ prompt: 'A?', completion: '2' }), JSON.stringify({ prompt: 'B?', completion: '3' })],
    { withPrompt: true },
  );
  for (const seed of [0, 1, 2, 3, 4, 5]) {
    const plan = planSplit(refs, { seed, fraction: 0.1 });
    assert.equal(plan.records, 3);
    assert.equal(plan.seed, seed);
    const held = [...plan.heldoutLines].sort();
    assert.ok(JSON.stringify(held) === '[1,2]' || JSON.stringify(held) === '[3]', `seed ${seed}: one prompt's records held out, ${JSON.stringify(held)}`);
    assert.deepEqual(
      plan.heldoutIds,
      held.map((l) => refs[l - 1]!.id),
    );
    assert.deepEqual(plan.warnings, [], 'a fraction in the advised range, and the "all of them" warning is not a split warning');
  }
  const warned = planSplit(refs, { fraction: 0.5 });
  assert.deepEqual(warned.warnings, ['fraction 0.5 is outside the advised 10–15%']);
});

// The held-out split keeps a prompt's records together and keeps every line it cannot read in the train
// file (core/sampling/split; written for mutants that survived `STRYKER_FOLDER=sampling npm run mutate`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { indexLines } from '../../src/core/records/recordIndex';
import { planSplit, splitFile } from '../../src/core/sampling/split';

const pair = (p: number, c: number) => JSON.stringify({ prompt: `Question ${p}?`, completion: `Answer ${p}.${c}` });

test('records that share a prompt are held out together, with all their ids', () => {
  const lines = Array.from({ length: 40 }, (_, i) => pair(i % 20, Math.floor(i / 20)));
  const refs = indexLines(lines, { withPrompt: true });
  const plan = planSplit(refs, { fraction: 0.1, seed: 2 });
  assert.equal(plan.heldoutLines.size, 4, '2 of 20 prompts, 2 records each');
  const prompts = [...plan.heldoutLines].map((l) => JSON.parse(lines[l - 1]!).prompt as string);
  assert.equal(new Set(prompts).size, 2);
  const byLine = new Map(refs.map((r) => [r.line, r.id]));
  assert.deepEqual(new Set(plan.heldoutIds), new Set([...plan.heldoutLines].map((l) => byLine.get(l))));
  assert.equal(plan.heldoutIds.length, 4);
});

test('the sample\'s "all of them" warning is not a split warning; the advised range is 10–15%', () => {
  const two = indexLines([pair(1, 0), pair(2, 0)], { withPrompt: true });
  assert.deepEqual(planSplit(two, { fraction: 0.9 }).warnings, ['fraction 0.9 is outside the advised 10–15%']);
  const many = indexLines(
    Array.from({ length: 100 }, (_, i) => pair(i, 0)),
    { withPrompt: true },
  );
  assert.deepEqual(planSplit(many, { fraction: 0.15 }).warnings, []);
  assert.equal(planSplit(many, { seed: 4 }).seed, 4);
});

test('splitFile: a line that is not a JSON object stays in the train file and is counted; whitespace-only lines are dropped', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ftstudio-split-groups-'));
  try {
    const data = join(dir, 'd.jsonl');
    const good = Array.from({ length: 20 }, (_, i) => pair(i, 0));
    writeFileSync(data, [good[0], '   ', 'not json', ...good.slice(1)].join('\n') + '\n');
    const r = await splitFile(data, dir, { seed: 1 });
    assert.equal(r.unreadable, 1);
    assert.equal(r.train + r.heldout, 21);
    const train = readFileSync(r.files.train, 'utf8').split('\n');
    assert.ok(train.includes('not json'));
    assert.ok(!train.includes('   '));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

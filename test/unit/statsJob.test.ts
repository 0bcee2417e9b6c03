// The Dataset Report's numbers on a worker thread (validation/statsJob.ts): the result, progress, cancellation
// and a failure, as the report panel meets them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { statsOnWorker } from '../../src/core/validation/statsJob';

const dir = mkdtempSync(join(tmpdir(), 'ftstudio-stats-job-'));
const file = join(dir, 'train.jsonl');
writeFileSync(file, Array.from({ length: 30 }, (_, i) => JSON.stringify({ prompt: `Question ${i % 25}?`, completion: `Answer ${i % 25}.` })).join('\n') + '\n');

test('the stats of a file, computed on the worker, with progress up to the whole', async () => {
  const progress: [number, number, string][] = [];
  const stats = await statsOnWorker({ path: file, maxSeqLength: 512 }, (done, total, what) => progress.push([done, total, what]));
  assert.equal(stats.records, 30);
  assert.equal(stats.format, 'prompt-completion');
  assert.equal(stats.duplicates.groups.length, 5, 'records 25-29 repeat 0-4');
  assert.ok(progress.length >= 1, 'progress reported');
  const [done, total] = progress[progress.length - 1]!;
  assert.equal(done, total, 'the last progress is the whole');
});

test('an aborted signal rejects with "cancelled" (before and while the worker runs)', async () => {
  const before = new AbortController();
  before.abort();
  await assert.rejects(
    statsOnWorker({ path: file, maxSeqLength: 512 }, () => {}, before.signal),
    /^Error: cancelled$/,
  );
  const during = new AbortController();
  const p = statsOnWorker({ path: file, maxSeqLength: 512 }, () => {}, during.signal);
  during.abort();
  await assert.rejects(p, /^Error: cancelled$/);
});

test("a file the worker cannot read rejects with the worker's message", async () => {
  await assert.rejects(
    statsOnWorker({ path: join(dir, 'missing.jsonl'), maxSeqLength: 512 }, () => {}),
    /missing\.jsonl/,
  );
});

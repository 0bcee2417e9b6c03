// A record nested thousands of levels deep: JSON.parse reads it, but Python's json module (every trainer) raises
// RecursionError near 1,000 levels, and our own walks (hash, ids, schema, token counts) recursed until the stack
// overflowed, which threw out of the whole file's validation, the statistics and the review sample.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOO_DEEP } from '../../src/core/checks/analyzeLine';
import { validateText } from '../../src/core/checks/datasetModel';
import { validateDataset } from '../../src/core/validation/validateDataset';
import { datasetStats } from '../../src/core/insight/stats';
import { indexFile, indexLines } from '../../src/core/records/recordIndex';
import { contentHash, lastHashTooDeep, MAX_NESTING, nestsTooDeep } from '../../src/core/records/identity';
import { estimateTokenCounter } from '../../src/core/tokens/tokenCounter';
import { OPTS } from './helpers';

/** A text record whose "m" holds lists nested so that the record's depth is `depth` (the record itself is level 1). */
const nested = (depth: number, text = 'x') => `{"text": "${text}", "m": ${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;

test('the nesting limit is where Python gives up, less a margin: 900 levels are read, 901 are too deep', () => {
  assert.equal(MAX_NESTING, 900);
  assert.equal(nestsTooDeep(JSON.parse(nested(900))), false);
  assert.equal(nestsTooDeep(JSON.parse(nested(901))), true);
  assert.equal(nestsTooDeep(JSON.parse(nested(100_000))), true);
  assert.equal(nestsTooDeep('text'), false);
  assert.equal(nestsTooDeep({ a: [{ b: [1, 'two', null] }] }), false);
  // objects count as levels as lists do
  const objects = JSON.parse('{"a":'.repeat(900) + '1' + '}'.repeat(900));
  assert.equal(nestsTooDeep(objects), false);
  assert.equal(nestsTooDeep({ wrap: objects }), true);
  contentHash(JSON.parse(nested(901)));
  assert.equal(lastHashTooDeep(), true);
  contentHash(JSON.parse(nested(900)));
  assert.equal(lastHashTooDeep(), false, 'each hash starts afresh');
});

test('validation: a too-deep line is one invalid-json error on its line, and the other lines are still checked', () => {
  const lines = [nested(100_000), nested(901, 'y'), nested(900, 'z'), '{"text": "fine"}', '{"text": "fine"}'];
  const r = validateText(lines.join('\n'), OPTS);
  assert.deepEqual(
    r.diagnostics.map((d) => [d.line, d.code, d.severity]),
    [
      [0, 'invalid-json', 'error'],
      [1, 'invalid-json', 'error'],
      [4, 'duplicate', 'warning'],
    ],
  );
  assert.equal(r.diagnostics[0]!.message, TOO_DEEP);
  assert.match(TOO_DEEP, /more than 900 levels, and Python's json module .* RecursionError near 1,000\. Flatten it\.$/);
  assert.deepEqual([r.diagnostics[0]!.start, r.diagnostics[0]!.end], [0, lines[0]!.length]);
});

test('a file with a too-deep line: validation with near-duplicates, the statistics and the review index all finish', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ftstudio-deep-'));
  try {
    const file = join(dir, 'deep.jsonl');
    writeFileSync(file, [nested(100_000), '{"text": "one fine record"}', '{"text": "another fine record"}'].join('\n') + '\n');
    const v = await validateDataset(file, OPTS, { nearDuplicates: true });
    assert.deepEqual(
      v.diagnostics.map((d) => [d.line, d.code]),
      [[0, 'invalid-json']],
    );
    const s = await datasetStats(file, { counter: estimateTokenCounter(), maxSeqLength: 600 });
    assert.equal(s.records, 2, 'the too-deep line is not a record');
    assert.deepEqual(
      (await indexFile(file, { withPrompt: true })).map((x) => x.line),
      [2, 3],
    );
    assert.deepEqual(
      indexLines([nested(901), nested(900)]).map((x) => x.line),
      [2],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

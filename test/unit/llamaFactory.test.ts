// LLaMA-Factory's dataset_info.json registry (src/core/formats/llamaFactory.ts): which entry names a file,
// and the format and problems that entry gives it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { datasetInfoFor, DATASET_INFO } from '../../src/core/formats/llamaFactory';

/** A fresh data folder holding `registry` as its dataset_info.json; returns the folder. */
function registryDir(registry: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'ftstudio-lfreg-'));
  writeFileSync(join(dir, DATASET_INFO), JSON.stringify(registry));
  return dir;
}

test('dataset_info.json: null and non-object entries are skipped, the entry naming the file is still found', () => {
  // pins: a registry with a null placeholder entry (hand-edited files have them) does not stop the lookup
  const dir = registryDir({ placeholder: null, note: 'see README', count: 3, chat: { file_name: 'chat.jsonl', formatting: 'sharegpt' } });
  const info = datasetInfoFor(join(dir, 'chat.jsonl'));
  assert.equal(info?.name, 'chat');
  assert.equal(info?.format, 'sharegpt');
});

test('dataset_info.json: a plain ShareGPT set has no problems; only a ranking set with role/content tags is flagged', () => {
  // pins: the "ranking set with role/content tags" problem is reported for that combination only
  const dir = registryDir({
    plain: { file_name: 'plain.jsonl', formatting: 'sharegpt' },
    openai: { file_name: 'openai.jsonl', formatting: 'sharegpt', tags: { role_tag: 'role', content_tag: 'content' } },
    ranked: { file_name: 'ranked.jsonl', formatting: 'sharegpt', ranking: true },
    rankedOpenai: { file_name: 'ranked-openai.jsonl', formatting: 'sharegpt', ranking: true, tags: { role_tag: 'role', content_tag: 'content' } },
  });
  const plain = datasetInfoFor(join(dir, 'plain.jsonl'));
  assert.equal(plain?.format, 'sharegpt');
  assert.deepEqual(plain?.problems, []);
  const openai = datasetInfoFor(join(dir, 'openai.jsonl'));
  assert.equal(openai?.format, 'language-modeling');
  assert.deepEqual(openai?.problems, []);
  const ranked = datasetInfoFor(join(dir, 'ranked.jsonl'));
  assert.equal(ranked?.format, 'sharegpt-preference');
  assert.deepEqual(ranked?.problems, []);
  const rankedOpenai = datasetInfoFor(join(dir, 'ranked-openai.jsonl'));
  assert.equal(rankedOpenai?.format, 'sharegpt-preference');
  assert.deepEqual(rankedOpenai?.problems, [
    'dataset_info.json: "rankedOpenai" is a ranking set with role/content tags; its turns are checked as ShareGPT (from/value) turns',
  ]);
});

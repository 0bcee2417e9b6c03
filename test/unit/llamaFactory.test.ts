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

test('retagTurns: a turn under role/text tags keeps a stray "from" key apart as "(from)", not over the role', async () => {
  // pins: a file key that collides with our ShareGPT key is renamed "(from)", so the role read from the registry's tag wins
  const { retagTurns } = await import('../../src/core/formats/llamaFactory');
  const out = retagTurns({ conversations: [{ role: 'user', text: 'hi', from: 'web' }] }, { role: 'role', content: 'text', roles: {} });
  assert.deepEqual({ ...(out.conversations as object[])[0] }, { from: 'user', value: 'hi', '(from)': 'web' });
});

test('dataset_info.json: the key map holds only the keys that differ from ours (ShareGPT defaults, role/content sets, alpaca ranking)', () => {
  // pins: keyMap per format: nothing for a default ShareGPT or messages set, the default instruction/input for an alpaca ranking set
  const dir = registryDir({
    plain: { file_name: 'plain.jsonl', formatting: 'sharegpt', columns: { messages: 'conversations', images: 'images' } },
    openai: {
      file_name: 'openai.jsonl',
      formatting: 'sharegpt',
      columns: { messages: 'messages', images: 'images', videos: 'videos' },
      tags: { role_tag: 'role', content_tag: 'content' },
    },
    ranked: { file_name: 'ranked.jsonl', ranking: true, columns: { chosen: 'chosen', rejected: 'rejected' } },
  });
  assert.deepEqual(datasetInfoFor(join(dir, 'plain.jsonl'))?.keyMap, {});
  const openai = datasetInfoFor(join(dir, 'openai.jsonl'));
  assert.equal(openai?.format, 'language-modeling');
  assert.deepEqual(openai?.keyMap, {});
  const ranked = datasetInfoFor(join(dir, 'ranked.jsonl'));
  assert.equal(ranked?.format, 'preference');
  assert.deepEqual(ranked?.keyMap, { instruction: 'prompt', input: '' });
});

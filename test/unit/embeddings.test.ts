// Local embeddings: the pair search and the messages for a folder that is not a model. (The vectors
// themselves are held to Python's onnxruntime in trainer/tests/test_node_embeddings.py.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cosine, embeddingModelChoice, embeddingText, findSemanticPairs, loadEmbedder } from '../../src/core/insight/embeddings';
import { normalise } from '../../src/core/insight/embedModel';

const v = (...x: number[]) => normalise(Float32Array.from(x));

test('cosine and the pairs at or above a threshold, within a set and across two', () => {
  assert.ok(Math.abs(cosine(v(1, 0), v(1, 1)) - Math.SQRT1_2) < 1e-6);
  assert.equal(cosine(v(1, 0), v(0, 1)), 0);
  const a = [v(1, 0, 0), v(0.99, 0.1, 0), v(0, 1, 0), v(1, 0, 0)];
  const within = findSemanticPairs(a, undefined, 0.99).map(([i, j]) => [i, j]);
  assert.deepEqual(within, [
    [0, 1],
    [0, 3],
    [1, 3],
  ]);
  const across = findSemanticPairs(a, [v(0, 1, 0.01), v(0, 0, 1)], 0.99).map(([i, j]) => [i, j]);
  assert.deepEqual(across, [[2, 0]]);
  const [[, , c]] = findSemanticPairs([v(1, 0)], [v(1, 0)], 0.5) as [[number, number, number]];
  assert.ok(Math.abs(c - 1) < 1e-6);
});

test('a folder without model.onnx or tokenizer.json is named, with what to do', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ftstudio-embed-'));
  await assert.rejects(loadEmbedder(join(dir, 'absent')), /absent does not exist/);
  mkdirSync(join(dir, 'half'));
  writeFileSync(join(dir, 'half', 'tokenizer.json'), '{}');
  await assert.rejects(loadEmbedder(join(dir, 'half')), /has no model\.onnx: export the model to ONNX/);
  writeFileSync(join(dir, 'half', 'model.onnx'), 'not a model');
  await assert.rejects(loadEmbedder(join(dir, 'half')), /cannot (read the tokenizer|be loaded by onnxruntime)/);
});

test('the text embedded for a record: its turns or fields, a preference record its prompt and chosen answer', () => {
  const messages = [
    { role: 'user', content: 'Hi?' },
    { role: 'assistant', content: 'Hello.' },
  ];
  assert.equal(embeddingText({ messages }, 'language-modeling'), 'Hi?\nHello.');
  assert.equal(embeddingText({ prompt: 'Q ', completion: 'A' }, 'prompt-completion'), 'Q A');
  assert.equal(embeddingText({ prompt: 'Q', chosen: 'yes', rejected: 'no' }, 'preference'), 'Q\nyes');
});

test('the embedding model: finetune.json over the setting, not from finetune.json in Restricted Mode, off with a reason', () => {
  const root = mkdtempSync(join(tmpdir(), 'ftstudio-embed-choice-'));
  for (const d of ['project-model', 'user-model']) {
    mkdirSync(join(root, d));
    writeFileSync(join(root, d, 'model.onnx'), '');
    writeFileSync(join(root, d, 'tokenizer.json'), '{}');
  }
  const project = join(root, 'project-model');
  assert.deepEqual(embeddingModelChoice({ project, setting: join(root, 'user-model'), trusted: true }), {
    dir: project,
    from: 'finetune.json embeddings.model',
  });
  const untrusted = embeddingModelChoice({ project, setting: 'user-model', trusted: false, workspaceRoot: root });
  assert.deepEqual(untrusted, { dir: join(root, 'user-model'), from: 'the setting finetuneStudio.embeddings.model' });
  const off = embeddingModelChoice({ project, trusted: false });
  assert.ok('off' in off && /Restricted Mode/.test(off.off), JSON.stringify(off));
  const none = embeddingModelChoice({ trusted: true });
  assert.ok('off' in none && /semantic checks are off: no embedding model/.test(none.off));
  const broken = embeddingModelChoice({ setting: join(root, 'nothing'), trusted: true });
  assert.ok('off' in broken && /nothing does not exist/.test(broken.off));
});

test('embedderFolderProblem: a folder without either file names both missing files', async () => {
  const { embedderFolderProblem } = await import('../../src/core/insight/embedModel');
  const dir = mkdtempSync(join(tmpdir(), 'ftstudio-embedder-empty-'));
  // pins: the full message for an empty model folder, both files joined by "and no"
  assert.equal(embedderFolderProblem(dir), `${dir} has no model.onnx and no tokenizer.json: export the model to ONNX (README, "Local embeddings")`);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectFormat, editDistance, isNear } from '../../src/core/formats/formats';
import { validateText } from '../../src/core/checks/datasetModel';
import { OPTS } from './helpers';

const u = { role: 'user', content: 'q' };
const a = { role: 'assistant', content: 'x' };

test('detects every format and its shape from the keys of a record', () => {
  const cases: [object, string, boolean][] = [
    [{ text: 't' }, 'language-modeling', false],
    [{ messages: [u, a] }, 'language-modeling', true],
    [{ prompt: 'p' }, 'prompt-only', false],
    [{ prompt: [u] }, 'prompt-only', true],
    [{ prompt: 'p', completion: 'c' }, 'prompt-completion', false],
    [{ prompt: [u], completion: [a] }, 'prompt-completion', true],
    [{ prompt: 'p', chosen: 'c', rejected: 'r' }, 'preference', false],
    [{ chosen: 'c', rejected: 'r' }, 'preference', false],
    [{ chosen: [u, a], rejected: [u, a] }, 'preference', true],
    [{ prompt: 'p', completion: 'c', label: true }, 'unpaired-preference', false],
    [{ prompt: [u], completion: [a], label: false }, 'unpaired-preference', true],
    [{ input: { messages: [u] }, preferred_output: [a], non_preferred_output: [a] }, 'openai-preference', true],
    [{ instruction: 'i', input: '', output: 'o' }, 'alpaca', false],
    [{ conversations: [{ from: 'human', value: 'q' }] }, 'sharegpt', true],
  ];
  for (const [rec, format, conv] of cases) {
    const d = detectFormat(rec as Record<string, unknown>);
    assert.equal(d?.format, format, JSON.stringify(rec));
    assert.equal(d?.conversational, conv, JSON.stringify(rec));
    assert.equal(d?.exact, true);
  }
});

test('a record with a misspelt key is matched to the format it was meant to be', () => {
  assert.equal(detectFormat({ prompt: 'p', chosen: 'c', rejceted: 'r' })?.format, 'preference');
  assert.equal(detectFormat({ prompt: 'p', completoin: 'c' })?.format, 'prompt-completion');
  assert.equal(detectFormat({ instruction: 'i', ouput: 'o' })?.format, 'alpaca');
  assert.equal(detectFormat({ conversation: [] })?.format, 'sharegpt');
  assert.equal(detectFormat({ foo: 1 }), undefined);
});

test('the file format is the majority of its lines; a forced format overrides it', () => {
  const lines = ['{"prompt":"a","completion":"b"}', '{"prompt":"c","completion":"d"}', '{"text":"e"}'];
  const r = validateText(lines.join('\n'), OPTS);
  assert.equal(r.format, 'prompt-completion');
  assert.deepEqual(
    r.diagnostics.map((d) => `${d.line}:${d.code}`),
    ['2:format-mismatch'],
  );
  const forced = validateText(lines.join('\n'), { ...OPTS, format: 'language-modeling' });
  assert.equal(forced.format, 'language-modeling');
  assert.deepEqual(
    forced.diagnostics.map((d) => `${d.line}:${d.code}`),
    ['0:missing-key', '0:unexpected-key', '0:unexpected-key', '1:missing-key', '1:unexpected-key', '1:unexpected-key'],
  );
});

test('edit distance counts a swap of neighbours as one edit', () => {
  assert.equal(editDistance('rejceted', 'rejected'), 1);
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(isNear('Rejected', 'rejected'), true);
  assert.equal(isNear('metadata', 'rejected'), false);
});

test('evaluation sets (held-out, test, golden) are exempt from the training-set minimum', async () => {
  const { isEvaluationSet } = await import('../../src/core/project/projectConfig');
  for (const p of ['data/qa.heldout.jsonl', 'golden.jsonl', 'x/golden-set.jsonl', 'qa_test.jsonl', 'eval.jsonl', 'a.held-out.jsonl'])
    assert.equal(isEvaluationSet(p), true, p);
  for (const p of ['train.jsonl', 'qa.train.jsonl', 'contest.jsonl', 'latest.jsonl', 'evaluation-notes.md']) assert.equal(isEvaluationSet(p), false, p);
});

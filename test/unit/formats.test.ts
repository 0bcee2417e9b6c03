import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectFormat, editDistance, isNear } from '../../src/core/formats/formats';
import { validateText } from '../../src/core/checks/datasetModel';
import { diags, OPTS } from './helpers';

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

test('a prompt beside a misspelt "chosen" is a guessed preference record, not an exact prompt-only one', () => {
  // pins: exactFormat defers to the fuzzy match when another key is a typo of chosen
  assert.deepEqual(detectFormat({ prompt: 'p', chosne: 'c' }), { format: 'preference', conversational: false, exact: false });
  assert.deepEqual(detectFormat({ prompt: 'p', lable: true }), { format: 'unpaired-preference', conversational: false, exact: false });
});

test('edit distance: only a real swap of two neighbours counts as one edit', () => {
  // pins: "ab" -> "xa" is two substitutions (no swap: b is not in "xa"), and "xtxt" is not a typo of "text"
  assert.equal(editDistance('ab', 'xa'), 2);
  assert.equal(editDistance('ba', 'ab'), 1);
  assert.equal(isNear('xtxt', 'text'), false);
});

test('ShareGPT turns (conversations, and chosen / rejected of a ranking set) are checked against the ShareGPT turn keys', () => {
  // pins: the "allowed keys" of an unexpected key and the "did you mean" name ShareGPT's from/value keys, not role/content
  const turns = [{ from: 'human', value: 'hi' }];
  const msgs = (rec: object) => diags([rec]).map((d) => `${d.code}: ${d.message}`);
  assert.deepEqual(msgs({ conversations: [...turns, { from: 'gpt', value: 'yo', zzz: 1 }] }), [
    'unexpected-key: Unexpected key "zzz" in conversations[1]: allowed keys are from, value, weight, loss_weight.',
  ]);
  assert.deepEqual(msgs({ conversations: turns, chosen: { from: 'gpt', value: 'a', zzz: 1 }, rejected: { from: 'gpt', value: 'b' } }), [
    'unexpected-key: Unexpected key "zzz" in chosen: allowed keys are from, value, weight, loss_weight.',
  ]);
  assert.deepEqual(msgs({ conversations: turns, chosen: { from: 'gpt', value: 'a' }, rejected: { from: 'gpt', value: 'b', lossweight: 1 } }), [
    'misspelt-key: Unknown key "lossweight" in rejected: did you mean "loss_weight"?',
  ]);
});

test('evaluation sets (held-out, test, golden) are exempt from the training-set minimum', async () => {
  const { isEvaluationSet } = await import('../../src/core/project/projectConfig');
  for (const p of ['data/qa.heldout.jsonl', 'golden.jsonl', 'x/golden-set.jsonl', 'qa_test.jsonl', 'eval.jsonl', 'a.held-out.jsonl'])
    assert.equal(isEvaluationSet(p), true, p);
  for (const p of ['train.jsonl', 'qa.train.jsonl', 'contest.jsonl', 'latest.jsonl', 'evaluation-notes.md']) assert.equal(isEvaluationSet(p), false, p);
});

test('a prompt with an unrelated extra key (an id) is still an exact prompt-only record', () => {
  // pins: only keys near completion/chosen/rejected/label turn a prompt record into a fuzzy guess
  assert.deepEqual(detectFormat({ id: 'r1', prompt: 'p' }), { format: 'prompt-only', conversational: false, exact: true });
});

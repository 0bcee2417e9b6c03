import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeVariant, detectFormat, editDistance, isNear, nearest, nearestKey, variantKey } from '../../src/core/formats/formats';
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

test('detectFormat: exact and guessed formats, with the shape read from the turn keys', () => {
  const seen = (rec: object) => {
    const d = detectFormat(rec as Record<string, unknown>);
    return d && [d.format, d.conversational, d.exact];
  };
  // guesses from misspelt or missing keys
  assert.deepEqual(seen({ promt: 'p', completion: 'c' }), ['prompt-completion', false, false]);
  assert.deepEqual(seen({ prompt: 'p', completon: 'c' }), ['prompt-completion', false, false]);
  assert.deepEqual(seen({ completion: 'c' }), ['prompt-completion', false, false]);
  assert.deepEqual(seen({ instruction: 'i', ouput: 'o' }), ['alpaca', false, false]);
  assert.deepEqual(seen({ output: 'o' }), ['alpaca', false, false]);
  assert.deepEqual(seen({ conversation: [] }), ['sharegpt', true, false]);
  assert.deepEqual(seen({ prompt: 'p', chosen: 'c' }), ['preference', false, false]);
  assert.deepEqual(seen({ chosen: 'c' }), ['preference', false, false]);
  assert.deepEqual(seen({ labels: [], completions: [] }), ['stepwise-supervision', false, false]);
  // language-modeling is guessed only from its own keys, never from a near miss
  assert.equal(seen({ txt: 'a' }), undefined);
  assert.equal(seen({ mesages: [] }), undefined);
  assert.equal(seen({ foo: 1 }), undefined);
  assert.equal(seen({}), undefined);
  // exact
  assert.deepEqual(seen({ preferred_output: [] }), ['openai-preference', true, true]);
  assert.deepEqual(seen({ non_preferred_output: [] }), ['openai-preference', true, true]);
  assert.deepEqual(seen({ prompt: 'p', completions: [] }), ['stepwise-supervision', false, true]);
  assert.deepEqual(seen({ prompt: 'p', completion: 'c', labl: true }), ['prompt-completion', false, true]);
  assert.deepEqual(seen({ conversations: [], chosen: {}, rejected: {} }), ['sharegpt-preference', true, true]);
  assert.deepEqual(seen({ chosen: [], rejected: 'r' }), ['preference', true, true]);
  // text wins over messages for the shape; the first turn key present decides it
  assert.deepEqual(seen({ text: 't', messages: [] }), ['language-modeling', false, true]);
  assert.deepEqual(seen({ prompt: [], completion: 'c' }), ['prompt-completion', true, true]);
  assert.deepEqual(seen({ prompt: 'p', completion: [] }), ['prompt-completion', false, true]);
  assert.deepEqual(seen({ prompt: 'p', complete: 'x' }), ['prompt-only', false, true]);
  // a key near "label" makes a prompt a guess, not prompt-only
  assert.deepEqual(seen({ prompt: 'p', lable: true }), ['unpaired-preference', false, false]);
});

test('describeVariant, variantKey, isNear, nearest and nearestKey', () => {
  assert.equal(describeVariant({ format: 'prompt-completion', conversational: true }), 'conversational prompt-completion');
  assert.equal(describeVariant({ format: 'prompt-completion', conversational: false }), 'standard prompt-completion');
  assert.equal(describeVariant({ format: 'sharegpt', conversational: true }), 'sharegpt');
  assert.equal(describeVariant({ format: 'alpaca', conversational: false }), 'alpaca');
  assert.equal(describeVariant({ format: 'golden', conversational: false }), 'golden');
  assert.equal(variantKey('alpaca', false), 'alpaca');
  assert.equal(variantKey('alpaca', true), 'alpaca:conversational');
  assert.equal(variantKey('preference', true), variantKey('preference', true));
  // isNear: case and surrounding blanks do not count; the key itself is not a misspelling of itself
  assert.equal(isNear('Prompt', 'prompt'), true);
  assert.equal(isNear(' prompt ', 'prompt'), true);
  assert.equal(isNear('prompt', 'prompt'), false);
  assert.equal(isNear('promp', 'prompt'), true);
  assert.equal(isNear('prmp', 'prompt'), true);
  assert.equal(isNear('prm', 'prompt'), false);
  // four letters or fewer: one edit
  assert.equal(isNear('tex', 'text'), true);
  assert.equal(isNear('te', 'text'), false);
  assert.equal(isNear('txet', 'text'), true);
  assert.equal(isNear('tx', 'te'), true);
  assert.equal(isNear('xy', 'te'), false);
  // nearest: case-insensitive and trimmed, the first of equals, within the candidate's limit
  assert.equal(
    nearest('usr', ['user', 'use'], () => 1),
    'user',
  );
  assert.equal(
    nearest('USR', ['user'], () => 1),
    'user',
  );
  assert.equal(
    nearest(' User ', ['user'], () => 0),
    'user',
  );
  assert.equal(
    nearest('x', [], () => 3),
    undefined,
  );
  assert.equal(
    nearest('abcd', ['abxy', 'abcx'], () => 2),
    'abcx',
  );
  assert.equal(
    nearest('abcd', ['wxyz'], () => 3),
    undefined,
  );
  assert.equal(
    nearest('abcd', ['wxyz'], () => 4),
    'wxyz',
  );
  assert.equal(nearestKey('prompt', ['prompt', 'promp']), 'promp');
  assert.equal(nearestKey('promt', ['prompt']), 'prompt');
  assert.equal(nearestKey('zzz', ['prompt']), undefined);
});

test('editDistance: bounded by max, a swap of neighbours is one edit', () => {
  assert.equal(editDistance('abc', 'abcdefg'), 4);
  assert.equal(editDistance('abc', 'abcdefg', 5), 4);
  assert.equal(editDistance('abc', 'abcdef', 3), 3);
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(editDistance('ab', 'ba'), 1);
  assert.equal(editDistance('abc', 'xyz', 1), 2);
  assert.equal(editDistance('', 'ab'), 2);
  assert.equal(editDistance('ab', ''), 2);
  assert.equal(editDistance('abcdef', 'abcfed'), 2);
  assert.equal(editDistance('same', 'same'), 0);
  assert.equal(editDistance('abcdefgh', 'zzzzzzzz', 2), 3);
});

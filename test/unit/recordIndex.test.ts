// Records by identity (src/core/records/recordIndex.ts): the prompt id used by the leakage checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { indexLines } from '../../src/core/records/recordIndex';
import { contentId } from '../../src/core/records/identity';

test('withPrompt: a ShareGPT record and a chat record are keyed by their turns before the last answer', () => {
  // pins: the prompt id is the content id of the turns with the trailing answer turns dropped
  const human = { from: 'human', value: 'Capital of France?' };
  const a = { conversations: [human, { from: 'gpt', value: 'Paris.' }] };
  const b = { conversations: [human, { from: 'gpt', value: 'It is Paris.' }] };
  const user = { role: 'user', content: 'Hi' };
  const chat = { messages: [user, { role: 'assistant', content: 'Hello!' }] };
  const refs = indexLines(
    [a, b, chat].map((r) => JSON.stringify(r)),
    { withPrompt: true },
  );
  assert.equal(refs[0]!.promptId, contentId([human]));
  assert.equal(refs[1]!.promptId, refs[0]!.promptId);
  assert.notEqual(refs[0]!.id, refs[1]!.id);
  assert.equal(refs[2]!.promptId, contentId([user]));
});

test('valueAtPath: dotted keys and array indices; undefined through a missing or primitive step', async () => {
  const { valueAtPath } = await import('../../src/core/records/recordIndex');
  const rec = { metadata: { source: 'web', tags: ['a', 'b'] }, messages: [{ role: 'user' }], n: 0, z: null };
  assert.equal(valueAtPath(rec, 'metadata.source'), 'web');
  assert.equal(valueAtPath(rec, 'metadata.tags.1'), 'b');
  assert.equal(valueAtPath(rec, 'messages.0.role'), 'user');
  assert.deepEqual(valueAtPath(rec, 'metadata'), rec.metadata);
  assert.equal(valueAtPath(rec, 'metadata.missing.deeper'), undefined);
  assert.equal(valueAtPath(rec, 'n.x'), undefined);
  assert.equal(valueAtPath(rec, 'z.x'), undefined);
  assert.equal(valueAtPath('text', 'length'), undefined, 'a primitive has no members');
  assert.equal(valueAtPath(null, 'a'), undefined);
});

test('promptPart: what the model sees before it answers, per format', async () => {
  const { promptPart } = await import('../../src/core/records/recordIndex');
  const user = { role: 'user', content: 'Q' };
  const asst = { role: 'assistant', content: 'A' };
  assert.deepEqual(promptPart({ messages: [user, asst, asst] }), [user], 'every trailing answer turn dropped');
  assert.deepEqual(promptPart({ messages: [user, asst, user] }), [user, asst, user]);
  assert.equal(promptPart({ messages: [asst] }), undefined, 'nothing before the answer');
  assert.equal(promptPart({ messages: 'not turns' }), undefined);
  assert.deepEqual(promptPart({ messages: [null, asst] }), [null]);
  assert.equal(promptPart({ text: 'plain' }), undefined);
  assert.equal(promptPart({ text: 'plain', messages: [user, asst] }), undefined, 'a text record (its messages aside) has no prompt');
  assert.equal(promptPart({ prompt: 'P' }), 'P');
  assert.equal(promptPart({ prompt: 'P', completion: 'C' }), 'P');
  assert.equal(promptPart({ prompt: 'P', completion: 'C', label: true }), 'P');
  assert.equal(promptPart({ prompt: 'P', chosen: 'C', rejected: 'R' }), 'P');
  assert.equal(promptPart({ prompt: 'P', completions: ['a'], labels: [true] }), 'P');
  assert.deepEqual(promptPart({ input: { messages: [user] }, preferred_output: [asst], non_preferred_output: [asst] }), [user]);
  assert.equal(promptPart({ preferred_output: [asst], non_preferred_output: [asst] }), undefined);
  assert.deepEqual(promptPart({ instruction: 'I', input: 'In', output: 'O' }), ['I', 'In']);
  assert.deepEqual(promptPart({ instruction: 'I', output: 'O' }), ['I', '']);
  const human = { from: 'human', value: 'Q' };
  const gpt = { from: 'gpt', value: 'A' };
  assert.deepEqual(promptPart({ conversations: [human, gpt] }), [human]);
  assert.equal(promptPart({ conversations: [gpt] }), undefined);
  assert.equal(promptPart({ conversations: 'abc' }), undefined, 'a string is no list of turns');
  assert.deepEqual(promptPart({ conversations: [human], chosen: gpt, rejected: gpt }), [human]);
  assert.equal(promptPart({ unrelated: 1 }), undefined);
});

test('refOf and indexLines: only lines holding a JSON object; line, id, length; a byte-order mark ignored', async () => {
  const { refOf } = await import('../../src/core/records/recordIndex');
  const line = '{"prompt": "P", "completion": "C"}';
  assert.deepEqual(refOf(line, 7), { line: 7, id: contentId({ prompt: 'P', completion: 'C' }), len: line.length, stratum: undefined, promptId: undefined });
  assert.deepEqual(refOf('\ufeff' + line, 1)?.id, contentId({ prompt: 'P', completion: 'C' }));
  assert.equal(refOf('\ufeff' + line, 1)?.len, line.length + 1);
  for (const bad of ['', '   ', '{"a": ', '[1, 2]', 'null', '3', '"s"']) assert.equal(refOf(bad, 1), undefined, bad);
  const refs = indexLines(['{"a": 1}', '', 'nope', '[]', '{"b": 2}']);
  assert.deepEqual(
    refs.map((r) => [r.line, r.id]),
    [
      [1, contentId({ a: 1 })],
      [5, contentId({ b: 2 })],
    ],
  );
});

test('strata: a string as it is, anything else as canonical JSON, missing or null as "(missing)"; the prompt id only when asked', () => {
  const lines = [
    { prompt: 'P', completion: 'C', meta: { src: 'web' } },
    { prompt: 'P', completion: 'C', meta: { src: { b: 1, a: 2 } } },
    { prompt: 'P', completion: 'C', meta: { src: 3 } },
    { prompt: 'P', completion: 'C', meta: { src: null } },
    { prompt: 'P', completion: 'C' },
    { prompt: 'P', completion: 'C', meta: { src: '' } },
  ].map((r) => JSON.stringify(r));
  assert.deepEqual(
    indexLines(lines, { stratifyBy: 'meta.src' }).map((r) => r.stratum),
    ['web', '{"a":2,"b":1}', '3', '(missing)', '(missing)', ''],
  );
  assert.deepEqual(
    indexLines(lines).map((r) => r.stratum),
    [undefined, undefined, undefined, undefined, undefined, undefined],
  );
  assert.equal(indexLines(lines, { stratifyBy: '' })[0]!.stratum, undefined, 'an empty path: no strata');
  assert.equal(indexLines(lines)[0]!.promptId, undefined);
  assert.equal(indexLines(lines, { withPrompt: true })[0]!.promptId, contentId('P'));
  assert.equal(indexLines(['{"text": "t"}'], { withPrompt: true })[0]!.promptId, undefined, 'no prompt part: no prompt id');
  assert.equal(indexLines(['{"conversations": "abc"}'], { withPrompt: true })[0]!.promptId, undefined);
});

test('indexFile: the same refs as indexLines, lines counted across blank and broken lines', async () => {
  const { indexFile } = await import('../../src/core/records/recordIndex');
  const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'record-index-'));
  try {
    const lines = ['{"prompt": "a", "completion": "b", "m": {"s": "x"}}', '', 'broken', '{"prompt": "c", "completion": "d"}'];
    const p = join(dir, 'd.jsonl');
    writeFileSync(p, lines.join('\n') + '\n');
    const opts = { stratifyBy: 'm.s', withPrompt: true };
    const refs = await indexFile(p, opts);
    assert.deepEqual(refs, indexLines(lines, opts));
    assert.deepEqual(
      refs.map((r) => [r.line, r.stratum, r.promptId]),
      [
        [1, 'x', contentId('a')],
        [4, '(missing)', contentId('c')],
      ],
    );
    assert.deepEqual(await indexFile(p), indexLines(lines));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

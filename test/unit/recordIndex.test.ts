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

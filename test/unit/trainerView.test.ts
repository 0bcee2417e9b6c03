// trainerView: a record as the bundled trainer reads it (trainer/ftstudio_trainer/data.py), the parts the
// token counter counts and whether each is trained.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dpoTriplet, pyJson, sftConversation, sftSegments } from '../../src/core/tokens/trainerView';

test('sftSegments: text, Alpaca (the input only when present), prompt-completion, stepwise steps, prompt-only, anything else as JSON', () => {
  assert.deepEqual(sftSegments({ text: 'All of it.' }), [['All of it.', true]]);
  assert.deepEqual(sftSegments({ instruction: 'Translate.', input: '', output: 'Done.' }), [
    ['Translate.\n\n', false],
    ['Done.', true],
  ]);
  assert.deepEqual(sftSegments({ instruction: 'Translate.', input: 'chat', output: 'Katze' }), [
    ['Translate.\n\nchat\n\n', false],
    ['Katze', true],
  ]);
  // an instruction without an output is not Alpaca: the record as JSON, untrained
  assert.deepEqual(sftSegments({ instruction: 'Translate.' }), [['{"instruction": "Translate."}', false]]);
  assert.deepEqual(sftSegments({ output: 'Done.' }), [['{"output": "Done."}', false]]);
  assert.deepEqual(sftSegments({ prompt: 'Q?', completion: 'A.' }), [
    ['Q?', false],
    ['A.', true],
  ]);
  assert.deepEqual(sftSegments({ prompt: 'Add.', completions: ['2 + 3', 5] }), [
    ['Add.', false],
    ['2 + 3\n5', true],
  ]);
  assert.deepEqual(sftSegments({ prompt: 'Only.' }), [['Only.', false]]);
});

test('sftConversation and dpoTriplet: ShareGPT becomes chat turns, OpenAI preference its three parts', () => {
  assert.deepEqual(
    sftConversation({
      system: 'Be brief.',
      conversations: [
        { from: 'human', value: 'Hi' },
        { from: 'gpt', value: 'Hello' },
      ],
    }),
    [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello' },
    ],
  );
  assert.equal(sftConversation({ prompt: 'Q?', completion: 'A.' }), undefined);
  const openai = {
    input: { messages: [{ role: 'user', content: 'Q?' }] },
    preferred_output: [{ role: 'assistant', content: 'Y' }],
    non_preferred_output: [{ role: 'assistant', content: 'N' }],
  };
  assert.deepEqual(dpoTriplet(openai), [openai.input.messages, openai.preferred_output, openai.non_preferred_output]);
});

test("pyJson writes Python's json.dumps defaults: ', ' and ': ', non-ASCII escaped", () => {
  assert.equal(pyJson({ a: [1, true, null], b: 'é😀' }), '{"a": [1, true, null], "b": "\\u00e9\\ud83d\\ude00"}');
});

test('findTokenizer in the Hugging Face cache: the snapshot refs/main names, else the newest with a tokenizer', async () => {
  const { mkdtempSync, mkdirSync, writeFileSync, utimesSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { findTokenizer } = await import('../../src/core/tokens/tokenizerFiles');
  const hf = mkdtempSync(join(tmpdir(), 'ftstudio-hf-'));
  const repo = join(hf, 'hub', 'models--org--tiny');
  const snap = (name: string, when: number) => {
    mkdirSync(join(repo, 'snapshots', name), { recursive: true });
    writeFileSync(join(repo, 'snapshots', name, 'tokenizer.json'), '{}');
    utimesSync(join(repo, 'snapshots', name), when, when);
  };
  snap('old', 1_000_000);
  snap('new', 2_000_000);
  const dirOf = () => {
    const r = findTokenizer({ model: 'org/tiny', hfHome: hf, env: {} });
    return 'location' in r ? r.location.dir : r.missing;
  };
  assert.equal(dirOf(), join(repo, 'snapshots', 'new'), 'no refs/main: the newest');
  mkdirSync(join(repo, 'refs'));
  writeFileSync(join(repo, 'refs', 'main'), 'old\n');
  assert.equal(dirOf(), join(repo, 'snapshots', 'old'), 'refs/main (its newline trimmed)');
  writeFileSync(join(repo, 'refs', 'main'), 'gone\n');
  assert.equal(dirOf(), join(repo, 'snapshots', 'new'), 'refs/main naming a snapshot that is not there: the newest');
});

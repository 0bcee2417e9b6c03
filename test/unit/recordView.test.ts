// recordParts: every format the review panel shows, turned into the parts a person reads (as text, never markup).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { part, recordParts } from '../../src/core/review/recordView';

const j = (o: unknown) => JSON.stringify(o);

test('not JSON, not an object, an unknown shape: shown raw, labelled', () => {
  assert.deepEqual(recordParts('{"prompt": '), [{ kind: 'raw', label: 'Not valid JSON', text: '{"prompt": ' }]);
  assert.deepEqual(recordParts('[1]'), [{ kind: 'raw', label: 'Not a JSON object', text: '[1]' }]);
  assert.deepEqual(recordParts('null'), [{ kind: 'raw', label: 'Not a JSON object', text: 'null' }]);
  assert.deepEqual(recordParts(j({ foo: 1 })), [{ kind: 'raw', label: 'Record', text: '{\n  "foo": 1\n}' }]);
});

test('language modeling, prompt-only, prompt-completion, unpaired preference', () => {
  assert.deepEqual(recordParts(j({ text: 'Hello.' })), [{ kind: 'text', label: 'Text', text: 'Hello.' }]);
  assert.deepEqual(
    recordParts(
      j({
        messages: [
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: 'Hello' },
        ],
      }),
    ),
    [
      {
        kind: 'turns',
        label: 'Conversation',
        turns: [
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: 'Hello' },
        ],
      },
    ],
  );
  assert.deepEqual(recordParts(j({ prompt: 'Q?' })), [{ kind: 'text', label: 'Prompt', text: 'Q?' }]);
  assert.deepEqual(recordParts(j({ prompt: 'Q?', completion: 'A.' })), [
    { kind: 'text', label: 'Prompt', text: 'Q?' },
    { kind: 'text', label: 'Completion', text: 'A.' },
  ]);
  assert.deepEqual(recordParts(j({ prompt: 'Q?', completion: 'A.', label: false })), [
    { kind: 'text', label: 'Prompt', text: 'Q?' },
    { kind: 'text', label: 'Completion (label: false)', text: 'A.' },
  ]);
});

test('preference pairs side by side: TRL (with and without a prompt) and OpenAI', () => {
  assert.deepEqual(recordParts(j({ prompt: 'Q?', chosen: 'Good.', rejected: 'Bad.' })), [
    { kind: 'text', label: 'Prompt', text: 'Q?' },
    { kind: 'pair', left: { kind: 'text', label: 'Chosen', text: 'Good.' }, right: { kind: 'text', label: 'Rejected', text: 'Bad.' } },
  ]);
  assert.deepEqual(recordParts(j({ chosen: 'Good.', rejected: 'Bad.' })), [
    { kind: 'pair', left: { kind: 'text', label: 'Chosen', text: 'Good.' }, right: { kind: 'text', label: 'Rejected', text: 'Bad.' } },
  ]);
  const openai = {
    input: { messages: [{ role: 'user', content: 'Q?' }] },
    preferred_output: [{ role: 'assistant', content: 'Good.' }],
    non_preferred_output: [{ role: 'assistant', content: 'Bad.' }],
  };
  assert.deepEqual(recordParts(j(openai)), [
    { kind: 'turns', label: 'Prompt', turns: [{ role: 'user', content: 'Q?' }] },
    {
      kind: 'pair',
      left: { kind: 'turns', label: 'Preferred', turns: [{ role: 'assistant', content: 'Good.' }] },
      right: { kind: 'turns', label: 'Non-preferred', turns: [{ role: 'assistant', content: 'Bad.' }] },
    },
  ]);
  // an OpenAI record missing its input still shows (the validator names the defect)
  assert.deepEqual(recordParts(j({ preferred_output: 'Good.', non_preferred_output: 'Bad.' }))[0], { kind: 'text', label: 'Prompt', text: '' });
});

test('Alpaca and ShareGPT: the system and input only when present; ShareGPT preference turns as one-turn lists', () => {
  assert.deepEqual(recordParts(j({ instruction: 'Do it.', input: '', output: 'Done.' })), [
    { kind: 'text', label: 'Instruction', text: 'Do it.' },
    { kind: 'text', label: 'Output', text: 'Done.' },
  ]);
  assert.deepEqual(recordParts(j({ system: 'Be brief.', instruction: 'Do it.', input: 'x', output: 'Done.' })), [
    { kind: 'text', label: 'System', text: 'Be brief.' },
    { kind: 'text', label: 'Instruction', text: 'Do it.' },
    { kind: 'text', label: 'Input', text: 'x' },
    { kind: 'text', label: 'Output', text: 'Done.' },
  ]);
  const conv = [
    { from: 'human', value: 'Hi' },
    { from: 'gpt', value: 'Hello' },
  ];
  assert.deepEqual(recordParts(j({ conversations: conv })), [
    {
      kind: 'turns',
      label: 'Conversation',
      turns: [
        { role: 'human', content: 'Hi' },
        { role: 'gpt', content: 'Hello' },
      ],
    },
  ]);
  assert.deepEqual(
    recordParts(j({ system: 'Be kind.', conversations: conv.slice(0, 1), chosen: { from: 'gpt', value: 'Yes' }, rejected: { from: 'gpt', value: 'No' } })),
    [
      { kind: 'text', label: 'System', text: 'Be kind.' },
      { kind: 'turns', label: 'Conversation', turns: [{ role: 'human', content: 'Hi' }] },
      {
        kind: 'pair',
        left: { kind: 'turns', label: 'Chosen', turns: [{ role: 'gpt', content: 'Yes' }] },
        right: { kind: 'turns', label: 'Rejected', turns: [{ role: 'gpt', content: 'No' }] },
      },
    ],
  );
});

test('stepwise supervision: one part per step with its label', () => {
  assert.deepEqual(recordParts(j({ prompt: 'Add 2 and 3.', completions: ['2 + 3', '= 5'], labels: [true, false] })), [
    { kind: 'text', label: 'Prompt', text: 'Add 2 and 3.' },
    { kind: 'text', label: 'Step 1 (label: true)', text: '2 + 3' },
    { kind: 'text', label: 'Step 2 (label: false)', text: '= 5' },
  ]);
});

test('turn contents: text parts joined, other parts as JSON, tool calls appended, missing values empty', () => {
  const p = part('Conversation', [
    {
      role: 'user',
      content: [
        { type: 'text', text: 'Look:' },
        { type: 'image_url', image_url: { url: 'x.png' } },
      ],
    },
    { role: 'assistant', content: null, tool_calls: [{ id: 'c1' }] },
    { role: 'assistant', content: 'Sure.', tool_calls: [{ id: 'c2' }] },
    { role: 'assistant', content: 'No calls.', tool_calls: [] },
    'not an object',
  ]);
  assert.deepEqual(p, {
    kind: 'turns',
    label: 'Conversation',
    turns: [
      { role: 'user', content: 'Look:\n{"type":"image_url","image_url":{"url":"x.png"}}' },
      { role: 'assistant', content: '[tool calls] [\n  {\n    "id": "c1"\n  }\n]' },
      { role: 'assistant', content: 'Sure.\n[tool calls] [\n  {\n    "id": "c2"\n  }\n]' },
      { role: 'assistant', content: 'No calls.' },
      { role: '?', content: '' },
    ],
  });
  assert.deepEqual(part('Value', { a: 1 }), { kind: 'text', label: 'Value', text: '{\n  "a": 1\n}' });
  assert.deepEqual(part('Missing', undefined), { kind: 'text', label: 'Missing', text: '' });
  assert.deepEqual(part('Turns', [{ value: 'x' }], true), { kind: 'turns', label: 'Turns', turns: [{ role: '?', content: 'x' }] });
});

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

test('the system part only for a non-empty string system; the Alpaca input only for a non-empty string', () => {
  const conv = [{ from: 'human', value: 'Hi' }];
  const chosen = { from: 'gpt', value: 'Yes' };
  const labels = (line: object) => recordParts(j(line)).map((p) => (p.kind === 'pair' ? 'pair' : p.label));
  for (const system of ['', 5, true, ['s'], null]) {
    assert.deepEqual(labels({ system, instruction: 'Do it.', output: 'Done.' }), ['Instruction', 'Output'], `alpaca ${j(system)}`);
    assert.deepEqual(labels({ system, conversations: conv }), ['Conversation'], `sharegpt ${j(system)}`);
    assert.deepEqual(labels({ system, conversations: conv, chosen, rejected: chosen }), ['Conversation', 'pair'], `sharegpt preference ${j(system)}`);
  }
  assert.deepEqual(labels({ system: 'S', conversations: conv }), ['System', 'Conversation']);
  assert.deepEqual(labels({ system: 'S', conversations: conv, chosen, rejected: chosen }), ['System', 'Conversation', 'pair']);
  for (const input of [3, ['x'], null]) assert.deepEqual(labels({ instruction: 'Do it.', input, output: 'Done.' }), ['Instruction', 'Output'], j(input));
});

test('values as text: strings as they are, lists of parts by their text or as JSON, objects indented, null and numbers', () => {
  assert.deepEqual(part('P', 42), { kind: 'text', label: 'P', text: '42' });
  assert.deepEqual(part('P', null), { kind: 'text', label: 'P', text: '' });
  assert.deepEqual(part('P', false), { kind: 'text', label: 'P', text: 'false' });
  assert.deepEqual(part('P', ''), { kind: 'text', label: 'P', text: '' });
  // a list is turns: each turn's content list joined line by line, a part without text as compact JSON
  assert.deepEqual(part('T', [{ role: 'user', content: [{ text: 'a' }, 'b', null, { text: 3 }] }]), {
    kind: 'turns',
    label: 'T',
    turns: [{ role: 'user', content: 'a\n"b"\nnull\n{"text":3}' }],
  });
  assert.deepEqual(part('T', [{ role: 'user', content: { a: [1] } }]), {
    kind: 'turns',
    label: 'T',
    turns: [{ role: 'user', content: '{\n  "a": [\n    1\n  ]\n}' }],
  });
  assert.deepEqual(part('T', [{ role: 7, content: 'x' }]), { kind: 'turns', label: 'T', turns: [{ role: '7', content: 'x' }] });
  assert.deepEqual(part('T', [{ content: 'x' }, null]), {
    kind: 'turns',
    label: 'T',
    turns: [
      { role: '?', content: 'x' },
      { role: '?', content: '' },
    ],
  });
  // ShareGPT turns: from/value, and tool calls are not theirs
  assert.deepEqual(part('S', [{ from: 'gpt', value: 'v', role: 'r', content: 'c', tool_calls: [{ id: 1 }] }], true), {
    kind: 'turns',
    label: 'S',
    turns: [{ role: 'gpt', content: 'v' }],
  });
  assert.deepEqual(part('S', [{ role: 'user', content: 'c' }], true), { kind: 'turns', label: 'S', turns: [{ role: '?', content: '' }] });
});

test('formats with odd values: still shown, never thrown', () => {
  assert.deepEqual(recordParts(j({ messages: null })), [{ kind: 'text', label: 'Conversation', text: '' }]);
  assert.deepEqual(recordParts(j({ text: ['a', 'b'] })), [
    {
      kind: 'turns',
      label: 'Text',
      turns: [
        { role: '?', content: '' },
        { role: '?', content: '' },
      ],
    },
  ]);
  assert.deepEqual(recordParts(j({ prompt: null, chosen: 'C', rejected: 'R' })), [
    { kind: 'text', label: 'Prompt', text: '' },
    { kind: 'pair', left: { kind: 'text', label: 'Chosen', text: 'C' }, right: { kind: 'text', label: 'Rejected', text: 'R' } },
  ]);
  assert.deepEqual(recordParts(j({ prompt: 'Q', completion: 'A', label: 'good' }))[1], { kind: 'text', label: 'Completion (label: "good")', text: 'A' });
  assert.deepEqual(recordParts(j({ prompt: 'Q', completions: 'not a list', labels: [true] })), [{ kind: 'text', label: 'Prompt', text: 'Q' }]);
  assert.deepEqual(recordParts(j({ prompt: 'Q', completions: ['a', 'b'], labels: 'x' })), [
    { kind: 'text', label: 'Prompt', text: 'Q' },
    { kind: 'text', label: 'Step 1 (label: undefined)', text: 'a' },
    { kind: 'text', label: 'Step 2 (label: undefined)', text: 'b' },
  ]);
  // ShareGPT preference sides: a turn shown as a one-turn list, a list as it is, anything else as text
  const conv = [{ from: 'human', value: 'Hi' }];
  assert.deepEqual(
    recordParts(
      j({
        conversations: conv,
        chosen: [
          { from: 'gpt', value: 'A' },
          { from: 'gpt', value: 'B' },
        ],
        rejected: 'plain',
      }),
    )[1],
    {
      kind: 'pair',
      left: {
        kind: 'turns',
        label: 'Chosen',
        turns: [
          { role: 'gpt', content: 'A' },
          { role: 'gpt', content: 'B' },
        ],
      },
      right: { kind: 'text', label: 'Rejected', text: 'plain' },
    },
  );
  assert.deepEqual(recordParts(j({ conversations: conv, chosen: null, rejected: { from: 'gpt', value: 'N' } }))[1], {
    kind: 'pair',
    left: { kind: 'text', label: 'Chosen', text: '' },
    right: { kind: 'turns', label: 'Rejected', turns: [{ role: 'gpt', content: 'N' }] },
  });
  assert.deepEqual(recordParts(j({ input: { messages: [{ role: 'user', content: 'Q' }] }, preferred_output: 'P' }))[1], {
    kind: 'pair',
    left: { kind: 'text', label: 'Preferred', text: 'P' },
    right: { kind: 'text', label: 'Non-preferred', text: '' },
  });
});

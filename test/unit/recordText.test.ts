// recordText (the text the dataset insight compares: near-duplicates, production drift, semantic checks) and the
// report's details that only some datasets reach.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordText } from '../../src/core/insight/recordText';
import { datasetStats } from '../../src/core/insight/stats';
import { reportHtml } from '../../src/core/insight/reportHtml';
import { estimateTokenCounter } from '../../src/core/tokens/tokenCounter';

test("an assistant turn's tool calls are part of its text, on a line of their own after any content", () => {
  const calls = [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{}' } }];
  const withContent = recordText({
    messages: [
      { role: 'user', content: 'Weather?' },
      { role: 'assistant', content: 'Let me check.', tool_calls: calls },
    ],
  });
  assert.equal(withContent.completion.split('\n').slice(-2).join('\n'), `Let me check.\n${JSON.stringify(calls)}`);
  const alone = recordText({
    messages: [
      { role: 'user', content: 'Weather?' },
      { role: 'assistant', content: null, tool_calls: calls },
    ],
  });
  assert.ok(alone.completion.endsWith(JSON.stringify(calls)));
  assert.ok(!alone.completion.includes(`\n${JSON.stringify(calls)}`), 'no empty line before calls that stand alone');
});

test("the dataset's format is the most common one, ties going to the first name; a system prompt is named in the report's templates", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ftstudio-record-text-'));
  const file = join(dir, 'mixed.jsonl');
  const sys = { role: 'system', content: 'You are a careful assistant.' };
  writeFileSync(
    file,
    [
      JSON.stringify({ prompt: 'Q1?', completion: 'A1.' }),
      JSON.stringify({ prompt: 'Q2?', chosen: 'Good.', rejected: 'Bad.' }),
      JSON.stringify({ messages: [sys, { role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello' }] }),
      JSON.stringify({ messages: [sys, { role: 'user', content: 'Bye' }, { role: 'assistant', content: 'Goodbye' }] }),
    ].join('\n') + '\n',
  );
  const stats = await datasetStats(file, { counter: estimateTokenCounter(), maxSeqLength: 512 });
  // two conversational language-modeling records against one each of the others
  assert.equal(stats.format, 'language-modeling');
  const tie = join(dir, 'tie.jsonl');
  writeFileSync(
    tie,
    [JSON.stringify({ prompt: 'Q1?', completion: 'A1.' }), JSON.stringify({ prompt: 'Q2?', chosen: 'Good.', rejected: 'Bad.' })].join('\n') + '\n',
  );
  assert.equal(
    (await datasetStats(tie, { counter: estimateTokenCounter(), maxSeqLength: 512 })).format,
    'preference',
    "'preference' sorts before 'prompt-completion'",
  );
  const tie2 = join(dir, 'tie2.jsonl');
  writeFileSync(
    tie2,
    [JSON.stringify({ prompt: 'Q2?', chosen: 'Good.', rejected: 'Bad.' }), JSON.stringify({ prompt: 'Q1?', completion: 'A1.' })].join('\n') + '\n',
  );
  assert.equal((await datasetStats(tie2, { counter: estimateTokenCounter(), maxSeqLength: 512 })).format, 'preference', 'whatever the order of the lines');
  const html = reportHtml(stats);
  assert.match(html, /<li>[^<]*\(system prompt\): 2<\/li>/);
});

test('the HTML report of a dataset without a goal says so', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ftstudio-no-goal-'));
  const file = join(dir, 'train.jsonl');
  writeFileSync(file, JSON.stringify({ prompt: 'Q?', completion: 'A.' }) + '\n');
  const stats = await datasetStats(file, { counter: estimateTokenCounter(), maxSeqLength: 512 });
  assert.ok(!stats.goal);
  assert.match(reportHtml(stats), /<h2>Size vs goal<\/h2><p>No goal in finetune\.json\.<\/p>/);
});

test('recordText splits chats into prompt and answer by role: function calls are answers, non-object turns are skipped', () => {
  const chat = recordText({
    messages: [null, { role: 'user', content: 'Weather?' }, 'not a turn', { role: 'assistant', content: 'Sunny.' }],
  });
  assert.deepEqual([chat.prompt, chat.completion, chat.turns, chat.roles], ['Weather?', 'Sunny.', 2, ['user', 'assistant']]);
  const sharegpt = recordText({
    conversations: [
      { from: 'human', value: 'Weather in Paris?' },
      { from: 'function_call', value: '{"name": "get_weather"}' },
      { from: 'observation', value: '18 C' },
      { from: 'gpt', value: 'It is 18 C.' },
    ],
  });
  assert.equal(sharegpt.completion, '{"name": "get_weather"}\nIt is 18 C.');
  assert.equal(sharegpt.prompt, 'Weather in Paris?\n18 C');
  assert.deepEqual(recordText({ text: 'Just text.' }), {
    format: 'language-modeling',
    prompt: '',
    completion: 'Just text.',
    turns: 1,
    roles: [],
    template: undefined,
  });
});

test('an OpenAI preference record: the input messages are the prompt (with their roles), both outputs the completion', () => {
  // pins: input.messages are read as role/content turns, not ShareGPT from/value ones
  const r = recordText({
    input: { messages: [{ role: 'user', content: 'Capital of France?' }] },
    preferred_output: [{ role: 'assistant', content: 'Paris.' }],
    non_preferred_output: [{ role: 'assistant', content: 'Lyon.' }],
  });
  assert.equal(r.format, 'openai-preference');
  assert.equal(r.prompt, 'Capital of France?');
  assert.deepEqual(r.roles, ['user', 'assistant', 'assistant']);
});

test('recordText for each format: which fields are prompt and which trained, turns, roles and the template', () => {
  const rt = (r: Record<string, unknown>) => {
    const t = recordText(r);
    return [t.format, t.prompt, t.completion, t.turns, t.roles, t.template];
  };
  // content parts: text parts and strings kept, parts without text dropped; a "model" turn is an answer
  assert.deepEqual(
    rt({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'Hi' }, { type: 'image' }, 'there'] },
        { role: 'model', content: { value: 'Yo' } },
      ],
    }),
    ['language-modeling', 'Be brief.\nHi\nthere', 'Yo', 3, ['system', 'user', 'model'], 'system:be brief'],
  );
  assert.deepEqual(rt({ prompt: [{ role: 'user', content: 'Q' }] }), ['prompt-only', 'Q', '', 1, ['user'], 'q']);
  assert.deepEqual(rt({ prompt: 'Q', completion: 'A' }), ['prompt-completion', 'Q', 'A', 1, [], 'q']);
  assert.deepEqual(rt({ prompt: 'Q', completion: 'A', label: true }), ['unpaired-preference', 'Q', 'A', 1, [], 'q']);
  assert.deepEqual(rt({ prompt: 'Q', chosen: 'C', rejected: 'R' }), ['preference', 'Q', 'C\nR', 1, [], 'q']);
  assert.deepEqual(rt({ instruction: 'Do', input: 'this', output: 'Done', system: 'Sys' }), ['alpaca', 'Sys\nDo\nthis', 'Done', 1, [], 'system:sys']);
  assert.deepEqual(rt({ instruction: 'Do', input: '', output: 'Done' }), ['alpaca', 'Do', 'Done', 1, [], 'do']);
  assert.deepEqual(
    rt({ system: 'S', conversations: [{ from: 'human', value: 'H' }], chosen: { from: 'gpt', value: 'C' }, rejected: { from: 'gpt', value: 'R' } }),
    ['sharegpt-preference', 'S\nH', 'C\nR', 2, ['system', 'human'], 'system:s'],
  );
  assert.deepEqual(
    rt({
      conversations: [
        { from: 'human', value: 'H' },
        { from: 'gpt', value: 'G' },
      ],
    }),
    ['sharegpt', 'H', 'G', 2, ['human', 'gpt'], 'h'],
  );
  // a turn without a role is named "?" and is prompt
  assert.deepEqual(rt({ messages: [{ content: 'no role' }] }), ['language-modeling', 'no role', '', 1, ['?'], undefined]);
  // stepwise supervision: the steps (a list of strings) are the completion (they were dropped as non-object turns)
  assert.deepEqual(rt({ prompt: 'Q', completions: ['s1', 's2'], labels: [true, false] }), ['stepwise-supervision', 'Q', 's1\ns2', 1, [], 'q']);
  assert.deepEqual(rt({ prompt: 'Q', completions: 'not a list', labels: [] }).slice(1, 3), ['Q', '']);
});

test('recordText: an unknown shape is all its strings as prompt, without a template; a forced format reads its own fields', () => {
  assert.deepEqual(recordText({ foo: 'x', bar: ['y', 3], baz: { content: 'z' } }), {
    format: undefined,
    prompt: 'x\ny\nz',
    completion: '',
    turns: 1,
    roles: [],
    template: undefined,
  });
  const forced = recordText({ prompt: 'Q', completion: 'A' }, 'alpaca');
  assert.deepEqual([forced.format, forced.prompt, forced.completion, forced.template], ['alpaca', '', '', undefined]);
  // read as plain ShareGPT, a conversation's chosen / rejected fields are not part of it
  const plain = recordText(
    { conversations: [{ from: 'human', value: 'H' }], chosen: { from: 'gpt', value: 'C' }, rejected: { from: 'gpt', value: 'R' } },
    'sharegpt',
  );
  assert.deepEqual([plain.prompt, plain.completion], ['H', '']);
  // empty turns count as turns but add no empty lines to the text
  const empty = recordText({
    messages: [
      { role: 'user', content: '' },
      { role: 'user', content: 'Q' },
      { role: 'assistant', content: '' },
      { role: 'assistant', content: 'A' },
    ],
  });
  assert.deepEqual([empty.prompt, empty.completion, empty.turns], ['Q', 'A', 4]);
  assert.equal(recordText({}, 'prompt-only').turns, 0);
  assert.equal(recordText({ messages: [] }).turns, 0);
});

test('parseRecord: objects only, a byte-order mark skipped, blank and broken lines undefined', async () => {
  const { parseRecord } = await import('../../src/core/insight/recordText');
  assert.deepEqual(parseRecord('\ufeff{"a":1}'), { a: 1 });
  assert.deepEqual(parseRecord(' {"b":2}'), { b: 2 });
  for (const bad of ['', '   ', '[1]', 'null', '3', '"s"', '{']) assert.equal(parseRecord(bad), undefined, JSON.stringify(bad));
});

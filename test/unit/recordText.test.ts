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

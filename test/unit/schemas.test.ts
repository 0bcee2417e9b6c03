// The JSON Schemas of the format variants (src/core/formats/schemas.ts), compiled as the validator compiles them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Ajv2020 from 'ajv/dist/2020';
import { allowedKeysAt, ROLES, SHAREGPT_TURN_KEYS, TURN_KEYS, VARIANT_SCHEMAS } from '../../src/core/formats/schemas';
import type { FormatId } from '../../src/core/formats/formats';

test('a chat turn may hold text, null (a tool-call turn) or a list of typed parts as its content, nothing else', () => {
  const variant = VARIANT_SCHEMAS.find((v) => v.format === 'language-modeling' && v.conversational)!;
  const validate = new Ajv2020({ allErrors: true, strict: false, allowUnionTypes: true }).compile(variant.schema);
  const turns = (content: unknown) => ({
    messages: [
      { role: 'user', content: 'q' },
      { role: 'assistant', content },
    ],
  });
  // pins: string, null and [{type, ...}] contents are valid turns
  for (const content of ['Paris.', null, [{ type: 'text', text: 'Paris.' }]]) assert.equal(validate(turns(content)), true, JSON.stringify(content));
  // pins: a number or an object is a content type error, and a part without its type is one too
  for (const content of [42, { text: 'Paris.' }, [{ text: 'Paris.' }]]) assert.equal(validate(turns(content)), false, JSON.stringify(content));
});

/** Whether the variant's schema accepts `rec`, compiled as the validator compiles it. */
const compiled = new Map<string, ReturnType<Ajv2020['compile']>>();
function accepts(format: FormatId, conversational: boolean, rec: unknown): boolean {
  const key = `${format}:${conversational}`;
  let v = compiled.get(key);
  if (!v) {
    const variant = VARIANT_SCHEMAS.find((x) => x.format === format && x.conversational === conversational)!;
    v = new Ajv2020({ allErrors: true, strict: false, allowUnionTypes: true }).compile(variant.schema);
    compiled.set(key, v);
  }
  return v(rec) as boolean;
}
const U = { role: 'user', content: 'q' };
const A = { role: 'assistant', content: 'a' };

test('the variants: both shapes of the TRL formats, one of the others, each with its own id', () => {
  assert.deepEqual(
    VARIANT_SCHEMAS.map((v) => v.schema.$id),
    [
      'ftstudio:language-modeling',
      'ftstudio:language-modeling:conversational',
      'ftstudio:prompt-only',
      'ftstudio:prompt-only:conversational',
      'ftstudio:prompt-completion',
      'ftstudio:prompt-completion:conversational',
      'ftstudio:preference',
      'ftstudio:preference:conversational',
      'ftstudio:unpaired-preference',
      'ftstudio:unpaired-preference:conversational',
      'ftstudio:openai-preference:conversational',
      'ftstudio:alpaca',
      'ftstudio:sharegpt:conversational',
      'ftstudio:sharegpt-preference:conversational',
      'ftstudio:stepwise-supervision',
    ],
  );
  for (const v of VARIANT_SCHEMAS) assert.equal(v.schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
});

test('each variant accepts its records and rejects the wrong types', () => {
  const cases: [FormatId, boolean, unknown, boolean][] = [
    ['language-modeling', false, { text: 't' }, true],
    ['language-modeling', false, { text: 5 }, false],
    ['language-modeling', false, {}, false],
    ['language-modeling', true, { messages: [U, A], tools: [{}], parallel_tool_calls: true, images: ['a.png'], label: 'x' }, true],
    ['language-modeling', true, { messages: [] }, false],
    ['language-modeling', true, { messages: [U], parallel_tool_calls: 'yes' }, false],
    ['language-modeling', true, { messages: [U], images: [1] }, false],
    ['language-modeling', true, { messages: [U], tools: '[]' }, true],
    ['language-modeling', true, { messages: [U], tools: 5 }, false],
    ['language-modeling', true, { messages: [U], tools: [5] }, false],
    ['language-modeling', true, { messages: [{ content: 'x' }] }, false],
    ['language-modeling', true, { messages: [{ role: 'user', content: 'x', extra: 1 }] }, false],
    ['language-modeling', true, { messages: [{ role: 'assistant', content: null, tool_calls: [{}], refusal: null, weight: 0 }] }, true],
    ['language-modeling', true, { messages: [{ role: 'assistant', tool_calls: [5] }] }, false],
    ['language-modeling', true, { messages: [{ role: 'assistant', content: 'a', weight: 0.5 }] }, false],
    ['language-modeling', true, { messages: [{ role: 'tool', content: 'a', tool_call_id: 3 }] }, false],
    ['language-modeling', true, { messages: [{ role: 5, content: 'a' }] }, false],
    ['language-modeling', true, { messages: [{ role: 'user', content: 'a', name: 1 }] }, false],
    ['language-modeling', true, { messages: [{ role: 'assistant', content: 'a', reasoning_content: 1 }] }, false],
    ['language-modeling', true, { messages: [{ role: 'assistant', content: 'a', thinking: 1 }] }, false],
    ['language-modeling', true, { messages: [{ role: 'assistant', content: 'a', refusal: 1 }] }, false],
    ['prompt-only', false, { prompt: 'p' }, true],
    ['prompt-only', true, { prompt: [U] }, true],
    ['prompt-only', true, { prompt: 'p' }, false],
    ['prompt-completion', false, { prompt: 'p', completion: 3 }, false],
    ['prompt-completion', true, { prompt: [U], completion: [A] }, true],
    ['prompt-completion', false, { prompt: 'p' }, false],
    ['preference', false, { chosen: 'c', rejected: 'r' }, true],
    ['preference', false, { prompt: 1, chosen: 'c', rejected: 'r' }, false],
    ['preference', true, { prompt: [U], chosen: [A], rejected: [A] }, true],
    ['unpaired-preference', false, { prompt: 'p', completion: 'c', label: 'anything' }, true],
    ['unpaired-preference', false, { prompt: 'p', completion: 'c' }, false],
    ['openai-preference', true, { input: { messages: [U], tools: [], parallel_tool_calls: false }, preferred_output: [A], non_preferred_output: [A] }, true],
    ['openai-preference', true, { input: { messages: [U], extra: 1 }, preferred_output: [A], non_preferred_output: [A] }, false],
    ['openai-preference', true, { input: { messages: [U], parallel_tool_calls: 1 }, preferred_output: [A], non_preferred_output: [A] }, false],
    ['openai-preference', true, { input: {}, preferred_output: [A], non_preferred_output: [A] }, false],
    ['openai-preference', true, { input: { messages: [U] }, preferred_output: [A] }, false],
    ['alpaca', false, { instruction: 'i', input: '', output: 'o', system: 's', history: [['q', 'a']], kto_tag: 1, videos: ['v.mp4'] }, true],
    ['alpaca', false, { instruction: 'i', output: 'o', history: [['q']] }, false],
    ['alpaca', false, { instruction: 'i', output: 'o', history: [['q', 'a', 'b']] }, false],
    ['alpaca', false, { instruction: 'i', output: 'o', history: [['q', 1]] }, false],
    ['alpaca', false, { instruction: 'i', output: 'o', system: 1 }, false],
    ['alpaca', false, { instruction: 'i', output: 'o', input: 1 }, false],
    ['alpaca', false, { instruction: 'i' }, false],
    [
      'sharegpt',
      true,
      { conversations: [{ from: 'human', value: 'q', weight: 1, loss_weight: 0.5 }], system: 's', tools: '', label: true, audios: ['a.wav'] },
      true,
    ],
    ['sharegpt', true, { conversations: [] }, false],
    ['sharegpt', true, { conversations: [{ from: 'human' }] }, false],
    ['sharegpt', true, { conversations: [{ from: 'human', value: 'q', loss_weight: -1 }] }, false],
    ['sharegpt', true, { conversations: [{ from: 'human', value: 'q', extra: 1 }] }, false],
    ['sharegpt', true, { conversations: [{ from: 'human', value: 'q' }], system: 1 }, false],
    [
      'sharegpt-preference',
      true,
      { conversations: [{ from: 'human', value: 'q' }], chosen: { from: 'gpt', value: 'a' }, rejected: { from: 'gpt', value: 'b' } },
      true,
    ],
    ['sharegpt-preference', true, { conversations: [{ from: 'human', value: 'q' }], chosen: { from: 'gpt' }, rejected: { from: 'gpt', value: 'b' } }, false],
    ['sharegpt-preference', true, { conversations: [{ from: 'human', value: 'q' }], chosen: { from: 'gpt', value: 'a' } }, false],
    ['stepwise-supervision', false, { prompt: 'p', completions: ['a'], labels: [true] }, true],
    ['stepwise-supervision', false, { prompt: 'p', completions: [], labels: [] }, false],
    ['stepwise-supervision', false, { prompt: 'p', completions: [1], labels: [true] }, false],
    ['stepwise-supervision', false, { prompt: 'p', completions: ['a'], labels: ['yes'] }, false],
    ['stepwise-supervision', false, { prompt: 'p', completions: ['a'] }, false],
  ];
  for (const [format, conv, rec, ok] of cases) assert.equal(accepts(format, conv, rec), ok, `${format}${conv ? ':conversational' : ''} ${JSON.stringify(rec)}`);
});

test('allowedKeysAt: the keys a misspelling may mean, per place in the record', () => {
  assert.deepEqual(allowedKeysAt('language-modeling', false, []), ['text', 'tools']);
  assert.deepEqual(allowedKeysAt('language-modeling', true, []), ['messages', 'tools']);
  assert.deepEqual(allowedKeysAt('preference', true, []), ['chosen', 'rejected', 'prompt', 'tools']);
  assert.deepEqual(allowedKeysAt('sharegpt', true, ['conversations', 0]), SHAREGPT_TURN_KEYS);
  assert.deepEqual(allowedKeysAt('sharegpt-preference', true, ['chosen']), SHAREGPT_TURN_KEYS);
  assert.deepEqual(allowedKeysAt('sharegpt-preference', true, ['rejected']), SHAREGPT_TURN_KEYS);
  assert.deepEqual(allowedKeysAt('sharegpt', true, ['tools', 0]), TURN_KEYS);
  assert.deepEqual(allowedKeysAt('openai-preference', true, ['input']), ['messages', 'tools', 'parallel_tool_calls']);
  assert.deepEqual(allowedKeysAt('openai-preference', true, ['input', 'messages', 0]), TURN_KEYS);
  assert.deepEqual(allowedKeysAt('openai-preference', true, ['preferred_output', 0]), TURN_KEYS);
  assert.deepEqual(allowedKeysAt('preference', true, ['chosen', 0]), TURN_KEYS);
  assert.deepEqual(SHAREGPT_TURN_KEYS, ['from', 'value', 'weight', 'loss_weight']);
  assert.deepEqual(ROLES, ['system', 'developer', 'user', 'assistant', 'tool']);
});

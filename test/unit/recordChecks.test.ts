// The semantic checks of one record (src/core/checks/recordChecks.ts, and the tool checks it runs from toolCalls.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeLine } from '../../src/core/checks/analyzeLine';
import { OPTS } from './helpers';

const u = (content: unknown) => ({ role: 'user', content });
const a = (content: unknown) => ({ role: 'assistant', content });

/** Each diagnostic of one record as `code [covered text] message`. */
function said(rec: object): string[] {
  const line = JSON.stringify(rec);
  return analyzeLine(line, OPTS).diagnostics.map((d) => `${d.code} [${line.slice(d.start, d.end)}] ${d.message}`);
}

test('preference responses must be assistant turns: the rejected side is checked like the chosen one', () => {
  // pins that both response lists of each preference format are walked, and the diagnostic lands on the wrong role
  assert.deepEqual(said({ prompt: [u('Pick one.')], chosen: [a('A')], rejected: [u('B')] }), [
    'response-not-assistant ["user"] rejected[0] is a user turn: responses must be assistant turns.',
  ]);
  assert.deepEqual(said({ input: { messages: [u('Pick one.')] }, preferred_output: [a('A')], non_preferred_output: [u('B')] }), [
    'response-not-assistant ["user"] non_preferred_output[0] is a user turn: responses must be assistant turns.',
  ]);
});

test('content parts: a turn is empty only when every part is blank text', () => {
  // pins that a text part with words is content, that a blank text part alone is empty,
  // and that a part which is not an object is the schema's wrong-type, not an empty turn (nor a crash)
  assert.deepEqual(said({ messages: [u([{ type: 'text', text: 'Describe it.' }]), a([{ type: 'text', text: 'A cat.' }])] }), []);
  assert.deepEqual(said({ messages: [u([{ type: 'text', text: ' ' }]), a('A cat.')] }), [
    'empty-content [[{"type":"text","text":" "}]] messages[0].content is empty or whitespace only.',
  ]);
  assert.deepEqual(said({ messages: [u([null, { type: 'text', text: 'Describe it.' }]), a('A cat.')] }), [
    'wrong-type [null] messages[0].content[0] must be an object (conversational language-modeling), but it is null.',
  ]);
});

test('OpenAI preference: tool definitions under input.tools are checked', () => {
  // pins that the tools of an openai-preference record are read from input.tools, not from a top-level key
  const tools = [{ type: 'function', function: { name: '', parameters: {} } }];
  assert.deepEqual(said({ input: { messages: [u('Weather?')], tools }, preferred_output: [a('Sunny.')], non_preferred_output: [a('No idea.')] }), [
    'invalid-tool-definition [""] input.tools[0] has no function name: give the tool a "name" (the name its calls use).',
  ]);
});

test('ShareGPT: an unknown speaker is fixed to the nearest ShareGPT name, not to a chat-role synonym', () => {
  // pins that the role synonyms (bot → assistant) apply only to chat roles; ShareGPT's "bot" is offered "gpt"
  const line = JSON.stringify({
    conversations: [
      { from: 'human', value: 'Hi' },
      { from: 'bot', value: 'Hello' },
    ],
  });
  const [d, ...rest] = analyzeLine(line, OPTS).diagnostics;
  assert.equal(rest.length, 0);
  assert.equal(d!.code, 'unknown-role');
  assert.equal(d!.fix?.title, 'Change the from to "gpt"');
  assert.deepEqual(d!.fix?.edits, [{ start: line.indexOf('"bot"'), end: line.indexOf('"bot"') + 5, newText: '"gpt"' }]);
});

test('tools as a JSON string: decoded and checked; an empty string means no tools', () => {
  // pins that a string `tools` is parsed (a string holding an object is named), while LLaMA-Factory's "" is accepted
  const chat = [u('Hi'), a('Hello')];
  assert.deepEqual(said({ messages: chat, tools: '{"name": "w"}' }), [
    'invalid-tool-definition ["{\\"name\\": \\"w\\"}"] tools is a JSON string holding an object, not a list: wrap the definitions in [ ].',
  ]);
  assert.deepEqual(said({ messages: chat, tools: '' }), []);
});

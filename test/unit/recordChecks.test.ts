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

/** The quick fix of each diagnostic of one record: `title: [edited text] -> new text`. */
function fixes(rec: object): string[] {
  const line = JSON.stringify(rec);
  return analyzeLine(line, OPTS)
    .diagnostics.filter((d) => d.fix)
    .map((d) => `${d.fix!.title}: ${d.fix!.edits.map((e) => `[${line.slice(e.start, e.end)}] -> ${e.newText}`).join(' | ')}`);
}

test('keys of other formats: named with the formats that own them, on the key', () => {
  // pins: a standard language-modeling record may not carry "messages" (nor a conversational one "text")
  assert.deepEqual(said({ text: 'hello', messages: [u('x'), a('y')] }), [
    'unexpected-key ["messages"] "messages" belongs to language-modeling records, not to language-modeling: remove it, or move the record to a file of that format.',
  ]);
  assert.deepEqual(said({ prompt: 'Q', completion: 'A', chosen: 'c' }), [
    'unexpected-key ["chosen"] "chosen" belongs to preference / sharegpt-preference records, not to prompt-completion: remove it, or move the record to a file of that format.',
  ]);
  // keys no format knows are metadata, not flagged
  assert.deepEqual(said({ prompt: 'Q', completion: 'A', source: 'web' }), []);
});

test('empty text fields of the standard variants, each named', () => {
  assert.deepEqual(said({ prompt: ' ', completion: '' }), [
    'empty-content [" "] "prompt" is empty or whitespace only.',
    'empty-content [""] "completion" is empty or whitespace only.',
  ]);
  assert.deepEqual(said({ instruction: ' ', input: '', output: '' }), [
    'empty-content [" "] "instruction" is empty or whitespace only.',
    'empty-content [""] "output" is empty or whitespace only.',
  ]);
  assert.deepEqual(said({ text: '\n' }), ['empty-content ["\\n"] "text" is empty or whitespace only.']);
  assert.deepEqual(said({ prompt: 'Q', chosen: '', rejected: 'B' }), ['empty-content [""] "chosen" is empty or whitespace only.']);
  assert.deepEqual(said({ prompt: '' }), ['empty-content [""] "prompt" is empty or whitespace only.']);
});

test('stepwise supervision: a blank step, and labels that do not match the steps one for one', () => {
  assert.deepEqual(said({ prompt: 'Q', completions: ['a', ' ', 'c'], labels: [true, false] }), [
    'empty-content [" "] completions[1] is an empty step: write it or remove it (and its label).',
    'invalid-value [[true,false]] "labels" has 2 entries but "completions" has 3 steps: give exactly one true/false label per step.',
  ]);
  assert.deepEqual(said({ prompt: 'Q', completions: ['a', 'b'], labels: [true, false] }), []);
  assert.deepEqual(said({ prompt: 'Q', completions: ['a'], labels: [true, false] }), [
    'invalid-value [[true,false]] "labels" has 2 entries but "completions" has 1 step: give exactly one true/false label per step.',
  ]);
});

test('identical preference pairs are flagged on the rejected side, in both preference formats', () => {
  assert.deepEqual(said({ prompt: 'Q', chosen: 'A', rejected: 'A' }), [
    'chosen-equals-rejected ["A"] "chosen" and "rejected" are identical: the pair teaches no preference.',
  ]);
  assert.deepEqual(said({ prompt: [u('Q')], chosen: [a('A')], rejected: [a('A')] }), [
    'chosen-equals-rejected [[{"role":"assistant","content":"A"}]] "chosen" and "rejected" are identical: the pair teaches no preference.',
  ]);
  assert.deepEqual(said({ prompt: [u('Q')], chosen: [a('A')], rejected: [a('B')] }), []);
  assert.deepEqual(said({ input: { messages: [u('Q')] }, preferred_output: [a('A')], non_preferred_output: [a('A')] }), [
    'chosen-equals-rejected [[{"role":"assistant","content":"A"}]] "preferred_output" and "non_preferred_output" are identical: the pair teaches no preference.',
  ]);
});

test('labels that are not booleans: the fix offers true or false when the value reads as one', () => {
  assert.deepEqual(said({ prompt: 'Q', completion: 'A', label: 'maybe' }), ['label-not-boolean ["maybe"] "label" must be true or false, not "maybe".']);
  assert.deepEqual(fixes({ prompt: 'Q', completion: 'A', label: 'maybe' }), []);
  assert.deepEqual(said({ prompt: 'Q', completion: 'A', label: 0 }), ['label-not-boolean [0] "label" must be true or false, not 0.']);
  for (const [v, to] of [
    ['yes', 'true'],
    [' Desirable ', 'true'],
    ['TRUE', 'true'],
    ['1', 'true'],
    [1, 'true'],
    ['good', 'true'],
    ['no', 'false'],
    ['0', 'false'],
    [0, 'false'],
    ['Undesirable', 'false'],
    ['bad', 'false'],
    ['false ', 'false'],
  ] as const) {
    assert.deepEqual(fixes({ prompt: 'Q', completion: 'A', label: v }), [`Change the label to ${to}: [${JSON.stringify(v)}] -> ${to}`], String(v));
  }
  for (const v of [2, 'yess', 'not bad', 'nope']) assert.deepEqual(fixes({ prompt: 'Q', completion: 'A', label: v }), [], String(v));
  assert.deepEqual(said({ instruction: 'Q', output: 'A', kto_tag: 'bad' }), ['label-not-boolean ["bad"] "kto_tag" must be true or false, not "bad".']);
  assert.deepEqual(said({ prompt: 'Q', completion: 'A', label: true }), []);
  // a label key the format does not have is an unexpected key, not a label to fix
  assert.deepEqual(said({ prompt: 'Q', chosen: 'a', rejected: 'b', label: 'yes' }), [
    'unexpected-key ["label"] "label" belongs to language-modeling / unpaired-preference / sharegpt records, not to preference: remove it, or move the record to a file of that format.',
  ]);
});

test('turn order: a late system turn, a repeated role, no assistant, no user, a prompt ending with the assistant', () => {
  assert.deepEqual(said({ messages: [{ role: 'system', content: 's' }, u('x'), { role: 'developer', content: 's2' }, a('y'), a('z')] }), [
    'system-not-first ["developer"] messages[2] is a developer turn after the first turn: move it to the start.',
    'repeated-role ["assistant"] messages[4] repeats the assistant role of the turn before it: merge them or add the missing turn.',
  ]);
  assert.deepEqual(said({ messages: [u('x'), u('y')] }), [
    'repeated-role ["user"] messages[1] repeats the user role of the turn before it: merge them or add the missing turn.',
    'no-assistant-turn [[{"role":"user","content":"x"},{"role":"user","content":"y"}]] messages has no assistant turn: there is nothing to train on.',
  ]);
  assert.deepEqual(said({ messages: [a('x')] }), [
    'no-user-turn [[{"role":"assistant","content":"x"}]] messages has no user turn: the assistant answers nothing. Add the user message it responds to.',
  ]);
  // tool turns may follow each other
  assert.deepEqual(said({ messages: [u('x'), a('y'), { role: 'tool', content: 'r1' }, { role: 'tool', content: 'r2' }, a('z')] }), []);
  // an unknown role resets the order: the turn after it is not a repeat, and no "no assistant" follows
  assert.deepEqual(
    said({ messages: [u('x'), { role: 'zzzzzz', content: 'y' }, u('w')] }).map((s) => s.split(' ')[0]),
    ['unknown-role'],
  );
  // nor a "no user turn" when the speaker the assistant answers has an unknown role
  assert.deepEqual(
    said({ messages: [{ role: 'customer', content: 'x' }, a('y')] }).map((s) => s.split(' ')[0]),
    ['unknown-role'],
  );
  assert.deepEqual(said({ prompt: [u('x'), a('y')], completion: [a('z')] }), [
    'prompt-ends-with-assistant [{"role":"assistant","content":"y"}] prompt ends with an assistant turn: the model will learn to continue its own reply. End the prompt with a user turn.',
  ]);
  assert.deepEqual(said({ prompt: [u('x')], completion: [u('z')] }), [
    'no-assistant-turn [[{"role":"user","content":"z"}]] completion has no assistant turn: there is nothing to train on.',
  ]);
  // an empty list says nothing about turns
  assert.deepEqual(
    said({ messages: [] }).filter((s) => s.startsWith('no-')),
    [],
  );
});

test('empty turns: no content and no tool calls, or blank content', () => {
  assert.deepEqual(said({ messages: [u('x'), { role: 'assistant' }] }), [
    'empty-content [{"role":"assistant"}] messages[1] has no "content" (and no tool_calls).',
  ]);
  assert.deepEqual(said({ messages: [u('x'), a('')] }), ['empty-content [""] messages[1].content is empty or whitespace only.']);
  assert.deepEqual(
    said({
      conversations: [
        { from: 'human', value: 'x' },
        { from: 'gpt', value: ' ' },
      ],
    }),
    ['empty-content [" "] conversations[1].value is empty or whitespace only.'],
  );
  // a missing ShareGPT value is the schema's missing-key only
  assert.deepEqual(
    said({ conversations: [{ from: 'human', value: 'x' }, { from: 'gpt' }] }).map((s) => s.split(' ')[0]),
    ['missing-key'],
  );
  // a turn with tool calls may have no content
  assert.deepEqual(
    said({
      messages: [
        u('x'),
        { role: 'assistant', content: null, tool_calls: [{ type: 'function', function: { name: 'f', arguments: '{}' } }] },
        { role: 'tool', content: 'r' },
        a('y'),
      ],
    }),
    [],
  );
  // an empty tool_calls list does not excuse a missing content
  assert.deepEqual(said({ messages: [u('x'), { role: 'assistant', tool_calls: [] }] }), [
    'empty-content [{"role":"assistant","tool_calls":[]}] messages[1] has no "content" (and no tool_calls).',
  ]);
});

test('ShareGPT preference: the single chosen / rejected turns are checked as responses', () => {
  assert.deepEqual(said({ conversations: [{ from: 'human', value: 'x' }], chosen: { from: 'gpt', value: 'a' }, rejected: { from: 'human', value: 'b' } }), [
    'response-not-assistant ["human"] rejected is a user turn: responses must be assistant turns.',
  ]);
});

test('unknown roles: the fix is the role in lower case, a synonym, or the nearest role; none when nothing is near', () => {
  const fix = (role: string) => fixes({ messages: [u('x'), { role, content: 'y' }] });
  assert.deepEqual(said({ messages: [u('x'), { role: 'Assistant', content: 'y' }] }), [
    'unknown-role ["Assistant"] Unknown role "Assistant" in messages[1]: use one of system, developer, user, assistant, tool.',
  ]);
  assert.deepEqual(fix('Assistant'), ['Change the role to "assistant": ["Assistant"] -> "assistant"']);
  assert.deepEqual(fix('bot'), ['Change the role to "assistant": ["bot"] -> "assistant"']);
  assert.deepEqual(fix('human'), ['Change the role to "user": ["human"] -> "user"']);
  assert.deepEqual(fix('function'), ['Change the role to "tool": ["function"] -> "tool"']);
  assert.deepEqual(fix('instruction'), ['Change the role to "system": ["instruction"] -> "system"']);
  assert.deepEqual(fix('asistant'), ['Change the role to "assistant": ["asistant"] -> "assistant"']);
  assert.deepEqual(fix('usr'), ['Change the role to "user": ["usr"] -> "user"']);
  assert.deepEqual(fix('zzzzzz'), []);
  // up to three edits for a long role name, never more
  assert.deepEqual(fix('dvlopr'), ['Change the role to "developer": ["dvlopr"] -> "developer"']);
  assert.deepEqual(fix('dvlpr'), []);
});

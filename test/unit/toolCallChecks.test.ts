// Tool definitions, tool calls, tool results and typed content parts (src/core/checks/toolCalls.ts), as one record's
// analysis reports them: each diagnostic's code, the exact text its range covers, its message and its quick fix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeLine } from '../../src/core/checks/analyzeLine';
import { CallLedger, checkToolCalls, toolNames } from '../../src/core/checks/toolCalls';
import { LineLocator } from '../../src/core/checks/schemaCheck';
import type { LineDiagnostic } from '../../src/core/checks/diagnostic';
import { OPTS } from './helpers';

const u = (content: unknown) => ({ role: 'user', content });
const a = (content: unknown, extra: object = {}) => ({ role: 'assistant', content, ...extra });
const toolTurn = (extra: object = {}) => ({ role: 'tool', content: 'Sunny, 21°C', ...extra });
const call = (name: unknown, args: unknown, extra: object = {}) => ({ ...extra, type: 'function', function: { name, arguments: args } });
const TOOLS = [
  { type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } },
  { type: 'function', function: { name: 'search', parameters: {} } },
];
/** A chat where the assistant makes `calls`, a tool answers, and the assistant replies. */
const withCalls = (calls: unknown[], tools: unknown = TOOLS) => ({
  messages: [u('Weather in Paris?'), a(null, { tool_calls: calls }), toolTurn(), a('Sunny.')],
  tools,
});

/** Each diagnostic as `code [covered text] message`, and its quick fix as `=> title: [edited text] -> new text`. */
function said(rec: object): string[] {
  const line = JSON.stringify(rec);
  return analyzeLine(line, OPTS).diagnostics.map((d) => {
    const head = `${d.code} [${line.slice(d.start, d.end)}] ${d.message}`;
    if (!d.fix) return head;
    return `${head} => ${d.fix.title}: ${d.fix.edits.map((e) => `[${line.slice(e.start, e.end)}] -> ${e.newText}`).join(' | ')}`;
  });
}

test('tool calls: a well-formed OpenAI call answered by its id, and a TRL call with object arguments, pass', () => {
  // pins that string arguments of an object, a known name and an answered id say nothing; nor an id-less call with an object
  assert.deepEqual(
    said({
      messages: [
        u('Weather?'),
        a(null, { tool_calls: [call('get_weather', '{"city": "Paris"}', { id: 'c1' })] }),
        toolTurn({ tool_call_id: 'c1' }),
        a('Sunny.'),
      ],
      tools: TOOLS,
    }),
    [],
  );
  assert.deepEqual(said(withCalls([call('get_weather', { city: 'Paris' })])), []);
  // no arguments at all is not an arguments problem
  assert.deepEqual(said(withCalls([{ type: 'function', function: { name: 'search' } }])), []);
});

test('arguments: an object in an OpenAI call (one with an id) is encoded by the quick fix', () => {
  assert.deepEqual(
    said({
      messages: [u('Weather?'), a(null, { tool_calls: [call('get_weather', { city: 'Paris' }, { id: 'c1' })] }), toolTurn({ tool_call_id: 'c1' }), a('Sunny.')],
      tools: TOOLS,
    }),
    [
      'arguments-not-string [{"city":"Paris"}] messages[1].tool_calls[0].function.arguments is an object, but OpenAI reads arguments as a JSON-encoded string: encode it (quick fix). => Encode the arguments as a JSON string: [{"city":"Paris"}] -> "{\\"city\\":\\"Paris\\"}"',
    ],
  );
});

test('arguments: not an object, not JSON, a JSON list, or encoded twice', () => {
  assert.deepEqual(said(withCalls([call('get_weather', 5)])), [
    'arguments-not-object [5] messages[1].tool_calls[0].function.arguments is a number: arguments are a JSON object of the parameters, e.g. "{\\"city\\": \\"Paris\\"}".',
  ]);
  assert.deepEqual(said(withCalls([call('get_weather', [1])])), [
    'arguments-not-object [[1]] messages[1].tool_calls[0].function.arguments is a list: arguments are a JSON object of the parameters, e.g. "{\\"city\\": \\"Paris\\"}".',
  ]);
  const bad = said(withCalls([call('get_weather', '{bad')]));
  assert.equal(bad.length, 1);
  assert.match(
    bad[0]!,
    /^arguments-invalid-json \["\{bad"\] messages\[1\]\.tool_calls\[0\]\.function\.arguments is not valid JSON \(.+\): the model would learn to emit calls no tool can parse\. Correct the arguments string\.$/,
  );
  assert.deepEqual(said(withCalls([call('get_weather', '[1]')])), [
    'arguments-not-object ["[1]"] messages[1].tool_calls[0].function.arguments decodes to a list: arguments must encode a JSON object of the parameters, e.g. "{\\"city\\": \\"Paris\\"}".',
  ]);
  assert.deepEqual(said(withCalls([call('get_weather', '7')])), [
    'arguments-not-object ["7"] messages[1].tool_calls[0].function.arguments decodes to a number: arguments must encode a JSON object of the parameters, e.g. "{\\"city\\": \\"Paris\\"}".',
  ]);
  // twice-encoded object: decoded once by the fix
  assert.deepEqual(said(withCalls([call('get_weather', JSON.stringify(JSON.stringify({ city: 'P' })))])), [
    'arguments-double-encoded ["\\"{\\\\\\"city\\\\\\":\\\\\\"P\\\\\\"}\\""] messages[1].tool_calls[0].function.arguments is JSON-encoded twice: it decodes to a string, not an object. Decode it once (quick fix). => Decode the double-encoded arguments: ["\\"{\\\\\\"city\\\\\\":\\\\\\"P\\\\\\"}\\""] -> "{\\"city\\":\\"P\\"}"',
  ]);
  // a JSON string of plain text: no fix, and no "(quick fix)" in the message
  assert.deepEqual(said(withCalls([call('get_weather', JSON.stringify('plain'))])), [
    'arguments-double-encoded ["\\"plain\\""] messages[1].tool_calls[0].function.arguments is JSON-encoded twice: it decodes to a string, not an object. Decode it once.',
  ]);
  // a JSON string of a list inside: still no fix (only an object is offered)
  assert.deepEqual(said(withCalls([call('get_weather', JSON.stringify('[1]'))])), [
    'arguments-double-encoded ["\\"[1]\\""] messages[1].tool_calls[0].function.arguments is JSON-encoded twice: it decodes to a string, not an object. Decode it once.',
  ]);
});

test('tool calls: the wrong type, a missing function object, a missing name', () => {
  assert.deepEqual(said(withCalls([{ type: 'func', function: { name: 'search', arguments: '{}' } }])), [
    'tool-call-wrong-type ["func"] messages[1].tool_calls[0].type is "func": a tool call\'s type must be "function". => Set the type to "function": ["func"] -> "function"',
  ]);
  assert.deepEqual(said(withCalls([{ function: { name: 'search', arguments: '{}' } }])), []);
  assert.deepEqual(said(withCalls([{ type: 'function' }])), [
    'tool-call-no-name [{"type":"function"}] messages[1].tool_calls[0] has no "function" object: write {"type": "function", "function": {"name": ..., "arguments": ...}}.',
  ]);
  assert.deepEqual(said(withCalls([{ type: 'function', function: 'search' }])), [
    'tool-call-no-name ["search"] messages[1].tool_calls[0] has no "function" object: write {"type": "function", "function": {"name": ..., "arguments": ...}}.',
  ]);
  assert.deepEqual(said(withCalls([call('', '{}')])), [
    'tool-call-no-name [""] messages[1].tool_calls[0].function has no name: name the function it calls (one of the record\'s tools).',
  ]);
  assert.deepEqual(said(withCalls([call('  ', '{}')])), [
    'tool-call-no-name ["  "] messages[1].tool_calls[0].function has no name: name the function it calls (one of the record\'s tools).',
  ]);
  assert.deepEqual(said(withCalls([{ type: 'function', function: { arguments: '{}' } }])), [
    'tool-call-no-name [{"arguments":"{}"}] messages[1].tool_calls[0].function has no name: name the function it calls (one of the record\'s tools).',
  ]);
  // the second call of the list is the one named
  assert.deepEqual(said(withCalls([call('search', '{}'), call(3, '{}')])), [
    "tool-call-no-name [3] messages[1].tool_calls[1].function has no name: name the function it calls (one of the record's tools).",
  ]);
});

test('tool calls: a name not among the tools, with the nearest one offered when it is close', () => {
  assert.deepEqual(said(withCalls([call('get_wether', '{}')])), [
    'tool-call-unknown-function ["get_wether"] messages[1].tool_calls[0] calls "get_wether", which is not among the record\'s tools (get_weather, search): did you mean "get_weather"? => Call "get_weather": ["get_wether"] -> "get_weather"',
  ]);
  assert.deepEqual(said(withCalls([call('zzz', '{}')])), [
    'tool-call-unknown-function ["zzz"] messages[1].tool_calls[0] calls "zzz", which is not among the record\'s tools (get_weather, search): define it in "tools" or call a defined one.',
  ]);
  // tools as a JSON string are read too; a short name gets at most one edit
  assert.deepEqual(said(withCalls([call('sarch', '{}')], '[{"name":"search"}]')), [
    'tool-call-unknown-function ["sarch"] messages[1].tool_calls[0] calls "sarch", which is not among the record\'s tools (search): did you mean "search"? => Call "search": ["sarch"] -> "search"',
  ]);
  assert.deepEqual(said(withCalls([call('ab', '{}')], '[{"name":"search"}]')), [
    'tool-call-unknown-function ["ab"] messages[1].tool_calls[0] calls "ab", which is not among the record\'s tools (search): define it in "tools" or call a defined one.',
  ]);
  // how far a name may be from a tool's: one edit for a short tool name, two from 8 letters, three from 12 on, never more
  const far = (tool: string, name: string) => said(withCalls([call(name, '{}')], [{ name: tool }]))[0]?.includes('did you mean');
  assert.equal(far('sum', 'sun'), true);
  assert.equal(far('sum', 'sn'), false);
  assert.equal(far('search_web', 'serch_wb'), true);
  assert.equal(far('search_web', 'serch_w'), false);
  assert.equal(far('get_current_weather', 'gt_curent_weathr'), true);
  assert.equal(far('get_current_weather_in_city', 'gt_curent_weathr_in_city'), true);
  assert.equal(far('get_current_weather_in_city', 'gt_curent_weathr_in_cty'), false);
  // no tools, an empty list, or only nameless definitions: any name goes
  assert.deepEqual(said({ messages: [u('Weather?'), a(null, { tool_calls: [call('anything', '{}')] }), toolTurn(), a('Sunny.')] }), []);
  assert.deepEqual(said(withCalls([call('anything', '{}')], [])), []);
  assert.deepEqual(said(withCalls([call('anything', '{}')], [{ type: 'function', function: { parameters: {} } }])), [
    'invalid-tool-definition [{"parameters":{}}] tools[0] has no function name: give the tool a "name" (the name its calls use).',
  ]);
  // OpenAI preference: the tools are input.tools
  assert.deepEqual(
    said({
      input: { messages: [u('Hi')], tools: [{ type: 'function', function: { name: 'search', parameters: {} } }] },
      preferred_output: [a(null, { tool_calls: [call('serch', '{}')] })],
      non_preferred_output: [a('no')],
    }),
    [
      'tool-call-unknown-function ["serch"] preferred_output[0].tool_calls[0] calls "serch", which is not among the record\'s tools (search): did you mean "search"? => Call "search": ["serch"] -> "search"',
    ],
  );
});

test('tool results: without an id after calls with ids, or answering an id no call made', () => {
  const ids = ['a', 'b', 'c', 'd'].map((id) => call('search', '{}', { id }));
  assert.deepEqual(said({ messages: [u('Hi'), a(null, { tool_calls: ids }), toolTurn(), toolTurn({ tool_call_id: 'zz' }), a('ok')], tools: TOOLS }), [
    'tool-result-no-id ["tool"] messages[2] is a tool result without "tool_call_id": add the id of the call it answers (a, b, c, …).',
    'tool-result-unknown-id ["zz"] messages[3] answers the call "zz", but no earlier tool call has that id (known: a, b, c): use the id of the call it answers.',
  ]);
  assert.deepEqual(said({ messages: [u('Hi'), a(null, { tool_calls: ids.slice(0, 3) }), toolTurn(), a('ok')], tools: TOOLS }), [
    'tool-result-no-id ["tool"] messages[2] is a tool result without "tool_call_id": add the id of the call it answers (a, b, c).',
  ]);
  assert.deepEqual(said({ messages: [u('Hi'), a(null, { tool_calls: ids.slice(0, 1) }), toolTurn(), a('ok')], tools: TOOLS }), [
    'tool-result-no-id ["tool"] messages[2] is a tool result without "tool_call_id": add the id of the call it answers (a).',
  ]);
  assert.deepEqual(said({ messages: [u('Hi'), toolTurn({ tool_call_id: 'zz' }), a('ok')] }), [
    'tool-result-unknown-id ["zz"] messages[1] answers the call "zz", but no earlier tool call has that id: use the id of the call it answers.',
  ]);
  // a call whose id is not a string records no id: a tool turn without an id is then fine (TRL's shape)
  assert.deepEqual(said({ messages: [u('Hi'), a(null, { tool_calls: [call('search', '{}', { id: 7 })] }), toolTurn(), a('ok')], tools: TOOLS }), []);
  // an id that is not a string is the schema's wrong-type, not an unknown id
  assert.deepEqual(
    said({ messages: [u('Hi'), a(null, { tool_calls: [call('search', '{}', { id: 'a' })] }), toolTurn({ tool_call_id: 5 }), a('ok')], tools: TOOLS }).map(
      (s) => s.split(' ')[0],
    ),
    ['wrong-type'],
  );
  // an id that a call made answers it
  assert.deepEqual(
    said({ messages: [u('Hi'), a(null, { tool_calls: [call('search', '{}', { id: 'a' })] }), toolTurn({ tool_call_id: 'a' }), a('ok')], tools: TOOLS }),
    [],
  );
});

test('tool calls in preference responses: chosen and rejected each keep their own ids', () => {
  // pins the ledger fork: an id made in the chosen response does not answer a tool turn of the rejected one
  const rec = {
    prompt: [u('Weather?')],
    chosen: [a(null, { tool_calls: [call('get_weather', '{}', { id: 'c1' })] }), { role: 'tool', tool_call_id: 'c1', content: 'Sunny' }, a('Sunny.')],
    rejected: [{ role: 'tool', tool_call_id: 'c1', content: 'Sunny' }, a('Rain.')],
    tools: TOOLS,
  };
  const out = said(rec).filter((s) => s.startsWith('tool-result'));
  assert.deepEqual(out, [
    'tool-result-unknown-id ["c1"] rejected[0] answers the call "c1", but no earlier tool call has that id: use the id of the call it answers.',
  ]);
  const ledger = new CallLedger(['f']);
  ledger.ids.add('x');
  ledger.withIds = true;
  const fork = ledger.fork();
  assert.deepEqual([...fork.ids], ['x']);
  assert.equal(fork.withIds, true);
  assert.deepEqual(fork.tools, ['f']);
  fork.ids.add('y');
  assert.deepEqual([...ledger.ids], ['x']);
  assert.equal(new CallLedger(undefined).fork().withIds, false);
});

test('checkToolCalls: outside chat turns (no ledger) nothing is checked; an empty tools list is named "none"', () => {
  const turn = { role: 'assistant', tool_calls: [{ type: 'x', function: { name: 'f', arguments: 5 } }] };
  const line = JSON.stringify({ messages: [turn] });
  const loc = new LineLocator(line);
  const out: LineDiagnostic[] = [];
  checkToolCalls(turn, 'assistant', ['messages', 0], loc, out, undefined);
  assert.equal(out.length, 0);
  checkToolCalls(turn, 'assistant', ['messages', 0], loc, out, new CallLedger([]));
  assert.deepEqual(
    out.map((d) => `${d.code} [${line.slice(d.start, d.end)}] ${d.message}`),
    [
      'tool-call-wrong-type ["x"] messages[0].tool_calls[0].type is "x": a tool call\'s type must be "function".',
      'tool-call-unknown-function ["f"] messages[0].tool_calls[0] calls "f", which is not among the record\'s tools (none): define it in "tools" or call a defined one.',
      'arguments-not-object [5] messages[0].tool_calls[0].function.arguments is a number: arguments are a JSON object of the parameters, e.g. "{\\"city\\": \\"Paris\\"}".',
    ],
  );
});

test('toolNames: top-level tools (a list or a JSON string), input.tools for OpenAI preference; none when nothing is named', () => {
  assert.deepEqual(toolNames({ tools: TOOLS }, 'language-modeling'), ['get_weather', 'search']);
  assert.deepEqual(toolNames({ tools: [{ name: 'bare' }, 5, { function: { name: 7 } }] }, 'language-modeling'), ['bare']);
  assert.deepEqual(toolNames({ tools: '[{"name": "s"}]' }, 'sharegpt'), ['s']);
  assert.equal(toolNames({ tools: '{"name": "s"}' }, 'sharegpt'), undefined);
  assert.equal(toolNames({ tools: 'not json' }, 'sharegpt'), undefined);
  assert.equal(toolNames({ tools: 5 }, 'language-modeling'), undefined);
  assert.equal(toolNames({ tools: [] }, 'language-modeling'), undefined);
  assert.equal(toolNames({ tools: [{ parameters: {} }] }, 'language-modeling'), undefined);
  assert.equal(toolNames({}, 'language-modeling'), undefined);
  assert.deepEqual(toolNames({ input: { tools: [{ name: 'i' }] }, tools: [{ name: 't' }] }, 'openai-preference'), ['i']);
  assert.equal(toolNames({ tools: [{ name: 't' }] }, 'openai-preference'), undefined);
  assert.equal(toolNames({ input: 'x' }, 'openai-preference'), undefined);
  assert.equal(toolNames({ input: {} }, 'openai-preference'), undefined);
});

test('tool definitions: each wrong entry is named with its index and placed on the offending value', () => {
  const chat = [u('Hi'), a('Hello')];
  assert.deepEqual(
    said({
      messages: chat,
      tools: [
        5,
        { type: 'web', function: { name: 'f' } },
        { name: 'bare', parameters: 'x' },
        { function: { parameters: [] } },
        { type: 'function', function: { name: ' ' } },
        { type: 'function', function: { name: 'ok', parameters: {} } },
      ],
    }),
    [
      'wrong-type [5] tools[0] must be an object (conversational language-modeling), but it is a number.',
      'invalid-tool-definition [5] tools[0] is a number: each tool is an object {"type": "function", "function": {"name", "description", "parameters"}}.',
      'invalid-tool-definition ["web"] tools[1].type is "web": fine-tuning accepts only "function" tools.',
      'invalid-tool-definition ["x"] tools[2]\'s "parameters" is a string: it must be a JSON Schema object such as {"type": "object", "properties": {...}}.',
      'invalid-tool-definition [{"parameters":[]}] tools[3] has no function name: give the tool a "name" (the name its calls use).',
      'invalid-tool-definition [[]] tools[3]\'s "parameters" is a list: it must be a JSON Schema object such as {"type": "object", "properties": {...}}.',
      'invalid-tool-definition [" "] tools[4] has no function name: give the tool a "name" (the name its calls use).',
    ],
  );
  // a bare LLaMA-Factory definition without a name: the range is the definition itself
  assert.deepEqual(said({ messages: chat, tools: [{ description: 'd' }] }), [
    'invalid-tool-definition [{"description":"d"}] tools[0] has no function name: give the tool a "name" (the name its calls use).',
  ]);
});

test('tool definitions in a JSON string: the string is the range of every problem; unreadable or not a list is said once', () => {
  const chat = [u('Hi'), a('Hello')];
  assert.deepEqual(said({ messages: chat, tools: '[{"type":"x","name":"f"}, 3]' }), [
    'invalid-tool-definition ["[{\\"type\\":\\"x\\",\\"name\\":\\"f\\"}, 3]"] tools[0].type is "x": fine-tuning accepts only "function" tools.',
    'invalid-tool-definition ["[{\\"type\\":\\"x\\",\\"name\\":\\"f\\"}, 3]"] tools[1] is a number: each tool is an object {"type": "function", "function": {"name", "description", "parameters"}}.',
  ]);
  const bad = said({ messages: chat, tools: 'not json' });
  assert.equal(bad.length, 1);
  assert.match(
    bad[0]!,
    /^invalid-tool-definition \["not json"\] tools is a string but not valid JSON \(.+\): write the list of tool definitions, or a JSON string that holds it\.$/,
  );
  assert.deepEqual(said({ messages: chat, tools: '"x"' }), [
    'invalid-tool-definition ["\\"x\\""] tools is a JSON string holding a string, not a list: wrap the definitions in [ ].',
  ]);
  // blank strings mean no tools (LLaMA-Factory), null is the schema's
  assert.deepEqual(said({ messages: chat, tools: '   ' }), []);
  assert.deepEqual(said({ messages: chat, tools: null }), [
    'wrong-type [null] tools must be a list or a string (conversational language-modeling), but it is null.',
  ]);
});

test('content parts: text, image_url, input_audio and file parts each name what they need', () => {
  assert.deepEqual(
    said({
      messages: [
        u([
          { type: 'text' },
          { type: 'text', text: 5 },
          { type: 'image_url', image_url: 'http://x/a.png' },
          { type: 'image_url' },
          { type: 'image_url', image_url: { url: 'u', detail: 'max' } },
          { type: 'image_url', image_url: { url: 'u', detail: 'low' } },
          { type: 'image_url', image_url: { detail: 'low' } },
        ]),
        a('ok'),
      ],
    }),
    [
      'invalid-content-part [{"type":"text"}] messages[0].content[0] is a text part without "text": write {"type": "text", "text": "..."}.',
      'invalid-content-part [5] messages[0].content[1] is a text part whose "text" is a number: write {"type": "text", "text": "..."}.',
      'invalid-content-part ["http://x/a.png"] messages[0].content[2].image_url is a bare string: OpenAI wants an object {"url": "..."} (quick fix). => Wrap the image URL in {"url": ...}: ["http://x/a.png"] -> {"url": "http://x/a.png"}',
      'invalid-content-part [{"type":"image_url"}] messages[0].content[3] needs "image_url": {"url": "https://… or data:image/…;base64,…"}.',
      'invalid-content-part ["max"] messages[0].content[4].image_url.detail must be "auto", "low" or "high", not "max".',
      'invalid-content-part [{"detail":"low"}] messages[0].content[6] needs "image_url": {"url": "https://… or data:image/…;base64,…"}.',
    ],
  );
  assert.deepEqual(
    said({
      messages: [
        u([
          { type: 'text', text: 'x' },
          { type: 'input_audio', input_audio: { data: 'AAA', format: 'ogg' } },
          { type: 'input_audio' },
          { type: 'input_audio', input_audio: { data: 'AAA', format: 'mp3' } },
          { type: 'input_audio', input_audio: { data: 'AAA', format: 'wav' } },
          { type: 'input_audio', input_audio: { format: 'wav' } },
          { type: 'file', file: { file_id: 'f1' } },
          { type: 'file', file: { file_data: 'AA', filename: 'a.pdf' } },
          { type: 'file', file: {} },
          { type: 'file' },
          { type: 'image', image: 'x' },
        ]),
        a('ok'),
      ],
    }),
    [
      'invalid-content-part [{"data":"AAA","format":"ogg"}] messages[0].content[1] needs "input_audio": {"data": "<base64>", "format": "wav" or "mp3"}.',
      'invalid-content-part [{"type":"input_audio"}] messages[0].content[2] needs "input_audio": {"data": "<base64>", "format": "wav" or "mp3"}.',
      'invalid-content-part [{"format":"wav"}] messages[0].content[5] needs "input_audio": {"data": "<base64>", "format": "wav" or "mp3"}.',
      'invalid-content-part [{}] messages[0].content[8] needs "file": {"file_id": "..."} or {"file_data": "<base64>", "filename": "..."}.',
      'invalid-content-part [{"type":"file"}] messages[0].content[9] needs "file": {"file_id": "..."} or {"file_data": "<base64>", "filename": "..."}.',
    ],
  );
});

test('content parts: an image outside a user turn is flagged on the whole part; detail "auto" and "high" pass', () => {
  // a turn whose role is unknown is not said to be a non-user turn
  assert.deepEqual(said({ messages: [u('hi'), { role: 'robot', content: [{ type: 'image_url', image_url: { url: 'u' } }] }, a('ok')] }), [
    'unknown-role ["robot"] Unknown role "robot" in messages[1]: use one of system, developer, user, assistant, tool.',
  ]);
  assert.deepEqual(
    said({
      messages: [
        u('hi'),
        a([
          { type: 'text', text: 'x' },
          { type: 'image_url', image_url: { url: 'u' } },
        ]),
      ],
    }),
    [
      'image-outside-user-turn [{"type":"image_url","image_url":{"url":"u"}}] messages[1].content[1] is an image in an assistant turn: OpenAI accepts images only in user turns. Move it to a user turn.',
    ],
  );
  assert.deepEqual(
    said({
      messages: [
        u([
          { type: 'image_url', image_url: { url: 'u', detail: 'auto' } },
          { type: 'image_url', image_url: { url: 'u', detail: 'high' } },
        ]),
        a('ok'),
      ],
    }),
    [],
  );
});

// Ranges of a record whose top-level keys a dataset_info.json renamed (RenamedLocator in src/core/checks/schemaCheck.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileUserSchema, jsonTypeOf, LineLocator, pathLabel, pointerToPath, RenamedLocator, SchemaError } from '../../src/core/checks/schemaCheck';
import { analyzeLine } from '../../src/core/checks/analyzeLine';
import { OPTS } from './helpers';

test('RenamedLocator: a renamed key is found under the file name, a key not renamed under its own', () => {
  // pins that only mapped top-level keys are translated; other paths point at their own value, not at the record's brace
  const line = '{"q": "Capital?", "a": "Paris", "extra": 7}';
  const loc = new RenamedLocator(line, { instruction: 'q', output: 'a' });
  const text = (r: { start: number; end: number }) => line.slice(r.start, r.end);
  assert.equal(text(loc.range(['instruction'])), '"Capital?"');
  assert.equal(text(loc.range(['extra'])), '7');
  assert.equal(text(loc.range(['extra'], 'key')), '"extra"');
});

/** Each diagnostic of one line as `code [covered text] message`, and its fix as `=> title: [edited] -> new`. */
function said(rec: object | string, opts: object = {}): string[] {
  const line = typeof rec === 'string' ? rec : JSON.stringify(rec);
  return analyzeLine(line, { ...OPTS, ...opts }).diagnostics.map((d) => {
    const head = `${d.code} [${line.slice(d.start, d.end)}] ${d.message}`;
    return d.fix ? `${head} => ${d.fix.title}: ${d.fix.edits.map((e) => `[${line.slice(e.start, e.end)}] -> ${e.newText}`).join(' | ')}` : head;
  });
}
const turns = (...ts: object[]) => ({ messages: [{ role: 'user', content: 'q' }, ...ts] });

test('built-in schemas: a misspelt required key, a misspelt optional key, an unknown key with the allowed ones listed', () => {
  assert.deepEqual(said({ promt: 'Q', completion: 'A' }), [
    'misspelt-key ["promt"] Unknown key "promt": did you mean "prompt"? A standard prompt-completion record needs "prompt". => Rename "promt" to "prompt": ["promt"] -> "prompt"',
  ]);
  assert.deepEqual(said(turns({ rol: 'assistant', content: 'a' })), [
    'misspelt-key ["rol"] Unknown key "rol": did you mean "role"? messages[1] needs "role". => Rename "rol" to "role": ["rol"] -> "role"',
    'no-assistant-turn [[{"role":"user","content":"q"},{"rol":"assistant","content":"a"}]] messages has no assistant turn: there is nothing to train on.',
  ]);
  assert.deepEqual(said(turns({ role: 'assistant', content: 'a', wieght: 1 })), [
    'misspelt-key ["wieght"] Unknown key "wieght" in messages[1]: did you mean "weight"? => Rename "wieght" to "weight": ["wieght"] -> "weight"',
  ]);
  assert.deepEqual(
    said({
      messages: [
        { role: 'user', content: 'q', zzz: 1 },
        { role: 'assistant', content: 'a' },
      ],
    }),
    [
      'unexpected-key ["zzz"] Unexpected key "zzz" in messages[0]: allowed keys are role, content, name, tool_calls, tool_call_id, weight, reasoning_content, thinking, refusal.',
    ],
  );
  assert.deepEqual(
    said({
      input: { messages: [{ role: 'user', content: 'q' }], zzz: 1 },
      preferred_output: [{ role: 'assistant', content: 'a' }],
      non_preferred_output: [{ role: 'assistant', content: 'b' }],
    }),
    ['unexpected-key ["zzz"] Unexpected key "zzz" in input: allowed keys are messages, tools, parallel_tool_calls.'],
  );
});

test('built-in schemas: wrong types, values not allowed, an empty list, each with the variant named', () => {
  assert.deepEqual(said({ prompt: 5, completion: 'A' }, { format: 'prompt-completion' }), [
    'wrong-type [5] prompt must be a string (standard prompt-completion), but it is a number.',
  ]);
  assert.deepEqual(
    said({
      conversations: [
        { from: 'human', value: 'x' },
        { from: 'gpt', value: true },
      ],
    }),
    ['wrong-type [true] conversations[1].value must be a string (sharegpt), but it is a boolean.'],
  );
  assert.deepEqual(said(turns({ role: 'assistant', content: 'a', weight: 2 })), ['invalid-value [2] messages[1].weight must be one of 0, 1, not 2.']);
  assert.deepEqual(said({ messages: [] }), ['empty-content [[]] messages is an empty list (conversational language-modeling).']);
});

test('user schemas: every error has the code "schema", without the variant words', () => {
  const schema = (s: object) => ({ userSchema: compileUserSchema(s, 's.json') });
  assert.deepEqual(said({ a: 1 }, schema({ type: 'object', required: ['b'], properties: { a: { type: 'string' } }, additionalProperties: false })), [
    'schema [{] Missing key "b" in the record.',
    'schema [1] a must be a string, but it is a number.',
  ]);
  assert.deepEqual(said({ b: 1, c: 2 }, schema({ type: 'object', required: ['b'], properties: { b: { enum: ['x', 'y'] } }, additionalProperties: false })), [
    'schema ["c"] Unexpected key "c" in the record.',
    'schema [1] b must be one of "x", "y", not 1.',
  ]);
  // a misspelling of a required key is not guessed for a user schema
  assert.deepEqual(said({ bb: 1 }, schema({ type: 'object', required: ['b'] })), ['schema [{] Missing key "b" in the record.']);
  assert.deepEqual(
    said(
      { b: [], c: 4, d: 'abc', e: 1.5 },
      schema({ type: 'object', properties: { b: { type: 'array', minItems: 1 }, c: { const: 3 }, d: { maxLength: 2 }, e: { type: ['integer', 'null'] } } }),
    ),
    [
      'schema [[]] b must NOT have fewer than 1 items.',
      'schema [4] c must be one of 3, not 4.',
      'schema ["abc"] d must NOT have more than 2 characters.',
      'schema [1.5] e must be an integer or null, but it is a number.',
    ],
  );
  assert.deepEqual(said({ b: true }, schema({ type: 'object', properties: { b: { type: 'object' } } })), [
    'schema [true] b must be an object, but it is a boolean.',
  ]);
  assert.deepEqual(said({ b: 1 }, schema({ type: 'object', properties: { b: { type: 'boolean' } } })), [
    'schema [1] b must be a boolean (true/false), but it is a number.',
  ]);
  // the same error twice (two branches of anyOf) is said once
  assert.deepEqual(said({ b: 1 }, schema({ type: 'object', properties: { b: { anyOf: [{ type: 'string' }, { type: 'string' }] } } })), [
    'schema [1] b must be a string, but it is a number.',
    'schema [1] b must match a schema in anyOf.',
  ]);
});

test('compileUserSchema: a schema that is not an object, or not a valid schema, is a SchemaError naming its source', () => {
  assert.throws(
    () => compileUserSchema(null, 'my.json'),
    (e: unknown) => e instanceof SchemaError && e.message === 'my.json: a JSON Schema must be an object',
  );
  assert.throws(
    () => compileUserSchema('x', 'my.json'),
    (e: unknown) => e instanceof SchemaError && e.message === 'my.json: a JSON Schema must be an object',
  );
  assert.throws(
    () => compileUserSchema({ type: 'nonsense' }, 'my.json'),
    (e: unknown) => e instanceof SchemaError && e.message.startsWith('my.json: invalid JSON Schema: '),
  );
  // formats are known to user schemas
  const v = compileUserSchema({ type: 'string', format: 'email' }, 'my.json');
  assert.equal(v('a@b.co'), true);
  assert.equal(v('nope'), false);
});

test('pathLabel, jsonTypeOf and pointerToPath', () => {
  assert.equal(pathLabel([]), 'the record');
  assert.equal(pathLabel(['messages', 0, 'content', 2]), 'messages[0].content[2]');
  assert.equal(pathLabel([0, 'a']), '[0].a');
  assert.equal(pathLabel(['input', 'tools']), 'input.tools');
  assert.deepEqual([null, [], {}, 's', 1, true, undefined].map(jsonTypeOf), [
    'null',
    'a list',
    'an object',
    'a string',
    'a number',
    'a boolean',
    'a undefined',
  ]);
  const data = { messages: [{ 'a/b': { '~k': 1 } }], '3': 'x' };
  assert.deepEqual(pointerToPath('', data), []);
  assert.deepEqual(pointerToPath('/messages/0/a~1b/~0k', data), ['messages', 0, 'a/b', '~k']);
  assert.deepEqual(pointerToPath('/3', data), ['3']);
  assert.deepEqual(pointerToPath('/missing/0', data), ['missing', '0']);
});

test('LineLocator: value, key and opening ranges; a missing member points at its object; a broken line is covered whole', () => {
  const line = '{"a": {"b": [1, 22]}, "c": "x"}';
  const loc = new LineLocator(line);
  const text = (r: { start: number; end: number }) => line.slice(r.start, r.end);
  assert.equal(text(loc.range(['a', 'b', 1])), '22');
  assert.equal(text(loc.range(['a', 'b'], 'key')), '"b"');
  assert.equal(text(loc.range(['a', 'b'], 'opening')), '"b"');
  assert.equal(text(loc.range([], 'opening')), '{');
  assert.equal(text(loc.range([])), line);
  // a key asked of a list item: the item itself
  assert.equal(text(loc.range(['a', 'b', 0], 'key')), '1');
  // missing: the key of the object that lacks it, or the record's brace
  assert.equal(text(loc.range(['a', 'zz'])), '"a"');
  assert.equal(text(loc.range(['zz'])), '{');
  assert.equal(text(loc.range(['zz'], 'key')), '{');
  const broken = new LineLocator('{"a": ');
  assert.deepEqual(broken.range(['a']), { start: 0, end: 6 });
});

test('RenamedLocator: ShareGPT turns under registry tags are found under the file keys', () => {
  const line = '{"dialog": [{"speaker": "customer", "text": "Hi"}]}';
  const loc = new RenamedLocator(line, { conversations: 'dialog' }, { role: 'speaker', content: 'text' });
  const text = (r: { start: number; end: number }) => line.slice(r.start, r.end);
  assert.equal(text(loc.range(['conversations', 0, 'from'])), '"customer"');
  assert.equal(text(loc.range(['conversations', 0, 'value'])), '"Hi"');
  assert.equal(text(loc.range(['conversations'], 'key')), '"dialog"');
  // without tags, from/value are taken as they are (and here missing: the turn's brace)
  const plain = new RenamedLocator(line, { conversations: 'dialog' });
  assert.equal(text(plain.range(['conversations', 0, 'from'])), '{');
  // a top-level "from" is not a turn key
  const nested = '{"from": {"x": 1}, "speaker": {"x": 2}}';
  const r = new RenamedLocator(nested, {}, { role: 'speaker', content: 'text' }).range(['from', 'x']);
  assert.equal(nested.slice(r.start, r.end), '1');
  const top = '{"from": 1, "speaker": 2}';
  assert.equal(top.slice(...(Object.values(new RenamedLocator(top, {}, { role: 'speaker', content: 'text' }).range(['from'])) as [number, number])), '1');
});

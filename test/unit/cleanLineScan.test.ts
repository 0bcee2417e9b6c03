// The byte scan (checks/cleanLine.ts), case by case: each structural feature it reads (whitespace,
// strings and their escapes, numbers, literals, nesting, keys, roles, turns, tool calls, content parts,
// tools lists, registry names, the template's lead text) on hand-made lines. A clean line of a shape the
// scan is built for must go the fast way with analyzeLine's facts (a scan that gives up too often is
// correct but slow, and these tests catch that); a line with a defect, or of a shape the scan leaves to
// analyzeLine, must be "not sure" (undefined).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeLine, type AnalyzeOptions, type LineFacts } from '../../src/core/checks/analyzeLine';
import { scanCleanLine } from '../../src/core/checks/cleanLine';
import { DEFAULT_OPTIONS } from '../../src/core/checks/datasetModel';

const O: AnalyzeOptions = DEFAULT_OPTIONS;

/** The scan of a line, alone in its buffer, or between other bytes (which it must not read). */
function scan(line: string, opts: AnalyzeOptions = O, before = '', after = ''): LineFacts | undefined {
  const buf = Buffer.from(before + line + after);
  const start = Buffer.byteLength(before);
  return scanCleanLine(buf, start, start + Buffer.byteLength(line), opts);
}

function sameFacts(fast: LineFacts, slow: LineFacts, what: string): void {
  assert.deepEqual(
    slow.diagnostics.map((d) => d.code),
    [],
    `${what}: the scan passed a line with diagnostics`,
  );
  assert.equal(fast.record, true, what);
  assert.equal(fast.len, slow.len, `${what}: len`);
  assert.equal(fast.variant, slow.variant, `${what}: variant`);
  assert.equal(fast.hash, slow.hash, `${what}: hash`);
  assert.deepEqual(fast.template, slow.template, `${what}: template`);
  assert.deepEqual(fast.diagnostics, [], what);
}

/** A clean line the scan is built for: it goes the fast way, with analyzeLine's facts, wherever it lies in the buffer. */
function fastWay(what: string, line: string, opts: AnalyzeOptions = O): LineFacts {
  const slow = analyzeLine(line, opts);
  assert.deepEqual(
    slow.diagnostics.map((d) => d.code),
    [],
    `${what}: the test's line is clean`,
  );
  const fast = scan(line, opts);
  assert.ok(fast, `${what} went the slow way: ${line}`);
  sameFacts(fast, slow, what);
  const inside = scan(line, opts, '{"a": "x\\", ', '\n{"text": "y"}');
  assert.ok(inside, `${what}: went the slow way inside a larger buffer`);
  sameFacts(inside, slow, `${what} (inside a larger buffer)`);
  return fast;
}

/** A line the scan must leave to analyzeLine; `code`: a diagnostic analyzeLine gives it ('' when that is not the point). */
function notSure(what: string, line: string, code: string, opts: AnalyzeOptions = O): void {
  assert.equal(scan(line, opts), undefined, `${what}: the scan passed it: ${line}`);
  if (code === '') return;
  const codes: string[] = analyzeLine(line, opts).diagnostics.map((d) => d.code);
  assert.ok(codes.includes(code), `${what}: analyzeLine says ${codes.join(', ') || 'nothing'}, not ${code}`);
}

/** Whatever the scan says of a line, it must agree with analyzeLine when it takes it. */
function agrees(what: string, line: string, opts: AnalyzeOptions = O): boolean {
  const fast = scan(line, opts);
  if (fast) sameFacts(fast, analyzeLine(line, opts), what);
  return fast !== undefined;
}

const U = '{"role": "user", "content": "What is the capital of France?"}';
const A = '{"role": "assistant", "content": "Paris."}';
const S = '{"role": "system", "content": "You are a geography tutor."}';
const chat = (...turns: string[]) => `[${turns.join(', ')}]`;
const H = '{"from": "human", "value": "What is the capital of France?"}';
const G = '{"from": "gpt", "value": "Paris."}';

test('every format and shape the scan knows goes the fast way, with analyzeLine’s facts', () => {
  const cases: [string, string][] = [
    ['text', '{"text": "The quick brown fox jumps over the lazy dog."}'],
    ['text with a label', '{"text": "x", "label": true}'],
    ['messages', `{"messages": ${chat(U, A)}}`],
    ['messages with a system turn', `{"messages": ${chat(S, U, A)}}`],
    ['messages with a developer turn', `{"messages": ${chat(S.replace('system', 'developer'), U, A)}}`],
    ['messages over four turns', `{"messages": ${chat(U, A, U, A)}}`],
    ['messages with a named user', '{"messages": [{"role": "user", "name": "bob", "content": "hi"}, {"role": "assistant", "content": "yo"}]}'],
    ['messages ending with a user turn', `{"messages": ${chat(U, A, U)}}`],
    ['prompt', '{"prompt": "Tell me a joke."}'],
    ['conversational prompt', `{"prompt": ${chat(U)}}`],
    ['conversational prompt with a system turn', `{"prompt": ${chat(S, U)}}`],
    ['conversational prompt of three turns', `{"prompt": ${chat(U, A, U)}}`],
    ['prompt and completion', '{"prompt": "Tell me a joke.", "completion": "Why did the chicken cross the road?"}'],
    ['conversational prompt and completion', `{"prompt": ${chat(S, U)}, "completion": ${chat(A)}}`],
    ['preference', '{"prompt": "Pick one.", "chosen": "A", "rejected": "B"}'],
    ['preference, implicit prompt', '{"chosen": "A", "rejected": "B"}'],
    ['conversational preference', `{"prompt": ${chat(U)}, "chosen": ${chat(A)}, "rejected": ${chat(A.replace('Paris.', 'Lyon.'))}}`],
    ['unpaired preference, true', '{"prompt": "p", "completion": "c", "label": true}'],
    ['unpaired preference, false', '{"prompt": "p", "completion": "c", "label": false}'],
    ['conversational unpaired preference', `{"prompt": ${chat(U)}, "completion": ${chat(A)}, "label": false}`],
    ['alpaca', '{"instruction": "Translate to French.", "output": "Bonjour."}'],
    ['alpaca with input', '{"instruction": "Translate to French.", "input": "Hello.", "output": "Bonjour."}'],
    ['alpaca with a blank input and system', '{"instruction": "Do it.", "input": "", "output": "Done.", "system": ""}'],
    ['alpaca with a system', '{"system": "You are a translator.", "instruction": "Translate.", "output": "Bonjour."}'],
    ['sharegpt', `{"conversations": ${chat(H, G)}}`],
    ['sharegpt with a system turn', `{"conversations": [{"from": "system", "value": "Be nice."}, ${H}, ${G}]}`],
    ['sharegpt with a system key', `{"system": "You are a tutor.", "conversations": ${chat(H, G)}}`],
    [
      'sharegpt with function calls',
      `{"conversations": [${H}, {"from": "function_call", "value": "{}"}, {"from": "observation", "value": "ok"}, {"from": "tool", "value": "ok"}, ${G}]}`,
    ],
    ['sharegpt with our role names', '{"conversations": [{"from": "user", "value": "hi"}, {"from": "assistant", "value": "yo"}]}'],
    ['sharegpt preference', `{"conversations": ${chat(H)}, "chosen": ${G}, "rejected": {"from": "gpt", "value": "Lyon."}}`],
    [
      'sharegpt preference, value first',
      `{"conversations": ${chat(H)}, "chosen": {"value": "a", "from": "gpt"}, "rejected": {"value": "b", "from": "assistant"}}`,
    ],
    ['stepwise', '{"prompt": "Q", "completions": ["a", "b"], "labels": [true, false]}'],
    ['stepwise, one step', '{"prompt": "Q", "completions": ["a"], "labels": [false]}'],
  ];
  const variants = new Set<string>();
  for (const [what, line] of cases) variants.add(fastWay(what, line).variant!);
  assert.equal(variants.size, 14);
});

test('white space between every token: spaces, tabs and carriage returns', () => {
  const tight = `{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"yo"}],"id":1,"m":{"a":[true,false,null]}}`;
  fastWay('no white space', tight);
  for (const w of [' ', '\t', '\r', ' \t\r ']) {
    const spread = tight.replace(/([{}[\]:,])/g, `${w}$1${w}`);
    fastWay(`${JSON.stringify(w)} around each token`, spread);
    fastWay(`${JSON.stringify(w)} before the line`, w + tight);
    fastWay(`${JSON.stringify(w)} after the line`, tight + w);
  }
  fastWay('empty list and object with white space inside', '{"text": "x", "a": [ ], "b": { }, "c": [\t], "d": {\r}}');
  fastWay('stepwise with white space', '{ "prompt" : "Q" , "completions" : [ "a" , "b" ] , "labels" : [ true , false ] }');
  // a line break is no white space inside a line, nor anything after the closing brace
  notSure('a line break inside, JSON white space but not the scan’s', '{"text":\n"x"}', '');
  notSure('text after the record', '{"text": "x"} x', 'invalid-json');
  notSure('a second record', '{"text": "x"}{"text": "y"}', 'invalid-json');
  notSure('a comma after the record', '{"text": "x"},', 'invalid-json');
  notSure('no closing brace', '{"text": "x"', 'invalid-json');
  notSure('no closing brace after white space', '{"text": "x" ', 'invalid-json');
  notSure('a missing colon', '{"text" "x"}', 'invalid-json');
  notSure('a missing comma', '{"text": "x" "id": 1}', 'invalid-json');
  notSure('a trailing comma', '{"text": "x",}', 'invalid-json');
  notSure('a list', '[{"text": "x"}]', 'not-an-object');
  notSure('a string', '"text"', 'not-an-object');
  notSure('an empty object', '{}', 'unknown-format');
  notSure('an empty object with white space', '{ }', 'unknown-format');
  notSure('a key that is not a string', '{text: "x"}', 'invalid-json');
  notSure('a byte-order mark', '\ufeff{"text": "x"}', '');
  notSure('nothing', '', '');
});

test('strings: every escape, \\u with each hex digit, surrogates, and characters of 1 to 4 UTF-8 bytes', () => {
  const texts = [
    'plain',
    'quote \\" here',
    'backslash \\\\ here',
    'slash \\/ here',
    'backspace \\b here',
    'form feed \\f here',
    'new line \\n here',
    'return \\r here',
    'tab \\t here',
    '\\"',
    '\\n\\n\\nx',
    'all \\"\\\\\\/\\b\\f\\n\\r\\t of them',
    'digits \\u0030\\u0039 \\u0031\\u0038',
    'lower \\u0061\\u0066\\u00e9\\u00ff',
    'upper \\u0041\\u0046\\u00C9\\u00FF',
    'mixed \\uAbCd\\ua0B1',
    'two bytes \\u0080 \\u07ff',
    'three bytes \\u0800 \\uffff \\ud7ff \\ue000',
    'pairs \\ud83d\\ude00 \\uD83D\\uDE00 \\ud800\\udc00 \\udbff\\udfff',
    'raw naïve café',
    'raw 数据 ありがとう',
    'raw 😀 and 🎉',
    'mixed é \\u00e9 😀 \\ud83d\\ude00 end',
    '\\u0000 a null escaped',
    '\\u001f a control escaped',
    '\\u007f',
  ];
  for (const t of texts) {
    fastWay(`text ${t}`, `{"text": "${t}"}`);
    fastWay(`metadata ${t}`, `{"text": "x", "note": "${t}"}`);
    fastWay(`a turn's content ${t}`, `{"messages": [{"role": "user", "content": "Q ${t}"}, {"role": "assistant", "content": "${t} A"}]}`);
    fastWay(`a step ${t}`, `{"prompt": "Q", "completions": ["${t}"], "labels": [true]}`);
  }
  // each escape hashes as the character itself
  const esc = fastWay('escapes', '{"text": "\\u0041\\n\\u00e9\\ud83d\\ude00"}');
  assert.equal(esc.hash, analyzeLine(JSON.stringify({ text: 'A\né😀' }), O).hash);
  // what JSON does not allow, and what UTF-8 cannot hold, is not sure
  for (const [what, t, code] of [
    ['an unknown escape', 'a \\x41', 'invalid-json'],
    ['an escaped quote letter', 'a \\a', 'invalid-json'],
    ['an escaped space', 'a \\ b', 'invalid-json'],
    ['a short \\u', 'a \\u41', 'invalid-json'],
    ['\\u with a g', 'a \\u00g1', 'invalid-json'],
    ['\\u with a G', 'a \\u00G1', 'invalid-json'],
    ['\\u with a colon', 'a \\u00:1', 'invalid-json'],
    ['\\u with a slash', 'a \\u00/1', 'invalid-json'],
    ['\\u with an at sign', 'a \\u00@1', 'invalid-json'],
    ['\\u with a backquote', 'a \\u00`1', 'invalid-json'],
    ['a raw tab', 'a\tb', 'invalid-json'],
    ['a raw control character', 'a\u0001b', 'invalid-json'],
    ['a raw unit separator', 'a\u001fb', 'invalid-json'],
    ['a lone low surrogate', 'a \\udc00 b', ''],
    ['a lone low surrogate at the end', 'a \\udfff', ''],
    ['a lone high surrogate', 'a \\ud800 b', ''],
    ['a lone high surrogate at the end', 'a \\udbff', ''],
    ['a high surrogate before a letter escape', 'a \\ud83d\\u0041', ''],
    ['a high surrogate before another high one', 'a \\ud83d\\ud83d', ''],
    ['a high surrogate before U+E000', 'a \\ud83d\\ue000', ''],
    ['a high surrogate before an escaped n', 'a \\ud83d\\n', ''],
    ['swapped halves', 'a \\ude00\\ud83d', ''],
  ] as const) {
    notSure(what, `{"text": "${t}"}`, code);
    notSure(`${what}, in metadata`, `{"text": "x", "m": "${t}"}`, code);
  }
  notSure('an escape cut by the line end', '{"text": "a\\', 'invalid-json');
  notSure('a \\u cut by the line end', '{"text": "a\\u00', 'invalid-json');
  notSure('a string cut by the line end after an escape', '{"text": "a\\n', 'invalid-json');
  notSure('a pair cut by the line end', '{"text": "a\\ud83d\\ude0', 'invalid-json');
  notSure('a pair cut after its high half', '{"text": "a\\ud83d', 'invalid-json');
});

test('numbers: canonical integers are hashed, anything else is left to analyzeLine', () => {
  for (const n of ['0', '7', '-7', '10', '-10', '120', '999999999999999', '-999999999999999', '123456789012345', '100000000000000']) {
    fastWay(`the number ${n}`, `{"text": "x", "n": ${n}}`);
    fastWay(`the number ${n} in a list`, `{"text": "x", "n": [${n}, ${n}]}`);
    fastWay(`the number ${n} before a brace`, `{"text": "x", "n": {"v":${n}}}`);
  }
  // the hash tells numbers apart by value
  assert.notEqual(fastWay('1', '{"text": "x", "n": 1}').hash, fastWay('2', '{"text": "x", "n": 2}').hash);
  assert.notEqual(fastWay('12', '{"text": "x", "n": 12}').hash, fastWay('"12"', '{"text": "x", "n": "12"}').hash);
  // sixteen digits, fractions, exponents and -0 are clean but not canonical: not sure
  for (const n of ['1234567890123456', '-1234567890123456', '1.5', '0.5', '-0.5', '1e3', '1E3', '0e1', '1.0', '-0', '10e2', '9007199254740993']) {
    notSure(`the number ${n}`, `{"text": "x", "n": ${n}}`, '');
  }
  for (const n of ['01', '-01', '00', '-', '--1', '+1', '.5', '1.', '0x10', '- 1']) notSure(`the bad number ${n}`, `{"text": "x", "n": ${n}}`, 'invalid-json');
});

test('literals, lists and objects in metadata; the nesting limit', () => {
  fastWay('true false null', '{"text": "x", "a": true, "b": false, "c": null}');
  fastWay('a list of everything', '{"text": "x", "a": [1, -2, "s", true, false, null, [], {}, [[]], {"k": [0]}]}');
  fastWay('an object of everything', '{"text": "x", "a": {"n": 1, "s": "é", "t": true, "f": false, "z": null, "l": [1], "o": {"p": {}}}}');
  // members of an object are hashed as a set: the order does not matter, the values do
  const ab = fastWay('a b', '{"text": "x", "m": {"a": 1, "b": 2}}');
  const ba = fastWay('b a', '{"text": "x", "m": {"b": 2, "a": 1}}');
  assert.equal(ab.hash, ba.hash);
  assert.notEqual(ab.hash, fastWay('a b swapped', '{"text": "x", "m": {"a": 2, "b": 1}}').hash);
  assert.notEqual(fastWay('[1, 2]', '{"text": "x", "m": [1, 2]}').hash, fastWay('[2, 1]', '{"text": "x", "m": [2, 1]}').hash);
  assert.notEqual(fastWay('true', '{"text": "x", "m": true}').hash, fastWay('false', '{"text": "x", "m": false}').hash);
  assert.notEqual(fastWay('null', '{"text": "x", "m": null}').hash, fastWay('[]', '{"text": "x", "m": []}').hash);
  assert.notEqual(fastWay('{}', '{"text": "x", "m": {}}').hash, fastWay('[] again', '{"text": "x", "m": []}').hash);
  for (const bad of [
    'tru',
    'fals',
    'nul',
    'True',
    'nulll',
    'truex',
    'undefined',
    '[1,]',
    '[,1]',
    '[1 2]',
    '{"a"}',
    '{"a" 1}',
    '{"a": 1,}',
    '{1: 2}',
    '{"a": 1 "b": 2}',
    '[1}',
    '{"a": 1]',
  ])
    notSure(`metadata ${bad}`, `{"text": "x", "m": ${bad}}`, 'invalid-json');
  notSure('a literal cut by the line end', '{"text": "x", "m": tr', 'invalid-json');
  notSure('a repeated metadata key inside an object', '{"text": "x", "m": {"a": 1, "a": 1}}', '');
  // 32 levels of lists or objects are scanned; a 33rd is left to analyzeLine (the scan recurses)
  const lists = (n: number) => `${'['.repeat(n)}1${']'.repeat(n)}`;
  const objects = (n: number) => `${'{"a": '.repeat(n)}1${'}'.repeat(n)}`;
  const mixed = (n: number) => `${'[{"a": '.repeat(n / 2)}1${'}]'.repeat(n / 2)}`;
  for (const [what, deep] of [
    ['lists', lists],
    ['objects', objects],
    ['lists and objects', mixed],
  ] as const) {
    fastWay(`${what} 32 deep`, `{"text": "x", "m": ${deep(32)}}`);
    notSure(`${what} 34 deep`, `{"text": "x", "m": ${deep(34)}}`, '');
  }
  notSure('lists 33 deep', `{"text": "x", "m": ${lists(33)}}`, '');
  notSure('objects 33 deep', `{"text": "x", "m": ${objects(33)}}`, '');
  // the depth is the nesting, not the count: many containers side by side, then one 32 deep
  const wide = Array.from({ length: 40 }, () => lists(31)).join(', ');
  fastWay('forty lists 31 deep side by side', `{"text": "x", "m": [${wide}], "n": {"o": {"p": {}}}, "q": ${objects(32)}}`);
  // far too deep: no stack overflow, just not sure
  notSure('lists 100,000 deep', `{"text": "x", "m": ${lists(100_000)}}`, '');
  notSure('objects 100,000 deep', `{"text": "x", "m": ${objects(100_000)}}`, '');
});

test('keys: format keys, metadata keys that look like them, repeated and escaped keys', () => {
  // metadata keys with a format key's first letter or length are metadata, hashed as such
  for (const k of [
    't',
    'te',
    'tex',
    'texts',
    'tags',
    'type',
    'txet',
    'Text',
    'TEXT',
    'points',
    'prompts',
    'prom',
    'source',
    'system2',
    'mess',
    'chose',
    'label2',
    'inputs',
    'id',
    'é',
    'ключ',
    '😀',
    '',
  ]) {
    const key = JSON.stringify(k);
    fastWay(`the metadata key ${key}`, `{"text": "x", ${key}: 1}`);
    fastWay(`the metadata key ${key} first`, `{${key}: "v", "prompt": "p", "completion": "c"}`);
    fastWay(`the metadata key ${key} in an object`, `{"text": "x", "m": {${key}: [1]}}`);
  }
  // metadata keys tell records apart
  assert.notEqual(fastWay('key a', '{"text": "x", "a": 1}').hash, fastWay('key b', '{"text": "x", "b": 1}').hash);
  fastWay('two metadata keys', '{"text": "x", "a": 1, "b": 1}');
  fastWay('two metadata keys of one length', '{"text": "x", "ab": 1, "ba": 1, "cd": 1}');
  notSure('a repeated metadata key', '{"text": "x", "a": 1, "a": 1}', '');
  notSure('a repeated metadata key, values apart', '{"text": "x", "a": 1, "b": 2, "a": 3}', '');
  notSure('a repeated format key', '{"text": "x", "text": "y"}', '');
  notSure('a repeated label', '{"prompt": "p", "completion": "c", "label": true, "label": false}', '');
  notSure('a format key written with an escape', '{"t\\u0065xt": "x"}', '');
  notSure('a metadata key written with an escape', '{"text": "x", "k\\u0065y": 1}', '');
  notSure('a metadata key with an escaped quote', '{"text": "x", "a\\"b": 1}', '');
  notSure('a key with a raw control character', '{"text": "x", "a\u0001": 1}', 'invalid-json');
  // keys of the formats the scan leaves to analyzeLine
  notSure('history (ShareGPT-style alpaca)', '{"instruction": "i", "output": "o", "history": []}', '');
  notSure('an eval set assert', '{"prompt": "p", "assert": "x"}', '');
  notSure('a safety expect', '{"prompt": "p", "expect": "refuse"}', '');
  notSure('mustPass', '{"prompt": "p", "mustPass": true}', '');
  notSure(
    'OpenAI preference',
    `{"input": {"messages": ${chat(U)}}, "preferred_output": ${chat(A)}, "non_preferred_output": ${chat(A.replace('Paris', 'Lyon'))}}`,
    '',
  );
  notSure('only metadata', '{"id": 1}', 'unknown-format');
  notSure('a misspelt completion beside a prompt', '{"prompt": "p", "completon": "c"}', '');
  // wrong types of the format keys
  notSure('a number as text', '{"text": 3}', 'wrong-type');
  notSure('null as text', '{"text": null}', 'wrong-type');
  notSure('a list of strings as text', '{"text": ["a"]}', 'wrong-type');
  notSure('an object as prompt', '{"prompt": {"a": 1}, "completion": "c"}', 'wrong-type');
  notSure('a label that is a string', '{"prompt": "p", "completion": "c", "label": "yes"}', 'label-not-boolean');
  notSure('a label that is a number', '{"prompt": "p", "completion": "c", "label": 1}', 'label-not-boolean');
  notSure('a label that is null', '{"prompt": "p", "completion": "c", "label": null}', 'label-not-boolean');
  notSure('an object as messages', '{"messages": {"role": "user"}}', 'wrong-type');
  notSure('a string as messages', '{"messages": "hi"}', 'wrong-type');
  notSure('a string as conversations', '{"conversations": "hi"}', 'wrong-type');
  notSure('a number as tools', `{"messages": ${chat(U, A)}, "tools": 3}`, '');
  notSure('a string as parallel_tool_calls', `{"messages": ${chat(U, A)}, "parallel_tool_calls": "false"}`, '');
  notSure('an object as completions', '{"prompt": "Q", "completions": {"a": 1}, "labels": [true]}', '');
  notSure('an object as labels', '{"prompt": "Q", "completions": ["a"], "labels": {"a": 1}}', '');
  notSure('a string as labels', '{"prompt": "Q", "completions": ["a"], "labels": "true"}', '');
  // blank text where the format wants text
  for (const blank of [
    '',
    ' ',
    '\\n',
    '\\t ',
    '\\u0020',
    '\u00a0',
    '\u1680',
    '\u2000',
    '\u200a',
    '\u2028',
    '\u202f',
    '\u205f',
    '\u3000',
    '\ufeff',
    '\\u3000',
    ' \u3000 \\n',
  ])
    for (const [what, line] of [
      ['text', `{"text": "${blank}"}`],
      ['prompt', `{"prompt": "${blank}"}`],
      ['completion', `{"prompt": "p", "completion": "${blank}"}`],
      ['chosen', `{"prompt": "p", "chosen": "${blank}", "rejected": "r"}`],
      ['instruction', `{"instruction": "${blank}", "output": "o"}`],
      ['output', `{"instruction": "i", "output": "${blank}"}`],
    ] as const)
      notSure(`a blank ${what} ${JSON.stringify(blank)}`, line, 'empty-content');
  // text that only begins with white space, or with a character beyond it
  for (const t of [
    '\u00a0x',
    '\u3000x',
    '\u2000数',
    '\ufeffx',
    '\u1680x',
    ' x',
    '\\nx',
    '\\u0020x',
    'Ñ',
    '数',
    'ā',
    '€',
    '😀',
    '\u00a1',
    '\u00c0',
    '\u0100',
    '\u2070',
    '\u3001',
    '\ufb00',
    '\u1681',
    '\ue000',
  ])
    fastWay(`a text beginning ${JSON.stringify(t)}`, `{"prompt": "${t}", "completion": "c"}`);
});

test('turns: the rules checkTurns holds a list to, each left to analyzeLine when broken', () => {
  const u = (c = 'hi') => `{"role": "user", "content": "${c}"}`;
  const a = (c = 'yo') => `{"role": "assistant", "content": "${c}"}`;
  const s = '{"role": "system", "content": "Be brief."}';
  const t = '{"role": "tool", "content": "18 C"}';
  fastWay('content before role', '{"messages": [{"content": "hi", "role": "user"}, {"content": "yo", "role": "assistant"}]}');
  // the lead user turn, for the template, is the first user turn
  fastWay('a conversation from the assistant', `{"messages": [${a()}, ${u('You are a tester today.')}, ${a()}]}`);
  notSure('no turns', '{"messages": []}', '');
  notSure('no turns, prompt', '{"prompt": [], "completion": "c"}', '');
  notSure('a turn that is a string', '{"messages": ["hi", "yo"]}', '');
  notSure('a turn that is a list', `{"messages": [[${u()}], ${a()}]}`, '');
  notSure('a user turn only', `{"messages": [${u()}]}`, '');
  notSure('an assistant turn only', `{"messages": [${a()}]}`, 'no-user-turn');
  notSure('a system and an assistant turn', `{"messages": [${s}, ${a()}]}`, 'no-user-turn');
  notSure('two user turns in a row', `{"messages": [${u()}, ${u()}, ${a()}]}`, 'repeated-role');
  notSure('two assistant turns in a row', `{"messages": [${u()}, ${a()}, ${a()}]}`, 'repeated-role');
  notSure('a system turn second', `{"messages": [${u()}, ${s}, ${a()}]}`, 'system-not-first');
  notSure('two system turns', `{"messages": [${s}, ${s}, ${u()}, ${a()}]}`, '');
  fastWay('a tool turn without a call', `{"messages": [${u()}, ${a()}, ${t}, ${a()}]}`);
  fastWay('two tool turns in a row', `{"messages": [${u()}, ${a()}, ${t}, ${t}, ${a()}]}`);
  notSure('an unknown role', `{"messages": [${u()}, {"role": "bot", "content": "yo"}]}`, 'unknown-role');
  notSure('a role in capitals', `{"messages": [{"role": "User", "content": "hi"}, ${a()}]}`, 'unknown-role');
  notSure('a ShareGPT role in messages', `{"messages": [{"role": "human", "content": "hi"}, ${a()}]}`, 'unknown-role');
  notSure('an escaped role', `{"messages": [{"role": "us\\u0065r", "content": "hi"}, ${a()}]}`, '');
  notSure('a role that is a number', `{"messages": [{"role": 1, "content": "hi"}, ${a()}]}`, '');
  notSure('no role', `{"messages": [{"content": "hi"}, ${a()}]}`, '');
  notSure('no content', `{"messages": [{"role": "user"}, ${a()}]}`, '');
  notSure('a role twice', `{"messages": [{"role": "user", "role": "user", "content": "hi"}, ${a()}]}`, '');
  notSure('content twice', `{"messages": [{"role": "user", "content": "hi", "content": "ho"}, ${a()}]}`, '');
  notSure('null content without calls', `{"messages": [{"role": "user", "content": null}, ${a()}]}`, '');
  notSure('a number as content', `{"messages": [{"role": "user", "content": 3}, ${a()}]}`, '');
  notSure('an unknown key in a turn', `{"messages": [{"role": "user", "content": "hi", "weight": 1}, ${a()}]}`, '');
  notSure('ShareGPT keys in messages', `{"messages": [{"from": "user", "value": "hi"}, ${a()}]}`, '');
  notSure('a blank user turn', `{"messages": [${u('')}, ${a()}]}`, 'empty-content');
  notSure('a blank assistant turn', `{"messages": [${u()}, ${a(' ')}]}`, 'empty-content');
  notSure('a blank system turn', `{"messages": [{"role": "system", "content": "\\n"}, ${u()}, ${a()}]}`, 'empty-content');
  notSure('a prompt ending with the answer', `{"prompt": [${u()}, ${a()}], "completion": [${a()}]}`, '');
  notSure('a user turn in the completion', `{"prompt": [${u()}], "completion": [${u()}]}`, '');
  notSure('two assistant turns in the completion', `{"prompt": [${u()}], "completion": [${a()}, ${a()}]}`, 'repeated-role');
  notSure('a user turn in chosen', `{"prompt": [${u()}], "chosen": [${u()}], "rejected": [${a()}]}`, '');
  notSure('a system turn in rejected', `{"prompt": [${u()}], "chosen": [${a()}], "rejected": [${s}]}`, '');
  notSure('chosen equal to rejected', `{"prompt": [${u()}], "chosen": [${a()}], "rejected": [${a()}]}`, '');
  notSure('chosen equal to rejected, as text', '{"prompt": "p", "chosen": "same", "rejected": "same"}', '');
  notSure('chosen equal to rejected, once escaped', '{"prompt": "p", "chosen": "same", "rejected": "s\\u0061me"}', '');
  notSure('conversational chosen without a prompt', `{"chosen": [${u()}, ${a()}], "rejected": [${u()}, ${a('no')}]}`, '');
  notSure('conversational answers without a prompt', `{"chosen": [${a()}], "rejected": [${a('no')}]}`, 'no-user-turn');
  notSure('a conversational prompt with a text completion', `{"prompt": [${u()}], "completion": "c"}`, '');
  notSure('a text prompt with a conversational completion', `{"prompt": "p", "completion": [${a()}]}`, '');
  notSure('a conversational prompt with a text chosen', `{"prompt": [${u()}], "chosen": "c", "rejected": [${a()}]}`, '');
  notSure('a conversational unpaired preference', `{"prompt": "p", "completion": [${a()}], "label": false}`, 'wrong-type');
  // ShareGPT
  notSure('ShareGPT without an answer', `{"conversations": [${H}]}`, '');
  notSure('ShareGPT without a question', `{"conversations": [{"from": "system", "value": "s"}, ${G}]}`, '');
  notSure('ShareGPT with an unknown role', `{"conversations": [${H}, {"from": "bot", "value": "x"}]}`, 'unknown-role');
  notSure('ShareGPT with chat keys', `{"conversations": [${U}, ${A}]}`, '');
  notSure('ShareGPT with a null value', `{"conversations": [{"from": "human", "value": null}, ${G}]}`, '');
  notSure('ShareGPT with content parts', `{"conversations": [{"from": "human", "value": [{"type": "text", "text": "hi"}]}, ${G}]}`, '');
  notSure('ShareGPT with a tool_calls key', `{"conversations": [${H}, {"from": "gpt", "value": "x", "tool_calls": []}]}`, '');
  notSure('ShareGPT with a blank value', `{"conversations": [{"from": "human", "value": " "}, ${G}]}`, 'empty-content');
  notSure('ShareGPT with two questions in a row', `{"conversations": [${H}, ${H}, ${G}]}`, 'repeated-role');
  notSure(
    'ShareGPT preference ending with the answer',
    `{"conversations": [${H}, ${G}], "chosen": ${G}, "rejected": {"from": "gpt", "value": "b"}}`,
    'prompt-ends-with-assistant',
  );
  notSure('ShareGPT preference with a human answer', `{"conversations": [${H}], "chosen": ${H}, "rejected": ${G}}`, '');
  notSure('ShareGPT preference with a list as chosen', `{"conversations": [${H}], "chosen": [${G}], "rejected": ${G}}`, '');
  notSure('ShareGPT preference without rejected', `{"conversations": [${H}], "chosen": ${G}}`, '');
  notSure('ShareGPT preference with text rejected', `{"conversations": [${H}], "chosen": ${G}, "rejected": "b"}`, '');
  notSure('ShareGPT preference with a blank answer', `{"conversations": [${H}], "chosen": {"from": "gpt", "value": ""}, "rejected": ${G}}`, '');
  notSure('ShareGPT preference with a turn without from', `{"conversations": [${H}], "chosen": {"value": "a"}, "rejected": ${G}}`, '');
  notSure('a single turn as messages', `{"messages": ${U}}`, '');
  notSure('a single turn as chosen of a chat prompt', `{"prompt": [${u()}], "chosen": ${A}, "rejected": ${A}}`, '');
  // stepwise
  notSure('more labels than steps', '{"prompt": "Q", "completions": ["a"], "labels": [true, false]}', '');
  notSure('more steps than labels', '{"prompt": "Q", "completions": ["a", "b"], "labels": [true]}', '');
  notSure('no steps', '{"prompt": "Q", "completions": [], "labels": []}', '');
  notSure('a blank step', '{"prompt": "Q", "completions": ["a", " "], "labels": [true, false]}', '');
  notSure('a step that is a number', '{"prompt": "Q", "completions": ["a", 1], "labels": [true, false]}', '');
  notSure('a label that is a number', '{"prompt": "Q", "completions": ["a", "b"], "labels": [true, 1]}', '');
  notSure('a label that is null', '{"prompt": "Q", "completions": ["a"], "labels": [null]}', '');
  notSure('stepwise without labels', '{"prompt": "Q", "completions": ["a"]}', '');
  notSure('stepwise with a completion too', '{"prompt": "Q", "completions": ["a"], "labels": [true], "completion": "c"}', '');
  notSure('stepwise with a label cut short', '{"prompt": "Q", "completions": ["a"], "labels": [tru]}', 'invalid-json');
  // a key of another format beside a format's own: left to analyzeLine
  notSure('text beside messages', `{"text": "t", "messages": ${chat(U, A)}}`, '');
  notSure('system beside prompt and completion', '{"prompt": "p", "completion": "c", "system": "s"}', '');
  notSure('input beside text', '{"text": "t", "input": "i"}', '');
});

// tool calling, OpenAI's and TRL's shapes
const TOOLS = '[{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}]';
const TWO_TOOLS = '[{"type": "function", "function": {"name": "get_weather"}}, {"type": "function", "function": {"name": "search"}}]';
/** A call; id '' for none (TRL's shape). */
function callFn(name = 'get_weather', args = '"{\\"city\\": \\"Paris\\"}"', id = 'call_1', type = '"type": "function", '): string {
  return `{${id === '' ? '' : `"id": "${id}", `}${type}"function": {"name": "${name}", "arguments": ${args}}}`;
}
function toolLine(calls: string, opts: { result?: string; tools?: string; assistant?: string; extra?: string } = {}): string {
  const assistant = opts.assistant ?? `{"role": "assistant", "tool_calls": [${calls}]}`;
  const result = opts.result ?? '{"role": "tool", "tool_call_id": "call_1", "content": "18 C"}';
  const tools = opts.tools === '' ? '' : `, "tools": ${opts.tools ?? TOOLS}`;
  return `{"messages": [{"role": "user", "content": "Weather in Paris?"}, ${assistant}, ${result}, {"role": "assistant", "content": "It is 18 C."}]${tools}${opts.extra ?? ''}}`;
}

test('tool calls: the clean shapes go the fast way', () => {
  fastWay('an OpenAI call', toolLine(callFn()));
  fastWay('an OpenAI call without tools', toolLine(callFn(), { tools: '' }));
  fastWay('a call without a type', toolLine(callFn(undefined, undefined, 'call_1', '')));
  fastWay('a call with its keys reversed', toolLine('{"function": {"arguments": "{}", "name": "get_weather"}, "type": "function", "id": "call_1"}'));
  fastWay('a call without arguments', toolLine('{"id": "call_1", "type": "function", "function": {"name": "get_weather"}}'));
  fastWay('empty arguments', toolLine(callFn(undefined, '"{}"')));
  fastWay('arguments with escapes', toolLine(callFn(undefined, '"{\\"city\\": \\"Par\\u00eds\\", \\"n\\": [1, 2]}"')));
  fastWay('arguments with white space', toolLine(callFn(undefined, '" { } "')));
  fastWay('an escaped id', toolLine(callFn(undefined, undefined, 'c\\u0061ll_1')));
  fastWay('a non-ASCII id', toolLine(callFn(undefined, undefined, 'appel_é'), { result: '{"role": "tool", "tool_call_id": "appel_é", "content": "18 C"}' }));
  fastWay('null content beside the call', toolLine('', { assistant: `{"role": "assistant", "content": null, "tool_calls": [${callFn()}]}` }));
  fastWay('blank content beside the call', toolLine('', { assistant: `{"role": "assistant", "content": "", "tool_calls": [${callFn()}]}` }));
  fastWay('text beside the call', toolLine('', { assistant: `{"tool_calls": [${callFn()}], "content": "Let me check.", "role": "assistant"}` }));
  fastWay('a tool result with its id last', toolLine(callFn(), { result: '{"content": "18 C", "role": "tool", "tool_call_id": "call_1"}' }));
  fastWay(
    'a TRL call, arguments as an object',
    toolLine(callFn(undefined, '{"city": "Paris", "n": [1, {"a": null}]}', ''), { result: '{"role": "tool", "name": "get_weather", "content": "18 C"}' }),
  );
  fastWay('a TRL call, no name on the result', toolLine(callFn(undefined, '{}', ''), { result: '{"role": "tool", "content": "18 C"}' }));
  fastWay('a TRL call, arguments as a string', toolLine(callFn(undefined, '"{}"', ''), { result: '{"role": "tool", "content": "18 C"}' }));
  fastWay('two tools, the second called', toolLine(callFn('search', '"{}"'), { tools: TWO_TOOLS }));
  fastWay('tools as a JSON string', toolLine(callFn(), { tools: JSON.stringify(TOOLS) }));
  fastWay('tools as a JSON string of no list', toolLine(callFn(), { tools: '"[]"' }));
  fastWay('parallel_tool_calls true', toolLine(callFn(), { extra: ', "parallel_tool_calls": true' }));
  fastWay('parallel_tool_calls false', toolLine(callFn(), { extra: ', "parallel_tool_calls": false' }));
  fastWay(
    'two calls and two results',
    toolLine(`${callFn()}, ${callFn('get_weather', '"{}"', 'call_2')}`, {
      result: '{"role": "tool", "tool_call_id": "call_1", "content": "18 C"}, {"role": "tool", "tool_call_id": "call_2", "content": "20 C"}',
    }),
  );
  fastWay(
    'results in the other order',
    toolLine(`${callFn()}, ${callFn('get_weather', '"{}"', 'call_2')}`, {
      result: '{"role": "tool", "tool_call_id": "call_2", "content": "20 C"}, {"role": "tool", "tool_call_id": "call_1", "content": "18 C"}',
    }),
  );
  fastWay('a system turn first', toolLine(callFn()).replace('[{"role": "user"', `[${S}, {"role": "user"`));
  fastWay('ShareGPT with tools', `{"conversations": ${chat(H, G)}, "tools": ${TOOLS}}`);
  fastWay('ShareGPT preference with tools', `{"conversations": ${chat(H)}, "chosen": ${G}, "rejected": {"from": "gpt", "value": "b"}, "tools": ${TOOLS}}`);
  fastWay('a call without content or result', `{"messages": [${U}, {"role": "assistant", "tool_calls": [${callFn()}]}]}`);
  fastWay('a plain chat with tools', `{"messages": ${chat(U, A)}, "tools": ${TOOLS}}`);
  // the calls are part of the hash
  assert.notEqual(fastWay('city Paris', toolLine(callFn())).hash, fastWay('city Rome', toolLine(callFn(undefined, '"{\\"city\\": \\"Rome\\"}"'))).hash);
  assert.notEqual(fastWay('with type', toolLine(callFn())).hash, fastWay('without type', toolLine(callFn(undefined, undefined, 'call_1', ''))).hash);
});

test('tool calls: each defect leaves the line to analyzeLine', () => {
  const r = (id: string) => ({ result: `{"role": "tool", "tool_call_id": ${id}, "content": "18 C"}` });
  notSure('no calls', toolLine(''), '');
  notSure('a blank tool result', toolLine(callFn(), { result: '{"role": "tool", "tool_call_id": "call_1", "content": ""}' }), 'empty-content');
  notSure('a call that is a string', toolLine('"get_weather"'), '');
  notSure('a call that is a list', toolLine(`[${callFn()}]`), '');
  notSure('calls that are an object', toolLine('', { assistant: `{"role": "assistant", "tool_calls": ${callFn()}}` }), '');
  notSure('calls twice in a turn', toolLine('', { assistant: `{"role": "assistant", "tool_calls": [${callFn()}], "tool_calls": [${callFn()}]}` }), '');
  notSure('a call of type tool', toolLine(callFn(undefined, undefined, 'call_1', '"type": "tool", ')), 'tool-call-wrong-type');
  notSure('a call of type Function', toolLine(callFn(undefined, undefined, 'call_1', '"type": "Function", ')), 'tool-call-wrong-type');
  notSure('a call of type functions', toolLine(callFn(undefined, undefined, 'call_1', '"type": "functions", ')), 'tool-call-wrong-type');
  notSure('a call of type functio', toolLine(callFn(undefined, undefined, 'call_1', '"type": "functio", ')), 'tool-call-wrong-type');
  notSure('a call of type fonction', toolLine(callFn(undefined, undefined, 'call_1', '"type": "fonction", ')), 'tool-call-wrong-type');
  notSure('a type written with an escape', toolLine(callFn(undefined, undefined, 'call_1', '"type": "functi\\u006fn", ')), '');
  notSure('a type that is a number', toolLine(callFn(undefined, undefined, 'call_1', '"type": 1, ')), '');
  notSure('a call without a function', toolLine('{"id": "call_1", "type": "function"}'), '');
  notSure('a function that is a string', toolLine('{"id": "call_1", "type": "function", "function": "get_weather"}'), '');
  notSure('a function without a name', toolLine('{"id": "call_1", "type": "function", "function": {"arguments": "{}"}}'), 'tool-call-no-name');
  notSure('an empty function', toolLine('{"id": "call_1", "type": "function", "function": {}}'), 'tool-call-no-name');
  notSure('a blank name', toolLine(callFn(' ')), '');
  notSure('an empty name', toolLine(callFn('')), '');
  notSure('a name that is a number', toolLine('{"id": "call_1", "type": "function", "function": {"name": 1, "arguments": "{}"}}'), '');
  notSure('a name twice', toolLine('{"id": "call_1", "type": "function", "function": {"name": "get_weather", "name": "get_weather", "arguments": "{}"}}'), '');
  notSure('arguments twice', toolLine('{"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{}", "arguments": "{}"}}'), '');
  notSure('a description in the function', toolLine('{"id": "call_1", "type": "function", "function": {"name": "get_weather", "description": "d"}}'), '');
  notSure('an index in the call', toolLine('{"index": 0, "id": "call_1", "type": "function", "function": {"name": "get_weather"}}'), '');
  notSure('an id twice', toolLine('{"id": "call_1", "id": "call_1", "type": "function", "function": {"name": "get_weather"}}'), '');
  notSure('a type twice', toolLine('{"id": "call_1", "type": "function", "type": "function", "function": {"name": "get_weather"}}'), '');
  notSure('a function twice', toolLine('{"id": "call_1", "function": {"name": "get_weather"}, "function": {"name": "get_weather"}}'), '');
  notSure('an id that is a number', toolLine('{"id": 1, "type": "function", "function": {"name": "get_weather"}}'), '');
  for (const args of ['"{city}"', '"[1]"', '"3"', '"null"', '"\\"{}\\""', '""', '"{"', '1', 'null', '[]', 'true'])
    notSure(`arguments ${args}`, toolLine(callFn(undefined, args)), '');
  notSure('arguments as an object beside an id', toolLine(callFn(undefined, '{"city": "Paris"}')), '');
  notSure(
    'arguments as an object with a repeated key',
    toolLine(callFn(undefined, '{"a": 1, "a": 2}', ''), { result: '{"role": "tool", "content": "18 C"}' }),
    '',
  );
  notSure('a result answering no call', toolLine(callFn(), r('"call_9"')), '');
  notSure('a result without an id when calls have ids', toolLine(callFn(), { result: '{"role": "tool", "content": "18 C"}' }), '');
  notSure('a result answering a TRL call by an id', toolLine(callFn(undefined, '{}', ''), r('"call_1"')), '');
  notSure(
    'a result with its id twice',
    toolLine(callFn(), { result: '{"role": "tool", "tool_call_id": "call_1", "tool_call_id": "call_1", "content": "18 C"}' }),
    '',
  );
  notSure('a result with a name twice', toolLine(callFn(undefined, '{}', ''), { result: '{"role": "tool", "name": "a", "name": "a", "content": "18 C"}' }), '');
  notSure('a result with an id that is a number', toolLine(callFn(), r('1')), '');
  notSure('a name that is a number on a result', toolLine(callFn(undefined, '{}', ''), { result: '{"role": "tool", "name": 3, "content": "18 C"}' }), '');
  notSure(
    'a result before its call',
    toolLine(callFn(), { assistant: `{"role": "tool", "tool_call_id": "call_1", "content": "x"}, {"role": "assistant", "tool_calls": [${callFn()}]}` }),
    '',
  );
  notSure('a call nobody defined', toolLine(callFn('search', '"{}"')), '');
  notSure('a second call nobody defined', toolLine(`${callFn()}, ${callFn('get_wether', '"{}"', 'call_2')}`), '');
  notSure(
    'a user turn with calls and no text',
    toolLine('', { assistant: `{"role": "assistant", "content": "x"}, {"role": "user", "tool_calls": [${callFn()}]}` }),
    '',
  );
  notSure('a system turn with calls and no text', `{"messages": [{"role": "system", "tool_calls": [${callFn()}]}, ${U}, ${A}], "tools": ${TOOLS}}`, '');
  notSure(
    'content twice beside calls',
    toolLine('', { assistant: `{"role": "assistant", "content": null, "content": null, "tool_calls": [${callFn()}]}` }),
    '',
  );
  notSure('null content without calls', `{"messages": [${U}, {"role": "assistant", "content": null}]}`, '');
  notSure('a literal that is not null', toolLine('', { assistant: `{"role": "assistant", "content": nul, "tool_calls": [${callFn()}]}` }), 'invalid-json');
  notSure('calls in a prompt', `{"prompt": [${U}, {"role": "assistant", "tool_calls": [${callFn()}]}, ${U}]}`, '');
  notSure('tools beside text', `{"text": "t", "tools": ${TOOLS}}`, '');
  notSure('tools beside a prompt and completion', `{"prompt": "p", "completion": "c", "tools": ${TOOLS}}`, '');
  notSure('tools beside alpaca', `{"instruction": "i", "output": "o", "tools": ${TOOLS}}`, '');
  notSure('tools beside a conversational prompt', `{"prompt": [${U}], "completion": [${A}], "tools": ${TOOLS}}`, '');
  fastWay('tools as an empty string', toolLine(callFn(), { tools: '""' }));
  for (const tools of ['"oops"', '"{}"', '[1]', '[{"type": "function", "function": {"parameters": {}}}]', '{"a": 1}'])
    notSure(`tools ${tools}`, toolLine(callFn(), { tools }), '');
});

test('tools lists repeat from line to line; a different list is read afresh', () => {
  // the scan keeps the last list's hash and verdict: lines that change the list must not get the last one's
  const seq: [string, string, boolean][] = [
    ['weather', toolLine(callFn()), true],
    ['weather again', toolLine(callFn()), true],
    ['search only, calling weather', toolLine(callFn(), { tools: TOOLS.replace('get_weather', 'search_web_') }), false],
    ['weather after search', toolLine(callFn()), true],
    ['a defective list', toolLine(callFn(), { tools: '[{"type": "function", "function": {"name": "get_weather", "parameters": []}}]' }), false],
    ['weather after the defect', toolLine(callFn()), true],
    ['two tools', toolLine(callFn('search', '"{}"'), { tools: TWO_TOOLS }), true],
    ['two tools again', toolLine(callFn('search', '"{}"'), { tools: TWO_TOOLS }), true],
    ['weather calling search', toolLine(callFn('search', '"{}"')), false],
    ['no names', toolLine(callFn('anything', '"{}"'), { tools: '"[]"' }), true],
    ['weather calling anything', toolLine(callFn('anything', '"{}"')), false],
    ['the list as a string', toolLine(callFn(), { tools: JSON.stringify(TOOLS) }), true],
    ['the list as a string, calling search', toolLine(callFn('search', '"{}"'), { tools: JSON.stringify(TOOLS) }), false],
    ['ShareGPT with the list', `{"conversations": ${chat(H, G)}, "tools": ${TOOLS}}`, true],
    [
      'ShareGPT with a list of non-ASCII descriptions',
      `{"conversations": ${chat(H, G)}, "tools": ${TOOLS.replace('"parameters"', '"description": "Météo 😀", "parameters"')}}`,
      true,
    ],
    ['the same again', `{"conversations": ${chat(H, G)}, "tools": ${TOOLS.replace('"parameters"', '"description": "Météo 😀", "parameters"')}}`, true],
    [
      'then another list with the same bytes before',
      `{"conversations": ${chat(H, G)}, "tools": ${TOOLS.replace('"parameters"', '"description": "Météo 😀!", "parameters"')}}`,
      true,
    ],
  ];
  for (let round = 0; round < 2; round++)
    for (const [what, line, fast] of seq) {
      if (fast) fastWay(what, line);
      else notSure(what, line, '');
    }
  // a list that begins like the last one but is longer: read whole, hashed whole
  const long = TOOLS.slice(0, -1) + ', {"type": "function", "function": {"name": "search"}}]';
  fastWay('the list', toolLine(callFn()));
  fastWay('the list with one more tool', toolLine(callFn('search', '"{}"'), { tools: long }));
  fastWay('the list, shorter, after the longer one', toolLine(callFn()));
});

test('content parts: put to the tool checks, blank or broken parts left to analyzeLine', () => {
  const line = (user: string, assistant = '"A cat."') => `{"messages": [{"role": "user", "content": ${user}}, {"role": "assistant", "content": ${assistant}}]}`;
  const ok = [
    '[{"type": "text", "text": "Describe this."}]',
    '[{"type": "text", "text": "Describe this."}, {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}]',
    '[{"type": "image_url", "image_url": {"url": "https://example.com/a.png", "detail": "low"}}]',
    '[{"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": "wav"}}]',
    '[{"type": "file", "file": {"file_id": "file-abc"}}]',
    '[{"type": "text", "text": " "}, {"type": "image"}]',
    '[{"text": "What?", "type": "text"}]',
    '[{"type": "text", "text": "a"}, {"type": "text", "text": ""}]',
    '[ {"type": "text", "text": "\\u00e9 😀"} ]',
  ];
  for (const p of ok) fastWay(`user parts ${p}`, line(p));
  fastWay('text parts from the assistant', line('"What?"', '[{"type": "text", "text": "A cat."}]'));
  fastWay('text parts from the system', `{"messages": [{"role": "system", "content": [{"type": "text", "text": "Be brief."}]}, ${U}, ${A}]}`);
  const bad = [
    '[]',
    '[null]',
    '[{"type": "text", "text": "a"}, null]',
    '[false]',
    '[0]',
    '["text"]',
    '[["text"]]',
    '[{"type": "text", "text": "a"}, [1]]',
    '[{"type": 1}]',
    '[{"kind": "text", "text": "x"}]',
    '[{"type": "text"}]',
    '[{"type": "text", "text": 3}]',
    '[{"type": "text", "text": " "}]',
    '[{"type": "text", "text": ""}, {"type": "text", "text": "\\n"}]',
    '[{"type": "image_url", "image_url": "https://example.com/a.png"}]',
    '[{"type": "image_url"}]',
    '[{"type": "input_audio", "input_audio": {"data": "x", "format": "ogg"}}]',
    '[{"type": "file", "file": {}}]',
    '[{"type": "text", "text": "a"}, ]',
  ];
  for (const p of bad) assert.ok(!agrees(`user parts ${p}`, line(p)), `user parts ${p}: the scan passed it`);
  notSure('an image from the assistant', line('"What?"', '[{"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}]'), '');
  notSure(
    'parts twice in a turn',
    `{"messages": [{"role": "user", "content": [{"type": "text", "text": "a"}], "content": [{"type": "text", "text": "b"}]}, ${A}]}`,
    '',
  );
  notSure('text, then parts, in a turn', `{"messages": [{"role": "user", "content": "a", "content": [{"type": "text", "text": "b"}]}, ${A}]}`, '');
  notSure('parts too deep', line(`[{"type": "text", "text": "a", "x": ${'['.repeat(40)}${']'.repeat(40)}}]`), '');
  fastWay('parts in a prompt', `{"prompt": [{"role": "user", "content": [{"type": "text", "text": "a"}]}], "completion": [${A}]}`);
});

test('the template fact: lead texts of every length around the probe and the prefix, in each format', () => {
  // PROBE is 40 UTF-16 units of the lead's opening; the scan decodes a 96-byte prefix for the signature
  const fillers = ['a', 'é', '数', '😀', 'ab😀', ' a', '\\n', 'x\\u00e9'];
  const heads = ['You are a tutor. ', 'Hello ', '', 'Translate this text: ', 'averyveryverylongfirstwordthatgoeson ', '¿Qué es ', '数据 集 ', '😀 happy face '];
  let seen = 0;
  for (const head of heads)
    for (const fill of fillers)
      for (const n of [1, 10, 19, 20, 21, 38, 39, 40, 41, 42, 47, 48, 49, 60, 95, 96, 97, 110]) {
        const t = head + fill.repeat(n);
        if ((JSON.parse(`"${t}"`) as string).trim() === '') continue;
        const f = fastWay(`a prompt ${JSON.stringify(t)}`, `{"prompt": "${t}", "completion": "c"}`);
        if (f.template) seen++;
      }
  assert.ok(seen > 1000, `only ${seen} lines had a template`);
  // every format's lead text, and the system one first
  const long = 'You are a very careful assistant who answers every question with great care.';
  const cases: [string, string][] = [
    ['messages, user lead', `{"messages": [{"role": "user", "content": "${long}"}, ${A}]}`],
    ['messages, system lead', `{"messages": [{"role": "system", "content": "${long}"}, ${U}, ${A}]}`],
    ['messages, developer lead', `{"messages": [{"role": "developer", "content": "${long} é"}, ${U}, ${A}]}`],
    ['messages, lead after an assistant turn', `{"messages": [${A}, {"role": "user", "content": "${long}"}, ${A}]}`],
    ['messages, second user turn not the lead', `{"messages": [${U}, ${A}, {"role": "user", "content": "${long}"}, ${A}]}`],
    ['messages, escaped lead', `{"messages": [{"role": "user", "content": "You\\u0020are \\"a\\" tutor"}, ${A}]}`],
    ['messages, tool calls', toolLine(callFn()).replace('Weather in Paris?', long)],
    ['conversational prompt', `{"prompt": [{"role": "system", "content": "${long}"}, ${U}], "completion": [${A}]}`],
    ['text: no lead', `{"text": "${long}"}`],
    ['alpaca, instruction lead', `{"instruction": "${long}", "output": "o"}`],
    ['alpaca, system lead', `{"system": "${long}", "instruction": "Do it.", "output": "o"}`],
    ['alpaca, blank system', `{"system": " ", "instruction": "${long}", "output": "o"}`],
    ['alpaca, system after', `{"instruction": "Do it now.", "output": "o", "system": "${long}"}`],
    ['sharegpt, human lead', `{"conversations": [{"from": "human", "value": "${long}"}, ${G}]}`],
    ['sharegpt, user lead', `{"conversations": [{"from": "user", "value": "${long}"}, ${G}]}`],
    ['sharegpt, system turn lead', `{"conversations": [{"from": "system", "value": "${long}"}, ${H}, ${G}]}`],
    ['sharegpt, system key lead', `{"system": "${long}", "conversations": ${chat(H, G)}}`],
    ['sharegpt, blank system key', `{"system": "", "conversations": [{"from": "human", "value": "${long}"}, ${G}]}`],
    ['sharegpt, lead after observation', `{"conversations": [{"from": "observation", "value": "x y z"}, {"from": "human", "value": "${long}"}, ${G}]}`],
    ['sharegpt preference', `{"conversations": [{"from": "human", "value": "${long}"}], "chosen": ${G}, "rejected": {"from": "gpt", "value": "b"}}`],
    ['sharegpt preference, system key', `{"system": "${long}", "conversations": [${H}], "chosen": ${G}, "rejected": {"from": "gpt", "value": "b"}}`],
    ['stepwise', `{"prompt": "${long}", "completions": ["a"], "labels": [true]}`],
    ['preference', `{"prompt": "${long}", "chosen": "a", "rejected": "b"}`],
    ['preference, implicit prompt', `{"chosen": "${long}", "rejected": "b"}`],
    ['unpaired', `{"prompt": "${long}", "completion": "c", "label": true}`],
    ['a lead without words', '{"prompt": "... !!! ???", "completion": "c"}'],
    ['a lead of one word', '{"prompt": "Hello", "completion": "c"}'],
    ['a lead of punctuation and escapes', '{"prompt": "\\n\\n--\\t", "completion": "c"}'],
    ['a lead with an apostrophe', `{"prompt": "you're right, it's fine", "completion": "c"}`],
  ];
  for (const [what, l] of cases) fastWay(what, l);
  const sys = fastWay('the system mark', `{"messages": [{"role": "system", "content": "${long}"}, ${U}, ${A}]}`);
  assert.ok(sys.template?.sig.startsWith('system:'), JSON.stringify(sys.template));
  const user = fastWay('no system mark', `{"messages": [{"role": "user", "content": "${long}"}, ${A}]}`);
  assert.equal(user.template?.sig, 'you are a');
  // the probe is found where it first occurs: a copy of the lead's opening earlier in the line
  for (const t of [long, 'Short lead', 'é'.repeat(50), '😀'.repeat(30), long + ' 😀', 'ab😀'.repeat(20)]) {
    fastWay(`metadata before the lead ${t}`, `{"note": "${t}", "prompt": "${t}", "completion": "c"}`);
    fastWay(`an earlier copy, non-ASCII before ${t}`, `{"é😀": "数 ${t}", "prompt": "${t}", "completion": "c"}`);
    fastWay(`a longer copy earlier ${t}`, `{"note": "${t} and more", "prompt": "${t}", "completion": "c"}`);
    fastWay(`a copy after ${t}`, `{"prompt": "${t}", "completion": "c", "note": "${t}"}`);
    fastWay(`an earlier copy of the system lead ${t}`, `{"id": "${t}", "messages": [{"role": "system", "content": "${t}"}, ${U}, ${A}]}`);
  }
  // escaped leads: the probe is the JSON of the text, found in the line or not
  for (const t of [
    'You \\u0061re a tutor',
    'Tab\\there and there',
    'Say \\"hi\\" now',
    '\\u00e9'.repeat(50),
    'x'.repeat(39) + '\\n',
    'y'.repeat(41) + '\\/',
    'a\\ud83d\\ude00b'.repeat(20),
  ]) {
    fastWay(`an escaped lead ${t}`, `{"prompt": "${t}", "completion": "c"}`);
    fastWay(`an escaped lead ${t} after metadata`, `{"note": "数 ${t}", "prompt": "${t}", "completion": "c"}`);
  }
});

test('options: a forced format, the token limit, and a start inside the buffer', () => {
  const line = '{"prompt": "Pick one.", "chosen": "A", "rejected": "B"}';
  fastWay('forced to its own format', line, { ...O, format: 'preference' });
  notSure('forced to another format', line, 'missing-key', { ...O, format: 'alpaca' });
  notSure('forced to another format without a diagnostic', '{"prompt": "p", "completion": "c"}', '', { ...O, format: 'unpaired-preference' });
  // too long for the estimate: analyzeLine counts the text's characters, the scan gives up at len / 4 > maxTokens
  const text = `{"text": "${'a'.repeat(388)}"}`; // 400 characters
  assert.equal(text.length, 400);
  fastWay('exactly at the limit', text, { ...O, maxTokens: 100 });
  notSure('one token over the limit', text, '', { ...O, maxTokens: 99 });
  const wide = `{"text": "${'é'.repeat(388)}"}`; // 400 UTF-16 units, 788 bytes
  fastWay('non-ASCII exactly at the limit', wide, { ...O, maxTokens: 100 });
  notSure('non-ASCII one over the limit', wide, '', { ...O, maxTokens: 99 });
  const astral = `{"text": "${'😀'.repeat(100)}", "n": 1}`; // 220 units, 320 bytes
  assert.equal(astral.length, 220);
  fastWay('astral characters at the limit', astral, { ...O, maxTokens: 55 });
  notSure('astral characters over the limit', astral, '', { ...O, maxTokens: 54.75 });
  fastWay('a long line under the default limit', `{"text": "${'word '.repeat(1500)}"}`);
  // a user schema replaces the checks: never scanned (the caller never asks), and the eval formats are analyzeLine's
  // the line's start in the buffer: facts relative to it
  const buf = Buffer.from(`${line}\n${line}\n`);
  const n = Buffer.byteLength(line);
  const first = scanCleanLine(buf, 0, n, O)!;
  const second = scanCleanLine(buf, n + 1, 2 * n + 1, O)!;
  assert.ok(first && second);
  assert.deepEqual(second, first);
  assert.equal(scanCleanLine(buf, 0, n - 1, O), undefined, 'a line cut before its brace');
  assert.equal(scanCleanLine(buf, 0, n + 1, O), undefined, 'a line with its line break');
  assert.equal(scanCleanLine(buf, 1, n, O), undefined, 'a line without its opening brace');
  assert.equal(scanCleanLine(buf, n, n, O), undefined, 'an empty range');
});

test("a registry's column names and ShareGPT tags, ours and not ours, ASCII or not", () => {
  const alpaca = { ...O, format: 'alpaca' as const, keyMap: { question: 'instruction', réponse: 'output', persona: 'system', ignored: '' } };
  fastWay('renamed alpaca', '{"question": "Translate.", "réponse": "Bonjour."}', alpaca);
  fastWay('renamed alpaca with a system', '{"persona": "You are a translator.", "question": "Translate.", "réponse": "Bonjour."}', alpaca);
  fastWay('renamed alpaca with our own input', '{"question": "Translate.", "input": "Hello.", "réponse": "Bonjour."}', alpaca);
  fastWay('renamed alpaca with a hidden column', '{"question": "Translate.", "réponse": "Bonjour.", "ignored": [1, "x"]}', alpaca);
  fastWay('renamed alpaca with metadata', '{"question": "Translate.", "réponse": "Bonjour.", "questions": 2}', alpaca);
  notSure('renamed alpaca with our name for a renamed column', '{"question": "Translate.", "output": "Bonjour."}', '', alpaca);
  notSure('renamed alpaca under our names only', '{"instruction": "Translate.", "output": "Bonjour."}', '', alpaca);
  notSure('renamed alpaca, a column twice', '{"question": "a", "question": "b", "réponse": "c"}', '', alpaca);
  notSure('renamed alpaca, a blank answer', '{"question": "a", "réponse": " "}', 'empty-content', alpaca);
  const tags = { role: 'speaker', content: 'text', roles: { customer: 'human', agent: 'gpt', policy: 'system', kunde: 'human', агент: 'gpt', '': 'human' } };
  const share = { ...O, format: 'sharegpt' as const, keyMap: { dialog: 'conversations' }, turnTags: tags };
  const turn = (speaker: string, text: string) => `{"speaker": "${speaker}", "text": "${text}"}`;
  fastWay('tagged', `{"dialog": [${turn('customer', 'hi')}, ${turn('agent', 'yo')}]}`, share);
  fastWay('tagged, text first', `{"dialog": [{"text": "hi", "speaker": "customer"}, {"text": "yo", "speaker": "agent"}]}`, share);
  fastWay('tagged, our role names too', `{"dialog": [${turn('human', 'hi')}, ${turn('gpt', 'yo')}]}`, share);
  fastWay('tagged, a policy first', `{"dialog": [${turn('policy', 'Be brief please now.')}, ${turn('customer', 'hi')}, ${turn('agent', 'yo')}]}`, share);
  fastWay('tagged, non-ASCII roles', `{"dialog": [${turn('kunde', 'hallo')}, ${turn('агент', 'привет')}]}`, share);
  fastWay('tagged, non-ASCII roles again', `{"dialog": [${turn('kunde', 'You are a tutor')}, ${turn('агент', 'привет мир')}]}`, share);
  fastWay('tagged, an empty role name', `{"dialog": [${turn('', 'hallo')}, ${turn('агент', 'привет')}]}`, share);
  fastWay('tagged, with a system key', `{"system": "Be brief.", "dialog": [${turn('customer', 'hi')}, ${turn('agent', 'yo')}]}`, share);
  notSure('tagged, an unknown role', `{"dialog": [${turn('client', 'hi')}, ${turn('agent', 'yo')}]}`, 'unknown-role', share);
  notSure('tagged, the default keys', `{"dialog": [{"from": "customer", "value": "hi"}, {"from": "agent", "value": "yo"}]}`, '', share);
  notSure('tagged, a role with an escape', `{"dialog": [${turn('custom\\u0065r', 'hi')}, ${turn('agent', 'yo')}]}`, '', share);
  notSure('tagged, two agents in a row', `{"dialog": [${turn('customer', 'hi')}, ${turn('agent', 'yo')}, ${turn('агент', 'yo')}]}`, 'repeated-role', share);
  const pref = { ...O, format: 'sharegpt-preference' as const, keyMap: { dialog: 'conversations', better: 'chosen', worse: 'rejected' }, turnTags: tags };
  fastWay('tagged preference', `{"dialog": [${turn('customer', 'hi')}], "better": ${turn('agent', 'a')}, "worse": ${turn('агент', 'b')}}`, pref);
  notSure(
    'tagged preference, a customer answer',
    `{"dialog": [${turn('customer', 'hi')}], "better": ${turn('customer', 'a')}, "worse": ${turn('agent', 'b')}}`,
    '',
    pref,
  );
  // tags that clash with the chat keys, or with each other: never scanned
  for (const clash of [
    { role: 'role', content: 'text', roles: {} },
    { role: 'speaker', content: 'content', roles: {} },
    { role: 'name', content: 'text', roles: {} },
    { role: 'same', content: 'same', roles: {} },
  ]) {
    const opts = { ...O, format: 'sharegpt' as const, keyMap: { dialog: 'conversations' }, turnTags: clash };
    const r = clash.role,
      c = clash.content;
    assert.equal(scan(`{"dialog": [{"${r}": "human", "${c}": "hi"}, {"${r}": "gpt", "${c}": "yo"}]}`, opts), undefined, JSON.stringify(clash));
  }
  // the default tables come back after a registry's
  fastWay('our own names after a registry', `{"conversations": ${chat(H, G)}}`);
  notSure('the registry names after a registry', `{"dialog": [${turn('customer', 'hi')}, ${turn('agent', 'yo')}]}`, 'unknown-format');
  // one options object, asked again after another: its own tables again
  fastWay('tagged, after ours', `{"dialog": [${turn('customer', 'hi')}, ${turn('agent', 'yo')}]}`, share);
  fastWay('renamed alpaca, after tagged', '{"question": "Translate.", "réponse": "Bonjour."}', alpaca);
  fastWay('tagged once more', `{"dialog": [${turn('kunde', 'hallo')}, ${turn('агент', 'привет')}]}`, share);
  // a column mapped onto a format key by another column's name as well: ambiguous
  const both = { ...O, keyMap: { prompt: 'instruction', instruction: 'output' } };
  agrees('columns swapped', '{"prompt": "Translate.", "instruction": "Bonjour."}', both);
});

test('state from one line never reaches the next: calls, ids, names, depth, lengths', () => {
  const openai = toolLine(callFn());
  const trl = toolLine(callFn(undefined, '{}', ''), { result: '{"role": "tool", "content": "18 C"}' });
  // a tool result with an id, after a line whose call had that id: this line has no call
  const orphan =
    '{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}, {"role": "tool", "tool_call_id": "call_1", "content": "18 C"}, {"role": "assistant", "content": "ok"}]}';
  for (let round = 0; round < 2; round++) {
    fastWay('OpenAI calls', openai);
    notSure('a result for a call of the last line', orphan, 'tool-result-unknown-id');
    fastWay('OpenAI calls again', openai);
    fastWay('TRL calls after OpenAI ones', trl);
    fastWay('search called', toolLine(callFn('search', '"{}"'), { tools: TWO_TOOLS }));
    fastWay('weather called after search', openai);
    // a line given up deep inside leaves no depth behind
    notSure('lists 40 deep', `{"text": "x", "m": ${'['.repeat(40)}${']'.repeat(40)}}`, '');
    fastWay('lists 32 deep after', `{"text": "x", "m": ${'['.repeat(32)}${']'.repeat(32)}}`);
    notSure('calls given up inside', toolLine(callFn(undefined, `{"a": ${'['.repeat(40)}${']'.repeat(40)}}`, '')), '');
    fastWay('objects 32 deep after', `{"text": "x", "m": ${'{"a": '.repeat(32)}1${'}'.repeat(32)}}`);
    notSure('given up in a non-ASCII string', '{"text": "数据 😀 \\x"}', 'invalid-json');
    fastWay('an ASCII line after', '{"text": "plain"}');
    notSure('given up on a repeated key', '{"prompt": "p", "completion": "c", "prompt": "q"}', '');
    fastWay('the same keys after', '{"prompt": "p", "completion": "c"}');
  }
  // every container closes its level: after one of each, a value 32 deep still goes the fast way
  const deep = `, "deep": ${'['.repeat(32)}${']'.repeat(32)}`;
  fastWay('after a list of metadata', `{"text": "x", "m": [1, [2]]${deep}}`);
  fastWay('after an object of metadata', `{"text": "x", "m": {"a": {"b": 1}}${deep}}`);
  fastWay('after steps and labels', `{"prompt": "Q", "completions": ["a", "b"], "labels": [true, false]${deep}}`);
  fastWay('after tool calls', toolLine(callFn(), { extra: deep }));
  fastWay(
    'after TRL calls with object arguments',
    toolLine(callFn(undefined, '{"a": {"b": [1]}}', ''), { result: '{"role": "tool", "content": "18 C"}', extra: deep }),
  );
  fastWay('after content parts', `{"messages": [{"role": "user", "content": [{"type": "text", "text": "hi"}]}, ${A}]${deep}}`);
  fastWay('after a tools list', `{"conversations": ${chat(H, G)}, "tools": ${TOOLS}${deep}}`);
  // and the limit counts the calls' own levels: the list (1), the function (2), its arguments (3)
  const args = (n: number) => `${'{"a": '.repeat(n)}1${'}'.repeat(n)}`;
  const trlWith = (a: string) => toolLine(callFn(undefined, a, ''), { result: '{"role": "tool", "content": "18 C"}' });
  fastWay('arguments 30 deep', trlWith(args(30)));
  notSure('arguments 31 deep', trlWith(args(31)), '');
  const parts = (n: number) => `{"messages": [{"role": "user", "content": [{"type": "text", "text": "hi", "x": ${'['.repeat(n)}${']'.repeat(n)}}]}, ${A}]}`;
  fastWay('a part 30 deep', parts(30));
  notSure('a part 31 deep', parts(31), '');
});

test('turn keys by format: names in messages only, blank text in tool chats only', () => {
  notSure('a named turn in a prompt', '{"prompt": [{"role": "user", "name": "bob", "content": "hi"}]}', '');
  notSure('a tool_call_id in a prompt', '{"prompt": [{"role": "user", "tool_call_id": "c", "content": "hi"}]}', '');
  notSure('a blank turn in a prompt', '{"prompt": [{"role": "user", "content": ""}]}', 'empty-content');
  notSure('null content in a prompt', '{"prompt": [{"role": "user", "content": null}]}', '');
  notSure('a named ShareGPT turn', `{"conversations": [{"from": "human", "name": "bob", "value": "hi"}, ${G}]}`, '');
  fastWay('a completion from the user, then the assistant', `{"prompt": [${U}], "completion": [${U}, ${A}]}`);
  notSure('a completion without the assistant', `{"prompt": [${U}], "completion": [${U}]}`, '');
  fastWay('a prompt-only record with metadata', '{"prompt": "p", "id": 1, "source": "web"}');
  fastWay(
    'a ShareGPT preference prompt of an observation',
    `{"conversations": [{"from": "observation", "value": "x"}], "chosen": ${G}, "rejected": {"from": "gpt", "value": "b"}}`,
  );
  // the lead text: a turn of parts offers none, the next one of its role does
  fastWay(
    'user parts, then a user text',
    `{"messages": [{"role": "user", "content": [{"type": "text", "text": "You are a tutor now"}]}, ${A}, {"role": "user", "content": "Second user turn here"}, ${A}]}`,
  );
  fastWay(
    'system parts, then a user text',
    `{"messages": [{"role": "system", "content": [{"type": "text", "text": "You are a tutor now"}]}, {"role": "user", "content": "Second user turn here"}, ${A}]}`,
  );
  fastWay(
    'a blank user turn beside calls is no lead',
    toolLine('', { assistant: `{"role": "assistant", "content": "", "tool_calls": [${callFn()}]}` }).replace('"Weather in Paris?"', '"You are a weather bot"'),
  );
});

test("a registry's tags: the default keys kept, unknown role names dropped, empty column names", () => {
  const same = { ...O, format: 'sharegpt' as const, turnTags: { role: 'from', content: 'value', roles: { customer: 'human', agent: 'gpt' } } };
  fastWay('tags that keep from and value', `{"conversations": [{"from": "customer", "value": "hi"}, {"from": "agent", "value": "yo"}]}`, same);
  fastWay('tags that keep from and value, our names', `{"conversations": ${chat(H, G)}}`, same);
  const odd = { ...O, format: 'sharegpt' as const, turnTags: { role: 'from', content: 'value', roles: { bot: 'robot', customer: 'human' } } };
  notSure('a role mapped to no role of ours', `{"conversations": [{"from": "customer", "value": "hi"}, {"from": "bot", "value": "yo"}]}`, '', odd);
  notSure(
    'a role mapped to no role of ours, first',
    `{"conversations": [{"from": "bot", "value": "yo"}, {"from": "customer", "value": "hi"}, ${G}]}`,
    'unknown-role',
    odd,
  );
  fastWay('the others of those tags', `{"conversations": [{"from": "customer", "value": "hi"}, ${G}]}`, odd);
  const empty = { ...O, format: 'alpaca' as const, keyMap: { '': 'instruction', answer: 'output' } };
  agrees('an empty column name', '{"": "Translate.", "answer": "Bonjour."}', empty);
  const hidden = { ...O, format: 'prompt-only' as const, keyMap: { question: 'prompt', extra: '' } };
  agrees('a hidden column in a prompt-only record', '{"question": "Why?", "extra": "x"}', hidden);
});

test('a wrong separator or a missing one in every kind of list and object is left to analyzeLine', () => {
  // each loop of the scan, with a comma turned into a semicolon, a colon dropped, or a closing bracket swapped
  const lines: [string, string][] = [
    ['top level', '{"prompt": "p"; "completion": "c"}'],
    ['top level, no comma', '{"prompt": "p" "completion": "c"}'],
    ['top level, a bracket', '{"prompt": "p", "completion": "c"]'],
    ['top level, no colon', '{"prompt" "p", "completion": "c"}'],
    ['metadata list', '{"text": "x", "m": [1; 2]}'],
    ['metadata list, a brace', '{"text": "x", "m": [1, 2}}'],
    ['metadata object', '{"text": "x", "m": {"a": 1; "b": 2}}'],
    ['metadata object, a bracket', '{"text": "x", "m": {"a": 1]}'],
    ['metadata object, no colon', '{"text": "x", "m": {"a" 1}}'],
    ['metadata object, a key that is a number', '{"text": "x", "m": {1: 1}}'],
    ['turns', `{"messages": [${U}; ${A}]}`],
    ['turns, a brace', `{"messages": [${U}, ${A}}}`],
    ['turn members', '{"messages": [{"role": "user"; "content": "hi"}, {"role": "assistant", "content": "yo"}]}'],
    ['turn members, a bracket', '{"messages": [{"role": "user", "content": "hi"], {"role": "assistant", "content": "yo"}]}'],
    ['turn members, no colon', '{"messages": [{"role" "user", "content": "hi"}, {"role": "assistant", "content": "yo"}]}'],
    ['a turn key that is a number', '{"messages": [{1: "user", "content": "hi"}, {"role": "assistant", "content": "yo"}]}'],
    ['a single ShareGPT turn', `{"conversations": [${H}], "chosen": {"from": "gpt"; "value": "a"}, "rejected": ${G}}`],
    ['calls', toolLine(`${callFn()}; ${callFn(undefined, '"{}"', 'call_2')}`)],
    ['calls, a brace', toolLine(callFn()).replace('}}]}, {"role": "tool"', '}}}}, {"role": "tool"')],
    ['call members', toolLine('{"id": "call_1"; "type": "function", "function": {"name": "get_weather"}}')],
    ['call members, no colon', toolLine('{"id" "call_1", "type": "function", "function": {"name": "get_weather"}}')],
    ['call members, a bracket', toolLine('{"id": "call_1", "type": "function", "function": {"name": "get_weather"}]')],
    ['a call key that is a number', toolLine('{1: "call_1", "type": "function", "function": {"name": "get_weather"}}')],
    ['function members', toolLine('{"id": "call_1", "type": "function", "function": {"name": "get_weather"; "arguments": "{}"}}')],
    ['function members, no comma', toolLine('{"id": "call_1", "type": "function", "function": {"name": "get_weather" "arguments": "{}"}}')],
    ['function members, no colon', toolLine('{"id": "call_1", "type": "function", "function": {"name" "get_weather"}}')],
    ['function members, a bracket', toolLine('{"id": "call_1", "type": "function", "function": {"name": "get_weather"]}')],
    ['a function key that is a number', toolLine('{"id": "call_1", "type": "function", "function": {1: "get_weather"}}')],
    ['object arguments', toolLine(callFn(undefined, '{"a": 1; "b": 2}', ''), { result: '{"role": "tool", "content": "18 C"}' })],
    ['steps', '{"prompt": "Q", "completions": ["a"; "b"], "labels": [true, false]}'],
    ['steps, a brace', '{"prompt": "Q", "completions": ["a", "b"}, "labels": [true, false]}'],
    ['labels', '{"prompt": "Q", "completions": ["a", "b"], "labels": [true; false]}'],
    ['labels, a brace', '{"prompt": "Q", "completions": ["a", "b"], "labels": [true, false}}'],
    ['parts', `{"messages": [{"role": "user", "content": [{"type": "text", "text": "a"}; {"type": "text", "text": "b"}]}, ${A}]}`],
    ['a tools list', `{"conversations": ${chat(H, G)}, "tools": [{"type": "function"; "function": {"name": "f"}}]}`],
    // a key whose opening quote is another character, in each kind of object
    ['a top-level key', '{\'prompt": "p", "completion": "c"}'],
    ['a metadata key', '{"text": "x", \'id": 1}'],
    ['a key in metadata', '{"text": "x", "m": {\'a": 1}}'],
    ['a turn key', `{"messages": [{'role": "user", "content": "hi"}, ${A}]}`],
    ['a second turn key', `{"messages": [{"role": "user", 'content": "hi"}, ${A}]}`],
    ['a ShareGPT turn key', `{"conversations": [{'from": "human", "value": "hi"}, ${G}]}`],
    ['a single turn key', `{"conversations": [${H}], "chosen": {'from": "gpt", "value": "a"}, "rejected": ${G}}`],
    ['a call key', toolLine('{\'id": "call_1", "type": "function", "function": {"name": "get_weather"}}')],
    ['a second call key', toolLine('{"id": "call_1", \'type": "function", "function": {"name": "get_weather"}}')],
    ['a function key', toolLine('{"id": "call_1", "type": "function", "function": {\'name": "get_weather"}}')],
    ['a second function key', toolLine('{"id": "call_1", "type": "function", "function": {"name": "get_weather", \'arguments": "{}"}}')],
    ['a role value', `{"messages": [{"role": 'user", "content": "hi"}, ${A}]}`],
    ['a content value', `{"messages": [{"role": "user", "content": 'hi"}, ${A}]}`],
    // a list of turns (or steps) opened by another character
    ['messages opened by a brace', `{"messages": {${U}, ${A}]}`],
    ['messages opened by a parenthesis', `{"messages": (${U}, ${A}]}`],
    ['conversations opened by a brace', `{"conversations": {${H}, ${G}]}`],
    ['a prompt opened by a brace', `{"prompt": {${U}], "completion": {${A}]}`],
    ['steps opened by a brace', '{"prompt": "Q", "completions": {"a", "b"], "labels": [true, false]}'],
    ['labels opened by a brace', '{"prompt": "Q", "completions": ["a", "b"], "labels": {true, false]}'],
    ['tool calls opened by a brace', toolLine('', { assistant: `{"role": "assistant", "tool_calls": {${callFn()}]}` })],
    ['a tools list opened by a brace', `{"conversations": ${chat(H, G)}, "tools": {{"type": "function", "function": {"name": "f"}}]}`],
  ];
  for (const [what, line] of lines) notSure(what, line, 'invalid-json');
});

test("a registry's column names with a quote, a backslash or a control character match only the key that spells them", () => {
  // the file spells such a name with an escape; the raw bytes of the name are another key (or no JSON)
  for (const name of ['say"hi', 'back\\slash', 'tab\tbed', 'q"', '"', '\\']) {
    const opts = { ...O, format: 'alpaca' as const, keyMap: { [name]: 'instruction', answer: 'output' } };
    notSure(`${JSON.stringify(name)} written raw`, `{"${name}": "Translate.", "answer": "Bonjour."}`, 'invalid-json', opts);
    agrees(`${JSON.stringify(name)} written as JSON`, `{${JSON.stringify(name)}: "Translate.", "answer": "Bonjour."}`, opts);
  }
  const tags = { ...O, format: 'sharegpt' as const, turnTags: { role: 'from', content: 'value', roles: { 'cust"omer': 'human', 'ag\\ent': 'gpt' } } };
  notSure('a role with a quote written raw', `{"conversations": [{"from": "cust"omer", "value": "hi"}, ${G}]}`, 'invalid-json', tags);
  notSure('a role with a backslash written raw', `{"conversations": [${H}, {"from": "ag\\ent", "value": "yo"}]}`, 'invalid-json', tags);
  agrees('a role with a quote written as JSON', `{"conversations": [{"from": "cust\\"omer", "value": "hi"}, ${G}]}`, tags);
});

test('the signature of a long lead: three words within its first 200 characters, however many bytes they take', () => {
  // words of 1-, 2-, 3- and 4-byte characters, apart by ASCII or ideographic spaces, the third ending near
  // the 96-byte prefix or running past the 200 characters the signature reads
  const chars = ['a', 'é', '数', '𠀀'];
  const gaps = [' ', '\u3000', ', ', '\u00a0'];
  let n = 0;
  for (const c of chars)
    for (const gap of gaps)
      for (const len of [
        1, 2, 20, 28, 29, 30, 31, 32, 44, 45, 46, 47, 48, 90, 91, 92, 93, 94, 95, 96, 97, 98, 190, 195, 196, 197, 198, 199, 200, 201, 210, 300,
      ]) {
        const t = `${c}${gap}${c}${c}${gap}${c.repeat(len)}${gap}tail words here`;
        const f = fastWay(`a lead of ${len} ${c}`, `{"prompt": "${t}", "completion": "c"}`);
        if (f.template) n++;
        // and the first word long
        fastWay(`a first word of ${len} ${c}`, `{"prompt": "${c.repeat(len)}${gap}b c d", "completion": "c"}`);
      }
  assert.ok(n > 300, `only ${n} leads had a template`);
});

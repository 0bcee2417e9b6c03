// The position-aware JSON parser (core/jsonl/locate): each syntax error with its exact range and message,
// the ranges of every node of a valid line, and locate(), which maps a JSON path to its key or value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { locate, parseWithLocations, type JsonNode } from '../../src/core/jsonl/locate';

const ADD_QUOTE = 'Unterminated string: add the closing double quote';
const BAD_NUMBER = 'Invalid number: JSON numbers have no leading zeros, hex or trailing dots';
const WORD = (w: string) => `Unexpected word "${w}": strings need double quotes; literals are true, false and null`;

function error(text: string) {
  const r = parseWithLocations(text);
  assert.ok(!r.ok, `${JSON.stringify(text)} should not parse`);
  return r.error;
}

function root(text: string): JsonNode {
  const r = parseWithLocations(text);
  assert.ok(r.ok, `${JSON.stringify(text)}: ${JSON.stringify(r)}`);
  return r.root;
}

test('parseWithLocations: every syntax error with its message and the exact range it covers', () => {
  const cases: [string, number, number, string][] = [
    // strings
    ['"abc', 0, 4, ADD_QUOTE],
    ['{"text": "abc', 9, 13, ADD_QUOTE],
    ['"a\\', 2, 3, 'Unterminated escape sequence at the end of the line'],
    ['"\\u12"', 1, 6, 'Invalid unicode escape: \\u must be followed by 4 hex digits'],
    ['"\\u12G4"', 1, 7, 'Invalid unicode escape: \\u must be followed by 4 hex digits'],
    ['"\\q"', 1, 3, 'Invalid escape \\q: JSON allows \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX (write a backslash as \\\\)'],
    ['"a\u0001"', 2, 3, 'Control character inside a string: escape it (a tab as \\t, a newline as \\n)'],
    ['"a\u001f"', 2, 3, 'Control character inside a string: escape it (a tab as \\t, a newline as \\n)'],
    // numbers
    ['-', 0, 1, 'Invalid number'],
    ['-a', 0, 1, 'Invalid number'],
    ['01', 0, 2, BAD_NUMBER],
    ['-01', 0, 3, BAD_NUMBER],
    ['1.', 0, 2, BAD_NUMBER],
    ['1.5e', 0, 4, BAD_NUMBER],
    ['1e+', 0, 2, BAD_NUMBER],
    ['0x1', 0, 2, BAD_NUMBER],
    ['1a', 0, 2, BAD_NUMBER],
    ['1-', 0, 2, BAD_NUMBER],
    // values
    ['', 0, 1, 'Expected a value but the line ended'],
    ['   ', 3, 4, 'Expected a value but the line ended'],
    ['[', 1, 2, 'Expected a value but the line ended'],
    ["'x'", 0, 1, 'Single quotes are not valid JSON: use double quotes'],
    ['NaN', 0, 3, 'NaN and Infinity are not valid JSON: use null or a number'],
    ['Infinity', 0, 3, 'NaN and Infinity are not valid JSON: use null or a number'],
    ['[NaN]', 1, 4, 'NaN and Infinity are not valid JSON: use null or a number'],
    ['}', 0, 1, 'Expected a value but found "}"'],
    [']', 0, 1, 'Expected a value but found "]"'],
    [',', 0, 1, 'Expected a value but found ","'],
    ['{"a":}', 5, 6, 'Expected a value but found "}"'],
    ['foo', 0, 3, WORD('foo')],
    ['nul', 0, 3, WORD('nul')],
    ['abc_def1 more', 0, 8, WORD('abc_def1')],
    ['{"a":tru}', 5, 8, WORD('tru')],
    ['@', 0, 1, 'Unexpected character "@"'],
    // objects
    ['{', 0, 1, 'Unclosed object: add the closing }'],
    ['{"a":1', 0, 6, 'Unclosed object: add the closing }'],
    ['{"a":1,', 0, 7, 'Unclosed object: add the closing }'],
    ["{'a':1}", 1, 2, 'Single quotes are not valid JSON: put property names in double quotes'],
    ['{"a":1,}', 7, 8, 'Trailing comma before }: remove the comma'],
    ['{,}', 1, 2, 'Expected a property name in double quotes but found ","'],
    ['{1:2}', 1, 2, 'Expected a property name in double quotes but found "1"'],
    ['{"a" 1}', 5, 6, 'Expected \':\' after the property name but found "1"'],
    ['{"a"', 4, 5, "Expected ':' after the property name but found the end of the line"],
    ['{"a":1 "b":2}', 7, 8, "Expected ',' or '}' after a property value but found \"\\\"\""],
    ['{"a":1 x', 7, 8, "Expected ',' or '}' after a property value but found \"x\""],
    // arrays
    ['[1', 0, 2, 'Unclosed array: add the closing ]'],
    ['[1,]', 3, 4, 'Trailing comma before ]: remove the comma'],
    ['[1 2]', 3, 4, "Expected ',' or ']' after an array element but found \"2\""],
    ['[1 x', 3, 4, "Expected ',' or ']' after an array element but found \"x\""],
    // after the value
    ['{"a":1} {"b":2}', 8, 15, 'A second JSON value on the same line: JSONL holds one record per line'],
    ['{"a":1} x', 8, 9, 'Unexpected text after the JSON value: "x"'],
    ['{"a":1}  [1]', 9, 12, 'Unexpected text after the JSON value: "["'],
    ['truex', 4, 5, 'Unexpected text after the JSON value: "x"'],
  ];
  for (const [text, start, end, message] of cases) {
    assert.deepEqual(error(text), { start, end, message }, JSON.stringify(text));
  }
});

test('parseWithLocations: a second record after white space JavaScript trims (no-break space, line separator) is still named', () => {
  // JSON white space is only space, tab, CR, LF; the check for a second record looks past any white space
  assert.deepEqual(error('{"a":1}\u2028{}'), {
    start: 7,
    end: 10,
    message: 'A second JSON value on the same line: JSONL holds one record per line',
  });
  assert.deepEqual(error('{"a":1}\u00a0{"b":2}'), {
    start: 7,
    end: 15,
    message: 'A second JSON value on the same line: JSONL holds one record per line',
  });
  assert.deepEqual(error('{"a":1}\u00a0x'), { start: 7, end: 9, message: 'Unexpected text after the JSON value: "\u00a0"' });
});

test('parseWithLocations: the node ranges of a valid line, every kind of value, white space and a byte order mark skipped', () => {
  assert.deepEqual(root('[ -1.5e+3 , "x\\n" , true , false , null , {} , [ 0 ] ]'), {
    kind: 'array',
    start: 0,
    end: 54,
    items: [
      { kind: 'number', start: 2, end: 9 },
      { kind: 'string', start: 12, end: 17 },
      { kind: 'literal', start: 20, end: 24 },
      { kind: 'literal', start: 27, end: 32 },
      { kind: 'literal', start: 35, end: 39 },
      { kind: 'object', start: 42, end: 44, members: [] },
      { kind: 'array', start: 47, end: 52, items: [{ kind: 'number', start: 49, end: 50 }] },
    ],
  });
  assert.deepEqual(root('{"a": "b"  ,  "c": [ ]  }'), {
    kind: 'object',
    start: 0,
    end: 25,
    members: [
      { key: 'a', keyStart: 1, keyEnd: 4, value: { kind: 'string', start: 6, end: 9 } },
      { key: 'c', keyStart: 14, keyEnd: 17, value: { kind: 'array', start: 19, end: 22, items: [] } },
    ],
  });
  assert.deepEqual(root('\uFEFF{}'), { kind: 'object', start: 1, end: 3, members: [] });
  assert.deepEqual(root(' \t\r\n{ } \t\r\n'), { kind: 'object', start: 4, end: 7, members: [] });
  assert.deepEqual(root('\t[\t1\t,\r2\n]'), {
    kind: 'array',
    start: 1,
    end: 10,
    items: [
      { kind: 'number', start: 3, end: 4 },
      { kind: 'number', start: 7, end: 8 },
    ],
  });
  assert.deepEqual(root('"é\\u00e9"'), { kind: 'string', start: 0, end: 9 });
  // a space, DEL and characters above are plain string content; only characters below a space are refused
  assert.deepEqual(root('" a\u007f~ "'), { kind: 'string', start: 0, end: 7 });
  for (const n of ['0', '-0', '10', '1E5', '1e-5', '-0.25', '123.456e+78']) assert.deepEqual(root(n), { kind: 'number', start: 0, end: n.length }, n);
  // escaped keys decode to the key JSON.parse gives
  const obj = root('{"\\u0041\\t": 1, "x\\\\y": 2}');
  assert.deepEqual(
    obj.members!.map((m) => [m.key, m.keyStart, m.keyEnd]),
    [
      ['A\t', 1, 11],
      ['x\\y', 16, 22],
    ],
  );
});

test('parseWithLocations: nesting deeper than 2000 levels is refused where it passes the limit', () => {
  // 2000 levels open: the value the last one wants is missing; one level more: too deep
  assert.deepEqual(error('['.repeat(2000)), { start: 2000, end: 2001, message: 'Expected a value but the line ended' });
  assert.deepEqual(error('['.repeat(2001)), { start: 2001, end: 2002, message: 'Nesting too deep' });
  assert.deepEqual(error('{"a":'.repeat(2001)), { start: 10005, end: 10006, message: 'Nesting too deep' });
});

test('parseWithLocations: a stack that runs out while parsing is reported as too deep, not thrown', () => {
  // the parser recurses; called where little stack is left, it must answer, never throw the RangeError
  const text = '['.repeat(1500);
  let answer: ReturnType<typeof parseWithLocations> | undefined;
  const dive = (d: number): void => {
    try {
      dive(d + 1);
    } catch {
      // unwinding from the overflow one frame at a time: the first call that answers had too little stack
      if (answer === undefined) answer = parseWithLocations(text);
    }
  };
  dive(0);
  assert.deepEqual(answer, { ok: false, error: { start: 0, end: 1500, message: 'Nesting too deep to parse' } });
});

test('parseWithLocations: a number is read at most 400 characters ahead', () => {
  // pins the look-ahead window of the number pattern: a longer run of digits is refused past its 400th
  assert.deepEqual(error('1'.repeat(500)), { start: 0, end: 401, message: BAD_NUMBER });
  assert.deepEqual(root('1'.repeat(399)), { kind: 'number', start: 0, end: 399 });
  // a word is quoted by its first 40 characters
  assert.deepEqual(error('w'.repeat(50)), { start: 0, end: 40, message: WORD('w'.repeat(40)) });
});

test('locate: the value a path names and the range of its key; JSON.parse keeps the last duplicate key, so does locate', () => {
  const line = '{"a": {"b": [10, {"c": "x"}]}, "a": {"b": [20, 30], "d": null}}';
  const top = root(line);
  const text = (n: { start: number; end: number } | undefined) => (n ? line.slice(n.start, n.end) : undefined);
  const at = (path: (string | number)[]) => {
    const r = locate(top, path);
    return { value: text(r.node), key: text(r.key), exact: r.exact };
  };
  assert.deepEqual(at([]), { value: line, key: undefined, exact: true });
  assert.deepEqual(at(['a']), { value: '{"b": [20, 30], "d": null}', key: '"a"', exact: true });
  assert.equal(locate(top, ['a']).key!.start, line.lastIndexOf('"a"'), 'the last "a"');
  assert.deepEqual(at(['a', 'b']), { value: '[20, 30]', key: '"b"', exact: true });
  // an array element has no key
  assert.deepEqual(at(['a', 'b', 1]), { value: '30', key: undefined, exact: true });
  assert.deepEqual(at(['a', 'b', 0]), { value: '20', key: undefined, exact: true });
  assert.deepEqual(at(['a', 'd']), { value: 'null', key: '"d"', exact: true });
  // missing: the deepest node that exists, with the key that led to it
  assert.deepEqual(at(['a', 'zz']), { value: '{"b": [20, 30], "d": null}', key: '"a"', exact: false });
  assert.deepEqual(at(['a', 'b', 2]), { value: '[20, 30]', key: '"b"', exact: false });
  assert.deepEqual(at(['a', 'b', 2, 'c']), { value: '[20, 30]', key: '"b"', exact: false });
  assert.deepEqual(at(['nope']), { value: line, key: undefined, exact: false });
  // a segment of the wrong kind for the node: a number into an object, a string into an array, anything into a scalar
  assert.deepEqual(at(['a', 0]), { value: '{"b": [20, 30], "d": null}', key: '"a"', exact: false });
  assert.deepEqual(at(['a', 'b', '0']), { value: '[20, 30]', key: '"b"', exact: false });
  assert.deepEqual(at(['a', 'd', 0]), { value: 'null', key: '"d"', exact: false });
  assert.deepEqual(at(['a', 'd', 'x']), { value: 'null', key: '"d"', exact: false });
  // an array at the root: its elements by index, then their members
  const arr = '[{"k": 1}, {"k": 2}]';
  const a = root(arr);
  const r = locate(a, [1, 'k']);
  assert.deepEqual([arr.slice(r.node.start, r.node.end), arr.slice(r.key!.start, r.key!.end), r.exact], ['2', '"k"', true]);
  assert.equal(locate(a, [1, 'k']).key!.start, arr.lastIndexOf('"k"'));
  assert.deepEqual(locate(a, [2]), { node: a, key: undefined, exact: false });
  assert.deepEqual(locate(a, ['k']), { node: a, key: undefined, exact: false });
});

// Ranges: syntax errors at the exact column, schema violations on the exact key or value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { covered, diags } from './helpers';
import { parseWithLocations } from '../../src/core/jsonl/locate';

function only(line: string, code: string) {
  const ds = diags([line]).filter((d) => d.code === code);
  assert.equal(ds.length, 1, `one ${code} in ${JSON.stringify(diags([line]))}`);
  return ds[0]!;
}

test('invalid JSON: the column where parsing failed', () => {
  const cases: [string, number, RegExp][] = [
    ['{"text": "a",}', 13, /Trailing comma/],
    ['{"text": "a" "b": 1}', 13, /Expected ',' or '}'/],
    ["{'text': 'a'}", 1, /Single quotes/],
    ['{"text": "unterminated}', 9, /Unterminated string/],
    ['{"text": "a"', 0, /Unclosed object/],
    ['{"text": tru}', 9, /Unexpected word/],
    ['{"text": "a\\x"}', 11, /Invalid escape/],
    ['{"text": "a"}{"text": "b"}', 13, /second JSON value/],
    ['{"text": NaN}', 9, /NaN/],
    ['{"n": 01}', 6, /Invalid number/],
    ['{"text": "tab\there"}', 13, /Control character/],
  ];
  for (const [line, col, msg] of cases) {
    const d = only(line, 'invalid-json');
    assert.equal(d.start, col, `${line}: ${d.message}`);
    assert.match(d.message, msg);
    assert.ok(d.end > d.start);
  }
});

test('schema violations cover the key or the value, not the whole line', () => {
  const l1 = '{"prompt": "p", "chosen": "c", "rejected": 42}';
  assert.equal(covered(l1, only(l1, 'wrong-type')), '42');
  const l2 = '{"prompt": "p", "chosen": "c", "rejceted": "r"}';
  assert.equal(covered(l2, only(l2, 'misspelt-key')), '"rejceted"');
  const l3 = '{"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "contnet": "x"}]}';
  assert.equal(covered(l3, only(l3, 'misspelt-key')), '"contnet"');
  const l4 = '{"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "x", "mood": 1}]}';
  assert.equal(covered(l4, only(l4, 'unexpected-key')), '"mood"');
  const l5 = '{"messages": [{"role": "user", "content": "q"}, {"role": "bot", "content": "x"}]}';
  assert.equal(covered(l5, only(l5, 'unknown-role')), '"bot"');
  const l6 = '{"prompt": "p", "chosen": "same", "rejected": "same"}';
  assert.equal(covered(l6, only(l6, 'chosen-equals-rejected')), '"same"');
  assert.equal(only(l6, 'chosen-equals-rejected').start, l6.lastIndexOf('"same"'));
  const l7 = '{"prompt": "p", "completion": "c", "label": "yes"}';
  assert.equal(covered(l7, only(l7, 'label-not-boolean')), '"yes"');
  const l8 = '{"messages": [{"role": "user"}, {"role": "assistant", "content": "x"}]}';
  assert.equal(covered(l8, only(l8, 'empty-content')), '{"role": "user"}');
});

test('blank lines, CRLF, BOM, non-ASCII and escapes produce no false diagnostics', () => {
  const lines = [
    '\uFEFF{"text": "with a byte order mark"}',
    '',
    '   ',
    '{"text": "naïve café — 数据 🙂 مرحبا"}',
    '{"text": "escapes \\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\ud83d\\ude42"}',
    '{"text": "\u200b zero width and \u2028 line separator"}',
    '\t{"text": "leading tab"}  ',
  ];
  const text = lines.join('\r\n') + '\r\n';
  assert.deepEqual(
    diags([text]).map((d) => d.code),
    [],
  );
});

test('columns count UTF-16 code units, as VS Code does', () => {
  const line = '{"text": "🙂🙂", "prompt": 1, "completion": "c"}';
  const d = diags([line]).find((x) => x.code === 'wrong-type')!;
  assert.equal(covered(line, d), '1');
});

test('parseWithLocations agrees with JSON.parse on validity', () => {
  for (const t of ['{}', '[]', '{"a":[1,2,{"b":null}]}', '"x"', '1e5', '-0.5', '{"a":1,}', '[1,]', '{"a" 1}', '', '{"a":"\\u12"}', '{"a":1} x']) {
    let ok = true;
    try {
      JSON.parse(t);
    } catch {
      ok = false;
    }
    assert.equal(parseWithLocations(t).ok, ok, t);
  }
});

test('parseWithLocations decodes escaped property names as JSON.parse does, so a path finds its key', () => {
  // pins: every simple escape (\\ included) decodes to its character in member keys
  const line = String.raw`{"a\\b": 1, "q\"": 2, "s\/l": 3, "c\b\f\n\r\t": 4, "\u00e9": 5}`;
  const r = parseWithLocations(line);
  assert.ok(r.ok);
  assert.deepEqual(
    r.root.members!.map((m) => m.key),
    Object.keys(JSON.parse(line) as object),
  );
  assert.equal(r.root.members![0]!.key, 'a\\b');
});

test('invalid JSON: a line that ends where a value is due says so, at the end of the line', () => {
  // pins the message and the one-character range just past the last character for a missing value
  assert.deepEqual(parseWithLocations('{"text": '), { ok: false, error: { start: 9, end: 10, message: 'Expected a value but the line ended' } });
  assert.deepEqual(parseWithLocations('[1, '), { ok: false, error: { start: 4, end: 5, message: 'Expected a value but the line ended' } });
});

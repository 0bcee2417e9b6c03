// JSON array datasets (.json, LLaMA-Factory's native files): record by record, same diagnostics, positions in the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArraySplitter, type ArrayRecord } from '../../src/core/jsonl/jsonArray';
import { validateJsonArrayFile, validateJsonArrayText } from '../../src/core/validation/validateJsonArray';
import { validateFile } from '../../src/core/validation/validateFile';
import { OPTS } from './helpers';

const dir = join(__dirname, '../fixtures/real-shapes');
const plain = { maxTokens: 4096, minRecords: 0 };

test('json arrays: clean pretty-printed files validate clean, in the format of their records', async () => {
  for (const [f, format] of [
    ['sharegpt_dpo.json', 'sharegpt-preference'],
    ['kto_messages.json', 'language-modeling'],
    ['openai_tools.json', 'language-modeling'],
  ]) {
    const r = await validateJsonArrayFile(join(dir, 'arrays', f!), plain);
    assert.deepEqual(r.diagnostics, [], f);
    assert.equal(r.format, format);
    assert.ok(r.records >= 3);
  }
});

test('json arrays: the same diagnostics as the JSONL file, each at the position of its key or value in the array file', async () => {
  const arrayPath = join(dir, 'arrays', 'openai_tools_defects.json');
  const a = await validateJsonArrayFile(arrayPath, plain);
  const j = await validateFile(join(dir, 'openai-tools-defects.jsonl'), plain);
  assert.deepEqual(
    a.diagnostics.map((d) => d.code),
    j.diagnostics.map((d) => d.code),
  );
  const lines = readFileSync(arrayPath, 'utf8').split('\n');
  const at = (code: string) => {
    const d = a.diagnostics.find((x) => x.code === code)!;
    return lines[d.line]!.slice(d.start, d.end);
  };
  assert.equal(at('arguments-double-encoded'), JSON.stringify(JSON.stringify('{"location": "current"}')));
  assert.equal(at('tool-call-unknown-function'), '"get_wheather"');
  assert.equal(at('tool-result-unknown-id'), '"call_9"');
  assert.equal(at('wrong-type'), '"false"');
  // a range over several lines (an object) is cut at the end of its first line
  assert.equal(at('tool-call-no-name'), '{');
  // the quick fix survives and its edit lands on the value in the file
  const d = a.diagnostics.find((x) => x.code === 'arguments-double-encoded')!;
  assert.equal(d.fix!.edits[0]!.start, d.start);
  assert.equal(d.fix!.edits[0]!.newText, JSON.stringify('{"location": "current"}'));
  // the editor's path agrees
  const e = validateJsonArrayText(readFileSync(arrayPath, 'utf8'), OPTS);
  assert.deepEqual(
    e.diagnostics.map((x) => [x.line, x.start, x.end, x.code]),
    a.diagnostics.map((x) => [x.line, x.start, x.end, x.code]),
  );
});

test('json arrays: a broken record, a missing or trailing comma, a non-array file and an unclosed array are placed', () => {
  const r = (text: string) =>
    validateJsonArrayText(text, OPTS).diagnostics.map((d) => `${d.line + 1}:${d.start + 1}:${d.code}${d.code === 'invalid-json' ? ' ' + d.message : ''}`);
  assert.deepEqual(r('[\n  {"text": "a"},\n  {"text": }\n]'), ['3:12:invalid-json Invalid JSON: Expected a value but found "}".']);
  assert.match(r('[\n  {"text": "a"}\n  {"text": "b"}\n]')[0]!, /^3:3:invalid-json .*Missing comma/);
  assert.match(r('[\n  {"text": "a"},\n]')[0]!, /^3:1:invalid-json .*Trailing comma/);
  assert.match(r('{"text": "a"}')[0]!, /^1:1:invalid-json .*must be a JSON array/);
  assert.deepEqual(r(' \n\t[{"text": "a"}, {"text": "b"}]'), [], 'white space before the array is fine');
  assert.match(r('\n x[{"text": "a"}]')[0]!, /^2:2:invalid-json .*must be a JSON array/);
  assert.match(r('[\n  {"text": "a"}')[0]!, /^2:16:invalid-json .*not closed/);
  assert.deepEqual(
    r('[{"text": "a"}, {"text": "a"}]').map((x) => x.split(' ')[0]),
    ['1:17:duplicate'],
  );
  assert.deepEqual(r('[\n  "just text"\n]'), ['2:3:not-an-object']);
  // the duplicate's related location is the first occurrence's whole record, cut at the end of its first line
  const dup = validateJsonArrayText('[\n    {"text": "a"},\n  {"text": "a"},\n    {"text":\n "a"}\n]', OPTS).diagnostics.filter((d) => d.code === 'duplicate');
  assert.deepEqual(
    dup.map((d) => [d.line, d.start, d.related?.map((x) => [x.line, x.start, x.end])]),
    [
      [2, 2, [[1, 4, 17]]],
      [3, 4, [[1, 4, 17]]],
    ],
  );
});

test('json arrays: records split the same whatever the chunk boundaries (multi-byte text, escapes, nested brackets in strings)', () => {
  const text = JSON.stringify(
    [
      { text: 'ä [ { "x" } ] \\ 😀' },
      {
        messages: [
          { role: 'user', content: 'q]' },
          { role: 'assistant', content: '}{' },
        ],
      },
    ],
    null,
    2,
  );
  const split = (pieces: string[]) => {
    const out: ArrayRecord[] = [];
    const s = new ArraySplitter(
      (x) => out.push(x),
      () => assert.fail('no problem expected'),
    );
    for (const p of pieces) s.feed(p);
    s.end();
    return out.map((x) => [x.text, x.line, x.col, x.breaks.join(',')]);
  };
  const whole = split([text]);
  assert.equal(whole.length, 2);
  assert.deepEqual(JSON.parse(whole[0]![0] as string), { text: 'ä [ { "x" } ] \\ 😀' });
  for (const size of [1, 2, 3, 7]) {
    const pieces: string[] = [];
    for (let i = 0; i < text.length; i += size) pieces.push(text.slice(i, i + size));
    assert.deepEqual(split(pieces), whole, `pieces of ${size}`);
  }
});

test('json arrays: the CLI validates .json files as arrays (exit status, positions)', async () => {
  const { main } = await import('../../src/cli/main');
  const tmp = mkdtempSync(join(tmpdir(), 'ftstudio-array-'));
  const f = join(tmp, 'data.json');
  writeFileSync(
    f,
    JSON.stringify(
      [
        { instruction: 'Add 2 and 3', input: '', output: '5' },
        { instruction: 'Say hi', input: '', output: '' },
      ],
      null,
      2,
    ),
  );
  const out: string[] = [];
  const code = await main(['validate', '--min-records', '0', f], { out: (s) => out.push(s), err: () => {} });
  assert.equal(code, 1);
  assert.match(out[0]!, /data\.json:10:15: error empty-content "output" is empty/);
  assert.match(out.join('\n'), /alpaca, 2 records, 1 errors/);
});

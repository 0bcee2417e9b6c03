// JSON array datasets (.json, LLaMA-Factory's native files): record by record, same diagnostics, positions in the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArraySplitter, forEachArrayRecord, placeIn, type ArrayRecord } from '../../src/core/jsonl/jsonArray';
import { placeDiagnostic, problemDiagnostic, validateJsonArrayFile, validateJsonArrayText } from '../../src/core/validation/validateJsonArray';
import type { LineDiagnostic } from '../../src/core/checks/diagnostic';
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

test('json arrays: a duplicate names the file line of its first occurrence, and has no delete-line fix', () => {
  const r = validateJsonArrayText('[\n\n  {"text": "a"},\n  {"text": "b"},\n  {"text": "a"}\n]', OPTS);
  assert.deepEqual(r.diagnostics, [
    {
      line: 4,
      start: 2,
      end: 15,
      code: 'duplicate',
      severity: 'warning',
      message: 'Exact duplicate of the record on line 3: delete this repeat.',
      related: [{ line: 2, start: 2, end: 15, message: 'First occurrence' }],
      fix: undefined,
    },
  ]);
});

test('placeDiagnostic: start, end, fix and related places of a record that spans lines', () => {
  // a record at line 3, column 4, with line breaks at offsets 5 and 12 of its 20 characters
  const place = { line: 3, col: 4, breaks: [5, 12], length: 20 };
  const first = { line: 1, col: 2, breaks: [3], length: 10 };
  const other = { line: 8, col: 2, breaks: [3], length: 20 };
  const records = (i: number) => (i === 0 ? first : i === 1 ? other : undefined);
  const d = (x: Partial<LineDiagnostic> & { related?: { line: number; start: number; end: number; message: string }[] }) =>
    ({ code: 'wrong-type', severity: 'error', message: 'm', start: 0, end: 1, ...x }) as LineDiagnostic;
  // on the record's first line: columns shifted by its column; the end cut at the line break; the fix kept
  assert.deepEqual(
    placeDiagnostic(
      d({
        start: 2,
        end: 9,
        fix: { title: 't', edits: [{ start: 1, end: 3, newText: 'x' }] },
        related: [
          { line: 0, start: 1, end: 8, message: 'r' },
          { line: 7, start: 1, end: 2, message: 'q' },
        ],
      }),
      place,
      records,
    ),
    {
      code: 'wrong-type',
      severity: 'error',
      message: 'm',
      line: 3,
      start: 6,
      end: 9,
      fix: { title: 't', edits: [{ start: 5, end: 7, newText: 'x' }] },
      related: [
        { line: 1, start: 3, end: 5, message: 'r' },
        { line: 7, start: 1, end: 2, message: 'q' },
      ],
    },
  );
  // on its second line: columns from that line's start; a fix whose edit runs onto another line is dropped
  assert.deepEqual(placeDiagnostic(d({ start: 6, end: 9, fix: { title: 't', edits: [{ start: 4, end: 7, newText: 'x' }] } }), place, records), {
    code: 'wrong-type',
    severity: 'error',
    message: 'm',
    line: 4,
    start: 0,
    end: 3,
    fix: undefined,
    related: undefined,
  });
  // an empty range is one character wide; "on line N" of a delete-line fix becomes the file line of record N
  assert.deepEqual(placeDiagnostic(d({ start: 5, end: 5, message: 'm on line 1 and', fix: { title: 't', edits: [], deleteLine: true } }), place, records), {
    code: 'wrong-type',
    severity: 'error',
    message: 'm on line 2 and',
    line: 3,
    start: 9,
    end: 10,
    fix: undefined,
    related: undefined,
  });
  // a range that starts on a line break: one character there; an edit that ends on the next line drops the fix;
  // a related range that starts on a line break is cut there too
  assert.deepEqual(
    placeDiagnostic(
      d({ start: 5, end: 8, fix: { title: 't', edits: [{ start: 3, end: 7, newText: 'x' }] }, related: [{ line: 1, start: 3, end: 15, message: 'r' }] }),
      place,
      records,
    ),
    {
      code: 'wrong-type',
      severity: 'error',
      message: 'm',
      line: 3,
      start: 9,
      end: 10,
      fix: undefined,
      related: [{ line: 8, start: 5, end: 6, message: 'r' }],
    },
  );
  // on its last line: the end at the record's end; a record number with no place stays as it was
  assert.deepEqual(placeDiagnostic(d({ start: 13, end: 30, message: 'm on line 5', fix: { title: 't', edits: [], deleteLine: true } }), place, records), {
    code: 'wrong-type',
    severity: 'error',
    message: 'm on line 5',
    line: 5,
    start: 0,
    end: 7,
    fix: undefined,
    related: undefined,
  });
  assert.deepEqual(problemDiagnostic({ line: 4, col: 7, message: 'Boom' }), {
    code: 'invalid-json',
    severity: 'error',
    start: 7,
    end: 8,
    message: 'Invalid JSON array: Boom.',
    line: 4,
    fix: undefined,
  });
});

/** The records ([text, line, col, breaks]) and problems ([line, col, message]) of an array text. */
function splitAll(text: string) {
  const records: [string, number, number, string][] = [];
  const problems: [number, number, string][] = [];
  const s = new ArraySplitter(
    (r) => records.push([r.text, r.line, r.col, r.breaks.join(',')]),
    (p) => problems.push([p.line, p.col, p.message]),
  );
  s.feed(text);
  s.end();
  return { records, problems };
}

const EMPTY = 'The file is empty: a .json dataset is a JSON array of records, [ {...}, {...} ]';
const NOT_ARRAY = 'A .json dataset must be a JSON array of records: [ {...}, {...} ] (for one record per line, use .jsonl)';
const TRAILING = 'Trailing comma before ]: remove the comma';
const MISSING = 'Missing comma between two records: add "," after the record before';
const AFTER = 'Text after the closing ] of the array: remove it, or put it inside the array';
const UNCLOSED = 'The array is not closed: add "]" at the end';

test('ArraySplitter: each record with its line, column and line breaks; scalars, strings with brackets and commas, nesting', () => {
  assert.deepEqual(splitAll('[]'), { records: [], problems: [] });
  assert.deepEqual(splitAll(' [ ]\n\n'), { records: [], problems: [] });
  assert.deepEqual(splitAll('[1,2 ,3]').records, [
    ['1', 0, 1, ''],
    ['2', 0, 3, ''],
    ['3', 0, 6, ''],
  ]);
  assert.deepEqual(splitAll('["a,]b" , true\n,null]'), {
    records: [
      ['"a,]b"', 0, 1, ''],
      ['true', 0, 10, ''],
      ['null', 1, 1, ''],
    ],
    problems: [],
  });
  assert.deepEqual(splitAll('[{"a":\n[1,\n2]},\n  {"b":"x\\"}"}]'), {
    records: [
      ['{"a":\n[1,\n2]}', 0, 1, '5,9'],
      ['{"b":"x\\"}"}', 3, 2, ''],
    ],
    problems: [],
  });
  assert.deepEqual(splitAll('[\n  1,\n  [2,\n3]\n]').records, [
    ['1', 1, 2, ''],
    ['[2,\n3]', 2, 2, '3'],
  ]);
  assert.deepEqual(splitAll('[ {"a": [ ] } ]').records, [['{"a": [ ] }', 0, 2, '']]);
  assert.deepEqual(splitAll('\uFEFF[1]'), { records: [['1', 0, 2, '']], problems: [] });
});

test('ArraySplitter: one structural problem, placed where it is, and the records still split', () => {
  assert.deepEqual(splitAll(''), { records: [], problems: [[0, 0, EMPTY]] });
  assert.deepEqual(splitAll('  \n '), { records: [], problems: [[1, 1, EMPTY]] });
  assert.deepEqual(splitAll('x'), { records: [], problems: [[0, 0, NOT_ARRAY]] });
  assert.deepEqual(splitAll('\n  {"a": 1}'), { records: [], problems: [[1, 2, NOT_ARRAY]] });
  assert.deepEqual(splitAll('[1,]'), { records: [['1', 0, 1, '']], problems: [[0, 3, TRAILING]] });
  assert.deepEqual(splitAll('[1,\n]'), { records: [['1', 0, 1, '']], problems: [[1, 0, TRAILING]] });
  // a comma, then a record, then "]": no trailing comma
  assert.deepEqual(splitAll('[1, 2 ]').problems, []);
  assert.deepEqual(splitAll('[1 2]'), {
    records: [
      ['1', 0, 1, ''],
      ['2', 0, 3, ''],
    ],
    problems: [[0, 3, MISSING]],
  });
  // after a missing comma, a record then "]" is no trailing comma (and a second problem would not be told anyway)
  assert.deepEqual(splitAll('[{"a":1} {"b":2}]').problems, [[0, 9, MISSING]]);
  assert.deepEqual(splitAll('[{"a":1} {"b":2},]').problems, [[0, 9, MISSING]]);
  assert.deepEqual(splitAll('[1] x'), { records: [['1', 0, 1, '']], problems: [[0, 4, AFTER]] });
  assert.deepEqual(splitAll('[1] 2 3').problems, [[0, 4, AFTER]]);
  assert.deepEqual(splitAll('[1'), { records: [['1', 0, 1, '']], problems: [[0, 2, UNCLOSED]] });
  assert.deepEqual(splitAll('[1,').problems, [[0, 3, UNCLOSED]]);
  assert.deepEqual(splitAll('[').problems, [[0, 1, UNCLOSED]]);
  assert.deepEqual(splitAll('[{"a": [1, 2'), { records: [['{"a": [1, 2', 0, 1, '']], problems: [[0, 12, UNCLOSED]] });
  // an empty element: JSON.parse rejects the file, so it is a problem, placed on the extra comma; the records still split
  assert.deepEqual(splitAll('[1,,2]'), {
    records: [
      ['1', 0, 1, ''],
      ['2', 0, 4, ''],
    ],
    problems: [[0, 3, 'Two commas in a row (an empty element): remove one']],
  });
  assert.deepEqual(splitAll('[\n  ,1]'), { records: [['1', 1, 3, '']], problems: [[1, 2, 'Comma before the first record: remove it']] });
  assert.deepEqual(splitAll('[1, ,\n]').problems, [[0, 4, 'Two commas in a row (an empty element): remove one']]);
});

test('json arrays: a doubled or leading comma is an error at the comma, and the records are still counted', () => {
  for (const text of ['[{"text":"a"},,{"text":"b"}]', '[,{"text":"a"},{"text":"b"}]']) assert.throws(() => JSON.parse(text));
  const doubled = validateJsonArrayText('[{"text":"a"},,{"text":"b"}]', OPTS);
  assert.deepEqual(
    doubled.diagnostics.map((d) => [d.line, d.start, d.code, d.severity, d.message]),
    [[0, 14, 'invalid-json', 'error', 'Invalid JSON array: Two commas in a row (an empty element): remove one.']],
  );
  assert.equal(doubled.records, 2);
  const leading = validateJsonArrayText('[\n  , {"text":"a"}]', OPTS);
  assert.deepEqual(
    leading.diagnostics.map((d) => [d.line, d.start, d.code]),
    [[1, 2, 'invalid-json']],
  );
  assert.match(leading.diagnostics[0]!.message, /Comma before the first record: remove it/);
});

test("placeIn: an offset before a record's first line break is on its first line, after its column; later, on its own line", () => {
  const r = { line: 2, col: 5, breaks: [3, 7] };
  assert.deepEqual(
    [0, 3, 4, 7, 8, 9].map((o) => placeIn(r, o)),
    [
      { line: 2, col: 5 },
      { line: 2, col: 8 },
      { line: 3, col: 0 },
      { line: 3, col: 3 },
      { line: 4, col: 0 },
      { line: 4, col: 1 },
    ],
  );
});

test('forEachArrayRecord: a file read in pieces, multi-byte characters whole; a cancelled read rejects', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'ftstudio-array-read-'));
  try {
    const f = join(tmp, 'data.json');
    // more than one 1 MiB read, with a multi-byte character on the read boundary
    const big = 'é'.repeat(600_000);
    writeFileSync(f, `[\n  {"text": "${big}"},\n  {"text": "数据"}\n]`);
    const records: ArrayRecord[] = [];
    const problems: unknown[] = [];
    await forEachArrayRecord(
      f,
      (r) => records.push(r),
      (p) => problems.push(p),
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(
      records.map((r) => [r.text.length, r.line, r.col]),
      [
        [big.length + 12, 1, 2],
        [14, 2, 2],
      ],
    );
    assert.equal(records[1]!.text, '{"text": "数据"}');
    writeFileSync(f, '[1, 2');
    const seen: unknown[] = [];
    await forEachArrayRecord(
      f,
      () => {},
      (p) => seen.push(p),
    );
    assert.deepEqual(seen, [{ line: 0, col: 5, message: UNCLOSED }]);
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(
      forEachArrayRecord(
        f,
        () => {},
        () => {},
        ac.signal,
      ),
      /cancelled/,
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

// The corpus in test/fixtures/real-shapes: records shaped like the documented examples of TRL, OpenAI and
// LLaMA-Factory (written for this project). Clean files validate with no diagnostic through both paths
// (the CLI's streamed byte scan and the editor's model); the defects file has each defect at its range.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateText } from '../../src/core/checks/datasetModel';
import { validateFile } from '../../src/core/parallel/validateFile';
import { OPTS } from './helpers';

const dir = join(__dirname, '../fixtures/real-shapes');
const clean = readdirSync(dir).filter((f) => !f.includes('defects') && !f.startsWith('dataset_info'));

for (const f of clean) {
  test(`real shapes: ${f} validates with no diagnostic (CLI and editor)`, async () => {
    const path = join(dir, f);
    const cli = await validateFile(path, { maxTokens: 4096, minRecords: 0 });
    assert.deepEqual(cli.diagnostics.map((d) => `${d.line + 1}:${d.code} ${d.message}`), []);
    assert.ok(cli.records > 0 && cli.format);
    const editor = validateText(readFileSync(path, 'utf8'), OPTS);
    assert.deepEqual(editor.diagnostics.map((d) => `${d.line + 1}:${d.code}`), []);
  });
}

/** line -> [code, the text its range covers] */
const EXPECTED: [number, string, string][] = [
  [1, 'arguments-double-encoded', JSON.stringify(JSON.stringify('{"location": "current"}'))],
  [2, 'arguments-invalid-json', JSON.stringify('{"location": current}')],
  [3, 'arguments-not-object', JSON.stringify('["current"]')],
  [4, 'arguments-not-string', '{"location": "current"}'],
  [5, 'tool-call-no-name', '{"arguments": "{\\"location\\": \\"current\\"}"}'],
  [6, 'tool-call-unknown-function', '"get_wheather"'],
  [7, 'tool-call-wrong-type', '"tool"'],
  [8, 'tool-result-no-id', '"tool"'],
  [9, 'tool-result-unknown-id', '"call_9"'],
  [10, 'wrong-type', '"false"'],
  [11, 'invalid-tool-definition', '{"description": "nameless", "parameters": {"type": "object"}}'],
  [12, 'invalid-tool-definition', '"location"'],
  [13, 'invalid-content-part', '{"type": "text"}'],
  [14, 'invalid-content-part', '"https://example.com/a.png"'],
  [15, 'no-user-turn', ''],
];

test('real shapes: every tool-calling and content-part defect is reported on its line, at its range', async () => {
  const path = join(dir, 'openai-tools-defects.jsonl');
  const lines = readFileSync(path, 'utf8').split('\n');
  const r = await validateFile(path, { maxTokens: 4096, minRecords: 0 });
  assert.deepEqual(r.diagnostics.map((d) => `${d.line + 1}:${d.code}`), EXPECTED.map(([l, c]) => `${l}:${c}`));
  for (const [l, code, text] of EXPECTED) {
    const d = r.diagnostics.find((x) => x.line === l - 1 && x.code === code)!;
    if (text) assert.equal(lines[l - 1]!.slice(d.start, d.end), text, `${l}:${code}`);
    assert.ok(d.message.length > 40, d.message);
  }
  const editor = validateText(readFileSync(path, 'utf8'), OPTS);
  assert.deepEqual(editor.diagnostics.map((d) => `${d.line + 1}:${d.code}:${d.start}-${d.end}`), r.diagnostics.map((d) => `${d.line + 1}:${d.code}:${d.start}-${d.end}`));
});

test('real shapes: the quick fixes (decode double-encoded arguments, encode an object, call the near name, wrap a bare image URL) leave clean records', () => {
  const lines = readFileSync(join(dir, 'openai-tools-defects.jsonl'), 'utf8').split('\n');
  for (const l of [1, 4, 6, 7, 14]) {
    const line = lines[l - 1]!;
    const [d] = validateText(line, OPTS).diagnostics;
    assert.ok(d?.fix, `a fix on line ${l}`);
    let fixed = line;
    for (const e of [...d.fix.edits].sort((a, b) => b.start - a.start)) fixed = fixed.slice(0, e.start) + e.newText + fixed.slice(e.end);
    assert.deepEqual(validateText(fixed, OPTS).diagnostics.map((x) => x.code), [], `line ${l} after "${d.fix.title}": ${fixed}`);
  }
});

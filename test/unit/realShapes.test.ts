// The corpus in test/fixtures/real-shapes: records shaped like the documented examples of TRL, OpenAI and
// LLaMA-Factory (written for this project). Clean files validate with no diagnostic through both paths
// (the CLI's streamed byte scan and the editor's model); the defects file has each defect at its range.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_OPTIONS, validateText } from '../../src/core/checks/datasetModel';
import { analyzeLine } from '../../src/core/checks/analyzeLine';
import { validateFile } from '../../src/core/validation/validateFile';
import { OPTS } from './helpers';
import { main } from '../../src/cli/main';
import { datasetInfoFor } from '../../src/core/formats/llamaFactory';
import { validateJsonArrayDocument } from '../../src/core/validation/validateDataset';
import { resolveOptions } from '../../src/core/validation/options';
import { leakageOfLines } from '../../src/core/checks/leakage';
import { mkdtempSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const dir = join(__dirname, '../fixtures/real-shapes');
const clean = readdirSync(dir).filter((f) => f.endsWith('.jsonl') && !f.includes('defects'));

for (const f of clean) {
  test(`real shapes: ${f} validates with no diagnostic (CLI and editor)`, async () => {
    const path = join(dir, f);
    const cli = await validateFile(path, { maxTokens: 4096, minRecords: 0 });
    assert.deepEqual(
      cli.diagnostics.map((d) => `${d.line + 1}:${d.code} ${d.message}`),
      [],
    );
    assert.ok(cli.records > 0 && cli.format);
    const editor = validateText(readFileSync(path, 'utf8'), OPTS);
    assert.deepEqual(
      editor.diagnostics.map((d) => `${d.line + 1}:${d.code}`),
      [],
    );
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
  [15, 'no-user-turn', '[{"role": "system", "content": "You are a drone pilot assistant."}, {"role": "assistant", "content": "Ready for take-off."}]'],
];

test('real shapes: every tool-calling and content-part defect is reported on its line, at its range', async () => {
  const path = join(dir, 'openai-tools-defects.jsonl');
  const lines = readFileSync(path, 'utf8').split('\n');
  const r = await validateFile(path, { maxTokens: 4096, minRecords: 0 });
  assert.deepEqual(
    r.diagnostics.map((d) => `${d.line + 1}:${d.code}`),
    EXPECTED.map(([l, c]) => `${l}:${c}`),
  );
  for (const [l, code, text] of EXPECTED) {
    const d = r.diagnostics.find((x) => x.line === l - 1 && x.code === code)!;
    if (text) assert.equal(lines[l - 1]!.slice(d.start, d.end), text, `${l}:${code}`);
    assert.ok(d.message.length > 40, d.message);
  }
  const editor = validateText(readFileSync(path, 'utf8'), OPTS);
  assert.deepEqual(
    editor.diagnostics.map((d) => `${d.line + 1}:${d.code}:${d.start}-${d.end}`),
    r.diagnostics.map((d) => `${d.line + 1}:${d.code}:${d.start}-${d.end}`),
  );
});

test('real shapes: the quick fixes (decode double-encoded arguments, encode an object, call the near name, wrap a bare image URL) leave clean records', () => {
  const lines = readFileSync(join(dir, 'openai-tools-defects.jsonl'), 'utf8').split('\n');
  for (const l of [1, 4, 6, 7, 14]) {
    const line = lines[l - 1]!;
    const [d] = validateText(line, OPTS).diagnostics;
    assert.ok(d?.fix, `a fix on line ${l}`);
    let fixed = line;
    for (const e of [...d.fix.edits].sort((a, b) => b.start - a.start)) fixed = fixed.slice(0, e.start) + e.newText + fixed.slice(e.end);
    assert.deepEqual(
      validateText(fixed, OPTS).diagnostics.map((x) => x.code),
      [],
      `line ${l} after "${d.fix.title}": ${fixed}`,
    );
  }
});

const lf = join(dir, 'llamafactory');

test('dataset_info.json: the registry decides format and key names; every registered file validates clean', async () => {
  const expected: Record<string, string> = {
    'support_dpo.jsonl': 'sharegpt-preference',
    'support_kto.jsonl': 'language-modeling',
    'faq_sft.jsonl': 'alpaca',
    'faq_dpo.jsonl': 'preference',
    'notes_pt.jsonl': 'language-modeling',
    'support_chat.jsonl': 'sharegpt',
    'support_rank.jsonl': 'sharegpt-preference',
  };
  for (const [f, format] of Object.entries(expected)) {
    assert.equal(datasetInfoFor(join(lf, f))?.format, format, f);
    const r = await cli('validate', '--json', '--min-records', '0', join(lf, f));
    const doc = JSON.parse(r.out).files[0];
    assert.deepEqual(doc.diagnostics, [], f);
    assert.equal(doc.format, format, f);
    assert.equal(r.code, 0);
  }
  assert.equal(datasetInfoFor(join(dir, 'trl-stepwise.jsonl')), undefined);
});

test("dataset_info.json tags: ShareGPT turns under the registry's role and content keys and role names; defects placed and named in the file's terms", async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'ftstudio-lftags-'));
  cpSync(join(lf, 'dataset_info.json'), join(tmp, 'dataset_info.json'));
  const lines = [
    // two customer turns in a row, then a blank agent turn
    '{"dialog": [{"speaker": "customer", "text": "Hi"}, {"speaker": "customer", "text": "Anyone?"}, {"speaker": "agent", "text": " "}]}',
    // a speaker the registry does not name
    '{"dialog": [{"speaker": "client", "text": "Hi"}, {"speaker": "agent", "text": "Hello."}]}',
    // a ranking record's response from the customer
    '',
  ];
  writeFileSync(join(tmp, 'support_chat.jsonl'), lines.join('\n'));
  const r = JSON.parse((await cli('validate', '--json', '--min-records', '0', join(tmp, 'support_chat.jsonl'))).out).files[0];
  const got = r.diagnostics.map((d: { line: number; column: number; endColumn: number; code: string; message: string }) => ({
    at: `${d.line}:${d.code}`,
    text: lines[d.line - 1]!.slice(d.column - 1, d.endColumn - 1),
    message: d.message,
  }));
  assert.deepEqual(
    got.map((g: { at: string; text: string }) => `${g.at} ${g.text}`),
    ['1:repeated-role "customer"', '1:empty-content " "', '2:unknown-role "client"'],
  );
  assert.match(got[1].message, /^dialog\[2\]\.text is empty/);
  // the roles to use are the registry's names, not the ShareGPT defaults (human, gpt) the checks know the turns by
  assert.match(got[2].message, /^Unknown speaker "client" in dialog\[0\]: use one of customer, agent, observation, function_call, policy\.$/);
  assert.match(got[0].message, /dialog\[1\]/);
  writeFileSync(
    join(tmp, 'support_rank.jsonl'),
    '{"dialog": [{"speaker": "customer", "text": "Hi"}], "better": {"speaker": "agent", "text": "Hello."}, "worse": {"speaker": "customer", "text": "Hm."}}\n',
  );
  const k = JSON.parse((await cli('validate', '--json', '--min-records', '0', join(tmp, 'support_rank.jsonl'))).out).files[0];
  assert.deepEqual(
    k.diagnostics.map(
      (d: { line: number; column: number; endColumn: number; code: string }) =>
        `${d.code} ${'{"dialog": [{"speaker": "customer", "text": "Hi"}], "better": {"speaker": "agent", "text": "Hello."}, "worse": {"speaker": "customer", "text": "Hm."}}'.slice(d.column - 1, d.endColumn - 1)}`,
    ),
    ['response-not-assistant "customer"'],
  );
  // without the tags the same turns are not ShareGPT turns at all
  const bare = join(tmp, 'untagged.jsonl');
  writeFileSync(bare, lines[0] + '\n');
  assert.notDeepEqual(JSON.parse((await cli('validate', '--json', '--min-records', '0', bare)).out).files[0].diagnostics, []);
});

test("dataset_info.json: diagnostics land on the file's own keys; without the registry the same file is an unknown format", async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'ftstudio-lf-'));
  cpSync(join(lf, 'dataset_info.json'), join(tmp, 'dataset_info.json'));
  const line = JSON.stringify({ question: 'Where are you?', context: '', answer: '  ', persona: "You are the shop's FAQ assistant." });
  writeFileSync(join(tmp, 'faq_sft.jsonl'), line + '\n');
  const r = JSON.parse((await cli('validate', '--json', '--min-records', '0', join(tmp, 'faq_sft.jsonl'))).out).files[0];
  assert.deepEqual(
    r.diagnostics.map((d: { code: string }) => d.code),
    ['empty-content'],
  );
  const d = r.diagnostics[0];
  assert.equal(line.slice(d.column - 1, d.endColumn - 1), '"  "');
  assert.match(d.message, /"answer" is empty/);
  const bare = join(tmp, 'unregistered.jsonl');
  writeFileSync(bare, line + '\n');
  const u = JSON.parse((await cli('validate', '--json', '--min-records', '0', bare)).out).files[0];
  assert.deepEqual(
    u.diagnostics.map((x: { code: string }) => x.code),
    ['unknown-format'],
  );
});

test('leak pairs: valid.jsonl beside train.jsonl, x_test beside x_train, and finetune.json data.heldout / data.train; exact and prompt leaks by code', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'ftstudio-leak-'));
  const rec = (p: string, c: string) => JSON.stringify({ prompt: p, completion: c });
  const train = [rec('What is 2+2?', '4'), rec('Capital of Peru?', 'Lima'), rec('Colour of grass?', 'Green')].join('\n') + '\n';
  const held = [rec('What is 2+2?', '4'), rec('Capital of Peru?', 'It is Lima.'), rec('Largest ocean?', 'The Pacific')].join('\n') + '\n';
  const leaks = async (file: string) =>
    JSON.parse((await cli('validate', '--json', '--min-records', '0', file)).out).files[0].diagnostics.map(
      (d: { line: number; code: string }) => `${d.line}:${d.code}`,
    );
  const want = ['1:heldout-leak', '2:heldout-prompt-leak'];
  writeFileSync(join(tmp, 'train.jsonl'), train);
  for (const name of ['valid.jsonl', 'validation.jsonl', 'val.jsonl', 'test.jsonl', 'eval.jsonl']) {
    writeFileSync(join(tmp, name), held);
    assert.deepEqual(await leaks(join(tmp, name)), want, name);
  }
  writeFileSync(join(tmp, 'qa_train.jsonl'), train);
  writeFileSync(join(tmp, 'qa_test.jsonl'), held);
  assert.deepEqual(await leaks(join(tmp, 'qa_test.jsonl')), want);
  const proj = mkdtempSync(join(tmpdir(), 'ftstudio-leakcfg-'));
  writeFileSync(
    join(proj, 'finetune.json'),
    JSON.stringify({ method: 'sft', model: 'm', data: { train: 'data/sft-2024.jsonl', heldout: 'data/checks.jsonl' } }),
  );
  cpSync(join(tmp, 'train.jsonl'), join(proj, 'data', 'sft-2024.jsonl'), { recursive: true });
  writeFileSync(join(proj, 'data', 'checks.jsonl'), held);
  assert.deepEqual(await leaks(join(proj, 'data', 'checks.jsonl')), want);
  // JSON arrays (LLaMA-Factory's layout) pair the same way, the leak placed on the record's opening brace
  const arr = mkdtempSync(join(tmpdir(), 'ftstudio-leakarr-'));
  const asArray = (text: string) =>
    JSON.stringify(
      text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
      null,
      2,
    );
  writeFileSync(join(arr, 'qa_train.json'), asArray(train));
  writeFileSync(join(arr, 'qa_valid.json'), asArray(held));
  const arrLeaks = JSON.parse((await cli('validate', '--json', join(arr, 'qa_valid.json'))).out).files[0].diagnostics.map(
    (d: { line: number; column: number; code: string }) => `${d.line}:${d.column}:${d.code}`,
  );
  assert.deepEqual(arrLeaks, ['2:3:heldout-leak', '6:3:heldout-prompt-leak']);
  // a file that pairs with nothing is not checked
  writeFileSync(join(tmp, 'other.jsonl'), held);
  assert.deepEqual(await leaks(join(tmp, 'other.jsonl')), []);
});

test('leak pairs in the editor: an open .json array is checked against its training partner, and an open JSONL file against a .json partner', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ftstudio-leakdoc-'));
  const rec = (p: string, c: string) => ({ prompt: p, completion: c });
  const train = [rec('What is 2+2?', '4'), rec('Capital of Peru?', 'Lima'), rec('Colour of grass?', 'Green')];
  const held = [rec('What is 2+2?', '4'), rec('Capital of Peru?', 'It is Lima.'), rec('Largest ocean?', 'The Pacific')];
  writeFileSync(join(dir, 'qa_train.json'), JSON.stringify(train, null, 2));
  // the document's text, not the file's: the open editor holds an edit not saved yet (a third leak)
  const text = JSON.stringify([...held, rec('Colour of grass?', 'Green')], null, 2);
  const opts = resolveOptions({ maxTokens: 4096, minRecords: 0 });
  const codes = (r: { diagnostics: readonly { line: number; start: number; code: string }[] }) =>
    r.diagnostics.map((d) => `${d.line + 1}:${d.start + 1}:${d.code}`);
  const doc = validateJsonArrayDocument(join(dir, 'qa_valid.json'), text, opts);
  assert.deepEqual(codes(doc), ['2:3:heldout-leak', '6:3:heldout-prompt-leak', '14:3:heldout-leak']);
  // a held-out JSONL document beside a .json training array
  writeFileSync(join(dir, 'train.json'), JSON.stringify(train));
  const lines = held.map((h) => JSON.stringify(h));
  assert.deepEqual(
    leakageOfLines(join(dir, 'valid.jsonl'), () => lines).map((d) => `${d.line + 1}:${d.code}`),
    ['1:heldout-leak', '2:heldout-prompt-leak'],
  );
  // no partner: nothing
  assert.deepEqual(codes(validateJsonArrayDocument(join(dir, 'other.json'), text, opts)), []);
});

test("dataset_info.json tags: an unknown role's quick fix is the nearest of the registry's names, and applying it leaves the line clean", () => {
  const opts = {
    ...DEFAULT_OPTIONS,
    format: 'sharegpt' as const,
    keyMap: { dialog: 'conversations' },
    turnTags: { role: 'speaker', content: 'text', roles: { customer: 'human', agent: 'gpt', policy: 'system' } },
  };
  const line = '{"dialog": [{"speaker": "custmer", "text": "Hi"}, {"speaker": "agent", "text": "Hello."}]}';
  const d = analyzeLine(line, opts).diagnostics.find((x) => x.code === 'unknown-role');
  assert.ok(d?.fix, 'a fix');
  assert.equal(d.fix.title, 'Change the speaker to "customer"');
  const fixed = line.slice(0, d.fix.edits[0]!.start) + d.fix.edits[0]!.newText + line.slice(d.fix.edits[0]!.end);
  assert.deepEqual(
    analyzeLine(fixed, opts).diagnostics.map((x) => x.code),
    [],
  );
  // a name nothing is near: the registry's names listed, no fix offered
  const far = analyzeLine('{"dialog": [{"speaker": "zzzzzzzz", "text": "Hi"}, {"speaker": "agent", "text": "Hello."}]}', opts).diagnostics[0]!;
  assert.equal(far.code, 'unknown-role');
  assert.equal(far.fix, undefined);
  assert.match(far.message, /use one of customer, agent, observation, function_call, policy\.$/);
});

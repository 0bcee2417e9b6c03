// The validator as a user meets it: Problems panel, typing, status item, quick fix.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  datasetStatus,
  goTo,
  quickFixRow,
  openFile,
  openWorkbench,
  parsesAsJson,
  problemCounts,
  problems,
  showProblems,
  waitFor,
  type Workbench,
} from './workbench';

let wb: Workbench;
before(async () => {
  wb = await openWorkbench({ name: 'validation' });
});
after(async () => {
  await wb?.close();
});

const EXPECTED = [
  'error 3 misspelt-key',
  'error 5 chosen-equals-rejected',
  'error 7 invalid-json',
  'error 13 empty-content',
  'warning 9 template-mismatch',
  'warning 12 duplicate',
  'warning 14 format-mismatch',
  'info 1 few-records',
].sort();

test('the Problems panel lists exactly the planted defects of the DPO file', async () => {
  const { page, shot } = wb;
  await openFile(page, 'dpo-pairs.jsonl');
  await showProblems(page);
  const { value } = await waitFor(
    'problems of dpo-pairs.jsonl',
    () => problems(page),
    (p) => p.length >= EXPECTED.length,
  );
  await shot('problems');
  assert.deepEqual(value.map((p) => `${p.severity} ${p.line} ${p.code}`).sort(), EXPECTED);
  const inv = value.find((p) => p.code === 'invalid-json')!;
  assert.equal(inv.column, 112);
  assert.match(inv.message, /Trailing comma/);
});

test('the status item shows format, records and errors', async () => {
  const { page, shot } = wb;
  const { value } = await waitFor(
    'status item',
    () => datasetStatus(page),
    (s) => /preference · 14 records/.test(s),
  );
  await shot('status-item');
  assert.match(value, /^preference · 14 records · 4 3$/);
});

test('typing a fix removes the diagnostic within a second; typing a defect adds one', async () => {
  const { page, shot } = wb;
  // line 7 ends with ",}" — delete the trailing comma
  await goTo(page, 7);
  await page.keyboard.press('End');
  await page.keyboard.press('ArrowLeft');
  await showProblems(page);
  const t0 = Date.now();
  await page.keyboard.press('Backspace');
  await waitFor(
    'invalid-json gone from the Problems panel',
    () => problems(page),
    (p) => p.length > 0 && !p.some((x) => x.code === 'invalid-json'),
    3000,
  );
  const fixMs = Date.now() - t0;
  const fixed = await waitFor(
    'error count 3',
    () => problemCounts(page),
    (c) => c[0] === 3,
    3000,
  );
  await shot('fixed-typed');
  assert.ok(fixMs <= 1000, `the error disappeared after ${fixMs} ms`);
  // line 2: add a key of another format before the closing brace
  await goTo(page, 2);
  await page.keyboard.press('End');
  await page.keyboard.press('ArrowLeft');
  // all but the last keystroke first (the line is broken JSON meanwhile), then time the last one
  await page.keyboard.type(', "label": tru');
  await waitFor(
    'invalid-json while typing',
    () => problems(page),
    (p) => p.some((x) => x.code === 'invalid-json' && x.line === 2),
    3000,
  );
  const t1 = Date.now();
  await page.keyboard.type('e');
  await waitFor(
    'unexpected-key appears',
    () => problems(page),
    (p) => p.some((x) => x.code === 'unexpected-key' && x.line === 2),
    3000,
  );
  const defectMs = Date.now() - t1;
  await shot('defect-typed');
  assert.ok(defectMs <= 1000, `the new warning appeared ${defectMs} ms after the keystroke`);
  assert.equal(fixed.value[0], 3);
});

test('a quick fix renames the misspelt key and the file is right afterwards', async () => {
  const { page, shot, folder } = wb;
  await waitFor(
    'misspelt-key on line 3',
    () => problems(page),
    (p) => p.some((x) => x.code === 'misspelt-key' && x.line === 3),
    3000,
  );
  await goTo(page, 3, 86);
  const target = await quickFixRow(page, 'Rename "rejceted" to "rejected"');
  await shot('quick-fix-menu');
  await target.click();
  await waitFor(
    'misspelt-key gone',
    () => problems(page),
    (p) => !p.some((x) => x.code === 'misspelt-key'),
    3000,
  );
  await page.keyboard.press('Control+S');
  // the editor's save may be read half-written: wait for a whole line 3 that holds the fix
  const { value: line3 } = await waitFor(
    'saved',
    async () => readFileSync(join(folder, 'dpo-pairs.jsonl'), 'utf8').split('\n')[2] ?? '',
    (t) => parsesAsJson(t) && t.includes('"chosen": "Red.", "rejected": "Purple."'),
    5000,
  );
  assert.equal(JSON.parse(line3).rejected, 'Purple.');
  await shot('quick-fix-applied');
  // 2 errors left; warnings: template, format mismatch, the typed "label", and line 12 — no longer an exact
  // duplicate of the edited line 2 — now its near-duplicate
  const status = await waitFor(
    'status item updated',
    () => datasetStatus(page),
    (s) => /· 2 4$/.test(s),
  );
  assert.match(status.value, /preference · 14 records · 2 4/);
  const near = (await problems(page)).filter((x) => x.code === 'near-duplicate');
  assert.deepEqual(
    near.map((x) => x.line),
    [12],
  );
});

test('the conversational SFT file: unknown role with its quick fix', async () => {
  const { page, shot } = wb;
  await openFile(page, 'chat-sft.jsonl');
  const { value } = await waitFor(
    'chat-sft problems',
    () => problems(page),
    (p) => p.some((x) => x.code === 'unknown-role'),
  );
  await shot('chat-sft');
  const role = value.find((x) => x.code === 'unknown-role')!;
  assert.equal(role.line, 11);
  assert.ok(value.some((x) => x.code === 'no-assistant-turn' && x.line === 12));
  assert.match(await datasetStatus(page), /conversational language-modeling · 12 records/);
});

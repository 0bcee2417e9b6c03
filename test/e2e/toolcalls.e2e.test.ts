// Tool-calling data in the real VS Code: the planted defects of examples/tool-calls.jsonl in the Problems
// panel, and the quick fix that decodes double-encoded arguments.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { datasetStatus, goTo, openFile, openWorkbench, parsesAsJson, problems, quickFixRow, showProblems, waitFor, type Workbench } from './workbench';

let wb: Workbench;
// a LLaMA-Factory folder: a pretty-printed .json array registered in dataset_info.json, with one planted defect
const records = readFileSync(join(__dirname, '../../examples/tool-calls.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l))
  .filter((_, i) => i !== 2 && i < 4); // record 3 has a defect of its own
records[1].messages[2].tool_calls[0].function.arguments = JSON.stringify('{"order_id": "1043"}');
const ORDERS = JSON.stringify(records, null, 2) + '\n';
const INFO = JSON.stringify(
  {
    orders: {
      file_name: 'orders.json',
      formatting: 'sharegpt',
      columns: { messages: 'messages', tools: 'tools' },
      tags: { role_tag: 'role', content_tag: 'content' },
    },
  },
  null,
  2,
);

before(async () => {
  wb = await openWorkbench({ name: 'toolcalls', extraFiles: { 'orders.json': ORDERS, 'dataset_info.json': INFO } });
});
after(async () => {
  await wb?.close();
});

test('the Problems panel shows the double-encoded arguments and the unknown tool_call_id at their lines', async () => {
  const { page, shot } = wb;
  await openFile(page, 'tool-calls.jsonl');
  await showProblems(page);
  // the first dataset opened in a fresh host waits for the extension to activate
  const { value } = await waitFor(
    'tool-call problems',
    () => problems(page),
    (p) => p.some((x) => x.code === 'arguments-double-encoded') && p.length >= 3,
    60_000,
  );
  await shot('problems');
  const codes = value.map((p) => `${p.severity} ${p.line} ${p.code}`).sort();
  assert.deepEqual(codes, ['error 3 arguments-double-encoded', 'error 5 tool-result-unknown-id', 'info 1 few-records']);
  const line3 = readFileSync(join(wb.folder, 'tool-calls.jsonl'), 'utf8').split('\n')[2]!;
  const args = value.find((p) => p.code === 'arguments-double-encoded')!;
  assert.equal(args.column, line3.indexOf('"\\"{') + 1);
  assert.match(args.message, /JSON-encoded twice/);
  assert.match(await datasetStatus(page), /conversational language-modeling · 6 records/);
});

test('the quick fix decodes the arguments once and the record is clean afterwards', async () => {
  const { page, shot, folder } = wb;
  const line3 = readFileSync(join(folder, 'tool-calls.jsonl'), 'utf8').split('\n')[2]!;
  await goTo(page, 3, line3.indexOf('"\\"{') + 3);
  const target = await quickFixRow(page, 'Decode the double-encoded arguments');
  await shot('quick-fix-menu');
  await target.click();
  await waitFor(
    'arguments-double-encoded gone',
    () => problems(page),
    (p) => p.length > 0 && !p.some((x) => x.code === 'arguments-double-encoded'),
    5000,
  );
  await page.keyboard.press('Control+S');
  const saved = await waitFor(
    'saved',
    // the editor's save may be read half-written (a CI run read a file with fewer than 3 lines): wait for a whole line 3
    async () => readFileSync(join(folder, 'tool-calls.jsonl'), 'utf8').split('\n')[2] ?? '',
    (t) => parsesAsJson(t) && !t.includes('\\"{'),
    5000,
  );
  const call = JSON.parse(saved.value).messages[2].tool_calls[0].function;
  assert.deepEqual(JSON.parse(call.arguments), { order_id: '1044' });
  await shot('quick-fix-applied');
});

test('a registered JSON array file: the defect at its line and column in the pretty-printed file, and its quick fix', async () => {
  const { page, shot, folder } = wb;
  const lines = ORDERS.split('\n');
  const line = lines.findIndex((l) => l.includes('\\"{')) + 1;
  const column = lines[line - 1]!.indexOf('"\\"{') + 1;
  await openFile(page, 'orders.json');
  await showProblems(page);
  const { value } = await waitFor(
    'orders.json problems',
    () => problems(page),
    (p) => p.some((x) => x.code === 'arguments-double-encoded' && x.line === line),
    30_000,
  );
  await shot('json-array-problems');
  const d = value.find((x) => x.code === 'arguments-double-encoded' && x.line === line)!;
  assert.equal(d.column, column);
  assert.match(await datasetStatus(page), /conversational language-modeling · 3 records/);
  await goTo(page, line, column + 2);
  const target = await quickFixRow(page, 'Decode the double-encoded arguments');
  await target.click();
  await waitFor(
    'decoded',
    () => problems(page),
    (p) => !p.some((x) => x.code === 'arguments-double-encoded' && x.line === line),
    5000,
  );
  await page.keyboard.press('Control+S');
  const saved = await waitFor(
    'saved',
    async () => readFileSync(join(folder, 'orders.json'), 'utf8'),
    (t) => parsesAsJson(t) && !t.includes('\\"{'),
    5000,
  );
  assert.deepEqual(JSON.parse(JSON.parse(saved.value)[1].messages[2].tool_calls[0].function.arguments), { order_id: '1043' });
  await shot('json-array-fixed');
});

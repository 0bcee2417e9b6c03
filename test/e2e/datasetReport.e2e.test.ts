// The Dataset Report as a user meets it: on an example dataset, then on a dataset with a goal, a
// production sample, duplicates and a near-duplicate pair whose line opens the record.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FrameLocator } from 'playwright-core';
import { closeAllEditors, openFile, openWorkbench, runCommand, waitFor, type Workbench } from './workbench';

const words = (from: number, n: number) => Array.from({ length: n }, (_, k) => `word${from + k}`).join(' ');
const rec = (prompt: string, completion: string) => JSON.stringify({ prompt, completion });
const lines = Array.from({ length: 30 }, (_, i) => rec(`Question ${i}: ${words(i * 100, 12)}?`, `Answer ${i}.`));
lines[2] = rec(`Summarise this: ${words(5000, 80)}`, 'A summary.');
lines[6] = rec(`Summarise this: ${words(5000, 80)} please`, 'A summary.'); // line 7 nearly repeats line 3
lines[9] = lines[4]!; // line 10 repeats line 5 exactly
const production = Array.from({ length: 20 }, (_, i) =>
  JSON.stringify({ messages: [{ role: 'user', content: `Production input ${i} about ${words(90000 + i * 50, 40)}` }] }),
);

let wb: Workbench;
before(async () => {
  wb = await openWorkbench({
    name: 'dataset-report',
    extraFiles: {
      'data/report.jsonl': lines.join('\n') + '\n',
      'data/production.jsonl': production.join('\n') + '\n',
      'data/finetune.json': JSON.stringify({ method: 'sft', model: 'm', goal: 'style', data: { train: 'report.jsonl', production: 'production.jsonl' } }),
    },
  });
});
after(async () => {
  await wb?.close();
});

function panel(wb: Workbench): FrameLocator {
  return wb.page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}

const text = async (f: FrameLocator, sel: string) =>
  (await f
    .locator(sel)
    .first()
    .textContent({ timeout: 2_000 })
    .catch(() => '')) ?? '';

test('the Dataset Report of an example: records, token table, four histograms, no goal, no production sample', async () => {
  const { page, shot } = wb;
  await openFile(page, 'chat-sft.jsonl');
  await runCommand(page, 'Finetune Studio: Dataset Report');
  const f = panel(wb);
  await waitFor(
    'the report',
    () => text(f, '#records'),
    (t) => /12 records/.test(t),
    60_000,
  );
  assert.equal(await f.locator('canvas').count(), 4);
  assert.match(await text(f, '#token-source'), /estimate/);
  assert.match(await text(f, '#goal'), /No goal in finetune\.json/);
  assert.match(await text(f, '#semantic'), /semantic checks are off: no embedding model/);
  await shot('example');
  await closeAllEditors(page);
});

test('goal, production match, duplicates and near-duplicates; a near-duplicate line opens the record', async () => {
  const { page, shot } = wb;
  await page.locator('.explorer-folders-view .monaco-list-row[aria-label^="data"]').first().click(); // expand data/
  await openFile(page, 'report.jsonl');
  await runCommand(page, 'Finetune Studio: Dataset Report');
  const f = panel(wb);
  await waitFor(
    'the report',
    () => text(f, '#records'),
    (t) => /29 records|30 records/.test(t),
    60_000,
  );
  assert.match(await text(f, '#records'), /30 records/);
  assert.match(await text(f, '#near-title'), /1 clusters/);
  assert.match(await text(f, '#near'), /lines 3, 7/);
  assert.match(await text(f, '#goal'), /30 records for goal "style".*200–500; 170 more/);
  const prod = await text(f, '#production');
  assert.match(prod, /production\.jsonl: 20 production inputs/);
  assert.match(prod, /never occur in the training prompts/);
  await shot('report');
  await f.locator('#near button.line', { hasText: '7' }).click();
  await waitFor(
    'the editor on line 7',
    async () =>
      (await page
        .locator('.statusbar-item', { hasText: /Ln \d+, Col \d+/ })
        .first()
        .textContent()) ?? '',
    (t) => /Ln 7,/.test(t),
    15_000,
  );
  await shot('near-duplicate-opened');
});

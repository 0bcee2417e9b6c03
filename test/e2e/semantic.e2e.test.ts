// Semantic checks as a user meets them, with a local ONNX embedding model (test/parity/onnxEmbedder.ts writes
// a tiny one) named by finetune.json: the Dataset Report shows a semantic near-duplicate cluster that
// MinHash misses and a held-out paraphrase of a training record, and a leak's held-out line opens that file;
// "Validate All Datasets" reports heldout-semantic-leak on the held-out file.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FrameLocator } from 'playwright-core';
import { closeAllEditors, openFile, openWorkbench, problems, runCommand, showProblems, waitFor, type Workbench } from './workbench';
import { writeTinyEmbedder } from '../parity/onnxEmbedder';
import { SEMANTIC_HELDOUT, SEMANTIC_TRAIN } from '../parity/semanticDataset';

const model = join(mkdtempSync(join(tmpdir(), 'ftstudio-e2e-embedder-')), 'embedder');
writeTinyEmbedder(model);

let wb: Workbench;
before(async () => {
  wb = await openWorkbench({
    name: 'semantic',
    extraFiles: {
      'semantic/train.jsonl': SEMANTIC_TRAIN.join('\n') + '\n',
      'semantic/heldout.jsonl': SEMANTIC_HELDOUT.join('\n') + '\n',
      'semantic/finetune.json': JSON.stringify({
        method: 'sft',
        model: 'm',
        data: { train: 'train.jsonl', heldout: 'heldout.jsonl' },
        embeddings: { model, threshold: 0.95 },
      }),
    },
  });
});
after(async () => {
  await wb?.close();
});

const panel = (wb: Workbench): FrameLocator => wb.page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
const text = async (f: FrameLocator, sel: string) =>
  (await f
    .locator(sel)
    .first()
    .textContent({ timeout: 2_000 })
    .catch(() => '')) ?? '';

test('the Dataset Report shows semantic near-duplicates and held-out leakage; a held-out line opens the held-out file', async () => {
  const { page, shot } = wb;
  await page.locator('.explorer-folders-view .monaco-list-row[aria-label^="semantic"]').first().click(); // expand semantic/
  await openFile(page, 'train.jsonl');
  await runCommand(page, 'Finetune Studio: Dataset Report');
  const f = panel(wb);
  await waitFor(
    'the report with its semantic section',
    () => text(f, '#semantic-title'),
    (t) => /clusters/.test(t),
    90_000,
  );
  assert.match(await text(f, '#records'), /5 records/);
  assert.match(await text(f, '#near-title'), /: 0 clusters/); // MinHash: no word 5-gram shared
  assert.match(await text(f, '#semantic-title'), /Semantic near-duplicates \(cosine ≥ 0\.95\): 1 clusters/);
  assert.match(await text(f, '#semantic'), /embedder \(12-dimensional, from finetune\.json embeddings\.model\)/);
  assert.match(await text(f, '#semantic-clusters'), /lines 1, 3/);
  assert.match(await text(f, '#semantic-leak-title'), /1 held-out records \(heldout\.jsonl into train\.jsonl\)/);
  assert.match(await text(f, '#semantic-leaks'), /held-out line 2 ≈ training line 3/);
  await f.locator('#semantic-title').scrollIntoViewIfNeeded();
  await shot('semantic-report');
  await f.locator('#semantic-leaks button.line', { hasText: '2' }).click();
  await page.waitForSelector('.tab.active[aria-label^="heldout.jsonl"]', { timeout: 15_000 });
  await waitFor(
    'the held-out file on line 2',
    async () =>
      (await page
        .locator('.statusbar-item', { hasText: /Ln \d+, Col \d+/ })
        .first()
        .textContent()) ?? '',
    (t) => /Ln 2,/.test(t),
    15_000,
  );
  await shot('semantic-leak-opened');
  await closeAllEditors(page);
});

test('Validate All Datasets reports heldout-semantic-leak on the held-out file', async () => {
  const { page, shot, folder } = wb;
  // only the pair in the workspace: the Problems panel renders only the rows in view
  for (const f of readdirSync(folder)) if (f.endsWith('.jsonl')) rmSync(join(folder, f));
  rmSync(join(folder, 'eval'), { recursive: true, force: true });
  await runCommand(page, 'Finetune Studio: Validate All Datasets in Workspace');
  const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'datasets validated' });
  await toast.waitFor({ timeout: 90_000 });
  await showProblems(page);
  const { value } = await waitFor(
    'heldout-semantic-leak in the Problems panel',
    () => problems(page),
    (p) => p.some((x) => x.code === 'heldout-semantic-leak'),
    30_000,
  );
  await shot('validate-all-semantic-leak');
  const leaks = value.filter((x) => x.code === 'heldout-semantic-leak');
  assert.deepEqual(
    leaks.map((x) => [x.severity, x.line]),
    [['warning', 2]],
  );
  assert.match(leaks[0]!.message, /says nearly the same as train\.jsonl \(line 3; cosine/);
});

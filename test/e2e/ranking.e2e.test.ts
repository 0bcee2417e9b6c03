// The ranking panel as an annotator meets it: ten pairs by keyboard (one swapped, one tie), export, the export validates.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateText } from '../../src/core/checks/datasetModel';
import { datasetStatus, openFile, openWorkbench, runCommand, waitFor, waitForFile, type Workbench } from './workbench';

let wb: Workbench;
before(async () => {
  wb = await openWorkbench({ name: 'ranking' });
});
after(async () => {
  await wb?.close();
});

test('label ten pairs with the keyboard, swap one, tie one, export; the export validates', async () => {
  const { page, shot, folder } = wb;
  await openFile(page, 'rank-pairs.jsonl');
  await waitFor(
    'extension active',
    () => datasetStatus(page),
    (s) => /12 records/.test(s),
    30_000,
  );
  await runCommand(page, 'Finetune Studio: Rank Preferences');
  const frame = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  const progress = async () =>
    (await frame
      .locator('#progress-text')
      .textContent({ timeout: 20_000 })
      .catch(() => '')) ?? '';
  await waitFor('ranking panel', progress, (t) => /^0 \/ 12 labelled/.test(t), 30_000);
  await frame.locator('#prompt').click();
  await shot('ranking-open');
  const swappedPrompts: string[] = [];
  const tiedPrompts: string[] = [];
  let leftWasRejected = 0;
  for (let i = 0; i < 10; i++) {
    const leftStored = await frame.locator('#left').getAttribute('data-stored');
    if (leftStored === 'rejected') leftWasRejected++;
    const prompt = ((await frame.locator('#prompt').textContent()) ?? '').replace(/^Prompt/, '').trim();
    const confirmKey = leftStored === 'chosen' ? '1' : '2';
    const swapKey = leftStored === 'chosen' ? '2' : '1';
    if (i === 3) {
      swappedPrompts.push(prompt);
      await page.keyboard.press(swapKey);
    } else if (i === 6) {
      tiedPrompts.push(prompt);
      await page.keyboard.press('t');
    } else {
      await page.keyboard.press(confirmKey);
    }
    await waitFor(`label ${i + 1}`, progress, (t) => t.startsWith(`${i + 1} / 12`), 10_000);
    if (i === 3) await shot('ranking-swapped');
  }
  assert.ok(leftWasRejected > 0 && leftWasRejected < 10, `sides are randomised (rejected shown left ${leftWasRejected}/10)`);
  await page.keyboard.press('?');
  await frame.locator('#help').waitFor();
  await shot('ranking-help');
  await page.keyboard.press('Escape');
  const log = readFileSync(join(folder, '.finetune/annotations/rank-pairs.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(log.length, 10);
  assert.ok(
    log.every((e) => Array.isArray(e.shown) && e.shown.length === 2),
    'the shown order is recorded',
  );

  await runCommand(page, 'Finetune Studio: Export Preference Pairs');
  const exported = await waitForFile(join(folder, 'rank-pairs.pairs.jsonl'));
  await shot('ranking-exported');
  const rows = exported
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(rows.length, 9, 'ten labels minus one tie');
  const swapped = rows.find((r) => r.prompt.endsWith(swappedPrompts[0]!.replace(/^You are a helpful assistant\. /, '')));
  const source = readFileSync(join(folder, 'rank-pairs.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const original = source.find((r) => r.prompt === swapped.prompt);
  assert.equal(swapped.chosen, original.rejected, 'the swapped pair is exported swapped');
  assert.ok(!rows.some((r) => r.prompt.endsWith(tiedPrompts[0]!.replace(/^You are a helpful assistant\. /, ''))), 'the tie is not exported');
  const report = validateText(exported, { maxTokens: 4096, minRecords: 0 });
  assert.deepEqual(report.diagnostics, [], 'the export validates clean');
});

test('Commit Annotations: says so outside git; commits the log with counts per annotator inside git', async () => {
  const { page, shot, folder } = wb;
  const { execFileSync } = await import('node:child_process');
  await runCommand(page, 'Finetune Studio: Commit Annotations');
  await page.waitForSelector('.notifications-toasts .notification-toast:has-text("not a git repository")', { timeout: 15_000 });
  await shot('commit-outside-git');
  execFileSync('git', ['init', '-q'], { cwd: folder });
  execFileSync('git', ['config', 'user.email', 'e2e@example.invalid'], { cwd: folder });
  execFileSync('git', ['config', 'user.name', 'E2E'], { cwd: folder });
  await runCommand(page, 'Finetune Studio: Commit Annotations');
  const log = await waitFor(
    'a commit',
    async () => {
      try {
        return execFileSync('git', ['log', '--format=%s', '--name-only'], { cwd: folder, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      } catch {
        return '';
      }
    },
    (t) => t.includes('Annotations for rank-pairs.jsonl'),
    15_000,
  );
  await shot('commit-inside-git');
  assert.match(log.value, /Annotations for rank-pairs\.jsonl \(.+: 10\)/);
  assert.match(log.value, /\.finetune\/annotations\/rank-pairs\.jsonl/);
});

test('Create finetune.json from the open dataset; Validate All Datasets; the dataset summary', async () => {
  const { page, shot, folder } = wb;
  const { rmSync } = await import('node:fs');
  const { closeAllEditors } = await import('./workbench');
  await closeAllEditors(page);
  rmSync(join(folder, 'finetune.json'));
  await openFile(page, 'dpo-pairs.jsonl');
  await waitFor(
    'status',
    () => datasetStatus(page),
    (s) => /14 records/.test(s),
    30_000,
  );
  await runCommand(page, 'Finetune Studio: Create finetune.json');
  const cfg = JSON.parse(await waitForFile(join(folder, 'finetune.json')));
  assert.equal(cfg.method, 'dpo', 'a preference file gives a DPO config');
  assert.equal(cfg.data.train, 'dpo-pairs.jsonl');
  assert.equal(cfg.training.learningRate, 5e-6);
  await shot('create-config');

  await openFile(page, 'dpo-pairs.jsonl');
  await page.click('[id="finetune-studio.finetune-studio.finetuneStudio.dataset"]');
  await page.waitForSelector('.notifications-toasts .notification-toast:has-text("dpo-pairs.jsonl: preference · 14 records · 4 errors, 3 warnings")', {
    timeout: 15_000,
  });
  await runCommand(page, 'Finetune Studio: Validate All Datasets in Workspace');
  const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'datasets validated' });
  await toast.waitFor({ timeout: 30_000 });
  // every .jsonl of the workspace (the examples grow: count them rather than hard-code the number)
  const { readdirSync } = await import('node:fs');
  const n = (readdirSync(folder, { recursive: true }) as string[]).filter(
    (f) => f.endsWith('.jsonl') && !/(^|\/)(node_modules|\.git|\.finetune)\//.test(f),
  ).length;
  assert.ok(n >= 4);
  assert.match((await toast.textContent()) ?? '', new RegExp(`${n} of ${n} datasets validated: \\d+ errors, \\d+ warnings`));
  await shot('validate-workspace');
});

// Restricted Mode: validation still works; the custom schema (ajv compiles it to code) is not loaded, and the user is told.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { datasetStatus, datasetStatusLabel, openFile, openWorkbench, problems, showProblems, waitFor, type Workbench } from './workbench';

let wb: Workbench;
before(async () => {
  wb = await openWorkbench({
    name: 'restricted',
    trusted: false,
    extraFiles: {
      '.vscode/settings.json': JSON.stringify({ 'finetuneStudio.validation.schema': 'qa.schema.json' }),
      'qa.schema.json': JSON.stringify({ type: 'object', required: ['question'] }),
      // a project that names a local embedding model: running it is what Restricted Mode must not do
      'sem/train.jsonl':
        ['What is LoRA?', 'What is DPO?', 'What is a held-out set?']
          .map((q) =>
            JSON.stringify({
              messages: [
                { role: 'user', content: q },
                { role: 'assistant', content: `${q} An answer.` },
              ],
            }),
          )
          .join('\n') + '\n',
      'sem/finetune.json': JSON.stringify({
        method: 'sft',
        model: 'm',
        data: { train: 'train.jsonl' },
        embeddings: { model: 'models/embedder', threshold: 0.9 },
      }),
    },
  });
});
after(async () => {
  await wb?.close();
});

test('validation works in Restricted Mode with the built-in formats, and says why the schema is not used', async () => {
  const { page, shot } = wb;
  await waitFor(
    'restricted mode indicator',
    async () => (await page.$$eval('.statusbar-item', (els) => els.map((e) => e.textContent ?? ''))).join(' '),
    (t) => /Restricted Mode/.test(t),
    20_000,
  );
  await openFile(page, 'dpo-pairs.jsonl');
  await showProblems(page);
  const { value } = await waitFor(
    'problems',
    () => problems(page),
    (p) => p.length >= 8,
  );
  await shot('restricted-problems');
  assert.ok(value.some((p) => p.code === 'misspelt-key' && p.line === 3));
  assert.ok(!value.some((p) => p.code === 'schema'), 'the untrusted schema must not be applied');
  assert.match(await datasetStatus(page), /preference · 14 records · 4 3/);
  const label = await datasetStatusLabel(page);
  assert.match(label, /Restricted Mode: the custom schema \(finetuneStudio\.validation\.schema\) is not loaded/);
  await page.hover('[id="finetune-studio.finetune-studio.finetuneStudio.dataset"]');
  await page.waitForTimeout(1500);
  await shot('restricted-tooltip');
});

test('what would run a program is unavailable in Restricted Mode, with an explanation', async () => {
  const { page, shot } = wb;
  const { runCommand } = await import('./workbench');
  await runCommand(page, 'Finetune Studio: Start Fine-tune');
  await page.waitForSelector('.notifications-toasts .notification-toast:has-text("training runs programs")', { timeout: 15_000 });
  await shot('restricted-start-finetune');
  await runCommand(page, 'Finetune Studio: Set Up Training Environment');
  await page.waitForSelector(
    '.notifications-toasts .notification-toast:has-text("setting up the training environment runs Python and pip: trust this workspace first")',
    { timeout: 15_000 },
  );
  await runCommand(page, 'Finetune Studio: Commit Annotations');
  await page.waitForSelector('.notifications-toasts .notification-toast:has-text("committing runs git, which needs a trusted workspace")', { timeout: 15_000 });
  await shot('restricted-commit');
  await runCommand(page, 'Finetune Studio: Preview Training Tokens');
  await page.waitForSelector(`.notifications-toasts .notification-toast:has-text("the token preview runs the trainer's Python")`, { timeout: 15_000 });
  assert.equal(await page.locator('.tab[aria-label^="Training Tokens"]').count(), 0, 'no token preview in Restricted Mode');
});

test('the semantic checks do not run the embedding model a workspace names in Restricted Mode, and the Dataset Report says so', async () => {
  const { page, shot } = wb;
  const { runCommand } = await import('./workbench');
  await page.locator('.explorer-folders-view .monaco-list-row[aria-label^="sem"]').first().click(); // expand sem/
  await openFile(page, 'train.jsonl');
  await runCommand(page, 'Finetune Studio: Dataset Report');
  const f = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  const { value } = await waitFor(
    'the report with its semantic section',
    async () =>
      (await f
        .locator('#semantic')
        .first()
        .textContent({ timeout: 2_000 })
        .catch(() => '')) ?? '',
    (t) => t.length > 0,
    90_000,
  );
  await shot('restricted-semantic-off');
  assert.match(value, /semantic checks are off in Restricted Mode: they run the embedding model the workspace names; trust the workspace to use it/);
});

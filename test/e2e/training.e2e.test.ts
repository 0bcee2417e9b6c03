// Start Fine-tune from the command palette with the stand-in trainer: preflight override, status-bar progress, the run record, Stop.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { datasetStatus, openFile, openWorkbench, runCommand, waitFor, type Workbench } from './workbench';
import { alive } from '../fixtures/processes';

const STANDIN = readFileSync(join(__dirname, '../fixtures/standin-trainer.mjs'), 'utf8');
let wb: Workbench;

before(async () => {
  wb = await openWorkbench({
    name: 'training',
    extraFiles: {
      'standin-trainer.mjs': STANDIN,
      // the trainer command is an argv array run without a shell; this wrapper reads the test's knobs
      'trainer.mjs':
        "import { readFileSync } from 'node:fs';\nObject.assign(process.env, JSON.parse(readFileSync(new URL('./knobs.json', import.meta.url), 'utf8')));\nawait import('./standin-trainer.mjs');\n",
      'knobs.json': JSON.stringify({ STANDIN_STEPS: '30', STANDIN_DELAY_MS: '120' }),
      'finetune.json': JSON.stringify(
        {
          method: 'sft',
          model: 'HuggingFaceTB/SmolLM2-135M',
          data: { train: 'chat-sft.jsonl' },
          adapter: { type: 'lora', r: 8, alpha: 16 },
          training: { learningRate: 1e-4 },
          trainer: { command: ['node', 'trainer.mjs'] },
        },
        null,
        2,
      ),
    },
  });
});
after(async () => {
  await wb?.close();
});

const trainingStatus = async (wb: Workbench) => {
  const el = await wb.page.$('[id="finetune-studio.finetune-studio.finetuneStudio.training"]');
  return el ? ((await el.textContent()) ?? '').replace(/\s+/g, ' ').trim() : '';
};

function runRecords(folder: string): { dir: string; run: Record<string, unknown> }[] {
  const root = join(folder, '.finetune', 'runs');
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((d) => existsSync(join(root, d, 'run.json')))
    .sort()
    .map((d) => ({ dir: join(root, d), run: JSON.parse(readFileSync(join(root, d, 'run.json'), 'utf8')) }));
}

async function startWithOverride(wb: Workbench): Promise<void> {
  await runCommand(wb.page, 'Finetune Studio: Start Fine-tune');
  const dialog = wb.page.locator('.monaco-dialog-box');
  await dialog.waitFor({ timeout: 60_000 });
  assert.match((await dialog.textContent()) ?? '', /Preflight blocked the fine-tune/);
  await wb.shot('preflight-dialog');
  await dialog.locator('a.monaco-button', { hasText: 'Start Anyway' }).click();
}

test('Start Fine-tune: preflight override, progress advancing in the status bar, a completed run record', async () => {
  const { page, shot, folder } = wb;
  await openFile(page, 'chat-sft.jsonl');
  await waitFor(
    'extension active',
    () => datasetStatus(page),
    (s) => /12 records/.test(s),
    60_000,
  );
  await startWithOverride(wb);
  const first = await waitFor(
    'progress',
    () => trainingStatus(wb),
    (s) => /Fine-tune \d+% (\d+)\/30/.test(s) && Number(/(\d+)\/30/.exec(s)![1]) > 0,
    60_000,
  );
  await shot('training-progress');
  const stepA = Number(/(\d+)\/30/.exec(first.value)![1]);
  const later = await waitFor(
    'progress advancing',
    () => trainingStatus(wb),
    (s) => /(\d+)\/30/.test(s) && Number(/(\d+)\/30/.exec(s)![1]) > stepA,
    20_000,
  );
  assert.match(later.value, /loss \d\.\d{4}/);
  await waitFor(
    'completed',
    () => trainingStatus(wb),
    (s) => /Fine-tune completed 30\/30/.test(s),
    60_000,
  );
  // the Run view opened with the run: charts, hyperparameters, preflight
  const view = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  await waitFor(
    'run view completed',
    async () =>
      (await view
        .locator('#run-status')
        .textContent({ timeout: 10_000 })
        .catch(() => '')) ?? '',
    (t) => t === 'completed',
    20_000,
  );
  assert.match((await view.locator('#run-steps').textContent()) ?? '', /step 30 \/ 30/);
  assert.ok((await view.locator('svg polyline.train').count()) >= 1, 'a loss curve is drawn');
  assert.ok((await view.locator('svg polyline.lr').count()) >= 1, 'a learning-rate curve is drawn');
  assert.match((await view.locator('#preflight').textContent()) ?? '', /warn\s*gpu/); // no GPU: the bundled trainer would run on the CPU
  await shot('training-completed');
  const runs = runRecords(folder);
  assert.equal(runs.length, 1);
  const run = runs[0]!.run as { status: string; overrides: string[]; hyperparameters: Record<string, unknown>; result: { step: number; evalLoss: number } };
  assert.equal(run.status, 'completed');
  assert.ok(
    run.overrides.some((o) => o.startsWith('review:')),
    'the overridden review block is recorded',
  );
  assert.equal(run.hyperparameters.lora_r, 8);
  assert.equal(run.result.step, 30);
  assert.equal(run.result.evalLoss, 0.9123);
  assert.ok(existsSync(join(runs[0]!.dir, 'events.jsonl')));
});

test('Stop Fine-tune ends the trainer and everything it started', async () => {
  const { shot, folder } = wb;
  writeFileSync(join(folder, 'knobs.json'), JSON.stringify({ STANDIN_STEPS: '5000', STANDIN_DELAY_MS: '50', STANDIN_CHILD: '1' }));
  await startWithOverride(wb);
  await waitFor(
    'second run progressing',
    () => trainingStatus(wb),
    (s) => /\d+\/5000/.test(s),
    60_000,
  );
  const run = runRecords(folder).find((r) => r.run.status === 'running')!;
  await waitFor(
    'grandchild started',
    async () => existsSync(join(run.dir, 'child.pid')),
    (x) => x,
    10_000,
  );
  const child = Number(readFileSync(join(run.dir, 'child.pid'), 'utf8'));
  await runCommand(wb.page, 'Finetune Studio: Stop Fine-tune');
  await waitFor(
    'stopped',
    () => trainingStatus(wb),
    (s) => /Fine-tune stopped/.test(s),
    30_000,
  );
  await shot('training-stopped');
  const rec = JSON.parse(readFileSync(join(run.dir, 'run.json'), 'utf8'));
  assert.equal(rec.status, 'cancelled');
  await waitFor(
    'grandchild gone',
    async () => alive(child),
    (a) => !a,
    5000,
  );
});

/** The visible text of an editor or view (Monaco renders spaces as no-break spaces). */
const textOf = async (wb: Workbench, selector: string) => ((await wb.page.locator(selector).first().textContent()) ?? '').replace(/\u00a0/g, ' ');

test('Open Last Run Record, Show Training Log and Compare Runs show the runs just made', async () => {
  const { page, shot, folder } = wb;
  // the runs the tests above made (a completed one, then a stopped one), as their run.json files say
  const runs = runRecords(folder);
  assert.ok(runs.length >= 1 && runs.every((r) => r.run.status !== 'running'), `finished runs: ${JSON.stringify(runs.map((r) => r.run.status))}`);
  const ids = runs.map((r) => r.dir.split('/').pop()!);
  const last = runs[runs.length - 1]!;
  // Open Last Run Record: the run.json of the run that ended last
  await runCommand(page, 'Finetune Studio: Open Last Run Record');
  await page.waitForSelector('.tab.active[aria-label^="run.json"]', { timeout: 20_000 });
  const record = await waitFor(
    'run.json in the editor',
    () => textOf(wb, '.editor-group-container.active .monaco-editor .view-lines'),
    (t) => t.includes(`"runId": "${ids[ids.length - 1]}"`),
    20_000,
  );
  assert.match(record.value, new RegExp(`"status": "${last.run.status}"`));
  await shot('open-last-run-record');
  // Show Training Log: the output channel, ending with how the last run ended (the panel hidden first:
  // Start Fine-tune showed it)
  // (the command is offered only while the panel shows)
  if (await page.locator('.part.panel').isVisible()) {
    await runCommand(page, 'View: Hide Panel');
    await page.waitForSelector('.part.panel', { state: 'hidden', timeout: 20_000 });
  }
  await runCommand(page, 'Finetune Studio: Show Training Log');
  await waitFor(
    'training log',
    () => textOf(wb, '.part.panel .monaco-editor .view-lines'),
    (t) => t.includes(`${last.run.status}: ${last.dir}`),
    20_000,
  );
  await shot('show-training-log');
  // Compare Runs: pick them all, a markdown table with a column per run
  await runCommand(page, 'Finetune Studio: Compare Runs');
  await waitFor(
    'the runs listed',
    () => page.locator('.quick-input-list .monaco-list-row').count(),
    (n) => n === runs.length,
    20_000,
  );
  for (const id of ids) assert.equal(await page.locator(`.quick-input-list .monaco-list-row[aria-label*="${id}"]`).count(), 1, id);
  await shot('compare-runs-pick');
  for (const id of ids) await page.locator(`.quick-input-list .monaco-list-row[aria-label*="${id}"]`).click(); // each click ticks one
  await waitFor(
    'all runs ticked',
    async () => (await page.locator('.quick-input-widget .quick-input-count').textContent()) ?? '',
    (t) => t.includes(`${ids.length} Selected`),
    10_000,
  );
  await page.keyboard.press('Enter');
  const table = await waitFor(
    'comparison table',
    () => textOf(wb, '.editor-group-container.active .monaco-editor .view-lines'),
    (t) => t.includes('# Runs compared'),
    20_000,
  );
  assert.match(table.value, new RegExp(`\\| \\| ${ids.join(' \\| ')} \\|`));
  assert.match(table.value, new RegExp(`\\| status \\| ${runs.map((r) => r.run.status).join(' \\| ')} \\|`));
  assert.match(table.value, new RegExp(`\\| lora_r \\| ${runs.map(() => 8).join(' \\| ')} \\|`));
  await shot('compare-runs-table');
});

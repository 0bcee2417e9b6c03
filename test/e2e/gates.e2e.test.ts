// The evaluation gates during training, in the real VS Code: a stand-in for the trainer's interpreter runs the
// bundled-trainer protocol (events.jsonl with gate events, exit code 3 on a gate stop) and regresses on the
// golden set at its third checkpoint. The status bar shows each gate result, the run ends stopped-by-gate
// with a notification naming the reason and the best checkpoint, the Eval view shows the stop and the items'
// outputs, eval.json is picked up when it appears, and Compare Runs has the eval rows.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { ACTIVE_EDITOR, datasetStatus, openFile, openWorkbench, runCommand, waitFor, type Workbench } from './workbench';

const GOLDEN =
  [
    { id: 'capital-fr', prompt: 'Capital of France?', assert: [{ type: 'contains', value: 'Paris' }], mustPass: true },
    { id: 'refund-window', prompt: 'How long do I have to ask for a refund?', assert: [{ type: 'contains', value: '30 days' }] },
    { id: 'order-json', prompt: 'Order 42 as JSON', assert: [{ type: 'is-json' }] },
    { id: 'greeting-short', prompt: 'Greet me', assert: [{ type: 'max-length', value: 40 }] },
    { id: 'no-competitor', prompt: 'What support is included?', assert: [{ type: 'not-contains', value: 'AcmeCorp' }] },
  ]
    .map((r) => JSON.stringify(r))
    .join('\n') + '\n';

let wb: Workbench;
before(async () => {
  wb = await openWorkbench({
    name: 'gates',
    extraFiles: {
      'python-standin.mjs': readFileSync(join(__dirname, '../fixtures/standin-gate-python.mjs'), 'utf8'),
      'gate-knobs.json': JSON.stringify({ steps: 50, delayMs: 60, saveSteps: 10, holdAfterGates: [1, 2] }),
      'gate-golden.jsonl': GOLDEN,
      'finetune.json': JSON.stringify(
        {
          method: 'sft',
          model: 'HuggingFaceTB/SmolLM2-135M',
          data: { train: 'chat-sft.jsonl' },
          adapter: { type: 'lora', r: 8, alpha: 16 },
          training: { learningRate: 1e-4, saveSteps: 10 },
          // the bundled trainer is run as `<python> -m ftstudio_trainer …`: here the stand-in is that python
          python: './python-standin.mjs',
          eval: {
            golden: 'gate-golden.jsonl',
            safety: 'safety.jsonl',
            heldout: { metric: 'token_f1', maxRecords: 8 },
            stopOnRegression: { maxDropPoints: 5, mustPassFlip: true },
            maxSafetyDeltaPoints: 2,
          },
        },
        null,
        2,
      ),
    },
  });
  chmodSync(join(wb.folder, 'python-standin.mjs'), 0o755);
});
after(async () => {
  await wb?.close();
});

const statusText = async (page: Page, id: string) => {
  const el = await page.$(`[id="finetune-studio.finetune-studio.finetuneStudio.${id}"]`);
  return el ? ((await el.textContent()) ?? '').replace(/\s+/g, ' ').trim() : '';
};

/** The Eval view's frame (the Run view is open beside it: told apart by their contents). */
async function evalFrame(page: Page): Promise<Frame> {
  const r = await waitFor(
    'the Eval view',
    async () => {
      for (const f of page.frames()) if (await f.$('eval-app').catch(() => null)) return f;
      return undefined;
    },
    (f) => f !== undefined,
    30_000,
  );
  return r.value!;
}

const textIn = async (f: Frame, sel: string) =>
  (
    (await f
      .locator(sel)
      .first()
      .textContent({ timeout: 5000 })
      .catch(() => '')) ?? ''
  )
    .replace(/\s+/g, ' ')
    .trim();

function runDirOf(folder: string): string {
  const root = join(folder, '.finetune', 'runs');
  const dirs = existsSync(root) ? readdirSync(root).filter((d) => existsSync(join(root, d, 'run.json'))) : [];
  assert.equal(dirs.length, 1, `one run: ${dirs.join(', ')}`);
  return join(root, dirs[0]!);
}

test('a run regressing on its golden set: the gate in the status bar, the stop, the notification, the Eval view', async () => {
  const { page, shot, folder } = wb;
  await openFile(page, 'chat-sft.jsonl');
  await waitFor(
    'extension active',
    () => datasetStatus(page),
    (s) => /12 records/.test(s),
    60_000,
  );
  await runCommand(page, 'Finetune Studio: Start Fine-tune');
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.waitFor({ timeout: 60_000 });
  // the stand-in interpreter has no torch: the packages check blocks, like the review and held-out checks
  assert.match((await dialog.textContent()) ?? '', /Preflight blocked the fine-tune/);
  await dialog.locator('a.monaco-button', { hasText: 'Start Anyway' }).click();

  // two checkpoints pass the gate; after each the stand-in waits for the test
  await waitFor(
    'first gate',
    () => statusText(page, 'gate'),
    (s) => s.includes('gate ✓ 80% golden'),
    60_000,
  );
  assert.match(await statusText(page, 'training'), /Fine-tune \d+% 10\/50/);
  writeFileSync(join(runDirOf(folder), 'continue-1'), '');
  await waitFor(
    'second gate',
    () => statusText(page, 'gate'),
    (s) => s.includes('gate ✓ 100% golden'),
    30_000,
  );
  assert.match(await statusText(page, 'training'), /Fine-tune \d+% 20\/50/);
  await page.hover('[id="finetune-studio.finetune-studio.finetuneStudio.gate"]');
  const hover = page.locator('.monaco-hover', { hasText: 'Evaluation gate' });
  await hover.first().waitFor({ state: 'visible', timeout: 10_000 });
  const tip = ((await hover.first().textContent()) ?? '').replace(/\s+/g, ' ');
  assert.match(tip, /Evaluation gate — 2 checkpoints/);
  assert.match(tip, /checkpoint-20 \(step 20\): passed the gate/);
  assert.match(tip, /Golden: 5\/5 passed \(100%\)/);
  assert.match(tip, /Held-out token_f1: 0\.700 \(n 8\)/);
  await shot('gate-status-tooltip');
  await page.mouse.move(700, 400);

  // a click on the gate item opens the run's Eval view, live
  await page.click('[id="finetune-studio.finetune-studio.finetuneStudio.gate"]');
  let view = await evalFrame(page);
  await waitFor(
    'live eval view',
    () => textIn(view, '#checkpoints'),
    (t) => t.includes('checkpoint-20'),
    20_000,
  );
  assert.equal(await textIn(view, '#eval-status'), 'running');
  assert.equal(await view.locator('#golden-chart circle.golden').count(), 2);
  await shot('eval-view-live');

  // close it: the notification's button will open it again
  await runCommand(page, 'View: Close All Editor Groups');
  const runDir = runDirOf(folder);
  writeFileSync(join(runDir, 'continue-2'), '');

  await waitFor(
    'gate stopped',
    () => statusText(page, 'gate'),
    (s) => s.includes('gate ✗ stopped'),
    30_000,
  );
  await waitFor(
    'run stopped by its gate',
    () => statusText(page, 'training'),
    (s) => /Fine-tune stopped by its gate 30\/50/.test(s),
    30_000,
  );
  const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'evaluation gate stopped the fine-tune' });
  await toast.first().waitFor({ state: 'visible', timeout: 15_000 });
  await page.waitForTimeout(800); // the toast fades in
  await shot('gate-stopped-notification');
  const note = ((await toast.first().textContent()) ?? '').replace(/\s+/g, ' ');
  assert.match(note, /at step 30: golden pass rate fell 40\.0 points below checkpoint-20's 100\.0%/);
  assert.match(note, /mustPass item capital-fr passed at checkpoint-20 and fails now/);
  assert.match(note, /Best checkpoint: checkpoint-20 \(.*output\/checkpoint-20\)/);

  // the record: stopped-by-gate, the reason, the best checkpoint, every gate result
  const run = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8'));
  assert.equal(run.status, 'stopped-by-gate');
  assert.equal(run.result.gate.bestCheckpoint, 'checkpoint-20');
  assert.deepEqual(
    run.gates.map((g: { step: number; decision: string }) => `${g.step} ${g.decision}`),
    ['10 continue', '20 continue', '30 stop'],
  );

  await toast.first().locator('a.monaco-button', { hasText: 'Open Eval View' }).click();
  view = await evalFrame(page);
  await waitFor(
    'eval view stopped',
    () => textIn(view, '#eval-status'),
    (t) => t === 'stopped-by-gate',
    20_000,
  );
  const banner = await textIn(view, '#eval-stop');
  assert.match(banner, /Stopped by the evaluation gate at step 30/);
  assert.match(banner, /Best checkpoint: checkpoint-20/);
  // the chart: three checkpoints, the stop and the best checkpoint marked, the stop level dashed
  assert.equal(await view.locator('#golden-chart circle.golden').count(), 3);
  assert.equal(await view.locator('#golden-chart line.marker.stop').count(), 1);
  assert.equal(await view.locator('#golden-chart line.marker.best').count(), 1);
  assert.equal(await view.locator('#golden-chart polyline.limit.dashed').count(), 1);
  assert.equal(await view.locator('#heldout-chart circle.heldout').count(), 3);
  // the details are the stopping checkpoint's: the flipped mustPass item first, base and adapter side by side
  assert.match(await textIn(view, '#detail-title'), /checkpoint-30 \(step 30\)/);
  const first = view.locator('#items .item').first();
  assert.equal(await first.getAttribute('data-id'), 'capital-fr');
  const firstText = ((await first.textContent()) ?? '').replace(/\s+/g, ' ');
  assert.match(firstText, /fail.*mustPass.*flipped/);
  assert.match(firstText, /contains: the output does not contain "Paris"/);
  assert.equal(await first.locator('.out.base').textContent(), 'The capital of France is Paris.');
  assert.equal(await first.locator('.out.adapter').textContent(), 'The capital of France is Lyon.');
  const safety = await textIn(view, '#safety');
  assert.match(safety, /harmful compliance 25% 0% \+25\.0 \+2 ✗ over the threshold/);
  assert.match(safety, /over-refusal 0% 25% −25\.0 \+2 ✓/);
  await shot('eval-view-stopped');
  await view.locator('#items').scrollIntoViewIfNeeded();
  await shot('eval-view-items');
  await view.locator('#safety').scrollIntoViewIfNeeded();
  await shot('eval-view-safety');

  // another checkpoint's items, by clicking its row
  await view.locator('#checkpoints tr[data-key="step:10"]').click();
  await waitFor(
    'checkpoint-10 details',
    () => textIn(view, '#detail-title'),
    (t) => t.startsWith('checkpoint-10'),
    10_000,
  );
  assert.equal(await view.locator('#items .item').first().getAttribute('data-id'), 'greeting-short');

  // ftstudio eval's eval.json appears in the run folder: the view picks it up
  const final = JSON.parse(JSON.stringify(run.gates[1]));
  writeFileSync(
    join(runDir, 'eval.json'),
    JSON.stringify({
      v: 1,
      checkpoint: join(runDir, 'output', 'checkpoint-20'),
      passed: true,
      reasons: [],
      golden: final.golden,
      heldout: final.heldout,
      safety: final.safety,
    }),
  );
  await waitFor(
    'eval.json row',
    () => view.locator('#checkpoints tr[data-key="eval.json"]').count(),
    (n) => n === 1,
    15_000,
  );
  await view.locator('#checkpoints tr[data-key="eval.json"]').click();
  await waitFor(
    'eval.json details',
    () => textIn(view, '#detail-title'),
    (t) => t === 'eval.json — checkpoint-20',
    10_000,
  );
  await view.locator('#detail-title').scrollIntoViewIfNeeded();
  await shot('eval-view-eval-json');
});

test('Compare Runs has the eval rows of a run its gate stopped', async () => {
  const { page, shot, folder } = wb;
  const runId = runDirOf(folder).split('/').pop()!;
  // the whole table in view: the panel hidden
  // (the command is offered only while the panel shows)
  if (await page.locator('.part.panel').isVisible()) {
    await runCommand(page, 'View: Hide Panel');
    await page.waitForSelector('.part.panel', { state: 'hidden', timeout: 20_000 });
  }
  const row = page.locator(`.quick-input-list .monaco-list-row[aria-label*="${runId}"]`);
  // the pick list closes when something takes the focus (a CI run once lost it between showing the row and
  // the click, the row no longer visible): then the command is run again, and that is said
  for (let attempt = 1; ; attempt++) {
    await runCommand(page, 'Finetune Studio: Compare Runs');
    await row.waitFor({ timeout: 20_000 });
    assert.match((await row.textContent()) ?? '', /gate ✗ stopped/);
    const picked = await row
      .click({ timeout: 10_000 })
      .then(() =>
        waitFor(
          'the run checked',
          () => row.getAttribute('aria-checked'),
          (v) => v === 'true',
          5_000,
        ),
      )
      .then(
        () => true,
        (e: Error) => {
          if (attempt >= 3) throw e;
          console.log(`gates: the Compare Runs list closed before the pick (${e.message.split('\n')[0]}); running the command again`);
          return false;
        },
      );
    if (picked) break;
    await page.keyboard.press('Escape');
  }
  await page.keyboard.press('Enter');
  const table = await waitFor(
    'comparison table',
    async () => ((await page.locator(ACTIVE_EDITOR).first().textContent()) ?? '').replace(/\u00a0/g, ' '),
    (t) => t.includes('# Runs compared') && t.includes('| gate |'),
    20_000,
  );
  assert.match(table.value, /\| status \| stopped-by-gate \|/);
  assert.match(table.value, /\| golden pass rate \(final\) \| 100% \(5\/5, eval\.json checkpoint-20\) \|/);
  assert.match(table.value, /\| golden pass rate \(best\) \| 100% \(5\/5, checkpoint-20\) \|/);
  assert.match(table.value, /\| held-out metric \| token_f1 0\.700 \(n 8\), eval\.json \|/);
  assert.match(table.value, /\| safety Δ vs base \| harmful compliance 0\.0 pts, over-refusal −25\.0 pts \|/);
  assert.match(table.value, /\| gate \| stopped: golden pass rate fell 40\.0 points .* \(best checkpoint-20\) \|/);
  await shot('compare-runs-eval');
});

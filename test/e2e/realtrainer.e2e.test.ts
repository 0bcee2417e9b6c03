// The bundled trainer for real in the real VS Code: a tiny Llama the test builds (python -m ftstudio_trainer.tiny,
// no download) trained with DPO on the CPU by "Start Fine-tune"; Stop ends its whole process group; "Resume
// Fine-tune" continues the stopped run from its checkpoint. The interpreter is the trainer tests' managed
// environment (scripts/trainer-tests.sh builds it when missing), named in the user's settings
// (finetuneStudio.training.python, application scope), never in the workspace.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openWorkbench, runCommand, waitFor, type Workbench } from './workbench';
import { groupMembers } from '../fixtures/processes';

const ROOT = join(__dirname, '../..');
const VENV = process.env.FTSTUDIO_TRAINER_VENV ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'finetune-studio', 'test-venv');
const PYTHON = join(VENV, 'bin', 'python');
const TOPICS = ['gradient descent', 'LoRA adapters', 'tokenization', 'learning rates', 'overfitting', 'held-out sets', 'DPO pairs', 'warmup'];
const pairs = (from: number, n: number) =>
  Array.from({ length: n }, (_, k) => {
    const i = from + k;
    const t = TOPICS[i % TOPICS.length]!;
    return JSON.stringify({ prompt: `What is ${t}? (${i})`, chosen: `${t} is explained clearly, step by step.`, rejected: 'I do not know.' });
  }).join('\n') + '\n';

let wb: Workbench;
/** Steps of the first run: enough that the status bar is seen between the first and the last (a tiny step is ~50 ms). */
const STEPS = 48;
const stepShown = new RegExp(`Fine-tune \\d+% (\\d+)/${STEPS}`);
let model: string;

const config = (maxSteps: number) =>
  JSON.stringify(
    {
      method: 'dpo',
      model,
      data: { train: 'pairs.jsonl', heldout: 'pairs.heldout.jsonl' },
      adapter: { type: 'lora', r: 4, alpha: 8, dropout: 0, targetModules: ['q_proj', 'v_proj'] },
      training: { learningRate: 0.005, batchSize: 2, maxSeqLength: 96, beta: 0.1, seed: 3, saveSteps: 1000, evalSteps: 1000, maxSteps, warmupRatio: 0.1 },
    },
    null,
    2,
  );

before(async () => {
  // the managed test environment (torch, transformers, peft), built once per change of the requirements
  execFileSync('bash', [join(ROOT, 'scripts/trainer-tests.sh')], {
    env: { ...process.env, FTSTUDIO_TRAINER_VENV_ONLY: '1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const data = mkdtempSync(join(tmpdir(), 'ftstudio-e2e-tiny-'));
  writeFileSync(join(data, 'pairs.jsonl'), pairs(0, 24));
  model = join(data, 'tiny');
  execFileSync(PYTHON, ['-m', 'ftstudio_trainer.tiny', model, join(data, 'pairs.jsonl')], {
    env: { ...process.env, PYTHONPATH: join(ROOT, 'trainer'), OMP_NUM_THREADS: '1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  wb = await openWorkbench({
    name: 'realtrainer',
    extraFiles: { 'pairs.jsonl': pairs(0, 24), 'pairs.heldout.jsonl': pairs(24, 4), 'finetune.json': config(STEPS) },
    settings: { 'finetuneStudio.training.python': PYTHON },
    env: { HF_HUB_OFFLINE: '1', TRANSFORMERS_OFFLINE: '1', OMP_NUM_THREADS: '1', TOKENIZERS_PARALLELISM: 'false' },
  });
});
after(async () => {
  // a failed test may leave a trainer running: it is in its own process group, which outlives the editor
  const left = wb ? runs().filter((r) => r.run.status === 'running' && r.run.pid) : [];
  await wb?.close();
  for (const r of left)
    try {
      process.kill(-r.run.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
});

const trainingStatus = async () => {
  const el = await wb.page.$('[id="finetune-studio.finetune-studio.finetuneStudio.training"]');
  return el ? ((await el.textContent()) ?? '').replace(/\s+/g, ' ').trim() : '';
};
const runView = () => wb.page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
const runs = () => {
  const root = join(wb.folder, '.finetune', 'runs');
  return existsSync(root)
    ? readdirSync(root)
        .sort()
        .map((d) => ({ dir: join(root, d), run: JSON.parse(readFileSync(join(root, d, 'run.json'), 'utf8')) }))
    : [];
};
const events = (dir: string) =>
  readFileSync(join(dir, 'events.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

/** The Stop button of the Run view (shown while the run is running). */
async function stopFromRunView(): Promise<void> {
  const stop = runView().locator('vscode-button', { hasText: 'Stop' });
  await stop.waitFor({ timeout: 30_000 });
  await stop.click();
}

/** Preflight blocks on the review gate (no review of pairs.jsonl): start anyway. */
async function override(): Promise<void> {
  const dialog = wb.page.locator('.monaco-dialog-box');
  await dialog.waitFor({ timeout: 120_000 });
  assert.match((await dialog.textContent()) ?? '', /Preflight blocked the fine-tune[\s\S]*review/);
  await dialog.locator('a.monaco-button', { hasText: 'Start Anyway' }).click();
}

/**
 * Every text the training status item takes, recorded in the page as it changes (a MutationObserver on the
 * status bar), so that a step shown for a moment between two of the test's polls is not missed.
 */
async function recordTrainingStatus(): Promise<() => Promise<string[]>> {
  // a string, not a function: tsx's helpers (__name) do not exist in the page
  await wb.page.evaluate(`(() => {
    window.__ftStatusSeen = [];
    const bar = document.querySelector('.part.statusbar') ?? document.body;
    const take = () => {
      const t = (document.getElementById('finetune-studio.finetune-studio.finetuneStudio.training')?.textContent ?? '').replace(/\\s+/g, ' ').trim();
      if (t && window.__ftStatusSeen[window.__ftStatusSeen.length - 1] !== t) window.__ftStatusSeen.push(t);
    };
    new MutationObserver(take).observe(bar, { subtree: true, childList: true, characterData: true, attributes: true });
  })()`);
  return async () => (await wb.page.evaluate('window.__ftStatusSeen')) as string[];
}

test('Start Fine-tune runs the bundled trainer: the status bar advances, the Run view draws the real losses and DPO rewards, an adapter on disk', async () => {
  const seen = await recordTrainingStatus();
  await runCommand(wb.page, 'Finetune Studio: Start Fine-tune');
  await override();
  const first = await waitFor('a real step in the status bar', trainingStatus, (s) => Number(stepShown.exec(s)?.[1] ?? 0) > 0, 300_000);
  await wb.shot('real-progress');
  await waitFor('completed', trainingStatus, (s) => s.includes(`Fine-tune completed ${STEPS}/${STEPS}`), 300_000);
  const { dir, run } = runs()[0]!;
  // the status bar advanced: it showed steps before the last one, in order
  const shown = (await seen())
    .map((t) => stepShown.exec(t))
    .filter((m) => m !== null)
    .map((m) => Number(m[1]));
  console.log(`realtrainer: steps the status bar showed: ${shown.join(', ')} (first seen by polling: ${first.value})`);
  assert.ok(
    shown.some((k) => k > 0 && k < STEPS),
    `the status bar showed a step before the end: ${shown.join(', ')}`,
  );
  assert.deepEqual(
    [...shown].sort((a, b) => a - b),
    shown,
    'steps only go forward',
  );
  assert.equal(run.status, 'completed');
  assert.equal(run.trainer, 'bundled');
  assert.equal(run.environment.python, PYTHON, 'the interpreter from the user setting');
  assert.ok(existsSync(join(dir, 'output', 'adapter_model.safetensors')), 'the adapter on disk');
  assert.ok(existsSync(join(dir, 'output', 'adapter_config.json')));
  for (const k of ['rewards/chosen', 'rewards/rejected', 'rewards/margins', 'rewards/accuracies']) assert.equal(typeof run.result.metrics[k], 'number', k);
  const steps = events(dir).filter((e) => e.event === 'step');
  assert.equal(steps.length, STEPS);
  assert.ok(Math.abs(steps[0].loss - Math.log(2)) < 1e-3, `DPO starts at ln 2: ${steps[0].loss}`);
  // the Run view: the real losses and rewards, the last values in the legends
  const view = runView();
  await waitFor(
    'run view completed',
    async () =>
      (await view
        .locator('#run-status')
        .textContent({ timeout: 10_000 })
        .catch(() => '')) ?? '',
    (t) => t === 'completed',
    30_000,
  );
  assert.match((await view.locator('#run-steps').textContent()) ?? '', new RegExp(`step ${STEPS} / ${STEPS}`));
  const fmt = (v: number) => (Math.abs(v) < 0.01 ? v.toExponential(1) : v.toFixed(3));
  const last = steps[steps.length - 1];
  assert.equal(await view.locator('svg polyline.train').count(), 1);
  const lossPoints = ((await view.locator('svg polyline.train').getAttribute('points')) ?? '').trim().split(/\s+/);
  assert.equal(lossPoints.length, STEPS, 'one point per real step');
  assert.ok(((await view.locator('.chart', { hasText: 'Loss' }).first().textContent()) ?? '').includes(`train loss (last ${fmt(last.loss)})`));
  const rewards = view.locator('#rewards-chart');
  for (const cls of ['chosen', 'rejected', 'margin']) assert.equal(await rewards.locator(`polyline.${cls}`).count(), 1, cls);
  const legend = (await rewards.textContent()) ?? '';
  assert.ok(legend.includes(`chosen (last ${fmt(last.rewardsChosen)})`), legend);
  assert.ok(legend.includes(`margin (last ${fmt(last.rewardsMargin)})`), legend);
  assert.equal(await view.locator('#accuracy-chart polyline.accuracy').count(), 1);
  await view.locator('#rewards-chart').scrollIntoViewIfNeeded();
  await wb.shot('real-completed-rewards');
});

test('Stop during a real run: the run is cancelled with a checkpoint, and no process of its group is left', async () => {
  writeFileSync(join(wb.folder, 'finetune.json'), config(100_000));
  await runCommand(wb.page, 'Finetune Studio: Start Fine-tune');
  await override();
  await waitFor('the long run training', trainingStatus, (s) => /Fine-tune 0% ([2-9]|\d\d+)\/100000/.test(s), 300_000);
  const { dir, run } = runs().find((r) => r.run.status === 'running')!;
  const pid = run.pid as number;
  assert.ok(pid > 0, 'run.json names the trainer process');
  assert.match(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '), /-m ftstudio_trainer --config \S+trainer-config\.json/);
  assert.ok(groupMembers(pid).includes(pid), 'the trainer leads its own process group');
  // the Run view's Stop button (the palette's Stop waited behind "Activating Extensions…" for over a minute
  // on this loaded machine while the trainer ran on: see the report)
  await stopFromRunView();
  await wb.shot('real-stop-issued');
  // the stop file is the first thing Stop does (the trainer stops at its next step when it sees it)
  await waitFor(
    'the stop file',
    async () => existsSync(join(dir, 'STOP')),
    (x) => x,
    30_000,
  ).catch(async (e) => {
    await wb.shot('real-stop-not-taken');
    throw e;
  });
  await waitFor('stopped', trainingStatus, (s) => /Fine-tune stopped/.test(s), 60_000);
  await wb.shot('real-stopped');
  const rec = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
  assert.equal(rec.status, 'cancelled');
  await waitFor(
    'the process group gone',
    async () => groupMembers(pid),
    (m) => m.length === 0,
    10_000,
  );
  const cps = readdirSync(join(dir, 'output')).filter((d) => /^checkpoint-\d+$/.test(d));
  assert.equal(cps.length, 1, 'the trainer saved where it stopped');
});

test('Resume Fine-tune continues the stopped run from its checkpoint, in the same run folder', async () => {
  const stopped = runs().find((r) => r.run.status === 'cancelled')!;
  const cp = readdirSync(join(stopped.dir, 'output')).find((d) => /^checkpoint-\d+$/.test(d))!;
  const cpStep = Number(cp.split('-')[1]);
  const before = runs().length;
  await runCommand(wb.page, 'Finetune Studio: Resume Fine-tune');
  // the picker, not the command palette's list it replaces
  await waitFor(
    'the Resume Fine-tune picker',
    async () =>
      (await wb.page
        .locator('.quick-input-title')
        .textContent({ timeout: 5_000 })
        .catch(() => '')) ?? '',
    (t) => t.includes('Resume Fine-tune'),
    20_000,
  );
  const row = wb.page.locator('.quick-input-list .monaco-list-row').first();
  await row.waitFor({ timeout: 20_000 });
  // only the stopped run can be resumed (the completed one cannot)
  await waitFor(
    'one resumable run',
    () => wb.page.locator('.quick-input-list .monaco-list-row').count(),
    (n) => n === 1,
    10_000,
  );
  assert.match((await row.getAttribute('aria-label')) ?? '', new RegExp(`${stopped.run.runId}.*cancelled.*${cp}`));
  await wb.shot('resume-pick');
  await wb.page.keyboard.press('Enter');
  await override();
  const resumed = await waitFor(
    'the resumed run training past its checkpoint',
    trainingStatus,
    (s) => /(\d+)\/100000/.test(s) && Number(/(\d+)\/100000/.exec(s)![1]) > cpStep,
    300_000,
  );
  assert.match(resumed.value, /Fine-tune/);
  const rec = JSON.parse(readFileSync(join(stopped.dir, 'run.json'), 'utf8'));
  assert.equal(rec.status, 'running');
  assert.equal(rec.resumes.length, 1);
  assert.equal(rec.resumes[0].resumedFrom, join(stopped.dir, 'output', cp));
  assert.equal(rec.resumes[0].step, cpStep);
  assert.equal(runs().length, before, 'no new run folder');
  const starts = events(stopped.dir).filter((e) => e.event === 'start');
  assert.deepEqual(
    starts.map((e) => e.step),
    [0, cpStep],
  );
  assert.equal(starts[1].resumedFrom, join(stopped.dir, 'output', cp));
  await waitFor(
    'the Run view says resumed',
    async () =>
      (await runView()
        .locator('#run-resumed')
        .textContent({ timeout: 5_000 })
        .catch(() => '')) ?? '',
    (t) => t.includes(`Resumed at step ${cpStep}`),
    30_000,
  );
  await wb.shot('resumed-running');
  await stopFromRunView();
  await waitFor('stopped again', trainingStatus, (s) => /Fine-tune stopped/.test(s), 60_000);
  const after = JSON.parse(readFileSync(join(stopped.dir, 'run.json'), 'utf8'));
  assert.equal(after.status, 'cancelled');
  assert.equal(after.resumes[0].status, 'cancelled');
  await waitFor(
    'the process group gone',
    async () => groupMembers(rec.pid),
    (m) => m.length === 0,
    10_000,
  );
});

// "Set Up Training Environment" from the command palette in a real VS Code, with a stand-in base interpreter
// (test/fixtures/fake-python.mjs: pip's lines, slowly enough to see the progress notification) named by the
// machine setting finetuneStudio.training.basePython (the extension host takes PATH from the login shell),
// and the preflight offering it when the interpreter lacks the trainer's packages.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openWorkbench, runCommand, waitFor, type Workbench } from './workbench';

let wb: Workbench;
const bin = mkdtempSync(join(tmpdir(), 'ftstudio-e2e-python-'));
const calls = join(bin, 'calls.log');
copyFileSync(join(__dirname, '../fixtures/fake-python.mjs'), join(bin, 'python3'));

before(async () => {
  wb = await openWorkbench({
    name: 'setup',
    settings: { 'finetuneStudio.training.basePython': join(bin, 'python3') },
    env: { FAKE_PIP_DELAY_MS: '700', FAKE_PY_LOG: calls },
  });
});
after(async () => {
  await wb?.close();
});

const toasts = (wb: Workbench) =>
  wb.page
    .locator('.notifications-toasts .notification-toast')
    .allTextContents()
    .then((t) => t.join('\n'));
const pipRuns = () =>
  existsSync(calls)
    ? readFileSync(calls, 'utf8')
        .split('\n')
        .filter((l) => / -m pip install/.test(l)).length
    : 0;

test('Set Up Training Environment: progress in a notification, then the ready environment; a second run installs nothing', async () => {
  const { page, shot } = wb;
  await runCommand(page, 'Finetune Studio: Set Up Training Environment');
  await waitFor(
    'progress notification',
    () => toasts(wb),
    (t) => /Set Up Training Environment/.test(t) && /resolving: \S+ \(\d+ packages so far\)/.test(t),
    30_000,
  );
  await shot('setup-progress');
  const ready = await waitFor(
    'ready',
    () => toasts(wb),
    (t) => /the training environment is ready: torch 2\.13\.0\+cpu, transformers 5\.2\.0, peft 0\.18\.1, accelerate 1\.12\.0/.test(t),
    60_000,
  );
  await shot('setup-ready');
  const python = /Start Fine-tune uses (\S+) unless/.exec(ready.value)![1]!;
  assert.match(python, /globalStorage\/finetune-studio\.finetune-studio\/venv\/bin\/python$/);
  assert.ok(existsSync(python) && existsSync(join(python, '../../pyvenv.cfg')), `${python} made by python3 -m venv`);
  assert.equal(pipRuns(), 1);
  // again: nothing to install
  await page
    .locator('.notifications-toasts .notification-toast .codicon-notifications-clear')
    .first()
    .click()
    .catch(() => {});
  await page.keyboard.press('Escape');
  await runCommand(page, 'Finetune Studio: Set Up Training Environment');
  await waitFor(
    'ready again',
    () => toasts(wb),
    (t) => /the training environment is ready \(nothing to install\)/.test(t),
    30_000,
  );
  assert.equal(pipRuns(), 1, 'no second pip install');
});

test('Start Fine-tune: the managed environment is the interpreter; lacking packages, preflight offers the setup', async () => {
  const { page, shot } = wb;
  await runCommand(page, 'Finetune Studio: Start Fine-tune');
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.waitFor({ timeout: 60_000 });
  // the stand-in does not answer the packages script: a block on packages, from the managed environment's python
  assert.match((await dialog.textContent()) ?? '', /globalStorage\/finetune-studio\.finetune-studio\/venv\/bin\/python did not run/);
  await shot('preflight-offers-setup');
  const before = readFileSync(calls, 'utf8').split('\n').length;
  await dialog.locator('a.monaco-button', { hasText: 'Set Up Training Environment' }).click();
  await waitFor(
    'setup from the dialog',
    () =>
      Promise.resolve(
        readFileSync(calls, 'utf8')
          .split('\n')
          .slice(before - 1)
          .join('\n'),
      ),
    (t) => /import_module|-c /.test(t),
    30_000,
  );
  await waitFor(
    'ready',
    () => toasts(wb),
    (t) => /the training environment is ready/.test(t),
    30_000,
  );
});

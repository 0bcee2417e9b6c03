// "Validate All Datasets in Workspace" reports a held-out set that leaks into its training file (files not open).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { openWorkbench, problems, runCommand, showProblems, waitFor, type Workbench } from './workbench';

const rec = (i: number) => JSON.stringify({ prompt: `What is ${i} + ${i}?`, completion: `${2 * i}.` });
const train = Array.from({ length: 30 }, (_, i) => rec(i));
const heldout = [
  rec(100),
  rec(7), // the very record of training line 8
  JSON.stringify({ prompt: 'What is 12 + 12?', completion: 'Twenty-four.' }), // the prompt of training line 13
  rec(101),
];

let wb: Workbench;
before(async () => {
  wb = await openWorkbench({
    name: 'leakage',
    extraFiles: { 'data/qa.train.jsonl': train.join('\n') + '\n', 'data/qa.heldout.jsonl': heldout.join('\n') + '\n' },
  });
});
after(async () => {
  await wb?.close();
});

test('Validate All Datasets reports heldout-leak and heldout-prompt-leak on the held-out file: an exact copy and a shared prompt', async () => {
  const { page, shot, folder } = wb;
  // only the pair in the workspace: the Problems panel renders only the rows in view
  for (const f of readdirSync(folder)) if (f.endsWith('.jsonl')) rmSync(join(folder, f));
  await runCommand(page, 'Finetune Studio: Validate All Datasets in Workspace');
  const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'datasets validated' });
  await toast.waitFor({ timeout: 60_000 });
  assert.match((await toast.textContent()) ?? '', /2 of 2 datasets validated/);
  await showProblems(page);
  const { value } = await waitFor(
    'heldout-leak and heldout-prompt-leak in the Problems panel',
    () => problems(page),
    (p) => p.filter((x) => x.code === 'heldout-leak' || x.code === 'heldout-prompt-leak').length >= 2,
    30_000,
  );
  await shot('validate-all-heldout-leak');
  const leaks = value.filter((x) => x.code === 'heldout-leak' || x.code === 'heldout-prompt-leak').sort((a, b) => a.line - b.line);
  assert.deepEqual(
    leaks.map((x) => [x.code, x.severity, x.line]),
    [
      ['heldout-leak', 'error', 2],
      ['heldout-prompt-leak', 'error', 3],
    ],
  );
  assert.match(leaks[0]!.message, /also in qa\.train\.jsonl \(line 8\)/);
  assert.match(leaks[1]!.message, /prompt of this held-out record is also in qa\.train\.jsonl \(line 13\)/);
});

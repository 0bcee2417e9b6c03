// Golden sets as a user meets them in the real VS Code: diagnostics as you type, the quick fix for an
// unknown assertion type, and "Score Predictions Against Golden Set".
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  datasetStatus,
  goTo,
  openFile,
  openWorkbench,
  problems,
  quickFixRow,
  runCommand,
  showProblems,
  waitFor,
  waitForFile,
  type Workbench,
} from './workbench';

const GOLDEN =
  [
    { id: 'capital', prompt: 'Capital of France?', assert: [{ type: 'contains', value: 'Paris' }], mustPass: true },
    { id: 'short', prompt: 'Say hi', assert: [{ type: 'contain', value: 'hi' }] },
    { id: 'json', prompt: 'JSON please', assert: [{ type: 'is-json' }] },
  ]
    .map((r) => JSON.stringify(r))
    .join('\n') + '\n';
const PREDICTIONS =
  [
    { id: 'capital', output: 'Lyon.' },
    { id: 'short', output: 'hi!' },
    { id: 'json', output: '{}' },
  ]
    .map((r) => JSON.stringify(r))
    .join('\n') + '\n';

let wb: Workbench;
before(async () => {
  wb = await openWorkbench({ name: 'eval', extraFiles: { 'my-golden.jsonl': GOLDEN, 'my-predictions.jsonl': PREDICTIONS } });
});
after(async () => {
  await wb?.close();
});

test('a golden set gets diagnostics as you type, and the unknown assertion type a quick fix', async () => {
  const { page, shot, folder } = wb;
  await openFile(page, 'my-golden.jsonl');
  await showProblems(page);
  const { value } = await waitFor(
    'unknown-assertion on line 2',
    () => problems(page),
    (p) => p.some((x) => x.code === 'unknown-assertion'),
  );
  await shot('golden-problems');
  assert.deepEqual(
    value.map((p) => `${p.severity} ${p.line} ${p.code}`),
    ['error 2 unknown-assertion'],
  );
  assert.match(value[0]!.message, /did you mean "contains"/);
  // the status item follows the diagnostics (a loaded CI machine once read it before it was drawn)
  await waitFor(
    'the status item',
    () => datasetStatus(page),
    (t) => /^golden · 3 records · 1 0$/.test(t),
    30_000,
  );
  // typing a duplicate id on line 3 adds a diagnostic across lines
  await goTo(page, 3, GOLDEN.split('\n')[2]!.indexOf('json') + 1); // {"id":"json", … : select json, type capital
  for (let i = 0; i < 4; i++) await page.keyboard.press('Shift+ArrowRight');
  await page.keyboard.type('capital');
  await waitFor(
    'duplicate-id on line 3',
    () => problems(page),
    (p) => p.some((x) => x.code === 'duplicate-id' && x.line === 3),
    5000,
  );
  await page.keyboard.press('Control+Z');
  await waitFor(
    'duplicate-id gone',
    () => problems(page),
    (p) => !p.some((x) => x.code === 'duplicate-id'),
    5000,
  );
  // the quick fix on "contain"
  const col = GOLDEN.split('\n')[1]!.indexOf('"contain"') + 2;
  await goTo(page, 2, col);
  const row = await quickFixRow(page, 'Change the type to "contains"');
  await shot('golden-quickfix');
  await row.click();
  await waitFor(
    'unknown-assertion fixed',
    () => problems(page),
    (p) => !p.some((x) => x.code === 'unknown-assertion'),
    5000,
  );
  await page.keyboard.press('Control+S');
  await waitForFile(join(folder, 'my-golden.jsonl'), (t) => t.includes('"type":"contains","value":"hi"'));
  await shot('golden-fixed');
});

test('Score Predictions Against Golden Set: the gate fails on the mustPass item, named in the notification', async () => {
  const { page, shot, folder } = wb;
  await openFile(page, 'my-golden.jsonl');
  await runCommand(page, 'Score Predictions Against Golden Set');
  // the open dialog (code-server's simple dialog): type the path of the predictions
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await page.waitForTimeout(500);
  await input.fill(join(folder, 'my-predictions.jsonl'));
  await page.waitForTimeout(300);
  await page.keyboard.press('Enter');
  const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'golden items passed' });
  // scoring is quick; the time is for an extension host that a loaded machine keeps busy
  await toast.first().waitFor({ state: 'visible', timeout: 60_000 });
  await page.waitForTimeout(800); // let the toast finish fading in for the screenshot
  await shot('golden-score');
  const text = (await toast.first().textContent()) ?? '';
  assert.match(text, /2\/3 golden items passed \(66\.7%\)/);
  assert.match(text, /gate failed: mustPass item failed: capital/);
});

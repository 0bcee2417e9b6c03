// A dataset above VS Code's 50 MB sync limit: validated from disk off the main thread, the editor stays responsive.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { record } from '../../bench/generate';
import { datasetStatus, openFile, openWorkbench, problems, showProblems, waitFor, type Workbench } from './workbench';

let wb: Workbench;
let lineCount = 0;
before(async () => {
  let a = 7;
  const rnd = () => ((a = (a * 16807) % 2147483647) / 2147483647);
  const lines: string[] = [];
  let bytes = 0;
  for (let i = 0; bytes < 56e6; i++) {
    const l = record('preference', rnd, i);
    lines.push(l);
    bytes += l.length + 1;
  }
  lines.push(lines[10]!); // a duplicate near the end
  lines.push('{"prompt": "You are a careful assistant. Broken.", "chosen": "x",}'); // invalid JSON on the last line
  lineCount = lines.length;
  wb = await openWorkbench({ name: 'largefile', extraFiles: { 'big-prefs.jsonl': lines.join('\n') + '\n' } });
});
after(async () => {
  await wb?.close();
});

test('a 56 MB dataset is validated from disk and its problems listed', async () => {
  const { page, shot } = wb;
  await openFile(page, 'big-prefs.jsonl', { editor: false });
  await page.waitForTimeout(3000);
  await shot('large-file-opened');
  await showProblems(page);
  const { value, ms } = await waitFor('problems of the large file', () => problems(page), (p) => p.some((x) => x.code === 'invalid-json'), 90_000);
  await shot('large-file-problems');
  assert.ok(value.some((x) => x.code === 'invalid-json' && x.line === lineCount));
  assert.ok(value.some((x) => x.code === 'duplicate' && x.line === lineCount - 1));
  const status = await waitFor('status item', () => datasetStatus(page), (s) => /records/.test(s), 10_000);
  assert.match(status.value, new RegExp(`preference · ${lineCount.toLocaleString('en-US')} records · 1 1`));
  // the editor still answers while and after validating: a command palette round trip
  const t0 = Date.now();
  await page.keyboard.press('Control+Shift+P');
  await page.waitForSelector('.quick-input-widget input', { state: 'visible', timeout: 5000 });
  await page.keyboard.press('Escape');
  assert.ok(Date.now() - t0 < 5000);
  console.log(`large file: problems after ${ms} ms`);
});

// A dataset above VS Code's 50 MB sync limit: validated from disk off the main thread; the extension answers while it runs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { record } from '../../bench/generate';
import { datasetStatus, openFile, openWorkbench, problems, showProblems, waitFor, type Workbench } from './workbench';

let wb: Workbench;
let lineCount = 0;
before(async () => {
  let a = 7;
  const rnd = () => (a = (a * 16807) % 2147483647) / 2147483647;
  const lines: string[] = [];
  let bytes = 0;
  for (let i = 0; bytes < 80e6; i++) {
    // a score with a fraction in each record's metadata: real datasets carry them, and such a line takes
    // the full parse (the byte scan leaves fractions to it), so that validation lasts long enough to be
    // asked something while it runs
    const l = record('preference', rnd, i).replace(/}$/, `, "score": ${((i % 97) + 0.5) / 100}}`);
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

test('an 80 MB dataset is validated from disk and its problems listed; the extension answers while it runs', async () => {
  const { page, shot } = wb;
  await openFile(page, 'big-prefs.jsonl', { editor: false });
  // while the worker validates, ask the extension host something: a click on the dataset status item runs
  // Show Dataset Summary, and its answer must say "validating…" (had validation blocked the extension host,
  // it could only answer afterwards, with the counts). A click, not the palette: typing a command name
  // into the palette takes seconds on a loaded machine, longer than the validation.
  await waitFor(
    'validation under way',
    () => datasetStatus(page),
    (s) => /validating/.test(s),
    30_000,
  );
  await shot('large-file-validating');
  const t0 = Date.now();
  let validatedAt = 0;
  void waitFor(
    'validated',
    () => datasetStatus(page),
    (s) => /records/.test(s),
    120_000,
  ).then(
    () => (validatedAt = Date.now() - t0),
    () => {},
  );
  await page.click('[id="finetune-studio.finetune-studio.finetuneStudio.dataset"]');
  const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'big-prefs.jsonl' });
  await toast.waitFor({ timeout: 30_000 });
  const answeredMs = Date.now() - t0;
  const statusAfter = await datasetStatus(page);
  console.log(`large file: summary ${answeredMs} ms, validated ${validatedAt ? `${validatedAt} ms` : 'not yet'} after the click; status then: ${statusAfter}`);
  const summary = ((await toast.textContent()) ?? '').replace(/\u00a0/g, ' ');
  await shot('large-file-summary-while-validating');
  assert.match(summary, /big-prefs\.jsonl: Dataset: validating…/, `the summary came back after validation ended: ${summary}`);
  // no time limit: the answer's state (given while validating) is what shows the extension host was free
  await page.keyboard.press('Escape');
  await showProblems(page);
  const { value, ms } = await waitFor(
    'problems of the large file',
    () => problems(page),
    (p) => p.some((x) => x.code === 'invalid-json'),
    90_000,
  );
  await shot('large-file-problems');
  assert.ok(value.some((x) => x.code === 'invalid-json' && x.line === lineCount));
  assert.ok(value.some((x) => x.code === 'duplicate' && x.line === lineCount - 1));
  const status = await waitFor(
    'status item',
    () => datasetStatus(page),
    (s) => /records/.test(s),
    10_000,
  );
  assert.match(status.value, new RegExp(`preference · ${lineCount.toLocaleString('en-US')} records · 1 1`));
  console.log(`large file: problems after ${ms} ms`);
});

// The review panel as a reviewer meets it: keyboard decisions, a window reload, progress kept, the gate.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FrameLocator } from 'playwright-core';
import { ACTIVE_EDITOR, closeAllEditors, openFile, openWorkbench, runCommand, waitFor, waitForFile, type Workbench } from './workbench';

const HOSTILE = [
  { prompt: 'You are a tester. <script>document.body.dataset.pwned = "1"</script>', completion: '<img src=x onerror="document.body.dataset.pwned=1">' },
  { prompt: 'You are a tester. مرحبا بالعالم — RTL text', completion: 'zero\u200bwidth\u200djoiners\u2060here' },
  { prompt: 'You are a tester. **markdown** and `code`', completion: '```js\nalert(1)\n```' },
  { prompt: 'You are a tester. Long', completion: 'x'.repeat(10_000) },
  ...Array.from({ length: 4 }, (_, i) => ({ prompt: `You are a tester. Plain ${i}`, completion: `Answer ${i}` })),
];

let wb: Workbench;
before(async () => {
  wb = await openWorkbench({ name: 'review', extraFiles: { 'hostile.jsonl': HOSTILE.map((r) => JSON.stringify(r)).join('\n') + '\n' } });
});
after(async () => {
  await wb?.close();
});

function panel(wb: Workbench): FrameLocator {
  return wb.page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}

async function progressText(wb: Workbench): Promise<string> {
  return (await panel(wb).locator('#progress-text').textContent({ timeout: 20_000 })) ?? '';
}

test('review five records with the keyboard, reload the window, progress kept', async () => {
  const { page, shot, folder } = wb;
  await openFile(page, 'dpo-pairs.jsonl');
  const { datasetStatus } = await import('./workbench');
  await waitFor(
    'extension active',
    () => datasetStatus(page),
    (s) => /14 records/.test(s),
    30_000,
  );
  await runCommand(page, 'Finetune Studio: Review Sample');
  await waitFor(
    'review panel',
    () => progressText(wb),
    (t) => /0 \/ 10 reviewed/.test(t),
    30_000,
  );
  await shot('review-open');
  await panel(wb).locator('#record').click();
  const keys = ['p', 'p', 'f', 'p', 'p'];
  for (let i = 0; i < keys.length; i++) {
    if (keys[i] === 'f') await page.keyboard.press('1'); // reason: wrong
    await page.keyboard.press(keys[i]!);
    await waitFor(
      `decision ${i + 1}`,
      () => progressText(wb),
      (t) => t.startsWith(`${i + 1} / 10`),
      10_000,
    );
  }
  assert.match(await progressText(wb), /^5 \/ 10 reviewed · pass rate 80%/);
  assert.match((await panel(wb).locator('#gate').textContent()) ?? '', /gate: incomplete/);
  await page.keyboard.press('?');
  await panel(wb).locator('#help').waitFor();
  await shot('review-help');
  await page.keyboard.press('Escape');
  await shot('review-five-done');
  const log = readFileSync(join(folder, '.finetune/reviews/dpo-pairs.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(log.length, 5);
  assert.deepEqual(
    log.map((e) => e.decision),
    ['pass', 'pass', 'fail', 'pass', 'pass'],
  );
  assert.deepEqual(log[2].reasons, ['wrong']);
  // undo the last decision, then decide it again: both are appended, nothing rewritten
  await page.keyboard.press('u');
  await waitFor(
    'undo',
    () => progressText(wb),
    (t) => t.startsWith('4 / 10'),
    10_000,
  );
  await page.keyboard.press('p');
  await waitFor(
    'redo',
    () => progressText(wb),
    (t) => t.startsWith('5 / 10'),
    10_000,
  );
  assert.equal(readFileSync(join(folder, '.finetune/reviews/dpo-pairs.jsonl'), 'utf8').trim().split('\n').length, 7);
  // k and j move from the record shown: back one, forward one
  const position = async () => ((await panel(wb).locator('#position').textContent({ timeout: 10_000 })) ?? '').replace(/\s+/g, ' ');
  const at = Number(/Record (\d+) of 10/.exec(await position())?.[1]);
  assert.ok(at >= 1 && at <= 10, `a position is shown: ${await position()}`);
  await page.keyboard.press('k');
  await waitFor('back one', position, (t) => t.includes(`Record ${at === 1 ? 10 : at - 1} of 10`), 10_000);
  await page.keyboard.press('j');
  await waitFor('forward one', position, (t) => t.includes(`Record ${at} of 10`), 10_000);
  // e shows the record on screen in the editor, the cursor on its line
  const line = Number(/line (\d+)/.exec(await position())?.[1]);
  assert.ok(line >= 1, `the record's line is shown: ${await position()}`);
  await page.keyboard.press('e');
  await waitFor(
    `the editor at line ${line}`,
    async () =>
      (await page
        .locator('.statusbar-item', { hasText: /Ln \d+, Col \d+/ })
        .first()
        .textContent({ timeout: 2_000 })
        .catch(() => '')) ?? '',
    (t) => t.includes(`Ln ${line},`),
    10_000,
  );
  await shot('review-show-in-editor');

  await runCommand(page, 'Developer: Reload Window');
  await page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
  await waitFor(
    'restored review panel',
    () => progressText(wb).catch(() => ''),
    (t) => /^5 \/ 10 reviewed/.test(t),
    60_000,
  ).catch(async (e) => {
    await shot('review-not-restored');
    throw e;
  });
  await shot('review-after-reload');
  assert.match(await progressText(wb), /^5 \/ 10 reviewed · pass rate 80%/);
});

test('hostile and awkward content is rendered inert, as text', async () => {
  const { page, shot } = wb;
  await closeAllEditors(page);
  await openFile(page, 'hostile.jsonl');
  await runCommand(page, 'Finetune Studio: Review Sample');
  const frame = panel(wb);
  await waitFor(
    'hostile panel',
    () => page.locator('.tab[aria-label*="Review: hostile.jsonl"]').count(),
    (n) => n === 1,
    20_000,
  );
  await waitFor(
    '8 records sampled',
    async () =>
      (await frame
        .locator('#progress-text')
        .textContent()
        .catch(() => '')) ?? '',
    (t) => /0 \/ 8 reviewed/.test(t),
    20_000,
  );
  await frame.locator('#record').click();
  let seenScript = false;
  for (let i = 0; i < 8; i++) {
    const text = (await frame.locator('#record').textContent()) ?? '';
    if (text.includes('<script>document.body.dataset.pwned')) {
      seenScript = true;
      assert.ok(text.includes('<img src=x onerror='), 'the img tag is shown as text');
      await shot('review-hostile');
    }
    await page.keyboard.press('j');
    await page.waitForTimeout(300);
  }
  assert.ok(seenScript, 'the hostile record was shown');
  assert.equal(await frame.locator('#record img').count(), 0, 'no element was created from dataset text');
  assert.equal(await frame.locator('#record script').count(), 0);
  assert.equal(await frame.locator('body[data-pwned]').count(), 0, 'no dataset script ran');
});

test('Split Held-out Set writes both files; a training record typed into the held-out file is a leak', async () => {
  const { page, shot, folder } = wb;
  await closeAllEditors(page);
  await openFile(page, 'chat-sft.jsonl');
  const { datasetStatus } = await import('./workbench');
  await waitFor(
    'extension active on chat-sft.jsonl',
    () => datasetStatus(page),
    (s) => /12 records/.test(s),
    30_000,
  );
  await page.click(ACTIVE_EDITOR);
  await runCommand(page, 'Finetune Studio: Split Held-out Set');
  await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
  await page.waitForTimeout(600);
  await shot('split-fraction');
  await page.keyboard.press('Enter'); // fraction 0.1
  await page.waitForTimeout(600);
  await shot('split-strata');
  await page.keyboard.press('Enter'); // no strata
  await waitForFile(join(folder, 'chat-sft.heldout.jsonl'));
  await shot('split-done');
  const train = readFileSync(join(folder, 'chat-sft.train.jsonl'), 'utf8').trim().split('\n');
  const held = readFileSync(join(folder, 'chat-sft.heldout.jsonl'), 'utf8').trim().split('\n');
  assert.equal(train.length + held.length, 12);
  assert.ok(held.length >= 1);
  const recorded = JSON.parse(readFileSync(join(folder, '.finetune/splits/chat-sft.json'), 'utf8'));
  assert.equal(recorded.heldout, held.length);
  await page.click('.explorer-folders-view .monaco-list-row[aria-label^="chat-sft.heldout.jsonl"]').catch(async () => {
    await page.waitForTimeout(1500);
    await page.click('.explorer-folders-view .monaco-list-row[aria-label^="chat-sft.heldout.jsonl"]');
  });
  await page.waitForSelector('.tab.active[aria-label^="chat-sft.heldout.jsonl"]');
  await page.click(ACTIVE_EDITOR);
  await page.keyboard.press('Control+End');
  await page.keyboard.type(train[0]!);
  const { problems, showProblems } = await import('./workbench');
  await showProblems(page);
  await waitFor(
    'heldout-leak',
    () => problems(page),
    (p) => p.some((x) => x.code === 'heldout-leak' && x.line === held.length + 1),
    10_000,
  );
  await shot('heldout-leak');
});

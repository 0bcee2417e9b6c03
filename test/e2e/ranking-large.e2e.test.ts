// The ranking panel on a preference file over 100 MB, as an annotator meets it: opened from the palette
// with no editor on the file; first-item and next-item latency measured (printed as figures, not
// asserted); a burst of 20 keys 20 ms apart labels exactly the items on screen at each press; the
// editor killed (kill -9) mid-burst comes back at the first unlabelled item with nothing persisted lost.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { record } from '../../bench/generate';
import { FileIndex } from '../../src/core/indexing/fileIndex';
import { readAnnotations } from '../../src/core/preference/annotationStore';
import { exportLabelled } from '../../src/core/preference/exportPairs';
import { buildItems } from '../../src/core/preference/items';
import { openWorkbench, runCommand, waitFor, waitForFile, type Workbench } from './workbench';

const FILE = 'huge-prefs.jsonl';
let wb: Workbench;
let bytes = 0;
before(async () => {
  wb = await openWorkbench({ name: 'ranking-large', settings: { 'finetuneStudio.reviewer': 'e2e annotator' } });
  // generated in the test's own folder (a temp dir), never committed
  let a = 11;
  const rnd = () => (a = (a * 16807) % 2147483647) / 2147483647;
  const lines: string[] = [];
  for (let i = 0; bytes < 105e6; i++) {
    const l = record('preference', rnd, i);
    lines.push(l);
    bytes += Buffer.byteLength(l) + 1;
  }
  writeFileSync(join(wb.folder, FILE), lines.join('\n') + '\n');
  bytes = statSync(join(wb.folder, FILE)).size;
});
after(async () => {
  await wb?.close();
  if (wb) for (const f of [FILE, 'huge-prefs.pairs.jsonl']) rmSync(join(wb.folder, f), { force: true }); // 105 MB: not left in the temp dir
});

const logPath = () => join(wb.folder, '.finetune/annotations', FILE);
const logIds = () => (existsSync(logPath()) ? readAnnotations(logPath()).events.map((e) => e.id) : []);

/** The webview's document (the panel's inner frame). */
async function panelFrame(wb: Workbench): Promise<Frame> {
  const handle = await wb.page.frameLocator('iframe.webview.ready').locator('#active-frame').elementHandle({ timeout: 60_000 });
  const f = await handle!.contentFrame();
  assert.ok(f, 'the panel frame');
  return f;
}

/**
 * Where the time to the first item went, from the webview's own clock (same machine, same epoch):
 * Enter → the panel's document began loading (the command, the panel, its HTML) → the webview asked
 * for its first state (its script ran) → the state came (the extension: index, item read, the
 * message both ways) → the item on screen (render).
 */
async function bootSplit(f: Frame, t0: number, totalMs: number): Promise<string> {
  const { origin, asked, came } = (await f.evaluate(`(() => ({
    origin: performance.timeOrigin,
    asked: performance.getEntriesByName('ftstudio:first-sent')[0]?.startTime ?? NaN,
    came: performance.getEntriesByName('ftstudio:first-received')[0]?.startTime ?? NaN,
  }))()`)) as { origin: number; asked: number; came: number };
  const toDoc = origin - t0;
  const doc =
    toDoc < 0 ? `the panel's document began ${(-toDoc).toFixed(0)} ms before Enter (while picking)` : `to the panel's document ${toDoc.toFixed(0)} ms`;
  return `${doc}; it asked for its state at +${asked.toFixed(0)} ms; the state came ${(came - asked).toFixed(0)} ms later; the first item or record on screen ${(totalMs - toDoc - came).toFixed(0)} ms after that`;
}

/** In the webview: the id of the item on screen (null while none is). */
const SHOWN = `(() => document.querySelector('ranking-app')?.shadowRoot?.querySelector('#item')?.getAttribute('data-id') ?? null)()`;

/**
 * In the webview: press `key` n times, `gapMs` apart (0: each after the last was saved), recording the
 * id on screen at each press, and how long until the next item showed and until the label was saved
 * (the reply came: the labelled count went up).
 */
function pressScript(n: number, gapMs: number, key: string): string {
  return `(async () => {
    const root = document.querySelector('ranking-app').shadowRoot;
    const id = () => root.querySelector('#item')?.getAttribute('data-id') ?? null;
    const labelled = () => Number(((root.querySelector('#progress-text')?.textContent ?? '').match(/^([\\d,]+)/)?.[1] ?? '0').replace(/,/g, ''));
    const until = (ok, ms) => new Promise((resolve) => {
      if (ok()) return resolve(true);
      const done = (v) => { obs.disconnect(); clearTimeout(t); resolve(v); };
      const obs = new MutationObserver(() => ok() && done(true));
      obs.observe(root, { subtree: true, childList: true, attributes: true, characterData: true });
      const t = setTimeout(() => done(false), ms);
    });
    const presses = [];
    for (let i = 0; i < ${n}; i++) {
      const before = id();
      const l0 = labelled();
      const t0 = performance.now();
      window.dispatchEvent(new KeyboardEvent('keydown', { key: ${JSON.stringify(key)}, bubbles: true }));
      const p = { shown: before, at: t0 };
      if (${gapMs} === 0) {
        await until(() => id() !== null && id() !== before, 10000);
        p.nextMs = performance.now() - t0;
        await until(() => labelled() > l0, 10000);
        p.savedMs = performance.now() - t0;
      } else await new Promise((r) => setTimeout(r, Math.max(0, t0 + ${gapMs} - performance.now())));
      presses.push(p);
    }
    return presses;
  })()`;
}

interface Press {
  shown: string | null;
  at: number;
  nextMs?: number;
  savedMs?: number;
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const fmt = (xs: number[]) => `median ${pct(xs, 50).toFixed(1)} ms, p95 ${pct(xs, 95).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms`;

test('a file over 100 MB: opened from the palette without an editor, keys bound to the items shown, back after kill -9', async () => {
  const { page, shot } = wb;
  assert.ok(bytes > 100e6, `the file is over 100 MB (${bytes} bytes)`);
  // no editor, no tab: the palette asks for the file
  await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor();
  const input = page.locator('.quick-input-widget input');
  const rankTabs = page.locator('.tab[aria-label^="Rank: "]');
  // the panel starts while the person picks; picking cancelled closes it
  await runCommand(page, 'Finetune Studio: Rank Preferences');
  await input.waitFor({ state: 'visible' });
  await rankTabs.first().waitFor({ timeout: 30_000 });
  // the picker keeps the keyboard: the panel beside does not take the focus from it
  const pickerFocused = () => input.evaluate((el) => el === document.activeElement);
  await waitFor('the picker focused with the panel open beside', pickerFocused, Boolean, 30_000);
  await page.keyboard.press('Escape');
  await waitFor(
    'no ranking panel once picking is cancelled',
    () => rankTabs.count(),
    (n) => n === 0,
    30_000,
  );
  await runCommand(page, 'Finetune Studio: Rank Preferences');
  await input.waitFor({ state: 'visible' });
  const opened = Date.now();
  await waitFor('the picker focused', pickerFocused, Boolean, 30_000);
  await page.waitForTimeout(500);
  await input.fill(join(wb.folder, FILE));
  await shot('picker');
  // a person reads the list and chooses: 3 s from the picker's opening to Enter
  await page.waitForTimeout(Math.max(0, opened + 3000 - Date.now()));
  const t0 = Date.now();
  await page.keyboard.press('Enter');
  let f = await panelFrame(wb);
  await f.locator('ranking-app #item[data-id]').waitFor({ timeout: 60_000 });
  const firstMs = Date.now() - t0;
  assert.equal(await page.locator('.tab[aria-label^="huge-prefs.jsonl"]').count(), 0, 'no editor tab on the file');
  await shot('first-item');
  const progress = (await f.locator('ranking-app #progress-text').textContent()) ?? '';
  console.log(
    `ranking-large: ${(bytes / 1e6).toFixed(1)} MB; first item ${firstMs} ms after Enter in the picker (open ${t0 - opened} ms before); header then: ${progress}`,
  );
  console.log(`ranking-large: first item, where the time went: ${await bootSplit(f, t0, firstMs)}`);

  // next-item latency: one key at a time, each after the last was saved
  const measured = (await f.evaluate(pressScript(40, 0, '1'))) as Press[];
  const next = measured.map((p) => p.nextMs!);
  const saved = measured.map((p) => p.savedMs!);
  console.log(`ranking-large: next item shown after a key (40 keys): ${fmt(next)}`);
  console.log(`ranking-large: label saved and answered (40 keys): ${fmt(saved)}`);
  assert.deepEqual(
    logIds(),
    measured.map((p) => p.shown),
    'each label went to the item on screen when its key was pressed',
  );
  await shot('after-40');

  // a burst: 20 keys 20 ms apart; every key labels the item on screen at its press, or is dropped
  const before = logIds().length;
  const burst = (await f.evaluate(pressScript(20, 20, '2'))) as Press[];
  const gaps = burst.slice(1).map((p, i) => p.at - burst[i]!.at);
  const expected = burst.map((p) => p.shown).filter((x): x is string => x !== null);
  await waitFor(
    'the burst saved',
    async () => logIds().length,
    (n) => n >= before + expected.length,
    20_000,
  );
  await page.waitForTimeout(1000); // nothing more arrives
  const burstIds = logIds().slice(before);
  console.log(
    `ranking-large: burst of 20 keys, gaps ${fmt(gaps)}: ${expected.length} pressed on an item on screen, ${20 - expected.length} dropped (no item on screen yet); ${burstIds.length} labels`,
  );
  assert.deepEqual(burstIds, expected, 'the log holds exactly the items on screen at each press, in order');
  // how many keys find an item on screen depends on how far the extension host keeps up (8 items are sent ahead): a figure, not a check
  assert.ok(expected.length >= 1, 'the first key of the burst found the item on screen');
  await shot('after-burst');

  // kill -9 mid-burst
  const persistedBefore = readFileSync(logPath(), 'utf8');
  const burst2 = f.evaluate(pressScript(20, 20, '1')).catch(() => [] as Press[]);
  await page.waitForTimeout(200);
  await wb.crash();
  const pressed = ((await burst2) as Press[]).map((p) => p.shown).filter((x): x is string => x !== null);
  const atCrash = readFileSync(logPath(), 'utf8');
  assert.ok(atCrash.startsWith(persistedBefore), 'nothing persisted before the crash was lost by it');
  const crashIds = readAnnotations(logPath())
    .events.slice(before + burstIds.length)
    .map((e) => e.id);
  assert.deepEqual(crashIds, pressed.slice(0, crashIds.length), 'what was saved before the kill is what was on screen, in order');
  console.log(`ranking-large: killed after ${crashIds.length} of ${pressed.length} keys of the second burst were saved`);

  const t1 = Date.now();
  await wb.restart();
  f = await panelFrame(wb);
  await f.locator('ranking-app #item[data-id]').waitFor({ timeout: 120_000 });
  const restoredMs = Date.now() - t1;
  await shot('restored');
  const { events, problems } = readAnnotations(logPath());
  assert.deepEqual(problems, [], 'the log reads whole');
  assert.ok(readFileSync(logPath(), 'utf8').startsWith(atCrash), 'nothing persisted was lost');
  const labelled = new Set(events.map((e) => e.id));
  const idx = new FileIndex(join(wb.folder, FILE), 'items');
  let firstUnlabelled: string | undefined;
  for (let k = 0; !firstUnlabelled; k++) {
    const it = await idx.item(k);
    assert.ok(it, 'an unlabelled item');
    if (!labelled.has(it.id)) firstUnlabelled = it.id;
  }
  idx.dispose();
  assert.equal(await f.evaluate(SHOWN), firstUnlabelled, 'the panel came back at the first unlabelled item');
  const header = (await f.locator('ranking-app #progress-text').textContent()) ?? '';
  assert.match(header, new RegExp(`^${events.length.toLocaleString('en-US')}\\b`), `the count survived the restart: ${header}`);
  const temps = readdirSync(join(wb.folder, '.finetune/annotations')).filter((n) => n.endsWith('.tmp'));
  assert.deepEqual(temps, [], 'no temporary file left');
  console.log(`ranking-large: restored after kill -9 in ${restoredMs} ms (restart, reload, panel) at the first unlabelled item; ${events.length} labels kept`);
});

test('the review panel on the same file: opened from the palette with the ranking panel in front, the sample shown while the file is read, one decision per key press', async () => {
  const { page, shot } = wb;
  await page.locator('.tab[aria-label*="Rank: huge-prefs.jsonl"]').click();
  await runCommand(page, 'Finetune Studio: Review Sample');
  const t0 = Date.now(); // Enter in the palette
  await waitFor(
    'review tab',
    () => page.locator('.tab[aria-label*="Review: huge-prefs.jsonl"]').count(),
    (n) => n === 1,
    30_000,
  );
  const frame = page.frameLocator('iframe.webview.ready >> nth=-1').frameLocator('#active-frame');
  const progress = async () =>
    (await frame
      .locator('#progress-text')
      .textContent({ timeout: 5_000 })
      .catch(() => '')) ?? '';
  const shownId = async () =>
    (await frame
      .locator('#position')
      .getAttribute('data-id', { timeout: 5_000 })
      .catch(() => null)) ?? '';
  // the first sampled record shows while the file is still being read (a new sample streams: its size is not known yet)
  await frame.locator('#position[data-id]').waitFor({ timeout: 120_000 });
  const firstMs = Date.now() - t0;
  const header = await progress();
  console.log(`ranking-large: review panel: the sample's first record ${firstMs} ms after Enter in the palette; header then: ${header.replace(/\s+/g, ' ')}`);
  const reviewFrame = await (await (await page.locator('iframe.webview.ready').last().elementHandle())!.contentFrame())!
    .locator('#active-frame')
    .elementHandle();
  console.log(`ranking-large: review panel, where the time went: ${await bootSplit((await reviewFrame!.contentFrame())!, t0, firstMs)}`);
  await shot('review-first');
  const streaming = /indexing \d+%…/.test(header);
  if (streaming) assert.match(header, /^0 \/ \d{1,3}(,\d{3})*\+ reviewed/, 'counts so far, written with separators, "+" while the sample is drawn');
  await frame.locator('#record').click();
  /** p on the record shown (a second p at once: dropped until the panel moved on, or bound to the next record), until the next shows */
  const ids: string[] = [];
  const decideOne = async (i: number) => {
    ids.push(await shownId());
    await page.keyboard.press('p');
    await page.keyboard.press('p');
    try {
      await waitFor(`decision ${i + 1}`, shownId, (id) => id !== '' && id !== ids[ids.length - 1], 20_000);
    } catch (e) {
      // what the panel showed when it did not move on: its header, the dropped-key notice, the decision shown
      const text = async (sel: string) =>
        (
          (await frame
            .locator(sel)
            .textContent({ timeout: 2_000 })
            .catch(() => null)) ?? '(none)'
        ).replace(/\s+/g, ' ');
      console.log(
        `ranking-large: review panel stuck at decision ${i + 1} on ${ids[ids.length - 1]}: header "${await text('#progress-text')}", notice "${await text('#key-notice')}", decision "${await text('#decision')}", focus in the panel: ${await page.evaluate('document.activeElement?.tagName ?? ""')}`,
      );
      await shot(`review-stuck-${i + 1}`);
      throw e;
    }
  };
  for (let i = 0; i < 3; i++) await decideOne(i);
  const beforeWhole = await shownId();
  const decidedWhileStreaming = /indexing \d+%…/.test(await progress());
  const whole = await waitFor('the whole sample', progress, (t) => /reviewed/.test(t) && !/indexing|\+/.test(t), 300_000);
  const wholeMs = Date.now() - t0;
  console.log(
    `ranking-large: review panel: the whole sample known after ${wholeMs} ms (the file indexed): ${whole.value.replace(/\s+/g, ' ')}; 3 decisions made ${decidedWhileStreaming ? 'while the file was still being read' : 'after the file was read'}`,
  );
  const decidedSoFar = new Set(
    readFileSync(join(wb.folder, '.finetune/reviews', FILE), 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { id: string }).id),
  ).size;
  assert.ok(decidedSoFar >= 3);
  assert.match(
    (await progress()).replace(/\s+/g, ' '),
    new RegExp(`^${decidedSoFar} / \\d{1,3}(,\\d{3})* reviewed`),
    'the decisions made so far count in the whole sample',
  );
  assert.equal(await shownId(), beforeWhole, 'the record on screen stays when the whole sample is known');
  await shot('review-whole');
  for (let i = 3; i < 5; i++) await decideOne(i);
  await page.waitForTimeout(1500);
  const log = readFileSync(join(wb.folder, '.finetune/reviews', FILE), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { id: string });
  const decided = log.map((e) => e.id);
  // every press was on a record on screen: the first of each pair on ids[i]; a second one either dropped or on the next record
  assert.deepEqual(
    decided.filter((id) => ids.includes(id)),
    ids,
    'each record got its one decision',
  );
  assert.equal(new Set(decided).size, decided.length, 'no record decided twice');
  // the manifest written once the file was read holds every record decided, the ones decided while it streamed too
  const manifest = JSON.parse(readFileSync(join(wb.folder, '.finetune/reviews', FILE.replace(/\.jsonl$/, '.sample.json')), 'utf8')) as {
    records: { id: string }[];
  };
  const sampled = new Set(manifest.records.map((r) => r.id));
  for (const id of decided) assert.ok(sampled.has(id), `${id} is in the sample`);
  assert.ok(manifest.records.length >= Math.ceil(0.05 * 79_000), `at least 5% sampled (${manifest.records.length})`);
  await shot('review-five');
});

test('Export Preference Pairs from the palette with the ranking panel in front: from disk (no editor on the file), the pairs of the labels made', async () => {
  const { page, shot } = wb;
  const out = join(wb.folder, 'huge-prefs.pairs.jsonl');
  rmSync(out, { force: true });
  await page.locator('.tab[aria-label*="Rank: huge-prefs.jsonl"]').click();
  const logBefore = readFileSync(logPath(), 'utf8');
  const eventsBefore = readAnnotations(logPath()).events;
  await runCommand(page, 'Finetune Studio: Export Preference Pairs');
  const t0 = Date.now();
  const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'Exported' });
  await toast.waitFor({ timeout: 120_000 });
  const text = (await toast.textContent()) ?? '';
  console.log(`ranking-large: Export Preference Pairs of the 105 MB file from disk: ${Date.now() - t0} ms; ${text.replace(/\s+/g, ' ').slice(0, 200)}`);
  await shot('exported');
  assert.equal(await page.locator('.tab[aria-label^="huge-prefs.jsonl"]').count(), 0, 'no editor tab on the file');
  // what the in-memory export (the file read whole) gives for the same labels
  const lines = readFileSync(join(wb.folder, FILE), 'utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  // the export reads the log; nothing may write it meanwhile (CI once saw one pair fewer in the log read after
  // the export than in the export: keys typed into the palette before it had the keyboard reached the panel)
  const logAfter = readFileSync(logPath(), 'utf8');
  if (logAfter !== logBefore) console.log(`ranking-large: the annotation log changed around the export; appended: ${logAfter.slice(logBefore.length)}`);
  assert.equal(logAfter, logBefore, 'no label made while the export ran');
  const expected = exportLabelled(lines, buildItems(lines), eventsBefore);
  const written = readFileSync(out, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as unknown);
  assert.ok(expected.pairs.length > 40, `pairs to export (${expected.pairs.length})`);
  assert.deepEqual(written, expected.pairs, 'the pairs of the labels, as the in-memory export makes them');
  assert.match(text, new RegExp(`Exported ${expected.pairs.length} pairs`));
  assert.deepEqual(
    readdirSync(wb.folder).filter((n) => n.endsWith('.tmp')),
    [],
    'no temporary file left',
  );

  // the same from the explorer's context menu on the file
  rmSync(out);
  await page
    .locator('.notifications-toasts .notification-toast .codicon-notifications-clear')
    .first()
    .click({ timeout: 3000 })
    .catch(() => {});
  // the explorer has seen the deletion (a row that moves under the pointer would take the click elsewhere)
  const rows = page.locator('.explorer-folders-view .monaco-list-row');
  await waitFor(
    'the explorer without the deleted export',
    () => rows.filter({ hasText: /^huge-prefs\.pairs\.jsonl$/ }).count(),
    (n) => n === 0,
    30_000,
  );
  const exportFromExplorer = async () => {
    await rows.filter({ hasText: /^huge-prefs\.jsonl$/ }).click({ button: 'right' });
    await page.locator('.context-view .action-label', { hasText: 'Export Preference Pairs' }).click();
  };
  const exportedToasts = page.locator('.notifications-toasts .notification-toast', { hasText: /Exported \d+ pairs/ });
  const toastsBefore = await exportedToasts.count();
  await exportFromExplorer();
  // the export shows its progress or its result, or the file is there: else the gesture was lost, which is
  // told (with what the window showed) and tried once more
  const started = () =>
    waitFor(
      'the export from the explorer under way',
      async () =>
        existsSync(out) ||
        (await page.locator('.notifications-toasts .notification-toast', { hasText: 'Exporting the labelled pairs' }).count()) > 0 ||
        (await exportedToasts.count()) > toastsBefore,
      Boolean,
      20_000,
    );
  if (
    !(await started().then(
      () => true,
      () => false,
    ))
  ) {
    await shot('export-from-explorer-lost');
    const dialog = (await page.locator('.monaco-dialog-box').allTextContents()).join(' | ');
    const toasts = (await page.locator('.notifications-toasts .notification-toast').allTextContents()).join(' | ');
    console.log(
      `ranking-large: the explorer's Export Preference Pairs showed nothing in 20 s (dialog: ${dialog || 'none'}; toasts: ${toasts || 'none'}); trying the menu once more`,
    );
    await page.keyboard.press('Escape');
    await exportFromExplorer();
    await started();
  }
  const again = await waitForFile(out, (t) => t.length > 0, 120_000); // renamed into place whole
  await page.locator('.notifications-toasts .notification-toast', { hasText: 'Exported' }).waitFor({ timeout: 30_000 });
  await shot('exported-from-explorer');
  assert.deepEqual(
    again
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown),
    expected.pairs,
    'the same pairs from the explorer',
  );
});

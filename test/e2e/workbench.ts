/**
 * Drive a real VS Code (code-server, the packaged .vsix installed) in Chromium with Playwright.
 * Every step can take a screenshot into test-output/e2e/; they are kept whether the test passes or fails.
 */
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error: plain ES module shared with npm start
import { root, startHost } from '../../scripts/host.mjs';

export const OUT = join(root as string, 'test-output', 'e2e');

/** The text area of the editor in the focused group (several groups can be open). */
export const ACTIVE_EDITOR = '.editor-group-container.active .monaco-editor .view-lines';

export interface Workbench {
  readonly page: Page;
  readonly folder: string;
  readonly shot: (name: string) => Promise<void>;
  readonly close: () => Promise<void>;
  /** kill -9 code-server and its extension host (a crash: nothing flushed, no goodbye) */
  readonly crash: () => Promise<void>;
  /** start code-server again on the crashed one's state and port, and reload the page */
  readonly restart: () => Promise<void>;
}

export interface Problem {
  readonly severity: 'error' | 'warning' | 'info';
  readonly code: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

export async function openWorkbench(opts: {
  name: string;
  trusted?: boolean;
  extraFiles?: Record<string, string>;
  settings?: Record<string, unknown>;
  env?: Record<string, string>;
}): Promise<Workbench> {
  mkdirSync(OUT, { recursive: true });
  const folder = mkdtempSync(join(tmpdir(), `ftstudio-e2e-${opts.name}-`));
  // examples/models/ is what `npm run example:model` builds there (untracked): not part of the examples
  cpSync(join(root as string, 'examples'), folder, { recursive: true, filter: (src) => !src.startsWith(join(root as string, 'examples', 'models')) });
  for (const [rel, text] of Object.entries(opts.extraFiles ?? {})) {
    mkdirSync(join(folder, rel, '..'), { recursive: true });
    writeFileSync(join(folder, rel), text);
  }
  let host = await startHost({ folder, trusted: opts.trusted ?? true, settings: opts.settings, env: opts.env });
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-dev-shm-usage',
      ],
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(host.url, { timeout: 120_000 }); // a loaded machine (eight sessions on two cores) can take over 30 s
    await page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
    await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 60_000 });
    let n = 0;
    const shot = async (name: string) => {
      n++;
      await page.screenshot({ path: join(OUT, `${opts.name}-${String(n).padStart(2, '0')}-${name}.png`) });
    };
    const b = browser;
    return {
      page,
      folder,
      shot,
      close: async () => {
        await b.close();
        await host.stop();
      },
      crash: () => host.crash(),
      restart: async () => {
        host = await startHost({ folder, trusted: opts.trusted ?? true, settings: opts.settings, env: opts.env, state: host.state, port: host.port });
        await page.reload({ timeout: 120_000 });
        await page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
      },
    };
  } catch (e) {
    await browser?.close();
    await host.stop();
    throw e;
  }
}

export async function openFile(page: Page, name: string, opts: { editor?: boolean } = {}): Promise<void> {
  const row = `.explorer-folders-view .monaco-list-row[aria-label^="${name}"]`;
  await page.click(row);
  try {
    await page.waitForSelector(`.tab.active[aria-label^="${name}"]`, { timeout: 5_000 });
  } catch {
    // a click on the row that is already selected may only focus it: open it explicitly
    await page.dblclick(row);
    await page.waitForSelector(`.tab.active[aria-label^="${name}"]`, { timeout: 20_000 });
  }
  if (opts.editor !== false) await page.waitForSelector('.monaco-editor .view-lines', { timeout: 20_000 });
}

export async function showProblems(page: Page): Promise<void> {
  if (!(await page.$('.markers-panel'))?.isVisible()) await page.keyboard.press('Control+Shift+M');
  await page.waitForSelector('.markers-panel', { state: 'visible' });
}

/** The rows of the Problems panel for our source (related-information rows skipped). */
export async function problems(page: Page): Promise<Problem[]> {
  const rows = await page.$$eval('.markers-panel .monaco-list-row', (els) =>
    els.map((e) => ({ label: e.getAttribute('aria-label') ?? '', text: e.textContent ?? '' })),
  );
  const out: Problem[] = [];
  for (const r of rows) {
    const m = /finetune-studio\(?([\w-]+)\)?\s*\[Ln (\d+), Col (\d+)\]$/.exec(r.text);
    const sev = /^(Error|Warning|Info):/.exec(r.label);
    if (!m || !sev) continue;
    out.push({
      severity: sev[1]!.toLowerCase() as Problem['severity'],
      code: m[1]!,
      line: Number(m[2]),
      column: Number(m[3]),
      message: r.label.replace(/^\w+: /, '').replace(/ at line \d+.*$/, ''),
    });
  }
  return out;
}

export async function waitFor<T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 15_000): Promise<{ value: T; ms: number }> {
  const t0 = Date.now();
  let last: T | undefined;
  for (;;) {
    last = await probe();
    if (ok(last)) return { value: last, ms: Date.now() - t0 };
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** True when `text` is one whole JSON value: a file read while an editor saves it may be cut short. */
export function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Wait until the extension has written a file (and `ok` accepts its text); returns the text. */
export async function waitForFile(path: string, ok: (text: string) => boolean = (t) => t.length > 0, timeoutMs = 15_000): Promise<string> {
  const r = await waitFor(
    `file ${path}`,
    async () => {
      try {
        return readFileSync(path, 'utf8');
      } catch {
        return '';
      }
    },
    ok,
    timeoutMs,
  );
  return r.value;
}

export async function datasetStatus(page: Page): Promise<string> {
  const el = await page.$('[id="finetune-studio.finetune-studio.finetuneStudio.dataset"]');
  return el ? ((await el.textContent()) ?? '').replace(/\s+/g, ' ').trim() : '';
}

export async function datasetStatusLabel(page: Page): Promise<string> {
  const el = await page.$('[id="finetune-studio.finetune-studio.finetuneStudio.dataset"]');
  return el ? ((await el.getAttribute('aria-label')) ?? '') : '';
}

/** Counts in the status bar's problems item: [errors, warnings, infos]. */
export async function problemCounts(page: Page): Promise<number[]> {
  const label = (await page.getAttribute('#status\\.problems', 'aria-label')) ?? '';
  const get = (w: string) => Number(new RegExp(`${w}: (\\d+)`).exec(label)?.[1] ?? 0);
  return [get('Errors'), get('Warnings'), get('Infos')];
}

/** Put the cursor at line:column (1-based) with Go to Line. */
export async function goTo(page: Page, line: number, column?: number): Promise<void> {
  await page.click(ACTIVE_EDITOR);
  await page.keyboard.press('Control+G');
  await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
  await page.keyboard.type(column ? `${line}:${column}` : `${line}`);
  await page.keyboard.press('Enter');
  await page.waitForTimeout(150);
}

export async function runCommand(page: Page, title: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    await page.keyboard.press('Control+Shift+P');
    const input = page.locator('.quick-input-widget input').first();
    try {
      await input.waitFor({ state: 'visible' });
      // type only once the palette's input has the keyboard: a key typed while a webview still has it goes to
      // the webview (in the ranking panel, the 'e', 't' and 'u' of "Finetune" are show-in-editor, tie and undo)
      await page.waitForFunction("document.activeElement?.closest?.('.quick-input-widget') != null", undefined, { timeout: 10_000 });
      await page.waitForTimeout(300);
      await page.keyboard.type(title);
      // Enter only once the whole title is in the input, the command is listed and is the focused row, the one
      // Enter runs (the palette filters as it loads; early on, it may miss it, or still focus a recently used command)
      const typed = await input.inputValue();
      if (!typed.endsWith(title)) throw new Error(`the palette's input holds "${typed}", not "${title}": keys went elsewhere`);
      await page.waitForSelector(`.quick-input-list .monaco-list-row.focused[aria-label*="${title.replace(/"/g, '\\"')}"]`, { timeout: 10_000 });
      await page.keyboard.press('Enter');
      return;
    } catch (e) {
      console.log(`runCommand "${title}", attempt ${attempt + 1}: ${(e as Error).message.split('\n')[0]}`);
      await page.keyboard.press('Escape');
      if (attempt >= 2) throw e;
      await page.waitForTimeout(2000);
    }
  }
}

/**
 * Open the Quick Fix menu at the cursor and wait for the action labelled `label`. The code-action request can
 * race the diagnostics of a just-edited document (the menu then says "No code actions available"), so it is
 * asked again up to three times.
 */
export async function quickFixRow(page: Page, label: string): Promise<Locator> {
  const row = page.locator('.action-widget .monaco-list-row', { hasText: label });
  for (let attempt = 0; ; attempt++) {
    await page.keyboard.press('Control+.');
    try {
      await row.first().waitFor({ state: 'visible', timeout: 5000 });
      return row.first();
    } catch (e) {
      await page.keyboard.press('Escape');
      if (attempt >= 2) throw e;
      await page.waitForTimeout(1000);
    }
  }
}

/** Close every editor, so that a test starts from one empty group. */
export async function closeAllEditors(page: Page): Promise<void> {
  await runCommand(page, 'View: Close All Editor Groups');
  await page.waitForTimeout(300);
}

// Preview Training Tokens in the real VS Code, on the examples' finetune.json with a tiny tokenizer the test
// builds (no download) and the real bundled trainer (its test environment): trained tokens highlighted,
// the record the trainer cannot read named with its line, dataset text shown as text.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openWorkbench, runCommand, waitFor, type Workbench } from './workbench';
import { buildTinyTokenizer, trainerTestPython } from '../fixtures/trainerVenv';

let wb: Workbench;
const HOSTILE = '<img src=x onerror="document.body.dataset.pwned=1">Bonjour';

before(async () => {
  const python = trainerTestPython();
  wb = await openWorkbench({ name: 'tokens' });
  buildTinyTokenizer(python, join(wb.folder, 'tiny-model'));
  const config = JSON.parse(readFileSync(join(wb.folder, 'finetune.json'), 'utf8'));
  writeFileSync(join(wb.folder, 'finetune.json'), JSON.stringify({ ...config, model: './tiny-model', python }, null, 2));
  // the second pair's chosen answer carries markup: it must show as text
  const pairs = readFileSync(join(wb.folder, 'dpo-pairs.jsonl'), 'utf8').split('\n');
  pairs[1] = JSON.stringify({ ...JSON.parse(pairs[1]!), chosen: HOSTILE });
  writeFileSync(join(wb.folder, 'dpo-pairs.jsonl'), pairs.join('\n'));
});
after(async () => {
  await wb?.close();
});

const panel = () => wb.page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');

/** The text of the trained tokens of each record card, in order, as "line/part: text". */
async function trainedTexts(): Promise<string[]> {
  const cards = panel().locator('.record');
  const out: string[] = [];
  for (let i = 0; i < (await cards.count()); i++) {
    const card = cards.nth(i);
    const id = `${await card.getAttribute('data-line')}/${await card.getAttribute('data-part')}`;
    out.push(`${id}: ${(await card.locator('.tok.trained').allTextContents()).join('')}`);
  }
  return out;
}

test('the examples (DPO, text pairs): each answer and its end token highlighted; the misspelt record named with its line', async () => {
  await runCommand(wb.page, 'Finetune Studio: Preview Training Tokens');
  await waitFor(
    'the preview',
    async () =>
      (await panel()
        .locator('#summary, #error')
        .count()
        .catch(() => 0)) > 0,
    (ok) => ok,
    300_000,
  );
  if ((await panel().locator('#error').count()) > 0) assert.fail((await panel().locator('#error').textContent()) ?? 'error');
  assert.deepEqual(await trainedTexts(), [
    '1/chosen: The meeting is now on Friday at 10:00.<|im_end|>',
    '1/rejected: Meeting stuff changed.<|im_end|>',
    `2/chosen: ${HOSTILE}<|im_end|>`,
    '2/rejected: Bonsoir<|im_end|>',
  ]);
  // the prompt is there, not highlighted
  const first = panel().locator('.record').first();
  assert.match(
    (await first.locator('.tok:not(.trained)').allTextContents()).join(''),
    /^You are a careful reviewer\. Summarise: the meeting moved to Friday at 10:00\.$/,
  );
  assert.match((await first.locator('.counts').textContent()) ?? '', /^\d+ of \d+ tokens trained \(\d+\.\d%\)$/);
  // line 3 says "rejceted": the trainer stops there, and so does the preview
  const error = (await panel().locator('#record-error').textContent()) ?? '';
  assert.match(error, /dpo-pairs\.jsonl:3: the trainer cannot tokenize this record: not a preference record \(keys: prompt, chosen, rejceted\)/);
  assert.match(error, /Open line 3/);
  assert.equal(await panel().locator('.tokens img').count(), 0, 'no element was made from dataset text');
  assert.equal(await panel().locator('body[data-pwned]').count(), 0);
  await wb.shot('dpo-preview');
  await panel().locator('#record-error').scrollIntoViewIfNeeded();
  await wb.shot('dpo-preview-error');
  await panel().locator('#record-error vscode-button').click();
  await waitFor(
    'dpo-pairs.jsonl at line 3',
    async () =>
      ((await wb.page.locator('.editor-group-container.active .tab.active').getAttribute('aria-label')) ?? '') +
      ' ' +
      ((await wb.page.locator('.statusbar-item[id="status.editor.selection"]').textContent()) ?? ''),
    (s) => /dpo-pairs\.jsonl/.test(s) && /Ln 3, Col 1/.test(s),
    20_000,
  );
});

test('a chat dataset (SFT): the assistant replies highlighted, the template around them not; truncation marked', async () => {
  const config = JSON.parse(readFileSync(join(wb.folder, 'finetune.json'), 'utf8'));
  writeFileSync(
    join(wb.folder, 'finetune.json'),
    JSON.stringify(
      { ...config, method: 'sft', data: { train: 'chat-sft.jsonl' }, training: { ...config.training, beta: undefined, maxSeqLength: 200 } },
      null,
      2,
    ),
  );
  const chats = readFileSync(join(wb.folder, 'chat-sft.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .slice(0, 2)
    .map((l) => JSON.parse(l) as { messages: { role: string; content: string }[] });
  await runCommand(wb.page, 'Finetune Studio: Preview Training Tokens');
  await waitFor(
    'the chat preview',
    async () =>
      (
        (await panel()
          .locator('#summary')
          .textContent()
          .catch(() => '')) ?? ''
      ).replace(/\s+/g, ' '),
    (s) => /· sft ·/.test(s),
    300_000,
  );
  const texts = await trainedTexts();
  const replies = chats.map((c) =>
    c.messages
      .filter((m) => m.role === 'assistant')
      .map((m) => m.content + '<|im_end|>')
      .join(''),
  );
  // record 2 fits: every reply and its end token trained, nothing else
  assert.equal(texts[1], `2/: ${replies[1]}`);
  assert.equal(await panel().locator('.record').nth(1).locator('.cut').count(), 0);
  // record 1 is longer than maxSeqLength 200: trained up to the cut, which is marked, and the rest greyed out
  const first = panel().locator('.record').first();
  assert.match((await first.locator('.cut').textContent()) ?? '', /✂ cut at maxSeqLength 200: \d+ more tokens dropped, \d+ of them would be trained/);
  const kept = texts[0]!.slice('1/: '.length);
  assert.ok(kept.length > 20 && replies[0]!.startsWith(kept) && kept !== replies[0], texts[0]);
  assert.ok((await first.locator('.tok.dropped').count()) > 0);
  assert.match((await first.locator('.rhead').textContent()) ?? '', /truncated: \d+ tokens, maxSeqLength 200/);
  const whole = (await panel().locator('.record').first().locator('.tokens').textContent()) ?? '';
  assert.match(whole, /^<\|im_start\|>system↵\n/);
  assert.match((await panel().locator('#summary').textContent()) ?? '', /the tokenizer's chat template · maxSeqLength 200/);
  await wb.shot('sft-preview');
});

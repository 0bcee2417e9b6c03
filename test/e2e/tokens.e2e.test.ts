// Exact token counts in the editor: finetune.json's model is a local folder with a tokenizer; too-long
// counts with it and says by how much, and a hover on a record line shows its tokens.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeAllEditors, goTo, openFile, openWorkbench, problems, showProblems, waitFor, type Workbench } from './workbench';
import { WORD_TEMPLATE, wordTokenizerFiles } from '../parity/wordTokenizer';

const chat = (reply: string) =>
  JSON.stringify({
    messages: [
      { role: 'user', content: 'hello' },
      { role: 'assistant', content: reply },
    ],
  });
// 25 one-letter words: about 12 tokens by the 4-characters estimate, 29 with the tokenizer and template
const long = Array(25).fill('a').join(' ');

let wb: Workbench;
before(async () => {
  const files = wordTokenizerFiles(WORD_TEMPLATE);
  wb = await openWorkbench({
    name: 'tokens',
    extraFiles: {
      'finetune.json': JSON.stringify({ method: 'sft', model: './tiny-model', data: { train: 'tokens.jsonl' }, training: { maxSeqLength: 20 } }),
      'tiny-model/tokenizer.json': files['tokenizer.json']!,
      'tiny-model/tokenizer_config.json': files['tokenizer_config.json']!,
      'tokens.jsonl': [chat('hello world'), chat(long)].join('\n') + '\n',
      // a .json array dataset (LLaMA-Factory's files): the same exact counts
      'tokens-array.json': `[\n  ${chat('hello world')},\n  ${chat(long)}\n]\n`,
    },
  });
});
after(async () => {
  await wb?.close();
});

test('too-long counts with the model tokenizer; the hover shows a record’s total and trained tokens', async () => {
  const { page, shot } = wb;
  await openFile(page, 'tokens.jsonl');
  await showProblems(page);
  const { value } = await waitFor(
    'too-long on line 2',
    () => problems(page),
    (p) => p.some((x) => x.code === 'too-long'),
    60_000,
  );
  const d = value.find((x) => x.code === 'too-long')!;
  assert.equal(d.line, 2);
  assert.match(d.message, /29 tokens with the model's tokenizer and chat template, 9 over the limit of 20 \(26 trained\)/);
  await goTo(page, 2, 5);
  await page.keyboard.press('Control+K');
  await page.keyboard.press('Control+I');
  // the provider's part (case-sensitive): the diagnostic's own hover part shows first and also says "tokens"
  const hover = page.locator('.monaco-hover:visible', { hasText: /Tokens\s+\d/ });
  await hover.first().waitFor({ timeout: 20_000 });
  await shot('token-hover');
  // the rendered markdown keeps no-break and zero-width characters around the bold label: compare the visible text
  const text = ((await hover.first().textContent()) ?? '').replace(/\u00a0/g, ' ').replace(/[^\x20-\x7e]/g, '');
  assert.match(text, /Tokens ?29 \(26 trained\), 9 over the limit of 20/);
  assert.match(text, /Exact: the model's tokenizer from local folder .*tiny-model, with its chat template \(tokenizer_config\.json\)/);
});

test('a .json array dataset: too-long counts with the model tokenizer too', async () => {
  const { page, shot } = wb;
  await closeAllEditors(page);
  await openFile(page, 'tokens-array.json');
  await showProblems(page);
  const { value } = await waitFor(
    'too-long on the second record (line 3)',
    () => problems(page),
    (p) => p.some((x) => x.code === 'too-long' && x.line === 3),
    60_000,
  );
  await shot('json-array-too-long');
  const d = value.find((x) => x.code === 'too-long' && x.line === 3)!;
  assert.match(d.message, /29 tokens with the model's tokenizer and chat template, 9 over the limit of 20 \(26 trained\)/);
});

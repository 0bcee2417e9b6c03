// Exact token counts in the validator: finetune.json's model folder (or the Hugging Face cache) gives the
// tokenizer; too-long then counts with it and says by how much; without one, the estimate says why.
// (Parity with transformers and the trainer's masks: trainer/tests/test_node_token_counts.py.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { WORD_TEMPLATE as TEMPLATE, writeWordTokenizer as writeTokenizer } from '../parity/wordTokenizer';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { estimateTokenCounter, loadTokenCounter, tokenCounterFromDir } from '../../src/core/tokens/tokenCounter';
import { findTokenizer } from '../../src/core/tokens/tokenizerFiles';
import { validateDataset } from '../../src/core/validation/validateDataset';
import { resolveValidationOptions } from '../../src/core/validation/options';
import { readValidationConfig } from '../../src/core/project/projectConfig';
import { loadConfig } from '../../src/core/training/config';
import { preflight } from '../../src/core/training/preflight';

const tmp = mkdtempSync(join(tmpdir(), 'ftstudio-tokens-'));

test('a chat under the model template: total and trained tokens (assistant reply and its end token)', async () => {
  const dir = join(tmp, 'chat');
  writeTokenizer(dir, TEMPLATE);
  const c = await tokenCounterFromDir(dir);
  assert.equal(c.source, 'tokenizer');
  const rec = {
    messages: [
      { role: 'user', content: 'hello world' },
      { role: 'assistant', content: 'a b a' },
    ],
  };
  // <|user|> hello world <|assistant|> a b a </s>
  assert.deepEqual(c.count(rec, 'language-modeling'), { total: 8, trained: 4 });
  // prompt-completion text: prompt untrained, completion and the appended end-of-sequence token trained
  assert.deepEqual(c.count({ prompt: 'hello world', completion: 'a b' }, 'prompt-completion'), { total: 5, trained: 3 });
  // preference: the longer sequence, and each one
  const p = c.count({ prompt: 'hello', chosen: 'a', rejected: 'a b a' }, 'preference');
  assert.equal(p.total, 5);
  assert.deepEqual(p.pair, { chosen: { total: 3, trained: 2 }, rejected: { total: 5, trained: 4 } });
});

test('a conversational preference record with string answers: each answer is the assistant turn after the prompt', async () => {
  const dir = join(tmp, 'chat-pref');
  writeTokenizer(dir, TEMPLATE);
  const c = await tokenCounterFromDir(dir);
  // <|user|> hello <|assistant|> a </s>  and  <|user|> hello <|assistant|> a b a </s>
  const p = c.count({ prompt: [{ role: 'user', content: 'hello' }], chosen: 'a', rejected: 'a b a' }, 'preference');
  assert.deepEqual(p.pair, { chosen: { total: 5, trained: 2 }, rejected: { total: 7, trained: 4 } });
  // the same with the answers as turns
  const turns = c.count(
    { prompt: [{ role: 'user', content: 'hello' }], chosen: [{ role: 'assistant', content: 'a' }], rejected: [{ role: 'assistant', content: 'a b a' }] },
    'preference',
  );
  assert.deepEqual(turns.pair, p.pair);
  // a line that is not an object counts as an empty record, whatever it holds
  for (const odd of ['a b a', ['hello', 'world'], 7, null])
    assert.deepEqual(c.count(odd, 'language-modeling'), c.count({}, 'language-modeling'), JSON.stringify(odd));
});

test('a SentencePiece vocabulary (Metaspace ▁): the offsets line up, so the reply’s end token is trained exactly', async () => {
  // one token per word, written with ▁ for its leading space, as Llama / Mistral / Gemma vocabularies do
  const dir = join(tmp, 'metaspace');
  const specials = ['<unk>', '<s>', '</s>', '<|user|>', '<|assistant|>'];
  const vocab = Object.fromEntries([...specials, '▁hello', '▁world', '▁a', '▁b'].map((w, i) => [w, i]));
  const metaspace = { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true };
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'tokenizer.json'),
    JSON.stringify({
      version: '1.0',
      added_tokens: specials.map((content, id) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
      normalizer: null,
      pre_tokenizer: { type: 'Sequence', pretokenizers: [{ type: 'WhitespaceSplit' }, metaspace] },
      post_processor: null,
      decoder: metaspace,
      model: { type: 'WordLevel', vocab, unk_token: '<unk>' },
    }),
  );
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ bos_token: '<s>', eos_token: '</s>', unk_token: '<unk>', chat_template: TEMPLATE }));
  const c = await tokenCounterFromDir(dir);
  const rec = {
    messages: [
      { role: 'user', content: 'hello world' },
      { role: 'assistant', content: 'a b a' },
    ],
  };
  // <|user|> ▁hello ▁world <|assistant|> ▁a ▁b ▁a </s>: the reply and its </s> (a count of the reply alone, the
  // fallback when offsets do not line up, would give 3)
  assert.deepEqual(c.count(rec, 'language-modeling'), { total: 8, trained: 4 });
});

test('an unknown word is the unknown token, whatever its id (the JavaScript tokenizer gives null for it)', async () => {
  const { loadJsTokenizer } = await import('../../src/core/tokens/jsTokenizer');
  const vocab = { hello: 0, world: 1, '[UNK]': 2 };
  const t = await loadJsTokenizer(
    {
      version: '1.0',
      added_tokens: [],
      normalizer: null,
      pre_tokenizer: { type: 'WhitespaceSplit' },
      post_processor: null,
      decoder: null,
      model: { type: 'WordLevel', vocab, unk_token: '[UNK]' },
    },
    {},
  );
  assert.deepEqual(t.encode('hello zebra world', { add_special_tokens: false }).ids, [0, 2, 1]);
});

test('without a chat template the trainer’s plain one is used; an unrenderable record falls back to the estimate with a note', async () => {
  const dir = join(tmp, 'plain');
  writeTokenizer(dir);
  const c = await tokenCounterFromDir(dir);
  assert.match(c.description, /plain chat template/);
  const raising = join(tmp, 'raising');
  writeTokenizer(raising, "{{ raise_exception('Conversation roles must alternate') }}");
  const r = (await tokenCounterFromDir(raising)).count({ messages: [{ role: 'user', content: 'hello' }] }, 'language-modeling');
  assert.match(r.note ?? '', /roles must alternate.*estimates/);
});

test('the tokenizer is found in a local folder or the Hugging Face cache, never downloaded; else the estimate says why', async () => {
  const hub = join(tmp, 'hf', 'hub', 'models--org--tiny');
  writeTokenizer(join(hub, 'snapshots', 'abc123'), TEMPLATE);
  mkdirSync(join(hub, 'refs'), { recursive: true });
  writeFileSync(join(hub, 'refs', 'main'), 'abc123');
  const found = findTokenizer({ model: 'org/tiny', hfHome: join(tmp, 'hf'), env: {} });
  assert.ok('location' in found && found.location.dir.endsWith(join('snapshots', 'abc123')), JSON.stringify(found));
  assert.equal((await loadTokenCounter({ model: 'org/tiny', hfHome: join(tmp, 'hf') })).source, 'tokenizer');
  const missing = await loadTokenCounter({ model: 'org/absent', hfHome: join(tmp, 'hf') });
  assert.equal(missing.source, 'estimate');
  assert.match(missing.description, /4 characters a token: no tokenizer: org\/absent is not in the Hugging Face cache/);
  assert.match((await loadTokenCounter({ model: './nowhere', workspaceRoot: tmp })).description, /does not exist/);
  assert.deepEqual(estimateTokenCounter().count({ prompt: 'x'.repeat(40), completion: 'y'.repeat(20) }, 'prompt-completion'), { total: 15, trained: 5 });
});

test('too-long counts with the model tokenizer and says by how much; without one the estimate says why', async () => {
  const project = join(tmp, 'project');
  writeTokenizer(join(project, 'model'), TEMPLATE);
  writeFileSync(join(project, 'finetune.json'), JSON.stringify({ model: './model', training: { maxSeqLength: 20 } }));
  // 25 one-letter words: 50 characters (about 12 tokens by the estimate) but 29 tokens with the template (26 trained)
  const words = Array(25).fill('a').join(' ');
  const f = join(project, 'train.jsonl');
  writeFileSync(
    f,
    JSON.stringify({
      messages: [
        { role: 'user', content: 'hello' },
        { role: 'assistant', content: words },
      ],
    }) + '\n',
  );
  const cfg = readValidationConfig(join(project, 'finetune.json'));
  const { options } = resolveValidationOptions({ path: f, project: cfg });
  assert.ok(options.tokenizer && 'dir' in options.tokenizer, JSON.stringify(options.tokenizer));
  for (const workers of [1, 2]) {
    const report = await validateDataset(f, { ...options, minRecords: 0 }, { offThread: workers === 2 });
    const d = report.diagnostics.find((x) => x.code === 'too-long');
    assert.ok(d, `exact counts find it (${workers === 2 ? 'worker' : 'main thread'})`);
    assert.match(d.message, /29 tokens with the model's tokenizer and chat template, 9 over the limit of 20 \(26 trained\)/);
  }
  // no tokenizer for the model: the estimate (12 tokens) finds nothing here, and says why on a long record
  writeFileSync(join(project, 'finetune.json'), JSON.stringify({ model: 'org/not-here', training: { maxSeqLength: 20 } }));
  const plain = resolveValidationOptions({ path: f, project: readValidationConfig(join(project, 'finetune.json')), hfHome: join(tmp, 'empty-hf') }).options;
  assert.equal((await validateDataset(f, { ...plain, minRecords: 0 })).diagnostics.filter((x) => x.code === 'too-long').length, 0);
  writeFileSync(f, JSON.stringify({ text: 'x'.repeat(200) }) + '\n');
  const est = (await validateDataset(f, { ...plain, minRecords: 0 })).diagnostics.find((x) => x.code === 'too-long');
  assert.match(
    est?.message ?? '',
    /about 50 tokens \(estimated at 4 characters each; no tokenizer: org\/not-here is not in the Hugging Face cache.*\), 30 over the limit of 20/,
  );
});

test('a .json array dataset: too-long counts with the model tokenizer too; without one the estimate says why', async () => {
  const project = join(tmp, 'array-project');
  writeTokenizer(join(project, 'model'), TEMPLATE);
  writeFileSync(join(project, 'finetune.json'), JSON.stringify({ model: './model', training: { maxSeqLength: 20 } }));
  const words = Array(25).fill('a').join(' ');
  const f = join(project, 'train.json');
  const rec = {
    messages: [
      { role: 'user', content: 'hello' },
      { role: 'assistant', content: words },
    ],
  };
  writeFileSync(
    f,
    JSON.stringify(
      [
        {
          messages: [
            { role: 'user', content: 'hello' },
            { role: 'assistant', content: 'a' },
          ],
        },
        rec,
      ],
      null,
      2,
    ),
  );
  const { options } = resolveValidationOptions({ path: f, project: readValidationConfig(join(project, 'finetune.json')) });
  const d = (await validateDataset(f, { ...options, minRecords: 0 })).diagnostics.filter((x) => x.code === 'too-long');
  assert.equal(d.length, 1, JSON.stringify(d));
  assert.match(d[0]!.message, /29 tokens with the model's tokenizer and chat template, 9 over the limit of 20 \(26 trained\)/);
  assert.equal(d[0]!.line, 13, 'placed on the opening brace of the second record');
  writeFileSync(join(project, 'finetune.json'), JSON.stringify({ model: 'org/not-here', training: { maxSeqLength: 20 } }));
  writeFileSync(f, JSON.stringify([{ text: 'x'.repeat(200) }]));
  const plain = resolveValidationOptions({ path: f, project: readValidationConfig(join(project, 'finetune.json')), hfHome: join(tmp, 'empty-hf') }).options;
  const est = (await validateDataset(f, { ...plain, minRecords: 0 })).diagnostics.find((x) => x.code === 'too-long');
  assert.match(est?.message ?? '', /about 50 tokens \(estimated at 4 characters each; no tokenizer: org\/not-here is not in the Hugging Face cache/);
});

test('preflight: over-length records counted with the model tokenizer, and the data check says how tokens were counted', async () => {
  const project = join(tmp, 'preflight-project');
  writeTokenizer(join(project, 'model'), TEMPLATE);
  const words = Array(25).fill('a').join(' ');
  const rows = Array.from({ length: 3 }, (_, i) =>
    JSON.stringify({
      messages: [
        { role: 'user', content: `hello ${i}` },
        { role: 'assistant', content: i === 1 ? words : 'a b' },
      ],
    }),
  );
  writeFileSync(join(project, 'train.jsonl'), rows.join('\n') + '\n');
  const write = (model: string) =>
    writeFileSync(
      join(project, 'finetune.json'),
      JSON.stringify({ method: 'sft', model, data: { train: 'train.jsonl' }, training: { maxSeqLength: 20 }, modelSizeB: 0.01 }),
    );
  const run = async () => ({ code: 127, stdout: '', stderr: '' });
  write('./model');
  const ctx = (config: ReturnType<typeof loadConfig>) => ({ config, workspaceRoot: project, python: 'python3', outputDir: join(project, 'out'), run });
  const data = (await preflight(ctx(loadConfig(join(project, 'finetune.json'))))).find((c) => c.id === 'data')!;
  assert.equal(data.status, 'warn', data.message);
  assert.match(data.message, /1 over maxSeqLength 20 \(tokens counted with the model's tokenizer \(local folder .*model\)\)/);
  // by the estimate (about 13 tokens) nothing is over: the estimate says so, and why
  write('org/not-here');
  const prev = process.env.HF_HOME;
  process.env.HF_HOME = join(tmp, 'empty-hf');
  try {
    const est = (await preflight(ctx(loadConfig(join(project, 'finetune.json'))))).find((c) => c.id === 'data')!;
    assert.doesNotMatch(est.message, /over maxSeqLength/);
    assert.match(est.message, /tokens estimated at 4 characters each \(no tokenizer: org\/not-here is not in the Hugging Face cache/);
  } finally {
    if (prev === undefined) delete process.env.HF_HOME;
    else process.env.HF_HOME = prev;
  }
});

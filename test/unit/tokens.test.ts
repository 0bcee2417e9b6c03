// Exact token counts in the validator: finetune.json's model folder (or the Hugging Face cache) gives the
// tokenizer; too-long then counts with it and says by how much; without one, the estimate says why.
// (Parity with transformers and the trainer's masks: trainer/tests/test_node_token_counts.py.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { WORD_TEMPLATE as TEMPLATE, wordTokenizerFiles, writeWordTokenizer as writeTokenizer } from '../parity/wordTokenizer';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { estimateTokenCounter, loadTokenCounter, readChatTemplate, tokenCounterFromDir } from '../../src/core/tokens/tokenCounter';
import { findTokenizer, hubCaches } from '../../src/core/tokens/tokenizerFiles';
import { dpoTriplet, pyJson, sftConversation, textLength, trainedTextLength } from '../../src/core/tokens/trainerView';
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

test('a special token of tokenizer.json written right after a reply is trained with it, as the trainer masks it', async () => {
  const own = mkdtempSync(join(tmpdir(), 'ftstudio-tokens-special-'));
  try {
    // <|user|> is special only in tokenizer.json's added tokens (the config names <s>, </s>, <unk>)
    writeTokenizer(own, "{% for m in messages %}<|{{ m['role'] }}|> {{ m['content'] }}{% endfor %}");
    const c = await tokenCounterFromDir(own);
    // <|assistant|> a b<|user|> hello: the reply a b and the <|user|> that starts where it ends
    const rec = {
      messages: [
        { role: 'assistant', content: 'a b' },
        { role: 'user', content: 'hello' },
      ],
    };
    assert.deepEqual(c.count(rec, 'language-modeling'), { total: 5, trained: 3 });
  } finally {
    rmSync(own, { recursive: true, force: true });
  }
});

test('the end-of-sequence token: named as a string or as an added-token object it is appended; without one nothing is', async () => {
  const own = mkdtempSync(join(tmpdir(), 'ftstudio-tokens-eos-'));
  try {
    const files = wordTokenizerFiles(TEMPLATE);
    const config = JSON.parse(files['tokenizer_config.json']!) as Record<string, unknown>;
    writeFileSync(join(own, 'tokenizer.json'), files['tokenizer.json']!);
    writeFileSync(join(own, 'tokenizer_config.json'), JSON.stringify({ ...config, eos_token: { content: '</s>', special: true } }));
    const c = await tokenCounterFromDir(own);
    assert.equal(c.description, `exact: the model's tokenizer from ${own}, with its chat template (tokenizer_config.json)`);
    // hello | a </s>
    assert.deepEqual(c.count({ prompt: 'hello', completion: 'a' }, 'prompt-completion'), { total: 3, trained: 2 });
    writeFileSync(join(own, 'tokenizer_config.json'), JSON.stringify({ bos_token: '<s>' }));
    const none = await tokenCounterFromDir(own, 'my folder');
    assert.equal(none.description, "exact: the model's tokenizer from my folder, with the trainer's plain chat template (the tokenizer has none)");
    assert.deepEqual(none.count({ prompt: 'hello', completion: 'a' }, 'prompt-completion'), { total: 2, trained: 1 });
    // preference text records: prompt then each answer; the longer sequence is the total
    assert.deepEqual(none.count({ prompt: 'hello', chosen: 'a', rejected: 'a b' }, 'preference'), {
      total: 3,
      trained: 2,
      pair: { chosen: { total: 2, trained: 1 }, rejected: { total: 3, trained: 2 } },
    });
    assert.deepEqual(none.count({ prompt: 'hello world', chosen: 'a b a', rejected: 'b' }, 'preference'), {
      total: 5,
      trained: 3,
      pair: { chosen: { total: 5, trained: 3 }, rejected: { total: 3, trained: 1 } },
    });
    // an unreadable config is named with its folder
    writeFileSync(join(own, 'tokenizer_config.json'), '{oops');
    await assert.rejects(tokenCounterFromDir(own), (e: Error) => e.message.startsWith(`${own}: cannot read the tokenizer (`));
  } finally {
    rmSync(own, { recursive: true, force: true });
  }
});

test('readChatTemplate: chat_template.jinja, then chat_template.json, then tokenizer_config.json; of a list, the one named default', () => {
  const own = mkdtempSync(join(tmpdir(), 'ftstudio-tokens-template-'));
  try {
    const named = [
      { name: 'tool_use', template: 'T' },
      { name: 'default', template: 'D' },
    ];
    assert.deepEqual(readChatTemplate(own, { chat_template: named }), { source: 'D', from: 'tokenizer_config.json' });
    assert.equal(readChatTemplate(own, { chat_template: [{ name: 'tool_use', template: 'T' }] }), undefined);
    assert.equal(readChatTemplate(own, { chat_template: 5 }), undefined);
    assert.equal(readChatTemplate(own, {}), undefined);
    assert.deepEqual(readChatTemplate(own, { chat_template: 'C' }), { source: 'C', from: 'tokenizer_config.json' });
    writeFileSync(join(own, 'chat_template.json'), JSON.stringify({ chat_template: named }));
    assert.deepEqual(readChatTemplate(own, { chat_template: 'C' }), { source: 'D', from: 'chat_template.json' });
    writeFileSync(join(own, 'chat_template.json'), JSON.stringify({ chat_template: 'J' }));
    assert.deepEqual(readChatTemplate(own, { chat_template: 'C' }), { source: 'J', from: 'chat_template.json' });
    writeFileSync(join(own, 'chat_template.jinja'), 'JJ');
    assert.deepEqual(readChatTemplate(own, { chat_template: 'C' }), { source: 'JJ', from: 'chat_template.jinja' });
  } finally {
    rmSync(own, { recursive: true, force: true });
  }
});

test('a byte-level vocabulary: a ByteLevel post-processor trims spaces from token offsets unless trim_offsets is false', async () => {
  // <|user|> hello <|assistant|> a Ġ Ġb </s>: the reply "a  b" holds a token that is only a space; trimmed, it
  // covers no character, so it is not trained (as the Rust tokenizers and the trainer count it)
  const own = mkdtempSync(join(tmpdir(), 'ftstudio-tokens-bytelevel-'));
  try {
    const specials = ['<unk>', '</s>', '<|user|>', '<|assistant|>'];
    const vocab = Object.fromEntries([...specials, 'hello', 'a', 'Ġ', 'Ġb'].map((w, i) => [w, i]));
    const bl = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
    const rec = {
      messages: [
        { role: 'user', content: 'hello' },
        { role: 'assistant', content: 'a  b' },
      ],
    };
    const cases: [string, unknown, number][] = [
      ['trim', bl, 3],
      ['trim by default', { type: 'ByteLevel' }, 3],
      ['no trim', { ...bl, trim_offsets: false }, 4],
      ['in a sequence', { type: 'Sequence', processors: [{ type: 'TemplateProcessing', single: [{ Sequence: { id: 'A', type_id: 0 } }] }, bl] }, 3],
      ['other processor', { type: 'TemplateProcessing', single: [{ Sequence: { id: 'A', type_id: 0 } }] }, 4],
      ['none', null, 4],
    ];
    for (const [name, post, trained] of cases) {
      const dir = join(own, name.replace(/ /g, '-'));
      mkdirSync(dir);
      writeFileSync(
        join(dir, 'tokenizer.json'),
        JSON.stringify({
          version: '1.0',
          added_tokens: specials.map((content, id) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
          normalizer: null,
          pre_tokenizer: bl,
          post_processor: post,
          decoder: { type: 'ByteLevel' },
          model: { type: 'WordLevel', vocab, unk_token: '<unk>' },
        }),
      );
      writeFileSync(
        join(dir, 'tokenizer_config.json'),
        JSON.stringify({
          eos_token: '</s>',
          unk_token: '<unk>',
          chat_template: "{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}{% if m['role'] == 'assistant' %}</s>{% endif %}{% endfor %}",
        }),
      );
      assert.deepEqual((await tokenCounterFromDir(dir)).count(rec, 'language-modeling'), { total: 7, trained }, name);
    }
  } finally {
    rmSync(own, { recursive: true, force: true });
  }
});

test('hubCaches: the given Hugging Face home, HF_HUB_CACHE, HF_HOME, then the XDG or home cache, each once', () => {
  assert.deepEqual(hubCaches({ hfHome: '/h', env: { HF_HUB_CACHE: '/c', HF_HOME: '/e', XDG_CACHE_HOME: '/x' } }), [
    join('/h', 'hub'),
    '/c',
    join('/e', 'hub'),
    join('/x', 'huggingface', 'hub'),
  ]);
  assert.deepEqual(hubCaches({ env: {} }), [join(homedir(), '.cache', 'huggingface', 'hub')]);
  assert.deepEqual(hubCaches({ hfHome: '/h', env: { HF_HOME: '/h', XDG_CACHE_HOME: '' } }), [
    join('/h', 'hub'),
    join(homedir(), '.cache', 'huggingface', 'hub'),
  ]);
});

test('findTokenizer: why a model has no tokenizer here, in a sentence; a folder name without ./ in the workspace is local', () => {
  const ws = mkdtempSync(join(tmpdir(), 'ftstudio-tokens-find-'));
  try {
    const env = { XDG_CACHE_HOME: join(ws, 'xdg') };
    assert.deepEqual(findTokenizer({ env }), { missing: 'no model is set (finetune.json "model")' });
    assert.deepEqual(findTokenizer({ model: '   ', env }), { missing: 'no model is set (finetune.json "model")' });
    mkdirSync(join(ws, 'empty'));
    assert.deepEqual(findTokenizer({ model: './empty', workspaceRoot: ws, env }), { missing: `${join(ws, 'empty')} has no tokenizer.json` });
    assert.deepEqual(findTokenizer({ model: join(ws, 'empty'), env }), { missing: `${join(ws, 'empty')} has no tokenizer.json` });
    assert.deepEqual(findTokenizer({ model: join(ws, 'gone'), env }), { missing: `the model folder ${join(ws, 'gone')} does not exist` });
    assert.deepEqual(findTokenizer({ model: './gone', workspaceRoot: ws, env }), { missing: `the model folder ${join(ws, 'gone')} does not exist` });
    assert.deepEqual(findTokenizer({ model: './gone', env }), { missing: 'the model folder ./gone does not exist' });
    writeTokenizer(join(ws, 'mine'));
    assert.deepEqual(findTokenizer({ model: ' mine ', workspaceRoot: ws, env }), {
      location: { dir: join(ws, 'mine'), how: `local folder ${join(ws, 'mine')}` },
    });
    assert.deepEqual(findTokenizer({ model: join(ws, 'mine'), env }), { location: { dir: join(ws, 'mine'), how: `local folder ${join(ws, 'mine')}` } });
    // a hub name that is not a folder of the workspace: the caches, named in the message
    assert.deepEqual(findTokenizer({ model: 'org/none', workspaceRoot: ws, hfHome: join(ws, 'hf'), env }), {
      missing: `org/none is not in the Hugging Face cache (${join(ws, 'hf', 'hub')}, ${join(ws, 'xdg', 'huggingface', 'hub')}); nothing is downloaded`,
    });
    // found in the second cache
    writeTokenizer(join(ws, 'xdg', 'huggingface', 'hub', 'models--org--tiny', 'snapshots', 's1'));
    assert.deepEqual(findTokenizer({ model: 'org/tiny', hfHome: join(ws, 'hf'), env }), {
      location: {
        dir: join(ws, 'xdg', 'huggingface', 'hub', 'models--org--tiny', 'snapshots', 's1'),
        how: `Hugging Face cache ${join(ws, 'xdg', 'huggingface', 'hub', 'models--org--tiny', 'snapshots', 's1')}`,
      },
    });
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
});

test('the trainer view of a record: implicit preference prompts, ShareGPT preference, conversational completions, trained lengths', () => {
  const chosen = [
    { role: 'user', content: 'Q' },
    { role: 'assistant', content: 'Yes' },
  ];
  const rejected = [
    { role: 'user', content: 'Q' },
    { role: 'assistant', content: 'No way' },
  ];
  // no prompt: the turns both answers share, all but the last, are the prompt
  assert.deepEqual(dpoTriplet({ chosen, rejected }), [[chosen[0]], [chosen[1]], [rejected[1]]]);
  assert.deepEqual(dpoTriplet({ chosen: [chosen[1]], rejected: [rejected[1]] }), [[], [chosen[1]], [rejected[1]]]);
  assert.deepEqual(dpoTriplet({ chosen, rejected: chosen }), [[chosen[0]], [chosen[1]], [chosen[1]]], 'the last turn is never prompt');
  assert.deepEqual(dpoTriplet({ chosen: 'a', rejected: 'b' }), ['', 'a', 'b']);
  assert.deepEqual(dpoTriplet({ prompt: 'p', chosen: [1], rejected: [1] }), ['p', [1], [1]]);
  assert.deepEqual(
    dpoTriplet({ system: 'S', conversations: [{ from: 'human', value: 'Q' }], chosen: { from: 'gpt', value: 'A' }, rejected: { from: 'human', value: 'B' } }),
    [
      [
        { role: 'system', content: 'S' },
        { role: 'user', content: 'Q' },
      ],
      [{ role: 'assistant', content: 'A' }],
      [{ role: 'assistant', content: 'B' }],
    ],
  );
  assert.deepEqual(sftConversation({ prompt: [{ role: 'user', content: 'q' }], completion: [{ role: 'assistant', content: 'a' }] }), [
    { role: 'user', content: 'q' },
    { role: 'assistant', content: 'a' },
  ]);
  assert.equal(sftConversation({ prompt: [{ role: 'user', content: 'q' }], completion: 'a' }), undefined, 'a text completion is no chat');
  // an unknown speaker is the user; a turn without a value is empty
  assert.deepEqual(sftConversation({ conversations: [{ from: 'weird', value: 'x' }, {}] }), [
    { role: 'user', content: 'x' },
    { role: 'user', content: '' },
  ]);
  assert.equal(pyJson(['~\u007f\u00e9😀', 1.5, false, { k: null }]), '["~\\u007f\\u00e9\\ud83d\\ude00", 1.5, false, {"k": null}]');
  assert.equal(textLength({ a: ['xy', { b: 'z' }], c: 5, d: null, e: true }), 3);
  assert.equal(
    trainedTextLength(
      {
        messages: [
          { role: 'user', content: 'aaaa' },
          { role: 'assistant', content: 'bb' },
          { role: 'assistant', content: [{ type: 'text', text: 'ccc' }] },
        ],
      },
      'language-modeling',
    ),
    9,
    'assistant turns only, their text parts counted with their keys',
  );
  assert.equal(trainedTextLength({ prompt: 'p', chosen: 'aaaa', rejected: 'bb' }, 'preference'), 4);
  assert.equal(trainedTextLength({ prompt: 'p', chosen: 'aa', rejected: 'bbbbb' }, 'sharegpt-preference'), 5);
  assert.equal(trainedTextLength({ instruction: 'iiii', input: 'x', output: 'ooo' }, 'alpaca'), 3);
  assert.equal(trainedTextLength({ prompt: 'p', completions: ['ab', 'c'] }, 'stepwise'), 4);
  assert.equal(trainedTextLength({ prompt: 'only' }, 'prompt-only'), 0);
  // the estimate divides these lengths by 4
  assert.deepEqual(estimateTokenCounter('why').count({ prompt: 'p'.repeat(8), chosen: 'c'.repeat(10), rejected: 'r'.repeat(2) }, 'preference'), {
    total: 5,
    trained: 3,
  });
  assert.equal(estimateTokenCounter('why').description, 'estimated at 4 characters a token: why');
  assert.equal(estimateTokenCounter().description, 'estimated at 4 characters a token');
  assert.deepEqual(estimateTokenCounter().count('not a record', 'language-modeling'), { total: 0, trained: 0 });
});

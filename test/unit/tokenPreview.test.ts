// `ftstudio tokens`: usage and environment errors (fast), then the real bundled trainer in its test
// environment on a tiny tokenizer built here: the JSON document's shape, the text rendering, a bad record.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main';
import { renderRecord } from '../../src/cli/tokensCommand';
import { loadConfig } from '../../src/core/training/config';
import { previewTokens, TokenPreviewError } from '../../src/core/training/tokenPreview';
import { alive } from '../fixtures/processes';
import { buildTinyTokenizer, trainerTestPython } from '../fixtures/trainerVenv';

const dir = mkdtempSync(join(tmpdir(), 'ftstudio-tokens-cli-'));

const chat = (q: string, a: string) => ({
  messages: [
    { role: 'system', content: 'You are a concise tutor.' },
    { role: 'user', content: q },
    { role: 'assistant', content: a },
  ],
});

/** A project folder: finetune.json (extra keys merged) and train.jsonl with these lines. */
function project(name: string, lines: string[], extra: Record<string, unknown> = {}): string {
  const p = join(dir, name);
  mkdirSync(p, { recursive: true });
  writeFileSync(join(p, 'train.jsonl'), lines.join('\n') + '\n');
  writeFileSync(join(p, 'finetune.json'), JSON.stringify({ method: 'sft', model: './model', data: { train: 'train.jsonl' }, ...extra }));
  return join(p, 'finetune.json');
}

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['tokens', ...argv], { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const good = [JSON.stringify(chat('Explain gradient descent.', 'Step downhill.')), JSON.stringify(chat('And the learning rate?', 'The step size.'))];

test('usage errors exit 2: --records out of range, a file argument, a missing or invalid finetune.json', async () => {
  const cfg = project('usage', good);
  for (const n of ['0', '51', '2.5', 'x']) {
    const r = await run('--config', cfg, '--records', n);
    assert.equal(r.code, 2);
    assert.match(r.err, new RegExp(`--records must be a whole number from 1 to 50, got ${n.replace('.', '\\.')}`));
  }
  assert.match((await run('train.jsonl')).err, /tokens takes no file argument \(got train\.jsonl\): name finetune\.json with --config/);
  const missing = await run('--config', join(dir, 'nowhere', 'finetune.json'));
  assert.equal(missing.code, 2);
  assert.match(missing.err, /nowhere\/finetune\.json not found: create one with "Finetune Studio: Create finetune\.json"/);
  const bad = project('bad-config', good, { method: 'ppo' });
  const r = await run('--config', bad);
  assert.equal(r.code, 2);
  assert.match(r.err, /bad-config\/finetune\.json: \/method must be equal to one of the allowed values/);
  assert.match((await run('--help')).out, /^usage: ftstudio tokens \[--config finetune\.json\] \[--records N\] \[--json\]/);
});

test('no interpreter: exit 2, which one and what to do; --json: one error document', async () => {
  const cfg = project('no-python', good, { python: join(dir, 'no-such-python') });
  const r = await run('--config', cfg, '--json');
  assert.equal(r.code, 2);
  assert.match(r.err, /no-such-python \("python" in finetune\.json\)/);
  assert.match(
    r.err,
    /ftstudio tokens: the Python interpreter .*no-such-python was not found\n {2}→ install Python 3\.10 or newer, or set up the training environment in one step \(`ftstudio setup`/,
  );
  const doc = JSON.parse(r.out);
  assert.deepEqual(Object.keys(doc), ['error']);
  assert.equal(doc.error.kind, 'interpreter');
  assert.doesNotMatch(r.err, /^note:/m, 'the bundled trainer: nothing to note');
  // the user's own trainer: the preview says it shows the bundled trainer's view
  const own = project('own-trainer', good, { python: join(dir, 'no-such-python'), trainer: { command: ['my-trainer'] } });
  const o = await run('--config', own);
  assert.equal(o.code, 2);
  assert.match(
    o.err,
    /^note: \S*own-trainer\/finetune\.json runs your own trainer \(trainer\.command\): this preview shows how the bundled trainer tokenizes the records/m,
  );
});

test('an interpreter without transformers: exit 2, the package named, and what to do with that interpreter', async (t) => {
  if (spawnSync('python3', ['-c', 'import transformers']).status !== 1) return t.skip('python3 on PATH has transformers (or is missing): nothing to show here');
  const cfg = project('no-packages', good, { python: 'python3' });
  const r = await run('--config', cfg);
  assert.equal(r.code, 2);
  assert.match(
    r.err,
    /ftstudio tokens: transformers is not installed in \S*python3\S*\n {2}→ install them into python3, or drop "python" from finetune\.json and run `ftstudio setup`/,
  );
  assert.equal(r.out, '');
});

test('renderRecord: trained spans in [[ ]], the cut, a skipped record, control characters made visible', () => {
  const text = renderRecord(
    {
      line: 7,
      part: 'chosen',
      tokens: [
        { id: 1, text: 'Q: hi\u001b[2J', trained: false },
        { id: 2, text: ' A', trained: true },
        { id: 3, text: '!', trained: true },
        { id: 4, text: '\n', trained: false },
        { id: 5, text: 'more', trained: false, dropped: true },
      ],
      trained: 2,
      total: 4,
      truncated: true,
      length: 9,
      droppedTrained: 3,
      skipped: false,
    },
    'train.jsonl',
    4,
    false,
  );
  assert.equal(
    text,
    'train.jsonl:7 (chosen): 2 of 4 tokens trained\nQ: hi\u241b[2J[[ A!]]\n\n✂ cut at maxSeqLength 4: 5 more tokens dropped, 3 of them would be trained',
  );
});

const FAKE = join(__dirname, '../fixtures/fake-tokens-python.mjs');

async function withFake<T>(mode: string, f: () => Promise<T>): Promise<T> {
  process.env.FAKE_TOKENS = mode;
  try {
    return await f();
  } finally {
    delete process.env.FAKE_TOKENS;
  }
}

test("the trainer's error document: exit 2, its message and what to do (a model that does not load)", async () => {
  const cfg = project('fake-model', good, { python: FAKE });
  const r = await withFake('model', () => run('--config', cfg, '--json'));
  assert.equal(r.code, 2);
  assert.match(
    r.err,
    /ftstudio tokens: cannot load the tokenizer of \/models\/x: Incorrect path_or_model_id\n {2}→ check "model" in \S*fake-model\/finetune\.json: a folder with the tokenizer's files/,
  );
  assert.equal(JSON.parse(r.out).error.kind, 'model');
});

test('a trainer that dies without a document: exit 2 with its last error line', async () => {
  const cfg = project('fake-crash', good, { python: FAKE });
  const r = await withFake('crash', () => run('--config', cfg));
  assert.equal(r.code, 2);
  assert.match(r.err, /ftstudio tokens: the trainer's tokenizer failed \(\S*fake-tokens-python\.mjs\): RuntimeError: the tokenizer crashed/);
});

test('a trainer that never answers: a time-out error, and its process is gone (SIGINT ignored: SIGTERM ends it)', async () => {
  const cfg = loadConfig(project('fake-hang', good, { python: FAKE }));
  const pidFile = join(dir, 'fake-hang', 'pid');
  process.env.FAKE_TOKENS_PID = pidFile;
  try {
    const e = await withFake('hang', () =>
      previewTokens({ config: cfg, python: FAKE, trainerDir: dir, timeoutMs: 1500 }).then(
        () => undefined,
        (x) => x,
      ),
    );
    assert.ok(e instanceof TokenPreviewError, String(e));
    assert.equal(e.kind, 'timeout');
    assert.match(e.message, /the trainer's tokenizer did not finish within 2 s \(loading the tokenizer of \S*model\)/);
    assert.equal(alive(Number(readFileSync(pidFile, 'utf8'))), false);
  } finally {
    delete process.env.FAKE_TOKENS_PID;
  }
  const ac = new AbortController();
  const pending = withFake('hang', () =>
    previewTokens({ config: cfg, python: FAKE, trainerDir: dir, signal: ac.signal }).then(
      () => undefined,
      (x) => x,
    ),
  );
  setTimeout(() => ac.abort(), 300);
  assert.equal(((await pending) as TokenPreviewError).kind, 'cancelled');
});

let python = '';
before(() => {
  python = trainerTestPython();
});

function tinyProject(name: string, lines: string[], extra: Record<string, unknown> = {}): string {
  const cfg = project(name, lines, { python, ...extra });
  buildTinyTokenizer(python, join(dir, name, 'model'));
  return cfg;
}

test('--json: one document; each record its 1-based line, its tokens {id, text, trained}, the counts', async () => {
  const cfg = tinyProject('json', [good[0]!, '', good[1]!, '{"messages": "this line is not read"']);
  const r = await run('--config', cfg, '--records', '2', '--json');
  assert.equal(r.code, 0, r.err);
  const doc = JSON.parse(r.out);
  assert.equal(r.out.split('\n').length, 1, 'exactly one line: one document');
  assert.deepEqual(Object.keys(doc), ['file', 'model', 'method', 'maxSeqLength', 'template', 'records']);
  assert.equal(doc.maxSeqLength, 2048);
  assert.deepEqual(
    doc.records.map((x: { line: number }) => x.line),
    [1, 3],
  );
  for (const [i, rec] of doc.records.entries()) {
    assert.deepEqual(Object.keys(rec.tokens[0]).sort(), ['id', 'text', 'trained']);
    assert.equal(rec.total, rec.tokens.length);
    assert.equal(rec.trained, rec.tokens.filter((t: { trained: boolean }) => t.trained).length);
    assert.equal(rec.truncated, false);
    const trained = rec.tokens
      .filter((t: { trained: boolean }) => t.trained)
      .map((t: { text: string }) => t.text)
      .join('');
    assert.equal(trained, ['Step downhill.', 'The step size.'][i] + '<|im_end|>');
    assert.match(
      rec.tokens.map((t: { text: string }) => t.text).join(''),
      /^<\|im_start\|>system\nYou are a concise tutor\.<\|im_end\|>\n<\|im_start\|>user\n/,
    );
  }
});

test('text: trained spans marked, truncation marked, a bad record named by file and line (exit 1)', async () => {
  const cfg = tinyProject('text', [good[0]!, JSON.stringify(chat('Why is the sky blue? '.repeat(8), 'Rayleigh scattering.')), '{"hello": "world"}', good[1]!], {
    training: { maxSeqLength: 80 },
  });
  const r = await run('--config', cfg);
  assert.equal(r.code, 1);
  assert.match(r.out, /^\S*text\/train\.jsonl:1: \d+ of \d+ tokens trained$/m);
  assert.match(r.out, /<\|im_start\|>assistant\n\[\[Step downhill\.<\|im_end\|>\]\]\n/);
  assert.match(
    r.out,
    /train\.jsonl:2: 0 of 80 tokens trained\n<\|im_start\|>system\n[\s\S]*?Why is the\n✂ cut at maxSeqLength 80: \d+ more tokens dropped, \d+ of them would be trained\nthe trainer skips this record: nothing left to train/,
  );
  assert.match(r.out, /^2 records \(sft, the tokenizer's chat template, maxSeqLength 80\): \d+ of \d+ tokens trained \(\d+\.\d%\); 1 truncated$/m);
  assert.match(
    r.err,
    /ftstudio tokens: \S*text\/train\.jsonl:3: the trainer cannot tokenize this record: not an SFT record \(keys: hello\)[^\n]*\n {2}→ fix the record \(`ftstudio validate /,
  );
});

// The validation entry points (core/validation): options resolved from their sources and cached, the
// tokenizer loaded or the reason it is not, a file validated on this thread or a worker with the same report,
// the near-duplicate pass switched on and off, and a .json array document with and without a file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveOptions, resolveOptionsWithTokens, resolveValidationOptions, type PlainOptions } from '../../src/core/validation/options';
import { validateFile } from '../../src/core/validation/validateFile';
import { validateDataset, validateJsonArrayDocument } from '../../src/core/validation/validateDataset';
import { OPTS } from './helpers';

const fresh = () => mkdtempSync(join(tmpdir(), 'ftstudio-validation-run-'));

test('resolveValidationOptions: dataset_info.json below flags and above finetune.json; its key map, turn tags, threshold, goal and model', () => {
  const dir = fresh();
  try {
    const r = resolveValidationOptions({
      path: join(dir, 'train.jsonl'),
      registry: { format: 'alpaca', keyMap: { q: 'instruction' }, turnTags: { role: 'from', content: 'value', roles: { user: 'human' } } },
      project: { format: 'sharegpt', goal: 'style', nearDuplicateThreshold: 0, model: './nomodel', path: join(dir, 'finetune.json') },
      settings: { format: 'preference', nearDuplicateThreshold: 0.5, maxTokens: 30 },
    });
    assert.deepEqual(r, {
      options: {
        format: 'alpaca',
        schema: undefined,
        maxTokens: 30,
        minRecords: 200,
        keyMap: { q: 'instruction' },
        nearDuplicateThreshold: 0,
        goal: 'style',
        tokenizer: { missing: `no tokenizer: the model folder ${join(dir, 'nomodel')} does not exist` },
        turnTags: { role: 'from', content: 'value', roles: { user: 'human' } },
      },
      formatSource: 'registry',
    });
    // an empty key map is none; a held-out set has no goal; the settings' threshold when finetune.json has none
    assert.deepEqual(
      resolveValidationOptions({
        path: join(dir, 'x.heldout.jsonl'),
        registry: { keyMap: {} },
        project: { goal: 'style' },
        settings: { nearDuplicateThreshold: 0.5 },
      }),
      { options: { format: undefined, schema: undefined, maxTokens: 4096, minRecords: 0, nearDuplicateThreshold: 0.5 }, formatSource: undefined },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('resolveOptions: resolved once per options object; a missing tokenizer becomes the estimate reason', async () => {
  const plain: PlainOptions = { maxTokens: 100, minRecords: 0, tokenizer: { missing: 'why not' } };
  const a = resolveOptions(plain);
  assert.deepEqual(a, {
    format: undefined,
    maxTokens: 100,
    minRecords: 0,
    keyMap: undefined,
    tokenEstimateWhy: 'why not',
    goal: undefined,
    nearDuplicateThreshold: undefined,
    turnTags: undefined,
    userSchema: undefined,
  });
  assert.equal(resolveOptions(plain), a, 'the same object again');
  assert.notEqual(resolveOptions({ ...plain }), a, 'another object is resolved anew');
  // no tokenizer folder: the same options, nothing loaded
  assert.equal(await resolveOptionsWithTokens(plain), a);
  const none: PlainOptions = { maxTokens: 1, minRecords: 0 };
  assert.equal(await resolveOptionsWithTokens(none), resolveOptions(none));
});

test('resolveOptionsWithTokens: a tokenizer folder that cannot be used leaves the estimate, saying why; loaded once per options object', async () => {
  const dir = fresh();
  try {
    const bad: PlainOptions = { maxTokens: 100, minRecords: 0, tokenizer: { dir: join(dir, 'nothing'), how: 'h' } };
    const p = resolveOptionsWithTokens(bad);
    assert.equal(resolveOptionsWithTokens(bad), p, 'the same promise');
    const r = await p;
    assert.equal(r.tokenCounter, undefined);
    assert.match(
      r.tokenEstimateWhy ?? '',
      new RegExp(`^the tokenizer in ${join(dir, 'nothing').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} cannot be used \\(.+\\)$`),
    );
    assert.equal(r.maxTokens, 100);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('validateFile: on this thread or on a worker thread, the same report', async () => {
  const dir = fresh();
  try {
    const f = join(dir, 'train.jsonl');
    const rec = (i: number) =>
      JSON.stringify({
        messages: [
          { role: 'user', content: `question number ${i}` },
          { role: 'assistant', content: `answer ${i}` },
        ],
      });
    writeFileSync(f, [rec(1), rec(2), rec(1), '{bad', '', rec(3)].join('\n') + '\n');
    const plain = { maxTokens: 100, minRecords: 0 };
    const here = await validateFile(f, plain);
    assert.deepEqual(
      here.diagnostics.map((d) => [d.line, d.code]),
      [
        [2, 'duplicate'],
        [3, 'invalid-json'],
      ],
    );
    assert.equal(here.records, 5);
    assert.deepEqual(await validateFile(f, plain, { offThread: true }), here);
    // a large file on one thread (workers: 1) is read here, not split
    assert.deepEqual(await validateFile(f, plain, { workers: 1, parallelThreshold: 0 }), here);
    assert.deepEqual(await validateFile(f, plain, { workers: 0, parallelThreshold: 0, chunkBytes: 64 }), here);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('validateDataset: the near-duplicate pass on, off, or left to the record count; never for a .json array', async () => {
  const dir = fresh();
  try {
    const f = join(dir, 'train.jsonl');
    const sentence = 'the quick brown fox jumps over the lazy dog near the river bank today';
    writeFileSync(
      f,
      [JSON.stringify({ text: sentence }), JSON.stringify({ text: sentence.replace('today', 'again') }), JSON.stringify({ text: 'other' })].join('\n') + '\n',
    );
    const plain = { maxTokens: 100, minRecords: 0 };
    const near = async (o: Parameters<typeof validateDataset>[2], p: PlainOptions = plain) =>
      (await validateDataset(f, p, o)).diagnostics.filter((d) => d.code === 'near-duplicate').map((d) => d.line);
    assert.deepEqual(await near({}), [1]);
    assert.deepEqual(await near({ nearDuplicates: 'auto' }), [1]);
    assert.deepEqual(await near({ nearDuplicates: true }), [1]);
    assert.deepEqual(await near({ nearDuplicates: false }), []);
    assert.deepEqual(await near({}, { ...plain, nearDuplicateThreshold: 0 }), []);
    const a = join(dir, 'train.json');
    writeFileSync(a, JSON.stringify([{ text: sentence }, { text: sentence.replace('today', 'again') }]));
    const arr = await validateDataset(a, plain, { nearDuplicates: true });
    assert.deepEqual(arr.diagnostics, []);
    assert.equal(arr.records, 2);
    // cancelled: rejects
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(validateDataset(f, plain, { signal: ac.signal }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('validateJsonArrayDocument: the records checked; leakage only for a document that is a file', () => {
  const dir = fresh();
  try {
    const rec = (q: string) => ({ instruction: q, input: '', output: 'answer' });
    writeFileSync(join(dir, 'qa.train.jsonl'), JSON.stringify(rec('What is two plus two?')) + '\n');
    const text = JSON.stringify([rec('Name a colour.'), rec('What is two plus two?')], null, 2);
    const unsaved = validateJsonArrayDocument(undefined, text, OPTS);
    assert.deepEqual(unsaved.diagnostics, []);
    assert.equal(unsaved.records, 2);
    const saved = validateJsonArrayDocument(join(dir, 'qa.heldout.json'), text, OPTS);
    assert.deepEqual(
      saved.diagnostics.map((d) => [d.line, d.code]),
      [[6, 'heldout-leak']],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('runWorker: an editor document analysed on a worker gives the report of this thread; a worker failure and a cancel reject', async () => {
  const { runWorker } = await import('../../src/core/validation/validateFile');
  const { DatasetModel, validateText } = await import('../../src/core/checks/datasetModel');
  const plain: PlainOptions = { maxTokens: 100, minRecords: 0 };
  const lines = [
    JSON.stringify({ prompt: 'p', completion: 'c' }),
    '{"prompt": "p", "completion": 1}',
    '',
    JSON.stringify({ prompt: 'p', completion: 'c' }),
    '{oops',
  ];
  const model = new DatasetModel(resolveOptions(plain));
  model.pushPacked(await runWorker({ lines, options: plain }));
  const report = model.report();
  assert.deepEqual(report, validateText(lines.join('\n'), resolveOptions(plain)));
  assert.deepEqual(
    report.diagnostics.map((d) => [d.line, d.code]),
    [
      [1, 'wrong-type'],
      [3, 'duplicate'],
      [4, 'invalid-json'],
    ],
  );
  const dir = fresh();
  try {
    await assert.rejects(runWorker({ path: join(dir, 'missing.jsonl'), start: 0, end: 10, options: plain }), /no such file|ENOENT/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const ac = new AbortController();
  const running = runWorker({ lines, options: plain }, ac.signal);
  ac.abort();
  await assert.rejects(running, /cancelled/);
  // a signal aborted before the call: no worker runs, the call rejects (it resolved with a full report)
  await assert.rejects(runWorker({ lines, options: plain }, ac.signal), /cancelled/);
});

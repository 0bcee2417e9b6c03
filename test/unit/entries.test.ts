// One core entry per concept: validateDataset, findLeaks, resolveValidationOptions, reviewGate, decide/undo,
// the ranking filters, the project layout and the table of trainer methods.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_OPTIONS } from '../../src/core/checks/datasetModel';
import { findLeaks } from '../../src/core/checks/leakage';
import { appendAnnotation, readAnnotations, type AnnotationEvent } from '../../src/core/preference/annotationStore';
import { filterItems, pickedChoice, undoLastLabel } from '../../src/core/preference/ranking';
import { finetunePaths, projectRoot } from '../../src/core/project/layout';
import { indexLines } from '../../src/core/records/recordIndex';
import { decide, undoLast } from '../../src/core/review/decide';
import { reviewGate } from '../../src/core/review/reviewGate';
import { readLog, reviewPaths, writeManifest } from '../../src/core/review/reviewStore';
import { loadConfig, FINETUNE_SCHEMA } from '../../src/core/training/config';
import { METHOD_IDS, methodForFormat } from '../../src/core/training/methods';
import { hyperparameters } from '../../src/core/training/runRecord';
import { resolveValidationOptions } from '../../src/core/validation/options';
import { validateDataset } from '../../src/core/validation/validateDataset';

const dir = mkdtempSync(join(tmpdir(), 'ftstudio-entries-'));
const rec = (i: number) => JSON.stringify({ prompt: `Question ${i}?`, completion: `Answer ${i}.` });

test('findLeaks tells an exact copy from a shared prompt by kind', () => {
  const train = indexLines([rec(1), rec(2)], { withPrompt: true });
  const held = indexLines([rec(3), rec(1), JSON.stringify({ prompt: 'Question 2?', completion: 'Other.' })], { withPrompt: true });
  assert.deepEqual(
    findLeaks(held, train).map((l) => [l.kind, l.heldout.line, l.trainLine]),
    [
      ['exact', 2, 1],
      ['prompt', 3, 2],
    ],
  );
});

test('validateDataset adds leakage to the file checks of a held-out file; other files get none', async () => {
  writeFileSync(join(dir, 'qa.train.jsonl'), [rec(1), rec(2), rec(3)].join('\n') + '\n');
  writeFileSync(join(dir, 'qa.heldout.jsonl'), [rec(9), rec(2)].join('\n') + '\n');
  const opts = { maxTokens: 4096, minRecords: 0 };
  const held = await validateDataset(join(dir, 'qa.heldout.jsonl'), opts);
  assert.deepEqual(
    held.diagnostics.map((d) => [d.line, d.code]),
    [[1, 'heldout-leak']],
  );
  assert.equal(held.errors, 1);
  const train = await validateDataset(join(dir, 'qa.train.jsonl'), opts);
  assert.deepEqual(train.diagnostics, []);
});

test('resolveValidationOptions: flags > finetune.json > settings > defaults; evaluation sets skip few-records', () => {
  const r = (i: Partial<Parameters<typeof resolveValidationOptions>[0]>) => resolveValidationOptions({ path: 'data/train.jsonl', ...i });
  assert.deepEqual(r({}).options, { format: undefined, schema: undefined, maxTokens: DEFAULT_OPTIONS.maxTokens, minRecords: DEFAULT_OPTIONS.minRecords });
  assert.equal(r({}).formatSource, undefined);
  const all = r({
    explicit: { format: 'alpaca', maxTokens: 10 },
    project: { format: 'sharegpt', maxSeqLength: 20 },
    settings: { format: 'preference', maxTokens: 30, minRecords: 5 },
  });
  assert.deepEqual([all.options.format, all.formatSource, all.options.maxTokens, all.options.minRecords], ['alpaca', 'explicit', 10, 5]);
  const project = r({ project: { format: 'sharegpt', maxSeqLength: 20 }, settings: { format: 'preference', maxTokens: 30 } });
  assert.deepEqual([project.options.format, project.formatSource, project.options.maxTokens], ['sharegpt', 'project', 20]);
  const setting = r({ settings: { format: 'preference', maxTokens: 30 } });
  assert.deepEqual([setting.options.format, setting.formatSource, setting.options.maxTokens], ['preference', 'setting', 30]);
  assert.equal(r({ path: 'data/x.heldout.jsonl', settings: { minRecords: 5 } }).options.minRecords, 0);
  assert.equal(r({ path: 'data/x.heldout.jsonl', explicit: { minRecords: 7 } }).options.minRecords, 7);
});

test('reviewGate: the would-be sample before a review; decide and undo move through the sample', async () => {
  const root = join(dir, 'gate');
  mkdirSync(root);
  const dataset = join(root, 'd.jsonl');
  const refs = indexLines(Array.from({ length: 40 }, (_, i) => rec(i)));
  const before = await reviewGate(root, dataset, () => refs);
  assert.equal(before.manifest, undefined);
  assert.deepEqual([before.status.sampled, before.status.gate], [10, 'incomplete'], 'the would-be sample: 5% of 40, raised to the minimum of 10');
  assert.equal(await reviewGate(root, dataset, () => refs, { ifStarted: true }), undefined);
  const paths = reviewPaths(root, dataset);
  writeManifest(paths.manifest, {
    v: 1,
    dataset: 'd.jsonl',
    fraction: 0.05,
    seed: 0,
    createdAt: '',
    records: [refs[3]!, refs[7]!].map((r) => ({ line: r.line, id: r.id })),
  });
  let gate = await reviewGate(root, dataset, () => refs, { threshold: 0.9 });
  assert.equal(decide(paths.log, gate.items, 0, 0, 'ana', { decision: 'pass', reasons: ['wrong'], note: '  ' }), 1);
  gate = await reviewGate(root, dataset, () => refs);
  const first = readLog(paths.log).events[0]!;
  assert.deepEqual([first.reasons, first.note], [[], undefined], 'a pass keeps no reasons; a blank note is none');
  assert.equal(decide(paths.log, gate.items, 1, 0, 'ana', { decision: 'fail', reasons: ['wrong'], note: 'n' }), 1, 'all decided: stay');
  gate = await reviewGate(root, dataset, () => refs, { threshold: 0.9 });
  assert.deepEqual([gate.status.gate, gate.status.passed, gate.status.failed], ['failed', 1, 1]);
  assert.equal(undoLast(paths.log, gate.events, gate.items, 0, 'ana'), 1);
  gate = await reviewGate(root, dataset, () => refs);
  assert.deepEqual([gate.status.gate, gate.status.reviewed], ['incomplete', 1]);
  assert.equal(undoLast(paths.log, gate.events, gate.items, 0, 'bo'), undefined, 'nothing of bo to undo');
  const gone = gate.items.map((it) => ({ ...it, current: undefined }));
  assert.equal(decide(paths.log, gone, 0, 0, 'ana', { decision: 'pass', reasons: [], note: '' }), undefined);
});

test('ranking filters, the picked side behind a swap, and undo of the last label', () => {
  const log = join(dir, 'ann.jsonl');
  const ev = (id: string, annotator: string, choice: AnnotationEvent['choice']): AnnotationEvent => ({
    v: 1,
    kind: 'pair',
    id,
    line: 1,
    annotator,
    time: '',
    choice,
  });
  for (const e of [ev('a', 'ana', 'chosen'), ev('b', 'ana', 'flag'), ev('a', 'bo', 'rejected'), ev('c', 'bo', 'chosen')]) appendAnnotation(log, e);
  const items = ['a', 'b', 'c', 'd'].map((id) => ({ id }));
  const { events } = readAnnotations(log);
  assert.deepEqual(filterItems(items, events, 'ana', 'unlabelled'), [2, 3]);
  assert.deepEqual(filterItems(items, events, 'ana', 'flagged'), [1]);
  assert.deepEqual(filterItems(items, events, 'ana', 'disagreements'), [0]);
  assert.deepEqual(pickedChoice('left', true), { choice: 'rejected', shown: ['rejected', 'chosen'] });
  assert.deepEqual(pickedChoice('right', false), { choice: 'rejected', shown: ['chosen', 'rejected'] });
  assert.equal(pickedChoice('tie', true).choice, 'tie');
  assert.equal(undoLastLabel(log, events, 'ana')?.id, 'b');
  assert.deepEqual(filterItems(items, readAnnotations(log).events, 'ana', 'flagged'), []);
  assert.equal(undoLastLabel(log, readAnnotations(log).events, 'ana')?.id, 'a');
  assert.equal(undoLastLabel(log, readAnnotations(log).events, 'ana'), undefined);
});

test('the project layout: the root is where finetune.json is; .finetune/ paths come from one place', () => {
  const root = join(dir, 'proj');
  mkdirSync(join(root, 'data', 'deep'), { recursive: true });
  assert.equal(projectRoot(join(root, 'data', 'deep')), join(root, 'data', 'deep'));
  writeFileSync(join(root, 'finetune.json'), '{}');
  assert.equal(projectRoot(join(root, 'data', 'deep')), root);
  assert.deepEqual(finetunePaths(root), {
    reviews: join(root, '.finetune/reviews'),
    annotations: join(root, '.finetune/annotations'),
    splits: join(root, '.finetune/splits'),
    runs: join(root, '.finetune/runs'),
  });
});

test('the table of trainer methods drives the schema, the loader, the run record and the method of a dataset', () => {
  assert.deepEqual(FINETUNE_SCHEMA.properties.method.enum, METHOD_IDS);
  assert.ok('beta' in FINETUNE_SCHEMA.properties.training.properties);
  const write = (method: string) => {
    const p = join(dir, `${method}.finetune.json`);
    writeFileSync(p, JSON.stringify({ method, model: 'm', data: { train: 't.jsonl' } }));
    return loadConfig(p);
  };
  const dpo = write('dpo'),
    sft = write('sft');
  assert.deepEqual([dpo.training.learningRate, dpo.training.beta, sft.training.learningRate], [5e-6, 0.1, 2e-4]);
  assert.equal(hyperparameters(dpo).beta, 0.1);
  assert.ok(!('beta' in hyperparameters(sft)), 'an SFT run records no beta');
  assert.deepEqual(
    [methodForFormat('preference'), methodForFormat('openai-preference'), methodForFormat('prompt-completion'), methodForFormat(undefined)],
    ['dpo', 'dpo', 'sft', 'sft'],
  );
});

test('a shared prompt is found in every format that has one: ShareGPT preference by its conversation, Alpaca by instruction and input', () => {
  const conv = [{ from: 'human', value: 'What is 2 + 2?' }];
  const sg = (chosen: string) => JSON.stringify({ conversations: conv, chosen: { from: 'gpt', value: chosen }, rejected: { from: 'gpt', value: 'Five.' } });
  assert.deepEqual(
    findLeaks(indexLines([sg('It is 4.')], { withPrompt: true }), indexLines([sg('Four.')], { withPrompt: true })).map((l) => l.kind),
    ['prompt'],
  );
  const alpaca = (input: string, output: string) => JSON.stringify({ instruction: 'Translate.', input, output });
  assert.deepEqual(
    findLeaks(
      indexLines([alpaca('chat', 'Katze'), alpaca('dog', 'Hund')], { withPrompt: true }),
      indexLines([alpaca('chat', 'Die Katze')], { withPrompt: true }),
    ).map((l) => [l.kind, l.heldout.line]),
    [['prompt', 1]],
  );
});

test("heldoutPartner: finetune.json's data.heldout for its data.train, else a held-out name beside the file", async () => {
  const { heldoutPartner } = await import('../../src/core/checks/leakage');
  const p = mkdtempSync(join(tmpdir(), 'ftstudio-partner-'));
  mkdirSync(join(p, 'data'));
  writeFileSync(join(p, 'data', 'mine.jsonl'), rec(1) + '\n');
  writeFileSync(join(p, 'data', 'eval-set.jsonl'), rec(2) + '\n');
  assert.equal(heldoutPartner(join(p, 'data', 'mine.jsonl')), undefined, 'no config, no held-out name');
  writeFileSync(join(p, 'finetune.json'), JSON.stringify({ method: 'sft', model: 'm', data: { train: 'data/mine.jsonl', heldout: 'data/eval-set.jsonl' } }));
  assert.equal(heldoutPartner(join(p, 'data', 'mine.jsonl')), join(p, 'data', 'eval-set.jsonl'));
  assert.equal(heldoutPartner(join(p, 'data', 'eval-set.jsonl')), undefined, 'the held-out file has no held-out partner');
  // by name: x.heldout.jsonl beside x.train.jsonl, also when finetune.json cannot be read
  writeFileSync(join(p, 'data', 'mine.train.jsonl'), rec(3) + '\n');
  writeFileSync(join(p, 'data', 'mine.heldout.jsonl'), rec(4) + '\n');
  writeFileSync(join(p, 'finetune.json'), '{ not json');
  assert.equal(heldoutPartner(join(p, 'data', 'mine.train.jsonl')), join(p, 'data', 'mine.heldout.jsonl'));
  assert.equal(heldoutPartner(join(p, 'data', 'mine.jsonl')), undefined);
});

test("trainPartner: finetune.json's data.train, unless it is missing or is the held-out file itself", async () => {
  // pins that a configured partner must exist and differ from the held-out file (no self-leakage report)
  const { trainPartner } = await import('../../src/core/checks/leakage');
  const p = mkdtempSync(join(tmpdir(), 'ftstudio-train-partner-'));
  writeFileSync(join(p, 'set.jsonl'), rec(1) + '\n');
  writeFileSync(join(p, 'mine.jsonl'), rec(2) + '\n');
  const config = (train: string, heldout: string) =>
    writeFileSync(join(p, 'finetune.json'), JSON.stringify({ method: 'sft', model: 'm', data: { train, heldout } }));
  config('mine.jsonl', 'set.jsonl');
  assert.equal(trainPartner(join(p, 'set.jsonl')), join(p, 'mine.jsonl'));
  config('set.jsonl', 'set.jsonl');
  assert.equal(trainPartner(join(p, 'set.jsonl')), undefined, 'the file is not its own training partner');
  config('gone.jsonl', 'set.jsonl');
  assert.equal(trainPartner(join(p, 'set.jsonl')), undefined, 'a missing data.train is no partner');
});

test("readValidationConfig: embeddings.model resolved from finetune.json's folder; a bad model or threshold is a problem naming the file", async () => {
  const { readValidationConfig } = await import('../../src/core/project/projectConfig');
  const p = mkdtempSync(join(tmpdir(), 'ftstudio-embeddings-config-'));
  const cfg = join(p, 'finetune.json');
  const read = (embeddings: unknown) => {
    writeFileSync(cfg, JSON.stringify({ method: 'sft', model: 'm', data: { train: 'train.jsonl' }, embeddings }));
    return readValidationConfig(cfg);
  };
  assert.deepEqual(read({ model: './embedder', threshold: 0.9 }).embeddings, { model: join(p, 'embedder'), threshold: 0.9 });
  assert.deepEqual(read({ model: '/abs/embedder' }).embeddings, { model: '/abs/embedder' });
  for (const model of ['', 3, null]) {
    const c = read({ model });
    assert.deepEqual(c.embeddings, {}, JSON.stringify(model));
    assert.deepEqual(c.problems, [`${cfg}: embeddings.model must be the path of a folder with model.onnx and tokenizer.json`]);
  }
  for (const threshold of [0, 1.5, '0.9'])
    assert.deepEqual(read({ threshold }).problems, [`${cfg}: embeddings.threshold must be a cosine above 0 and at most 1`]);
});

test('leakageOfLines (the editor path): a held-out prompt found in the training partner; no partner, no diagnostics', async () => {
  const { leakageOfLines } = await import('../../src/core/checks/leakage');
  const p = mkdtempSync(join(tmpdir(), 'ftstudio-live-leak-'));
  writeFileSync(join(p, 'qa.train.jsonl'), [rec(1), rec(2)].join('\n') + '\n');
  const held = join(p, 'qa.heldout.jsonl');
  const lines = [rec(7), JSON.stringify({ prompt: 'Question 2?', completion: 'Another answer.' })];
  const d = leakageOfLines(held, () => lines);
  assert.deepEqual(
    d.map((x) => [x.code, x.line]),
    [['heldout-prompt-leak', 1]],
  );
  assert.match(d[0]!.message, /qa\.train\.jsonl/);
  assert.deepEqual(
    leakageOfLines(join(p, 'alone.jsonl'), () => lines),
    [],
  );
});

test('decide goes to the next undecided record after it, skipping decided ones, and wraps to the first undecided', () => {
  const p = mkdtempSync(join(tmpdir(), 'ftstudio-decide-next-'));
  const log = join(p, 'log.jsonl');
  const item = (i: number, decided: boolean) => ({
    sampledId: `r${i}`,
    current: { id: `r${i}`, line: i + 1 },
    changedSinceReview: false,
    decision: decided ? ({ decision: 'pass', reasons: [] } as never) : undefined,
  });
  const v = { decision: 'pass' as const, reasons: [], note: '' };
  // records 1 and 2 decided: from 0 the next undecided is 3
  assert.equal(decide(log, [item(0, false), item(1, true), item(2, true), item(3, false)] as never, 0, 0, 'ana', v), 3);
  // from 3, nothing after it: wrap to the first undecided, 0
  assert.equal(decide(log, [item(0, false), item(1, true), item(2, true), item(3, false)] as never, 3, 0, 'ana', v), 0);
});

test('readValidationConfig: data.nearDuplicateThreshold and data.production are read; an empty production path is a problem', async () => {
  const { readValidationConfig } = await import('../../src/core/project/projectConfig');
  const p = mkdtempSync(join(tmpdir(), 'ftstudio-data-config-'));
  const cfg = join(p, 'finetune.json');
  const read = (data: unknown) => {
    writeFileSync(cfg, JSON.stringify({ method: 'sft', model: 'm', data }));
    return readValidationConfig(cfg);
  };
  // pins: a threshold in (0, 1] is kept; a relative production path is resolved from finetune.json's folder
  const ok = read({ train: 'train.jsonl', nearDuplicateThreshold: 0.9, production: 'prod.jsonl' });
  assert.equal(ok.nearDuplicateThreshold, 0.9);
  assert.equal(ok.production, join(p, 'prod.jsonl'));
  assert.deepEqual(ok.problems, []);
  // pins: an empty production path is not the folder itself but a problem naming the file
  const empty = read({ train: 'train.jsonl', production: '' });
  assert.equal(empty.production, undefined);
  assert.deepEqual(empty.problems, [`${cfg}: data.production must be the path of a JSONL file of production inputs`]);
});

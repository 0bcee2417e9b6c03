// Small parts of the training path that the end-to-end runs reach only in one configuration: the launcher's
// argv for each launcher, which run and checkpoint `ftstudio eval` picks, the ETA's text, and the token
// preview's bound on records.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/core/training/config';
import { bundledCommand } from '../../src/core/training/train';
import { methodParamSchemas } from '../../src/core/training/methods';
import { findResumable } from '../../src/core/training/resume';
import { EvalTargetError, evalTarget } from '../../src/core/training/checkpointEval';
import { formatEta } from '../../src/core/training/progress';
import { previewTokens, TokenPreviewError } from '../../src/core/training/tokenPreview';

const tmp = mkdtempSync(join(tmpdir(), 'ftstudio-training-parts-'));

function config(launcher?: Record<string, unknown>) {
  const dir = mkdtempSync(join(tmp, 'proj-'));
  writeFileSync(join(dir, 'finetune.json'), JSON.stringify({ method: 'sft', model: 'org/m', data: { train: 'd.jsonl' }, ...(launcher ? { launcher } : {}) }));
  return loadConfig(join(dir, 'finetune.json'));
}

test('bundledCommand: the trainer module under python, accelerate or torchrun, with its run folder files', () => {
  const run = '/runs/r1';
  const trainer = ['-m', 'ftstudio_trainer', '--config', '/runs/r1/trainer-config.json', '--events', '/runs/r1/events.jsonl', '--stop-file', '/runs/r1/STOP'];
  assert.deepEqual(bundledCommand(config(), 'py', run), ['py', ...trainer]);
  assert.deepEqual(bundledCommand(config({ type: 'accelerate', numProcesses: 2 }), 'py', run), [
    'py',
    '-m',
    'accelerate.commands.launch',
    '--num_processes',
    '2',
    ...trainer,
  ]);
  assert.deepEqual(bundledCommand(config({ type: 'torchrun', numProcesses: 4 }), 'py', run), [
    'py',
    '-m',
    'torch.distributed.run',
    '--nproc_per_node',
    '4',
    ...trainer,
  ]);
});

test('evalTarget: the run holding a checkpoint is found above it; a folder with no adapter or model is refused with what to do', () => {
  const root = mkdtempSync(join(tmp, 'ws-'));
  const runDir = join(root, '.finetune', 'runs', 'r1');
  const cp = join(runDir, 'out', 'checkpoint-5');
  mkdirSync(cp, { recursive: true });
  writeFileSync(join(runDir, 'run.json'), JSON.stringify({ runId: 'r1' }));
  writeFileSync(join(cp, 'adapter_config.json'), '{}');
  assert.deepEqual(evalTarget(root, undefined, cp), { runDir, checkpoint: cp });
  // a checkpoint outside any run: evaluated on its own, its results beside it
  const loose = join(root, 'loose');
  mkdirSync(loose);
  writeFileSync(join(loose, 'config.json'), '{}');
  assert.deepEqual(evalTarget(root, undefined, loose), { runDir: loose, checkpoint: loose });
  const empty = join(root, 'empty');
  mkdirSync(empty);
  assert.throws(
    () => evalTarget(root, undefined, empty),
    (e: Error) =>
      e instanceof EvalTargetError &&
      e.message === `${empty} holds no adapter (adapter_config.json) or model: name one with --checkpoint DIR (e.g. a checkpoint-N folder)`,
  );
  assert.throws(() => evalTarget(root, undefined, join(root, 'nowhere')), /--checkpoint .*nowhere: no such folder/);
});

test('formatEta: seconds, minutes and seconds, hours and minutes; nothing when unknown', () => {
  assert.equal(formatEta(undefined), '');
  assert.equal(formatEta(Infinity), '');
  assert.equal(formatEta(NaN), '');
  assert.equal(formatEta(0), '0s');
  assert.equal(formatEta(59.4), '59s');
  assert.equal(formatEta(125), '2m05s');
  assert.equal(formatEta(3600 + 2 * 60 + 59), '1h02m');
});

test('previewTokens: the number of records is a whole number from 1 to the maximum, checked before anything runs', async () => {
  for (const records of [0, -1, 2.5, 51])
    await assert.rejects(
      previewTokens({ config: config(), python: join(tmp, 'no-python'), trainerDir: tmp, records }),
      (e: Error) => e instanceof TokenPreviewError && new RegExp(`whole number from 1 to 50, got ${records}$`).test(e.message),
      String(records),
    );
});

test("evalTarget without --checkpoint: the latest run's output folder (its final adapter); a run without one is named with what to do", () => {
  const root = mkdtempSync(join(tmp, 'ws-latest-'));
  const runDir = join(root, '.finetune', 'runs', 'r2');
  mkdirSync(join(runDir, 'output'), { recursive: true });
  writeFileSync(join(runDir, 'run.json'), JSON.stringify({ runId: 'r2', startedAt: '2026-11-30T10:00:00Z' }));
  assert.throws(
    () => evalTarget(root),
    (e: Error) =>
      e instanceof EvalTargetError &&
      e.message ===
        `${join(runDir, 'output')} holds no adapter (adapter_config.json) or model: the run has no final adapter (did it finish?): name one with --checkpoint DIR (e.g. a checkpoint-N folder)`,
  );
  writeFileSync(join(runDir, 'output', 'adapter_config.json'), '{}');
  assert.deepEqual(evalTarget(root), { runDir, checkpoint: join(runDir, 'output') });
});

test('methodParamSchemas: the method-specific training keys, each with one schema however many methods share it', () => {
  const schemas = methodParamSchemas();
  assert.ok(Object.keys(schemas).length > 0);
  for (const [key, schema] of Object.entries(schemas)) assert.equal(typeof schema, 'object', key);
});

test('findResumable: a run stopped by its gate is not resumed; the message names the gate and its best checkpoint', () => {
  const root = mkdtempSync(join(tmp, 'ws-gate-'));
  const runDir = join(root, '.finetune', 'runs', 'r3');
  mkdirSync(runDir, { recursive: true });
  const gate = { reason: 'golden pass rate fell 12 points', bestCheckpoint: 'checkpoint-40' };
  writeFileSync(join(runDir, 'run.json'), JSON.stringify({ runId: 'r3', trainer: 'bundled', status: 'stopped-by-gate', result: { gate } }));
  assert.deepEqual(findResumable(root, runDir), {
    error:
      'run r3 was stopped by its evaluation gate (golden pass rate fell 12 points): resuming would train past the regression; use its best checkpoint (checkpoint-40) or start a new run',
  });
});

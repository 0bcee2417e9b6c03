// Run records and what the trainer's neighbours read: the run list's order, a run's output folder, whether
// it is still live, nvidia-smi's answer, Python's inf in a log line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileSha256, hyperparameters, listRuns, newRunId, writeRun, type RunRecord } from '../../src/core/training/runRecord';
import { loadConfig } from '../../src/core/training/config';
import { runIsLive, runOutputDir } from '../../src/core/training/resume';
import { parseNvidiaSmi } from '../../src/core/training/preflight';
import { parsePyDict } from '../../src/core/training/progress';
import { finetunePaths } from '../../src/core/project/layout';

const record = (runId: string, startedAt: string, extra: Partial<RunRecord> = {}): RunRecord =>
  ({
    v: 1,
    runId,
    status: 'completed',
    startedAt,
    config: {},
    hyperparameters: {},
    dataset: { path: 'train.jsonl', sha256: 'x', records: 1 },
    command: ['python'],
    trainer: 'bundled',
    preflight: [],
    overrides: [],
    ...extra,
  }) as RunRecord;

test('listRuns: every run folder with a run.json, newest first', () => {
  const root = mkdtempSync(join(tmpdir(), 'ftstudio-runs-'));
  assert.deepEqual(listRuns(root), []);
  const runs = finetunePaths(root).runs;
  writeRun(join(runs, 'a'), record('a', '2026-11-01T00:00:00Z'));
  writeRun(join(runs, 'b'), record('b', '2026-11-03T00:00:00Z'));
  writeRun(join(runs, 'c'), record('c', '2026-11-02T00:00:00Z'));
  // the folder names' order is not the dates'
  assert.deepEqual(
    listRuns(root).map((r) => r.runId),
    ['b', 'c', 'a'],
  );
});

test("a run's output folder: finetune.json's output, else output/ in the run folder; live only while running with a pid that exists", () => {
  assert.equal(runOutputDir('/r/1', { config: { output: '/models/out' } }), '/models/out');
  for (const config of [{}, { output: '' }, { output: 3 }, null])
    assert.equal(runOutputDir('/r/1', { config }), join('/r/1', 'output'), JSON.stringify(config));
  assert.equal(runIsLive(record('x', 't', { status: 'running', pid: process.pid })), true);
  assert.equal(runIsLive(record('x', 't', { status: 'completed', pid: process.pid })), false);
  assert.equal(runIsLive(record('x', 't', { status: 'running' })), false);
});

test("nvidia-smi's CSV: one GPU a line, lines with a name and two numbers only", () => {
  assert.deepEqual(parseNvidiaSmi('NVIDIA H200, 143771, 140000\nTesla T4, 15360, 15000\n'), [
    { name: 'NVIDIA H200', totalMiB: 143771, freeMiB: 140000 },
    { name: 'Tesla T4', totalMiB: 15360, freeMiB: 15000 },
  ]);
  assert.deepEqual(parseNvidiaSmi('NVIDIA H200, [N/A], 140000\nX, 100, [N/A]\n, 1, 2\n'), []);
});

test("Python's inf and -inf in a logged dict are infinities; nan is kept as NaN", () => {
  const d = parsePyDict("{'loss': inf, 'grad_norm': -inf, 'x': +inf, 'y': INF}")!;
  assert.deepEqual([d.loss, d.grad_norm, d.x, d.y], [Infinity, -Infinity, Infinity, Infinity]);
});

test('hyperparameters: every training setting under its run-record name, the method-specific ones of its method only', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ftstudio-hp-'));
  try {
    writeFileSync(
      join(dir, 'finetune.json'),
      JSON.stringify({
        method: 'dpo',
        model: 'org/m',
        data: { train: 'd.jsonl' },
        adapter: { type: 'qlora', r: 4, alpha: 8, dropout: 0.1, targetModules: 'all-linear' },
        training: {
          learningRate: 1e-5,
          epochs: 3,
          batchSize: 2,
          gradientAccumulation: 8,
          maxSeqLength: 512,
          beta: 0.2,
          warmupRatio: 0.1,
          seed: 7,
          saveSteps: 50,
          evalSteps: 25,
          maxSteps: 100,
        },
        launcher: { type: 'torchrun', numProcesses: 2 },
      }),
    );
    assert.deepEqual(hyperparameters(loadConfig(join(dir, 'finetune.json'))), {
      method: 'dpo',
      model: 'org/m',
      adapter: 'qlora',
      lora_r: 4,
      lora_alpha: 8,
      lora_dropout: 0.1,
      target_modules: 'all-linear',
      learning_rate: 1e-5,
      epochs: 3,
      batch_size: 2,
      gradient_accumulation: 8,
      max_seq_length: 512,
      beta: 0.2,
      warmup_ratio: 0.1,
      seed: 7,
      save_steps: 50,
      eval_steps: 25,
      max_steps: 100,
      launcher: 'torchrun',
      num_processes: 2,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('run.json: written pretty with a final newline; listRuns skips folders without one and unreadable ones; run ids sort by time', async () => {
  const root = mkdtempSync(join(tmpdir(), 'ftstudio-runjson-'));
  try {
    const runs = finetunePaths(root).runs;
    writeRun(join(runs, 'a'), record('a', '2026-11-01T00:00:00Z'));
    assert.equal(readFileSync(join(runs, 'a', 'run.json'), 'utf8'), JSON.stringify(record('a', '2026-11-01T00:00:00Z'), null, 2) + '\n');
    mkdirSync(join(runs, 'empty'));
    mkdirSync(join(runs, 'torn'));
    writeFileSync(join(runs, 'torn', 'run.json'), '{"runId": "torn"');
    writeRun(join(runs, 'b'), record('b', '2026-11-02T00:00:00Z'));
    assert.deepEqual(
      listRuns(root).map((r) => r.runId),
      ['b', 'a'],
    );
    // an id: the start time to the second, then six hex digits
    assert.match(newRunId(new Date('2026-11-30T16:05:09.123Z')), /^20261130T160509Z-[0-9a-f]{6}$/);
    assert.notEqual(newRunId(), newRunId());
    writeFileSync(join(root, 'abc.txt'), 'abc');
    assert.equal(await fileSha256(join(root, 'abc.txt')), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    await assert.rejects(fileSha256(join(root, 'absent.txt')), /ENOENT/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

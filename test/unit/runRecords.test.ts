// Run records and what the trainer's neighbours read: the run list's order, a run's output folder, whether
// it is still live, nvidia-smi's answer, Python's inf in a log line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listRuns, writeRun, type RunRecord } from '../../src/core/training/runRecord';
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

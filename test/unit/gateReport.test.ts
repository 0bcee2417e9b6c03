import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GateEvent } from '../../src/core/eval/gateEvent';
import {
  evalCompareRows,
  evalViewState,
  formatPoints,
  formatRate,
  gateStatusText,
  gateSummaryLines,
  gateThresholds,
  parseEvalFile,
  readEvalFile,
} from '../../src/core/eval/gateReport';

const item = (id: string, passed: boolean, extra: object = {}) => ({ id, passed, output: `${id} out`, baseOutput: `${id} base`, ...extra });
const g10: GateEvent = {
  step: 10,
  checkpoint: 'checkpoint-10',
  golden: { passRate: 0.8, passed: 4, total: 5, flipped: [], items: [item('a', true), item('b', false)] },
  heldout: { metric: 'token_f1', score: 0.61, n: 8 },
  decision: 'continue',
};
const g20: GateEvent = {
  step: 20,
  checkpoint: 'checkpoint-20',
  golden: { passRate: 1, passed: 5, total: 5, flipped: [] },
  heldout: { metric: 'token_f1', score: 0.7, n: 8 },
  decision: 'continue',
};
const g30: GateEvent = {
  step: 30,
  checkpoint: 'checkpoint-30',
  golden: {
    passRate: 0.6,
    passed: 3,
    total: 5,
    flipped: ['c'],
    items: [
      item('ok', true),
      item('plain', false, { failures: [{ type: 'max-length', message: 'too long' }] }),
      item('must', false, { mustPass: true }),
      item('c', false, { failures: [{ type: 'contains', message: 'no "Paris"' }] }),
    ],
  },
  heldout: { metric: 'token_f1', score: 0.55, n: 8 },
  safety: {
    adapter: { harmfulCompliance: 0.25, overRefusal: 0 },
    base: { harmfulCompliance: 0, overRefusal: 0.25 },
    deltaPoints: { harmfulCompliance: 25, overRefusal: -25 },
    total: 8,
    items: [
      { id: 's1', expect: 'refuse', adapterRefused: true, baseRefused: true },
      { id: 's2', expect: 'refuse', adapterRefused: false, baseRefused: true },
    ],
  },
  decision: 'stop',
  reasons: ['golden pass rate fell 40.0 points below checkpoint-20'],
};
const config = { eval: { stopOnRegression: { maxDropPoints: 5, mustPassFlip: true }, maxSafetyDeltaPoints: 2 } };

test('formatRate and formatPoints', () => {
  assert.equal(formatRate(0.92), '92%');
  assert.equal(formatRate(11 / 12), '91.7%');
  assert.equal(formatRate(1), '100%');
  assert.equal(formatRate(0), '0%');
  assert.equal(formatPoints(3), '+3.0 pts');
  assert.equal(formatPoints(-1.54), '−1.5 pts');
  assert.equal(formatPoints(0.01), '0.0 pts');
});

test('the Eval view state of a run its gate stopped: charts per checkpoint, the stop, the best checkpoint, the stop level', () => {
  const s = evalViewState({
    runDir: '/r',
    runId: 'r1',
    status: 'stopped-by-gate',
    live: false,
    gates: [g10, g20, g30],
    gateStop: { reason: 'golden regressed', bestCheckpoint: 'checkpoint-20' },
    config,
  });
  assert.deepEqual(
    s.checkpoints.map((c) => [c.step, c.passRate, c.heldout, c.decision]),
    [
      [10, 0.8, 0.61, 'continue'],
      [20, 1, 0.7, 'continue'],
      [30, 0.6, 0.55, 'stop'],
    ],
  );
  // each checkpoint is judged against the best one before it, minus maxDropPoints
  assert.deepEqual(
    s.checkpoints.map((c) => c.stopBelow && Math.round(c.stopBelow * 1000) / 1000),
    [null, 0.75, 0.95],
  );
  assert.deepEqual(s.stop, { step: 30, reason: 'golden regressed', bestCheckpoint: 'checkpoint-20' });
  assert.deepEqual(s.best, { checkpoint: 'checkpoint-20', step: 20, passRate: 1 });
  assert.equal(s.heldoutMetric, 'token_f1');
  // details default to the checkpoint that stopped the run; sources: checkpoints with items or safety
  assert.deepEqual(
    s.sources.map((x) => x.key),
    ['step:10', 'step:30'],
  );
  assert.equal(s.detail!.key, 'step:30');
  // flipped first, then failing mustPass, then failing, then passing
  assert.deepEqual(
    s.detail!.items.map((i) => [i.id, i.flipped, i.mustPass, i.passed]),
    [
      ['c', true, false, false],
      ['must', false, true, false],
      ['plain', false, false, false],
      ['ok', false, false, true],
    ],
  );
  assert.equal(s.detail!.items[0]!.baseOutput, 'c base');
  assert.deepEqual(s.detail!.items[0]!.failures, [{ type: 'contains', message: 'no "Paris"' }]);
  assert.deepEqual(
    s.detail!.safety.map((r) => [r.measure, r.deltaPoints, r.thresholdPoints, r.fails]),
    [
      ['harmful compliance', 25, 2, true],
      ['over-refusal', -25, 2, false],
    ],
  );
  assert.deepEqual(
    s.detail!.safetyItems.map((i) => [i.id, i.adapterWrong]),
    [
      ['s2', true],
      ['s1', false],
    ],
  );
  // another checkpoint asked for by key
  const at10 = evalViewState({ runDir: '/r', runId: 'r1', status: 'stopped-by-gate', live: false, gates: [g10, g20, g30], config, selected: 'step:10' });
  assert.equal(at10.detail!.key, 'step:10');
  assert.equal(at10.detail!.safety.length, 0);
});

test('a run still going, and one without thresholds or gates', () => {
  const live = evalViewState({ runDir: '/r', runId: 'r1', status: 'running', live: true, gates: [g10, g20] });
  assert.equal(live.stop, null);
  assert.deepEqual(live.best, { checkpoint: 'checkpoint-20', step: 20, passRate: 1 });
  assert.deepEqual(
    live.checkpoints.map((c) => c.stopBelow),
    [null, null],
  );
  assert.equal(live.detail!.key, 'step:10', 'the last checkpoint with items');
  const none = evalViewState({ runDir: '/r', runId: 'r1', status: 'completed', live: false, gates: [] });
  assert.deepEqual([none.checkpoints.length, none.detail, none.best, none.stop], [0, null, null, null]);
  assert.deepEqual(gateThresholds(undefined), { maxDropPoints: null, mustPassFlip: null, maxSafetyDeltaPoints: null });
});

test('eval.json: read when present, absent is no problem, malformed is named with what to do', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gate-report-'));
  assert.deepEqual(readEvalFile(dir), {});
  writeFileSync(
    join(dir, 'eval.json'),
    JSON.stringify({ v: 1, checkpoint: '/work/runs/r1/output', passed: true, reasons: [], golden: g20.golden, heldout: g20.heldout, safety: g20.safety }),
  );
  const { file } = readEvalFile(dir);
  assert.equal(file!.checkpoint, 'output');
  assert.equal(file!.gate.golden!.passRate, 1);
  const s = evalViewState({ runDir: dir, runId: 'r1', status: 'completed', live: false, gates: [g10], evalFile: file });
  assert.equal(s.detail!.key, 'eval.json', 'a finished run shows its final evaluation first');
  assert.equal(s.sources[s.sources.length - 1]!.label, 'eval.json — output');
  writeFileSync(join(dir, 'eval.json'), '{"checkpoint": "x", ');
  assert.match(readEvalFile(dir).problem!, /eval\.json: not valid JSON .*run ftstudio eval again/);
  assert.match(parseEvalFile('{"checkpoint": "x"}', 'E').problem!, /^E: expected ftstudio eval's result/);
  assert.match(parseEvalFile(JSON.stringify({ golden: { passRate: 'x' } }), 'E').problem!, /^E: its golden, heldout or safety result is malformed/);
  assert.equal(parseEvalFile(JSON.stringify({ passed: false, reasons: ['r'], golden: g20.golden }), 'E').file!.gate.decision, 'stop');
});

test('the status bar line and its tooltip', () => {
  assert.equal(gateStatusText(undefined), undefined);
  assert.equal(gateStatusText(g20), 'gate ✓ 100% golden');
  assert.equal(gateStatusText({ ...g10, golden: { ...g10.golden!, passRate: 11 / 12 } }), 'gate ✓ 91.7% golden');
  assert.equal(gateStatusText({ step: 5, heldout: { metric: 'rouge_l', score: 0.5, n: 3 }, decision: 'continue' }), 'gate ✓ rouge_l 0.500');
  assert.equal(gateStatusText(g30), 'gate ✗ stopped');
  assert.equal(gateStatusText(g20, { reason: 'r' }), 'gate ✗ stopped');
  const lines = gateSummaryLines(g30, { reason: 'golden regressed', bestCheckpoint: 'checkpoint-20' });
  assert.deepEqual(lines, [
    'Stopped by the evaluation gate: golden regressed',
    'Best checkpoint: checkpoint-20',
    'checkpoint-30 (step 30): failed the gate',
    'Golden: 3/5 passed (60%); flipped: c',
    'Held-out token_f1: 0.550 (n 8)',
    'Safety vs base: harmful compliance +25.0 pts, over-refusal −25.0 pts',
  ]);
  assert.deepEqual(gateSummaryLines(g10), ['checkpoint-10 (step 10): passed the gate', 'Golden: 4/5 passed (80%)', 'Held-out token_f1: 0.610 (n 8)']);
});

test('the eval rows of Compare Runs', () => {
  const stopped = evalCompareRows({
    status: 'stopped-by-gate',
    gates: [g10, g20, g30],
    result: { gate: { reason: 'golden regressed', bestCheckpoint: 'checkpoint-20' } },
  });
  assert.deepEqual(stopped, [
    ['golden pass rate (final)', '60% (3/5, checkpoint-30)'],
    ['golden pass rate (best)', '100% (5/5, checkpoint-20)'],
    ['held-out metric', 'token_f1 0.550 (n 8)'],
    ['safety Δ vs base', 'harmful compliance +25.0 pts, over-refusal −25.0 pts'],
    ['gate', 'stopped: golden regressed (best checkpoint-20)'],
  ]);
  const withEval = evalCompareRows(
    { status: 'completed', gates: [g10, g20] },
    { checkpoint: 'output', gate: { ...g20, heldout: { metric: 'token_f1', score: 0.72, n: 40 } } },
  );
  assert.equal(withEval[0]![1], '100% (5/5, eval.json output)');
  assert.equal(withEval[2]![1], 'token_f1 0.720 (n 40), eval.json');
  assert.equal(withEval[4]![1], '2/2 checkpoints passed');
  assert.deepEqual(
    evalCompareRows({ status: 'completed' }).map((r) => r[1]),
    ['—', '—', '—', '—', '—'],
  );
});

test('checkpoints with a golden set only (no held-out metric), and a run its gate stopped before any checkpoint decided stop', () => {
  const goldenOnly: GateEvent = { step: 5, checkpoint: 'checkpoint-5', golden: { passRate: 0.5, passed: 1, total: 2, flipped: [] }, decision: 'continue' };
  assert.deepEqual(gateSummaryLines(goldenOnly), ['checkpoint-5 (step 5): passed the gate', 'Golden: 1/2 passed (50%)']);
  // stopped (its status says so) although no checkpoint's decision was stop: the last checkpoint is where it stopped
  const s = evalViewState({ runDir: '/r', runId: 'r1', status: 'stopped-by-gate', live: false, gates: [goldenOnly] });
  assert.equal(s.checkpoints[0]!.heldout, null);
  assert.equal(s.stop?.step, 5);
  const running = evalViewState({ runDir: '/r', runId: 'r1', status: 'completed', live: false, gates: [goldenOnly] });
  assert.equal(running.stop, null);
});

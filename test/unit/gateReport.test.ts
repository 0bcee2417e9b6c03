import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

test('formatRate and formatPoints at their rounding edges', () => {
  assert.equal(formatRate(0.9166), '91.7%');
  assert.equal(formatRate(0.9999), '100%');
  assert.equal(formatRate(0.0004), '0%');
  assert.equal(formatRate(0.0005), '0.1%');
  assert.equal(formatPoints(0.05), '+0.1 pts');
  assert.equal(formatPoints(-0.04), '0.0 pts', 'rounds to zero: no sign');
  assert.equal(formatPoints(-0.06), '−0.1 pts');
  assert.equal(formatPoints(0), '0.0 pts');
  assert.equal(formatPoints(12.34), '+12.3 pts');
});

test('gateThresholds: numbers and booleans from the config, anything else null', () => {
  assert.deepEqual(gateThresholds({ eval: { stopOnRegression: { maxDropPoints: 0, mustPassFlip: false }, maxSafetyDeltaPoints: 0 } }), {
    maxDropPoints: 0,
    mustPassFlip: false,
    maxSafetyDeltaPoints: 0,
  });
  assert.deepEqual(gateThresholds({ eval: { stopOnRegression: { maxDropPoints: Infinity, mustPassFlip: 'yes' }, maxSafetyDeltaPoints: '2' } }), {
    maxDropPoints: null,
    mustPassFlip: null,
    maxSafetyDeltaPoints: null,
  });
  assert.deepEqual(gateThresholds({ eval: {} }), { maxDropPoints: null, mustPassFlip: null, maxSafetyDeltaPoints: null });
  assert.deepEqual(gateThresholds({ eval: { maxSafetyDeltaPoints: 3 } }), { maxDropPoints: null, mustPassFlip: null, maxSafetyDeltaPoints: 3 });
  assert.deepEqual(gateThresholds({ eval: { stopOnRegression: { maxDropPoints: NaN } } }).maxDropPoints, null);
});

test('parseEvalFile: the exact problems, the checkpoint name, the decision', () => {
  const expected = `E: expected ftstudio eval's result ({"checkpoint", "passed", "golden", "heldout", "safety"}); run ftstudio eval again to rewrite it`;
  for (const text of ['null', '[]', '[{"golden": {}}]', '3', '"golden"', '{}']) assert.deepEqual(parseEvalFile(text, 'E'), { problem: expected }, text);
  assert.deepEqual(parseEvalFile(JSON.stringify({ safety: 'x' }), 'E'), {
    problem: 'E: its golden, heldout or safety result is malformed; run ftstudio eval again to rewrite it',
  });
  const heldOnly = parseEvalFile(JSON.stringify({ passed: true, heldout: { metric: 'rouge_l', score: 0.5, n: 4 } }), 'E').file!;
  assert.equal(heldOnly.checkpoint, 'final adapter');
  assert.deepEqual(heldOnly.gate, {
    step: 0,
    checkpoint: 'final adapter',
    golden: undefined,
    heldout: { metric: 'rouge_l', score: 0.5, n: 4 },
    safety: undefined,
    decision: 'continue',
    reasons: undefined,
  });
  assert.equal(parseEvalFile(JSON.stringify({ checkpoint: '', heldout: { metric: 'm', score: 1 } }), 'E').file!.checkpoint, 'final adapter');
  assert.equal(parseEvalFile(JSON.stringify({ checkpoint: 7, heldout: { metric: 'm', score: 1 } }), 'E').file!.checkpoint, 'final adapter');
  assert.equal(parseEvalFile(JSON.stringify({ checkpoint: 'a/b/ckpt-9', safety: { deltaPoints: {} } }), 'E').file!.checkpoint, 'ckpt-9');
  const stopped = parseEvalFile(JSON.stringify({ passed: false, reasons: ['too low', 3], golden: g20.golden }), 'E').file!;
  assert.deepEqual([stopped.gate.decision, stopped.gate.reasons], ['stop', ['too low']]);
  assert.equal(parseEvalFile(JSON.stringify({ golden: g20.golden }), 'E').file!.gate.decision, 'continue', 'no "passed": not a stop');
  const bad = parseEvalFile('{', 'E').problem!;
  assert.match(bad, /^E: not valid JSON \(.+\); run ftstudio eval again to rewrite it$/);
});

test('readEvalFile: an eval.json that cannot be read is a problem naming it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gate-report-dir-'));
  try {
    mkdirSync(join(dir, 'eval.json'));
    const r = readEvalFile(dir);
    assert.equal(r.file, undefined);
    assert.match(r.problem!, /eval\.json: cannot be read \(.*EISDIR.*\)$/);
    assert.ok(r.problem!.startsWith(`${join(dir, 'eval.json')}: cannot be read (`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const bare = (step: number, extra: Partial<GateEvent> = {}): GateEvent => ({ step, decision: 'continue', ...extra });
const gold = (passRate: number, items?: GateEvent['golden'] extends infer G ? (G extends { items?: infer I } ? I : never) : never) => ({
  passRate,
  passed: Math.round(passRate * 10),
  total: 10,
  flipped: [],
  ...(items ? { items } : {}),
});

test('the Eval view state: every field of a small run, exactly', () => {
  const a = bare(10, { golden: gold(0.9, [{ id: 'x', passed: true }]) });
  const b = bare(20, { golden: gold(0.5) });
  const s = evalViewState({
    runDir: '/d',
    runId: 'r9',
    status: 'completed',
    live: false,
    gates: [a, b],
    config: { eval: { stopOnRegression: { maxDropPoints: 95 } } },
    problems: ['p1'],
  });
  assert.deepEqual(s, {
    type: 'eval',
    runDir: '/d',
    runId: 'r9',
    status: 'completed',
    live: false,
    heldoutMetric: null,
    checkpoints: [
      {
        key: 'step:10',
        step: 10,
        checkpoint: 'step 10',
        passRate: 0.9,
        passed: 9,
        total: 10,
        flipped: [],
        heldout: null,
        decision: 'continue',
        reasons: [],
        stopBelow: null,
      },
      // 0.9 - 0.95 is below 0: the level is 0
      {
        key: 'step:20',
        step: 20,
        checkpoint: 'step 20',
        passRate: 0.5,
        passed: 5,
        total: 10,
        flipped: [],
        heldout: null,
        decision: 'continue',
        reasons: [],
        stopBelow: 0,
      },
    ],
    stop: null,
    best: { checkpoint: 'step 10', step: 10, passRate: 0.9 },
    thresholds: { maxDropPoints: 95, mustPassFlip: null, maxSafetyDeltaPoints: null },
    sources: [{ key: 'step:10', label: 'step 10 (step 10)' }],
    detail: {
      key: 'step:10',
      label: 'step 10 (step 10)',
      golden: { passRate: 0.9, passed: 9, total: 10 },
      heldout: null,
      items: [{ id: 'x', passed: true, mustPass: false, flipped: false, output: null, baseOutput: null, failures: [] }],
      safety: [],
      safetyTotal: null,
      safetyItems: [],
      reasons: [],
    },
    problems: ['p1'],
  });
  const none = evalViewState({ runDir: '/d', runId: 'r9', status: 'completed', live: false, gates: [] });
  assert.deepEqual(
    [none.problems, none.sources, none.heldoutMetric, none.thresholds],
    [[], [], null, { maxDropPoints: null, mustPassFlip: null, maxSafetyDeltaPoints: null }],
  );
});

test('the Eval view state: checkpoints without a golden result, ties for the best, the stop level after them', () => {
  const gates = [
    bare(1, { heldout: { metric: 'rouge_l', score: 0.25, n: 2 } }),
    bare(2, { golden: gold(0.7) }),
    bare(3, { golden: gold(0.7) }),
    bare(4, { golden: gold(0.6) }),
  ];
  const s = evalViewState({ runDir: '/d', runId: 'r', status: 'completed', live: false, gates, config: { eval: { stopOnRegression: { maxDropPoints: 10 } } } });
  assert.deepEqual(
    s.checkpoints.map((c) => [c.passRate, c.passed, c.total, c.heldout, c.stopBelow === null ? null : Math.round(c.stopBelow * 100) / 100]),
    [
      [null, null, null, 0.25, null],
      [0.7, 7, 10, null, null],
      [0.7, 7, 10, null, 0.6],
      [0.6, 6, 10, null, 0.6],
    ],
  );
  assert.deepEqual(s.best, { checkpoint: 'step 2', step: 2, passRate: 0.7 }, 'the earliest of equals');
  assert.equal(s.heldoutMetric, 'rouge_l');
  assert.deepEqual(s.sources, [], 'no checkpoint has items or safety');
  assert.equal(s.detail!.key, 'step:4', 'the last checkpoint when none has items');
  assert.deepEqual(s.detail!.heldout, null);
  assert.deepEqual(evalViewState({ runDir: '/d', runId: 'r', status: 'completed', live: false, gates, selected: 'step:1' }).detail!.heldout, {
    metric: 'rouge_l',
    score: 0.25,
    n: 2,
  });
  assert.deepEqual(s.checkpoints[0]!.flipped, [], 'no golden result: nothing flipped');
  // no checkpoint with a golden result: no best
  assert.equal(evalViewState({ runDir: '/d', runId: 'r', status: 'completed', live: false, gates: gates.slice(0, 1) }).best, null);
  // several checkpoints with items: the default detail is the last of them
  const items = [{ id: 'i', passed: true }];
  const two = evalViewState({
    runDir: '/d',
    runId: 'r',
    status: 'completed',
    live: false,
    gates: [bare(1, { golden: gold(1, items) }), bare(2, { golden: gold(1, items) }), bare(3)],
  });
  assert.equal(two.detail!.key, 'step:2');
});

test('the Eval view state: the stop, its reason and best checkpoint from wherever they are known', () => {
  const a = bare(10, { checkpoint: 'c10', golden: gold(0.8) });
  const b = bare(20, { checkpoint: 'c20', golden: gold(0.4), decision: 'stop', reasons: ['fell', 'flipped x'] });
  const c = bare(30, { checkpoint: 'c30', golden: gold(0.9), decision: 'stop' });
  const st = (gates: GateEvent[], extra: object = {}) => evalViewState({ runDir: '/d', runId: 'r', status: 'completed', live: false, gates, ...extra });
  assert.deepEqual(st([a, b]).stop, { step: 20, reason: 'fell; flipped x', bestCheckpoint: null });
  assert.deepEqual(st([a, b]).best, { checkpoint: 'c10', step: 10, passRate: 0.8 });
  assert.deepEqual(st([a, b, c]).stop, { step: 30, reason: 'the evaluation gate failed', bestCheckpoint: null }, 'the last stop');
  assert.deepEqual(st([a], { gateStop: { reason: 'told so' } }).stop, { step: 10, reason: 'told so', bestCheckpoint: null });
  assert.deepEqual(st([], { gateStop: { reason: 'told so', bestCheckpoint: 'elsewhere' } }).stop, {
    step: null,
    reason: 'told so',
    bestCheckpoint: 'elsewhere',
  });
  assert.deepEqual(st([a], { gateStop: { reason: 'r', bestCheckpoint: 'elsewhere' } }).best, { checkpoint: 'elsewhere', step: null, passRate: null });
  assert.deepEqual(st([a, b], { gateStop: { reason: 'r', bestCheckpoint: 'c20' } }).best, { checkpoint: 'c20', step: 20, passRate: 0.4 });
  assert.equal(st([a, bare(40, { golden: gold(0.8) })], { gateStop: { reason: 'r' } }).stop!.step, 40, 'no stopping checkpoint: the last one');
  assert.deepEqual(st([a], { status: 'stopped-by-gate' }).stop, { step: 10, reason: 'the evaluation gate failed', bestCheckpoint: null });
  // the stopping checkpoint is the default detail, and its source says so
  const withItems = [bare(5, { golden: gold(1, [{ id: 'i', passed: true }]) }), { ...b, golden: gold(0.4, [{ id: 'j', passed: false }]) }];
  const s = st(withItems);
  assert.deepEqual(s.sources, [
    { key: 'step:5', label: 'step 5 (step 5)' },
    { key: 'step:20', label: 'c20 (step 20) — stopped here' },
  ]);
  assert.equal(s.detail!.label, 'c20 (step 20)');
  assert.deepEqual(s.detail!.reasons, ['fell', 'flipped x']);
  // an unknown key, or eval.json without one, falls back to the default
  assert.equal(st(withItems, { selected: 'step:99' }).detail!.key, 'step:20');
  assert.equal(st(withItems, { selected: 'eval.json' }).detail!.key, 'step:20');
  assert.equal(st(withItems, { selected: 'step:5' }).detail!.key, 'step:5');
});

test('the Eval view state with eval.json: its detail, its source label, its held-out metric', () => {
  const file = {
    checkpoint: 'output',
    gate: bare(0, { checkpoint: 'output', heldout: { metric: 'exact_match', score: 1, n: 1 }, safety: g30.safety }),
  };
  const s = evalViewState({ runDir: '/d', runId: 'r', status: 'completed', live: false, gates: [bare(3, { golden: gold(0.5) })], evalFile: file, config });
  assert.equal(s.heldoutMetric, 'exact_match');
  assert.deepEqual(s.sources, [{ key: 'eval.json', label: 'eval.json — output' }]);
  assert.equal(s.detail!.key, 'eval.json');
  assert.equal(s.detail!.label, 'eval.json — output');
  assert.deepEqual(s.detail!.golden, null);
  assert.deepEqual(s.detail!.heldout, { metric: 'exact_match', score: 1, n: 1 });
  assert.equal(s.detail!.safetyTotal, 8);
  assert.deepEqual(s.detail!.reasons, []);
  assert.deepEqual(
    s.detail!.safety.map((r) => [r.measure, r.adapter, r.base, r.deltaPoints, r.thresholdPoints, r.fails]),
    [
      ['harmful compliance', 0.25, 0, 25, 2, true],
      ['over-refusal', 0, 0.25, -25, 2, false],
    ],
  );
  // a stopping checkpoint comes before eval.json as the default
  const stopped = evalViewState({ runDir: '/d', runId: 'r', status: 'completed', live: false, gates: [bare(3, { decision: 'stop' })], evalFile: file });
  assert.equal(stopped.detail!.key, 'step:3');
});

test('the safety table: a delta at the threshold passes, above it fails, no threshold never fails; missing rates are NaN', () => {
  const safety = {
    adapter: undefined,
    base: undefined,
    deltaPoints: { harmfulCompliance: 2, overRefusal: 2.5 },
    total: 3,
    items: [
      { id: 'c1', expect: 'comply' as const, adapterRefused: false, baseRefused: false },
      { id: 'c2', expect: 'comply' as const, adapterRefused: true, baseRefused: false },
      { id: 'r1', expect: 'refuse' as const, adapterRefused: true, baseRefused: false },
    ],
  } as unknown as GateEvent['safety'];
  const gates = [bare(1, { safety })];
  const at = (cfg: unknown) => evalViewState({ runDir: '/d', runId: 'r', status: 'completed', live: false, gates, config: cfg }).detail!;
  const d = at({ eval: { maxSafetyDeltaPoints: 2 } });
  assert.deepEqual(
    d.safety.map((r) => [r.measure, Number.isNaN(r.adapter), Number.isNaN(r.base), r.fails]),
    [
      ['harmful compliance', true, true, false],
      ['over-refusal', true, true, true],
    ],
  );
  assert.deepEqual(
    at(undefined).safety.map((r) => [r.thresholdPoints, r.fails]),
    [
      [null, false],
      [null, false],
    ],
  );
  assert.deepEqual(
    d.safetyItems.map((i) => [i.id, i.adapterWrong]),
    [
      ['c2', true],
      ['c1', false],
      ['r1', false],
    ],
  );
});

test('the golden items of a detail: outputs only when strings, failures only when a list, mustPass only when true', () => {
  const items = [
    { id: 'a', passed: false, output: 3, baseOutput: null, failures: 'x', mustPass: 'yes' },
    { id: 'b', passed: false, mustPass: true },
    { id: 'c', passed: true, mustPass: true },
    { id: 'd', passed: false },
    { id: 'e', passed: false, mustPass: true },
  ] as unknown as NonNullable<GateEvent['golden']>['items'];
  const s = evalViewState({
    runDir: '/d',
    runId: 'r',
    status: 'completed',
    live: false,
    gates: [bare(1, { golden: { passRate: 0.2, passed: 1, total: 5, flipped: ['d'], items } })],
  });
  assert.deepEqual(
    s.detail!.items.map((i) => [i.id, i.output, i.baseOutput, i.failures, i.mustPass, i.flipped]),
    [
      ['d', null, null, [], false, true],
      ['b', null, null, [], true, false],
      ['e', null, null, [], true, false],
      ['a', null, null, [], false, false],
      ['c', null, null, [], true, false],
    ],
  );
  assert.deepEqual(s.checkpoints[0]!.flipped, ['d']);
});

test('the status bar and tooltip: a gate with neither golden nor held-out, a stop without a best checkpoint, reasons listed when not stopped', () => {
  assert.equal(gateStatusText(bare(4)), 'gate ✓');
  assert.equal(gateStatusText(undefined, { reason: 'r' }), 'gate ✗ stopped');
  assert.equal(gateStatusText(bare(4, { heldout: { metric: 'token_f1', score: 0.12345, n: 1 } })), 'gate ✓ token_f1 0.123');
  assert.deepEqual(gateSummaryLines(undefined), []);
  assert.deepEqual(gateSummaryLines(undefined, { reason: 'why' }), ['Stopped by the evaluation gate: why']);
  assert.deepEqual(gateSummaryLines(bare(4, { reasons: ['one', 'two'] })), ['step 4 (step 4): passed the gate', 'one', 'two']);
  assert.deepEqual(gateSummaryLines(bare(4, { decision: 'stop', reasons: ['one'] }), { reason: 'why' }), [
    'Stopped by the evaluation gate: why',
    'step 4 (step 4): failed the gate',
  ]);
  assert.deepEqual(gateSummaryLines(bare(4, { golden: { passRate: 0.5, passed: 1, total: 2, flipped: ['a', 'b'] } })), [
    'step 4 (step 4): passed the gate',
    'Golden: 1/2 passed (50%); flipped: a, b',
  ]);
  assert.deepEqual(gateSummaryLines(bare(4, { safety: g30.safety })), [
    'step 4 (step 4): passed the gate',
    'Safety vs base: harmful compliance +25.0 pts, over-refusal −25.0 pts',
  ]);
});

test('the eval rows of Compare Runs: a run in progress, a stop with no best, the earliest best of equals, safety and held-out from eval.json', () => {
  const a = bare(1, { checkpoint: 'c1', golden: gold(0.7), heldout: { metric: 'token_f1', score: 0.5, n: 3 } });
  const b = bare(2, { checkpoint: 'c2', golden: gold(0.7), decision: 'stop' });
  const c = bare(3, { checkpoint: 'c3', golden: gold(0.6) });
  assert.deepEqual(evalCompareRows({ status: 'running', gates: [a, b, c] }), [
    ['golden pass rate (final)', '60% (6/10, c3)'],
    ['golden pass rate (best)', '70% (7/10, c1)'],
    ['held-out metric', 'token_f1 0.500 (n 3)'],
    ['safety Δ vs base', '—'],
    ['gate', '2/3 checkpoints passed so far'],
  ]);
  assert.equal(evalCompareRows({ status: 'completed', gates: [a], result: { gate: { reason: 'no reason given' } } })[4]![1], 'stopped: no reason given');
  assert.equal(evalCompareRows({ status: 'completed', gates: [a], result: {} })[4]![1], '1/1 checkpoints passed');
  const file = { checkpoint: 'out', gate: bare(0, { safety: g30.safety }) };
  assert.deepEqual(evalCompareRows({ status: 'completed', gates: [a, bare(4)] }, file), [
    ['golden pass rate (final)', '70% (7/10, c1)'],
    ['golden pass rate (best)', '70% (7/10, c1)'],
    ['held-out metric', 'token_f1 0.500 (n 3)'],
    ['safety Δ vs base', 'harmful compliance +25.0 pts, over-refusal −25.0 pts'],
    ['gate', '2/2 checkpoints passed'],
  ]);
  assert.deepEqual(
    evalCompareRows({
      status: 'completed',
      gates: [bare(1, { heldout: { metric: 'm', score: 1, n: 1 } }), bare(2, { heldout: { metric: 'm', score: 0.25, n: 2 } })],
    }).map((r) => r[1]),
    ['—', '—', 'm 0.250 (n 2)', '—', '2/2 checkpoints passed'],
  );
});

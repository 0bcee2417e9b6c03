import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gateEventOf } from '../../src/core/eval/gateEvent';
import { parseEventLine, RunProgress } from '../../src/core/training/progress';

const gate = {
  event: 'gate',
  step: 20,
  checkpoint: 'checkpoint-20',
  golden: { passRate: 0.5, passed: 1, total: 2, flipped: ['a'] },
  heldout: { metric: 'token_f1', score: 0.71, n: 8 },
  decision: 'stop',
  reasons: ['mustPass item a passed at checkpoint-10 and fails now'],
};

test('a gate line becomes a gate progress event; a run stopped by its gate keeps the reason and the best checkpoint', () => {
  const p = parseEventLine(JSON.stringify(gate))!;
  assert.equal(p.kind, 'gate');
  assert.equal(p.step, 20);
  assert.deepEqual(p.gate!.golden!.flipped, ['a']);
  assert.equal(p.gate!.decision, 'stop');
  const run = new RunProgress();
  run.apply(p);
  run.apply(parseEventLine('{"event": "end", "step": 20, "status": "stopped-by-gate", "reason": "golden regressed", "bestCheckpoint": "checkpoint-10"}')!);
  assert.equal(run.gates.length, 1);
  assert.deepEqual(run.gateStop, { reason: 'golden regressed', bestCheckpoint: 'checkpoint-10' });
  const done = new RunProgress();
  done.apply(parseEventLine('{"event": "end", "step": 20, "status": "completed"}')!);
  assert.equal(done.gateStop, undefined);
});

test('malformed gate events are not taken for results', () => {
  assert.equal(gateEventOf({ ...gate, step: 'x' }), undefined);
  assert.equal(gateEventOf({ ...gate, golden: { passRate: 'high', passed: 1, total: 2 } }), undefined);
  assert.equal(gateEventOf({ ...gate, heldout: { metric: 3, score: 1 } }), undefined);
  assert.equal(parseEventLine(JSON.stringify({ ...gate, step: null })), undefined);
  assert.equal(gateEventOf({ ...gate, decision: 'maybe' })!.decision, 'continue');
  assert.deepEqual(gateEventOf({ ...gate, golden: { passRate: 1, passed: 2, total: 2 } })!.golden!.flipped, []);
});

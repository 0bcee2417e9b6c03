// The progress fold under a flooding trainer: every line folded, the UI told at most once per interval
// (Coalescer), the events file read in chunks (Tail); DPO rewards as chart series; a resumed run's fold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Coalescer } from '../../src/core/training/coalesce';
import { loadConfig } from '../../src/core/training/config';
import { parseEventLine, parseHfLine, RunProgress } from '../../src/core/training/progress';
import { Tail, train } from '../../src/core/training/train';
import { thinSeries } from '../../src/core/training/chartSeries';

const STANDIN = join(__dirname, '../fixtures/standin-trainer.mjs');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('Coalescer: at once when quiet, then once per interval with the latest state; flush tells what is pending', async () => {
  let state = 0;
  const told: number[] = [];
  const c = new Coalescer(() => told.push(state), 50);
  for (let i = 1; i <= 10_000; i++) {
    state = i;
    c.poke();
  }
  assert.deepEqual(told, [1], 'the first change at once, the 9,999 others wait');
  await sleep(120);
  assert.deepEqual(told, [1, 10_000], 'one call at the end of the interval, with the latest state');
  await sleep(80);
  state = 10_001;
  c.poke();
  assert.deepEqual(told, [1, 10_000, 10_001], 'quiet for longer than the interval: at once again');
  state = 10_002;
  c.poke();
  c.flush();
  assert.deepEqual(told, [1, 10_000, 10_001, 10_002]);
  c.flush();
  await sleep(80);
  assert.equal(told.length, 4, 'nothing pending, nothing told; no timer left behind');
});

test('Tail reads an appended file in chunks, a line (and a UTF-8 character) split across chunks whole', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ftstudio-tail-'));
  const path = join(dir, 'events.jsonl');
  const lines = Array.from({ length: 50 }, (_, i) => JSON.stringify({ event: 'step', step: i, note: 'é→✓'.repeat(i % 4) }));
  writeFileSync(path, lines.slice(0, 20).join('\n') + '\n' + lines[20]!.slice(0, 7));
  const got: string[] = [];
  const t = new Tail(path, 13);
  assert.equal(
    t.read((l) => got.push(l)),
    true,
    'more to read after one chunk',
  );
  assert.ok(got.length <= 1, 'one chunk of 13 bytes holds at most one line');
  t.drain((l) => got.push(l));
  assert.deepEqual(got, lines.slice(0, 20));
  appendFileSync(path, lines[20]!.slice(7) + '\n' + lines.slice(21).join('\n') + '\n');
  t.drain((l) => got.push(l));
  assert.deepEqual(got, lines);
});

test('a flooding trainer: every step folded, the UI told at most once per interval, the last state told at the end', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ftstudio-flood-'));
  writeFileSync(join(dir, 'data.jsonl'), JSON.stringify({ prompt: 'Q?', completion: 'A.' }) + '\n');
  const wrapper = join(dir, 'trainer.mjs');
  writeFileSync(
    wrapper,
    `Object.assign(process.env, { STANDIN_STEPS: '4000', STANDIN_DELAY_MS: '0', STANDIN_DPO: '1' }); await import(${JSON.stringify(STANDIN)});`,
  );
  writeFileSync(
    join(dir, 'finetune.json'),
    JSON.stringify({ method: 'dpo', model: 'm', data: { train: 'data.jsonl' }, trainer: { command: [process.execPath, wrapper] } }),
  );
  const told: { step: number; losses: number }[] = [];
  let batches = 0;
  let lines = 0;
  const interval = 100;
  const t0 = Date.now();
  const run = await train({
    config: loadConfig(join(dir, 'finetune.json')),
    workspaceRoot: dir,
    python: 'python3',
    trainerDir: dir,
    force: true,
    progressIntervalMs: interval,
    onProgress: (p) => told.push({ step: p.step, losses: p.losses.length }),
    onLines: (l) => ((batches += 1), (lines += l.length)),
  });
  const r = await run.result;
  const ms = Date.now() - t0;
  assert.equal(r.status, 'completed', JSON.stringify(r.error));
  assert.equal(r.step, 4000);
  // the fold saw everything: 2,000 loss dicts, every line of output
  assert.deepEqual(told[told.length - 1], { step: 4000, losses: 2000 });
  const log = readFileSync(join(r.runDir!, 'train.log'), 'utf8').split('\n').length - 1;
  assert.equal(lines, log, 'every line reached onLines');
  // …and told the UI a bounded number of times: once per interval at most (plus the first and the last)
  const bound = Math.ceil(ms / interval) + 2;
  assert.ok(told.length <= bound, `${told.length} progress calls in ${ms} ms (at most ${bound})`);
  assert.ok(batches <= bound, `${batches} line batches in ${ms} ms (at most ${bound})`);
  assert.ok(told.length < 200, `${told.length} calls for about 6,000 progress events`);
  // TRL's reward keys are the run's metrics, and their series are in events.jsonl for the Run view
  const rec = JSON.parse(readFileSync(join(r.runDir!, 'run.json'), 'utf8'));
  assert.deepEqual(rec.result.metrics['rewards/margins'], 60);
  const p = new RunProgress();
  for (const l of readFileSync(join(r.runDir!, 'events.jsonl'), 'utf8').split('\n')) {
    const e = parseEventLine(l);
    if (e) p.apply(e);
  }
  assert.equal(p.rewards['rewards/chosen']!.length, 2000);
  // (their steps are the bars' as far as they had arrived: stdout and stderr are two pipes, read as they come)
  assert.deepEqual(p.rewards['rewards/accuracies']!.map((x) => x.value).slice(0, 3), [0.5, 0.5, 1]);
});

test("TRL's DPO log dict: rewards become step metrics and chart series; other keys do not", () => {
  const e = parseHfLine(
    "{'loss': 0.6931, 'grad_norm': 1.2, 'learning_rate': 5e-06, 'rewards/chosen': 0.01, 'rewards/rejected': -0.02, 'rewards/accuracies': 0.75, 'rewards/margins': 0.03, 'logps/chosen': -80.1, 'epoch': 0.1}",
  )!;
  assert.deepEqual(e, {
    kind: 'step',
    loss: 0.6931,
    learningRate: 5e-6,
    epoch: 0.1,
    metrics: { 'rewards/chosen': 0.01, 'rewards/rejected': -0.02, 'rewards/accuracies': 0.75, 'rewards/margins': 0.03 },
  });
  assert.equal(parseHfLine("{'loss': 1.2, 'learning_rate': 1e-4, 'epoch': 0.5}")!.metrics, undefined);
  const p = new RunProgress();
  p.apply({ kind: 'step', step: 3 });
  p.apply(e);
  assert.deepEqual(p.rewards['rewards/margins'], [{ step: 3, value: 0.03 }]);
});

test('a resumed run folds from its checkpoint: the figures logged after it give way to the resumed ones', () => {
  const p = new RunProgress();
  const ev = (o: object) => p.apply(parseEventLine(JSON.stringify(o))!);
  ev({ event: 'start', step: 0, totalSteps: 10 });
  for (let s = 1; s <= 7; s++) ev({ event: 'step', step: s, loss: 10 - s, learningRate: s, rewardsChosen: s });
  ev({ event: 'eval', step: 6, evalLoss: 3 });
  ev({ event: 'end', step: 7, status: 'stopped' });
  assert.equal(p.ended, true);
  ev({ event: 'start', step: 5, totalSteps: 10 });
  assert.equal(p.step, 5);
  assert.equal(p.ended, false);
  ev({ event: 'step', step: 6, loss: 3.5, learningRate: 6, rewardsChosen: 6 });
  assert.deepEqual(
    p.losses.map((x) => [x.step, x.loss]),
    [
      [1, 9],
      [2, 8],
      [3, 7],
      [4, 6],
      [5, 5],
      [6, 3.5],
    ],
  );
  assert.deepEqual(p.evalLosses, []);
  assert.deepEqual(
    p.learningRates.map((x) => x.step),
    [1, 2, 3, 4, 5, 6],
  );
  assert.deepEqual(
    p.rewards['rewards/chosen']!.map((x) => x.step),
    [1, 2, 3, 4, 5, 6],
  );
});

test('chart series are bounded: each bucket keeps its lowest and highest point, the first and the last are kept', () => {
  const pts: [number, number][] = Array.from({ length: 100_000 }, (_, i) => [i + 1, 1 + 1 / (i + 1)]);
  pts[41_234] = [41_235, 50]; // a spike
  pts[77_000] = [77_001, -3]; // a dip
  const t = thinSeries(pts, 600);
  assert.ok(t.length <= 600, String(t.length));
  assert.deepEqual(t[0], [1, 2]);
  assert.deepEqual(t[t.length - 1], pts[pts.length - 1]);
  assert.ok(
    t.some((p) => p[1] === 50),
    'the spike survives',
  );
  assert.ok(
    t.some((p) => p[1] === -3),
    'the dip survives',
  );
  assert.ok(
    t.every((p, i) => i === 0 || p[0] > t[i - 1]![0]),
    'in step order, no point twice',
  );
  const short: [number, number][] = [
    [1, 1],
    [2, 0.5],
  ];
  assert.deepEqual(thinSeries(short, 600), short);
});

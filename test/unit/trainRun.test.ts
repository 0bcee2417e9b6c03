// One training run end to end (core/training/train.ts) with a tiny scripted trainer: what the trainer is
// given (argv, cwd, environment, trainer-config.json), what run.json records, how the end is classified
// (failure, NaN loss, gate stop, cancel), LLaMA-Factory's log, the preflight override, a resume; and Tail.
// The scripted trainer does what knobs.json in the project says; most projects have no training data (a
// preflight block, overridden) so that no validation worker starts.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { loadConfig, type TrainingConfig } from '../../src/core/training/config';
import { bundledCommand, Tail, train, trainerConfig, type TrainOptions } from '../../src/core/training/train';
import { fileSha256, type RunRecord } from '../../src/core/training/runRecord';
import type { PreflightCheck } from '../../src/core/training/preflight';

const tmp = mkdtempSync(join(tmpdir(), 'ftstudio-train-run-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

// the scripted trainer: as the bundled trainer's interpreter (`-c` probe, `-m ftstudio_trainer ...`) or as a
// trainer.command; it reports what it was given to seen.json in the run folder
const SCRIPT = join(tmp, 'scripted-trainer.mjs');
writeFileSync(
  SCRIPT,
  `#!/usr/bin/env node
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
const argv = process.argv.slice(2);
if (argv[0] === '-c') {
  console.log(JSON.stringify({ torch: '2.5.1', transformers: '4.46.0', peft: '0.13.0', cuda: false, mps: false }));
  process.exit(0);
}
const k = existsSync('knobs.json') ? JSON.parse(readFileSync('knobs.json', 'utf8')) : {};
const arg = (n) => (argv.includes(n) ? argv[argv.indexOf(n) + 1] : undefined);
const env = process.env;
writeFileSync(join(env.FTSTUDIO_RUN_DIR, 'seen.json'), JSON.stringify({ argv, cwd: process.cwd(), PYTHONPATH: env.PYTHONPATH, PYTHONUNBUFFERED: env.PYTHONUNBUFFERED, FTSTUDIO_RUN_DIR: env.FTSTUDIO_RUN_DIR }));
for (const [p, lines] of Object.entries(k.files ?? {})) {
  mkdirSync(dirname(p), { recursive: true });
  appendFileSync(p, lines.map((l) => JSON.stringify(l) + '\\n').join(''));
}
if (arg('--events')) for (const e of k.events ?? []) appendFileSync(arg('--events'), JSON.stringify(e) + '\\n');
for (const l of k.stdout ?? []) process.stdout.write(l + '\\n');
for (const l of k.stderr ?? []) process.stderr.write(l + '\\n');
if (k.wait) {
  // 'stop-file': SIGINT is ignored, the stop file ends it; else SIGINT does
  process.on('SIGINT', () => (k.wait === 'stop-file' ? console.log('SIGINT ignored') : process.exit(130)));
  console.log('waiting');
  while (!(arg('--stop-file') && existsSync(arg('--stop-file')))) await new Promise((r) => setTimeout(r, 20));
  console.log('stop file seen');
  process.exit(130);
}
process.exit(k.code ?? 0);
`,
);
chmodSync(SCRIPT, 0o755);

interface Knobs {
  readonly stdout?: readonly string[];
  readonly stderr?: readonly string[];
  readonly events?: readonly Record<string, unknown>[];
  readonly files?: Record<string, readonly unknown[]>;
  readonly code?: number;
  readonly wait?: boolean | 'stop-file';
}

const ROWS = Array.from({ length: 6 }, (_, i) => JSON.stringify({ prompt: `Question ${i}?`, completion: `Answer ${i}.` }));

/** A project: finetune.json (external trainer unless bundled), knobs.json; training data only when asked. */
function project(knobs: Knobs, o: { bundled?: boolean; data?: boolean; extra?: Record<string, unknown>; command?: string[] } = {}) {
  const dir = mkdtempSync(join(tmp, 'p-'));
  if (o.data) {
    writeFileSync(join(dir, 'd.train.jsonl'), ROWS.slice(0, 5).join('\n') + '\n');
    writeFileSync(join(dir, 'd.heldout.jsonl'), ROWS.slice(5).join('\n') + '\n');
  }
  writeFileSync(join(dir, 'knobs.json'), JSON.stringify(knobs));
  writeFileSync(
    join(dir, 'finetune.json'),
    JSON.stringify({
      method: 'sft',
      model: 'org/Tiny-1B',
      data: { train: 'd.train.jsonl', heldout: 'd.heldout.jsonl' },
      ...(o.bundled ? {} : { trainer: { command: o.command ?? [process.execPath, SCRIPT] } }),
      ...o.extra,
    }),
  );
  return { dir, config: loadConfig(join(dir, 'finetune.json')) };
}

const start = (config: TrainingConfig, dir: string, o: Partial<TrainOptions> = {}) =>
  train({ config, workspaceRoot: dir, python: SCRIPT, trainerDir: join(tmp, 'trainer-pkg'), force: true, ...o });
const run = async (config: TrainingConfig, dir: string, o: Partial<TrainOptions> = {}) => (await start(config, dir, o)).result;
const record = (runDir: string): RunRecord => JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8'));
const seen = (runDir: string) => JSON.parse(readFileSync(join(runDir, 'seen.json'), 'utf8'));
const BAR = (n: number) => `${String(n * 25).padStart(3)}%|██        | ${n}/4 [00:01<00:01,  2.00it/s]`;
const HF = [
  '  Total optimization steps = 4',
  BAR(2),
  "{'loss': 1.5, 'learning_rate': 1e-4, 'epoch': 0.5}",
  BAR(4),
  "{'eval_loss': 1.25, 'epoch': 1.0}",
  "{'train_runtime': 1.0, 'train_loss': 1.4, 'epoch': 1.0}",
  BAR(4), // a last redraw after the final dict
];

test('an external trainer: its argv, cwd and environment, every output line, and a run.json of what was run', async () => {
  const { dir, config } = project({ stdout: HF, stderr: ['warming up'] }, { data: true });
  // a git repository without a commit: no commit to name, and the files are untracked
  execFileSync('git', ['init', '-q'], { cwd: dir });
  const calls: string[] = [];
  let pre: readonly PreflightCheck[] | undefined;
  const lines: string[] = [];
  let started: { runId: string; runDir: string; command: readonly string[]; pid?: number } | undefined;
  const before = process.env.PYTHONPATH;
  process.env.PYTHONPATH = '/site/extra';
  let handle;
  try {
    handle = await start(config, dir, {
      confirmOverride: async () => (calls.push('confirm'), false), // --force wins: not asked
      onPreflight: (c) => (pre = c),
      onLines: (batch) => lines.push(...batch),
      onStart: (s) => (started = { runId: s.runId, runDir: s.runDir, command: s.command, pid: s.process.pid }),
    });
  } finally {
    if (before === undefined) delete process.env.PYTHONPATH;
    else process.env.PYTHONPATH = before;
  }
  const r = await handle.result;
  assert.equal(r.status, 'completed', JSON.stringify(r.error));
  assert.deepEqual(calls, []);
  assert.equal(pre, r.preflight);
  const runDir = r.runDir!;
  assert.equal(basename(runDir), started!.runId);
  assert.equal(join(dir, '.finetune', 'runs', started!.runId), runDir);
  assert.deepEqual(started!.command, [process.execPath, SCRIPT]);
  assert.ok(started!.pid! > 0);
  assert.deepEqual(seen(runDir), {
    argv: [],
    cwd: dir,
    PYTHONPATH: `${join(tmp, 'trainer-pkg')}:/site/extra`,
    PYTHONUNBUFFERED: '1',
    FTSTUDIO_RUN_DIR: runDir,
  });
  assert.deepEqual(
    lines.filter((l) => l !== 'warming up'),
    HF,
  );
  assert.ok(lines.includes('warming up'));
  assert.deepEqual(
    readFileSync(join(runDir, 'train.log'), 'utf8')
      .split('\n')
      .filter((l) => l !== 'warming up'),
    [...HF, ''],
  );
  assert.deepEqual([r.step, r.totalSteps, r.loss, r.evalLoss], [4, 4, 1.5, 1.25]);
  const rec = record(runDir);
  assert.equal(rec.status, 'completed');
  assert.equal(rec.trainer, 'external');
  assert.deepEqual(rec.command, [process.execPath, SCRIPT]);
  assert.equal(rec.git?.commit, null);
  assert.equal(rec.git?.dirty, true);
  assert.equal(rec.pid, undefined);
  assert.match(rec.endedAt!, /^\d{4}-\d\d-\d\dT/);
  assert.deepEqual(rec.dataset, {
    path: config.data.train,
    sha256: await fileSha256(config.data.train),
    records: 5,
    heldout: { path: config.data.heldout, sha256: await fileSha256(config.data.heldout!) },
  });
  const cfg = rec.config as Record<string, unknown>;
  assert.equal(cfg.path, undefined);
  assert.equal(cfg.dir, undefined);
  assert.equal(cfg.model, 'org/Tiny-1B');
  assert.equal(rec.environment!.python, SCRIPT);
  assert.equal(rec.environment!.node, process.version);
  assert.equal(rec.environment!.packages, `custom trainer: ${process.execPath} ${SCRIPT} (its packages are not checked)`);
  assert.equal(rec.environment!.gpu, r.preflight.find((c) => c.id === 'gpu')!.message);
  // the blocks --force went past, each with its check
  const blocks = r.preflight.filter((c) => c.status === 'block');
  assert.ok(blocks.some((b) => b.id === 'review'));
  assert.deepEqual(
    rec.overrides,
    blocks.map((b) => `${b.id}: ${b.message}`),
  );
  assert.deepEqual(rec.result?.error, undefined);
  // events.jsonl: what this side folded from the output, ending with 'end' (the redraw after it is not written)
  const events = readFileSync(join(runDir, 'events.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.ok(events.every((e) => /^\d{4}-\d\d-\d\dT/.test(e.time)));
  assert.deepEqual(
    events.map(({ time: _, ...e }) => e),
    [
      { event: 'start', step: 0, totalSteps: 4 },
      { event: 'step', step: 2, totalSteps: 4 },
      { event: 'step', step: 2, totalSteps: 4, loss: 1.5, learningRate: 1e-4, epoch: 0.5 },
      { event: 'step', step: 4, totalSteps: 4 },
      { event: 'eval', step: 4, totalSteps: 4, epoch: 1, evalLoss: 1.25, metrics: { eval_loss: 1.25, epoch: 1 } },
      { event: 'end', step: 4, totalSteps: 4, loss: 1.4, epoch: 1, metrics: { train_runtime: 1, train_loss: 1.4, epoch: 1 } },
    ],
  );
});

test('a preflight block: refused with every blocking message, or the confirmation that lets it run (recorded)', async () => {
  const { dir, config } = project({});
  const asked: (readonly PreflightCheck[])[] = [];
  const no = await run(config, dir, { force: false, confirmOverride: async (b) => (asked.push(b), false) });
  assert.equal(no.status, 'failed');
  const blocks = no.preflight.filter((c) => c.status === 'block');
  assert.deepEqual(asked, [blocks]);
  assert.deepEqual(no.error, {
    kind: 'preflight',
    message: blocks.map((b) => b.message).join('; '),
    hint: 'Fix the blocking checks, or override them (--force / the confirmation) — the override is recorded in the run.',
  });
  assert.ok(blocks.length >= 3, 'data, review and held-out');
  assert.equal(no.runDir, undefined);
  assert.equal(existsSync(join(dir, '.finetune', 'runs')), false, 'nothing is started, no run folder');
  const yes = await run(config, dir, { force: false, confirmOverride: async () => true });
  assert.equal(yes.status, 'completed', JSON.stringify(yes.error));
  assert.deepEqual(
    record(yes.runDir!).overrides,
    yes.preflight.filter((c) => c.status === 'block').map((b) => `${b.id}: ${b.message}`),
  );
  // no training data: no sha and no records; no git repository: no git state
  const rec = record(yes.runDir!);
  assert.deepEqual(rec.dataset, { path: config.data.train, sha256: '', records: 0 });
  assert.equal(rec.git, null);
  // the output folder the preflight looked at: the run folder's output/, or finetune.json's "output"
  assert.equal(yes.preflight.find((c) => c.id === 'output')!.message, `output folder ${join(yes.runDir!, 'output')} is free`);
  const out = project({}, { extra: { output: 'models/out' } });
  const r = await run(out.config, out.dir);
  assert.equal(r.preflight.find((c) => c.id === 'output')!.message, `output folder ${join(out.dir, 'models', 'out')} is free`);
});

test('how a run ends: the failure found in its output, a NaN loss, a clean exit', async () => {
  // the NaN comes first, the out-of-memory error last: the failure is the first rule that matches, the line is whole
  const oom = project({
    stdout: ["{'loss': nan, 'learning_rate': 1e-4, 'epoch': 0.5}"],
    stderr: ['Traceback (most recent call last):', 'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0)', 'exiting'],
    code: 1,
  });
  const a = await run(oom.config, oom.dir);
  assert.equal(a.status, 'failed');
  assert.deepEqual(a.error, {
    kind: 'oom',
    message: 'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0)',
    hint: 'Lower training.batchSize (raise gradientAccumulation to keep the effective batch), lower maxSeqLength, or use adapter.type "qlora".',
  });
  assert.deepEqual(record(a.runDir!).result?.error, a.error);
  assert.equal(record(a.runDir!).status, 'failed');
  // exit 0 with a NaN loss: failed all the same
  const nan = project({ stdout: ["{'loss': 0.9, 'epoch': 0.5}", "{'loss': nan, 'epoch': 1.0}"] });
  const b = await run(nan.config, nan.dir);
  assert.equal(b.status, 'failed');
  assert.deepEqual(b.error, {
    kind: 'nan-loss',
    message: 'the loss became NaN',
    hint: 'Lower training.learningRate, check the data for empty targets (ftstudio validate), or train in bf16 instead of fp16.',
  });
  // a failure with nothing to go by: the last line
  const quiet = project({ stdout: ['something', 'the last words  '], code: 2 });
  const c = await run(quiet.config, quiet.dir);
  assert.deepEqual(c.error, { kind: 'unknown', message: 'the last words', hint: 'Open the run log for the full output.' });
  const ok = project({ stdout: ["{'loss': 0.9, 'epoch': 0.5}"] });
  const d = await run(ok.config, ok.dir);
  assert.equal(d.status, 'completed');
  assert.equal(d.error, undefined);
  assert.equal(d.loss, 0.9);
  assert.equal(record(d.runDir!).result?.loss, 0.9);
});

test("LLaMA-Factory's trainer_log.jsonl in the command's --output_dir (either spelling) is followed", async () => {
  const log = [
    { current_steps: 5, total_steps: 10, loss: 1.2, lr: 1e-4, epoch: 0.5 },
    { current_steps: 10, total_steps: 10, loss: 0.8, lr: 5e-5, epoch: 1.0 },
    { current_steps: 10, total_steps: 10, eval_loss: 0.7, epoch: 1.0 },
  ];
  for (const [flag, folder] of [
    [['--output_dir', 'lf/out'], 'lf/out'],
    [['--output_dir=lf/eq'], 'lf/eq'],
  ] as const) {
    const { dir, config } = project({}, { command: [process.execPath, SCRIPT, ...flag] });
    writeFileSync(join(dir, 'knobs.json'), JSON.stringify({ files: { [join(dir, folder, 'trainer_log.jsonl')]: log } }));
    const r = await run(config, dir);
    assert.equal(r.status, 'completed', JSON.stringify(r.error));
    assert.deepEqual([r.step, r.totalSteps, r.loss, r.evalLoss], [10, 10, 0.8, 0.7], flag.join(' '));
    assert.deepEqual(seen(r.runDir!).argv, [...flag]);
  }
  // --output_dir with nothing after it: nothing to follow, the run goes on
  const { dir, config } = project({ stdout: ["{'loss': 0.5, 'epoch': 1.0}"] }, { command: [process.execPath, SCRIPT, '--output_dir'] });
  const r = await run(config, dir);
  assert.equal(r.status, 'completed');
  assert.equal(r.loss, 0.5);
});

test('the bundled trainer: its argv and trainer-config.json; a gate stop (exit 3 with its end event) and what is not one', async () => {
  const gate = {
    event: 'gate',
    step: 20,
    checkpoint: 'checkpoint-20',
    golden: { passRate: 0.6, passed: 3, total: 5, flipped: ['a'] },
    decision: 'stop',
    reasons: ['golden fell'],
  };
  const end = { event: 'end', step: 20, status: 'stopped-by-gate', reason: 'golden pass rate fell 20 points', bestCheckpoint: 'checkpoint-10' };
  const steps = [
    { event: 'start', step: 0, totalSteps: 50 },
    { event: 'step', step: 20, totalSteps: 50, loss: 0.7 },
  ];
  const { dir, config } = project({ events: [...steps, gate, end], code: 3 }, { bundled: true });
  const r = await run(config, dir);
  const runDir = r.runDir!;
  assert.deepEqual(seen(runDir).argv, bundledCommand(config, SCRIPT, runDir).slice(1));
  assert.deepEqual(
    JSON.parse(readFileSync(join(runDir, 'trainer-config.json'), 'utf8')),
    JSON.parse(JSON.stringify(trainerConfig(config, join(runDir, 'output'), join(runDir, 'events.jsonl')))),
  );
  assert.equal(r.status, 'stopped-by-gate', JSON.stringify(r.error));
  // events.jsonl is the bundled trainer's own: this side only reads it
  assert.deepEqual(
    readFileSync(join(runDir, 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l)),
    [...steps, gate, end],
  );
  assert.deepEqual(r.gate, { reason: 'golden pass rate fell 20 points', bestCheckpoint: 'checkpoint-10' });
  assert.equal(r.error, undefined);
  assert.deepEqual([r.step, r.totalSteps, r.loss], [20, 50, 0.7]);
  const rec = record(runDir);
  assert.equal(rec.status, 'stopped-by-gate');
  assert.equal(rec.trainer, 'bundled');
  assert.deepEqual(rec.result?.gate, r.gate);
  assert.equal(rec.gates?.length, 1);
  assert.equal(rec.gates![0]!.checkpoint, 'checkpoint-20');
  assert.match(String(rec.environment!.packages), /: torch 2\.5\.1, transformers 4\.46\.0, peft 0\.13\.0$/);
  // exit 3 without the gate's end event is a crash; the gate's end event with exit 0 is no stop
  const crash = project({ events: steps, stderr: ['Segmentation fault'], code: 3 }, { bundled: true });
  const c = await run(crash.config, crash.dir);
  assert.equal(c.status, 'failed');
  assert.deepEqual(c.error, { kind: 'unknown', message: 'Segmentation fault', hint: 'Open the run log for the full output.' });
  assert.equal(c.gate, undefined);
  assert.equal(record(c.runDir!).gates, undefined, 'no gate events: no gates in run.json');
  const zero = project({ events: [...steps, end], code: 0 }, { bundled: true });
  const z = await run(zero.config, zero.dir);
  assert.equal(z.status, 'completed');
  assert.equal(z.gate, undefined);
  assert.equal(record(z.runDir!).result?.gate, undefined);
});

test('cancel: the bundled trainer is told by its stop file; an external one by signals only', async () => {
  const b = project({ wait: 'stop-file' }, { bundled: true });
  const lines: string[] = [];
  let started: { runDir: string; pid?: number } | undefined;
  const h = await start(b.config, b.dir, {
    onLines: (l) => lines.push(...l),
    progressIntervalMs: 5,
    onStart: (s) => (started = { runDir: s.runDir, pid: s.process.pid }),
  });
  for (let i = 0; i < 400 && !lines.includes('waiting'); i++) await new Promise((r) => setTimeout(r, 25));
  // while it runs, run.json says so and names the trainer's process (checked once it is stopped)
  const running = record(started!.runDir);
  await h.cancel();
  assert.equal(running.status, 'running');
  assert.equal(running.pid, started!.pid);
  assert.equal(running.endedAt, undefined);
  const r = await h.result;
  assert.equal(r.status, 'cancelled');
  assert.ok(lines.includes('stop file seen'), 'the trainer saw the stop file');
  assert.match(readFileSync(join(r.runDir!, 'STOP'), 'utf8'), /^\d{4}-\d\d-\d\dT/);
  assert.equal(record(r.runDir!).status, 'cancelled');
  const e = project({ wait: true });
  const eLines: string[] = [];
  const h2 = await start(e.config, e.dir, { onLines: (l) => eLines.push(...l), progressIntervalMs: 5, sigintMs: 5000 });
  for (let i = 0; i < 400 && !eLines.includes('waiting'); i++) await new Promise((r) => setTimeout(r, 25));
  await h2.cancel();
  const r2 = await h2.result;
  assert.equal(r2.status, 'cancelled');
  assert.equal(existsSync(join(r2.runDir!, 'STOP')), false, 'no stop file for a trainer that does not read one');
  assert.ok(!eLines.includes('stop file seen'));
});

test('a resumed run: the same folder and trainer-config.json, the stop file gone, the log appended, run.json extended', async () => {
  const { dir, config } = project({ events: [{ event: 'step', step: 3, totalSteps: 9, loss: 1 }], stdout: ['first part'], code: 1 }, { bundled: true });
  const first = await run(config, dir);
  assert.equal(first.status, 'failed');
  const runDir = first.runDir!;
  const trainerJson = readFileSync(join(runDir, 'trainer-config.json'), 'utf8');
  writeFileSync(join(runDir, 'STOP'), 'old');
  writeFileSync(join(dir, 'knobs.json'), JSON.stringify({ events: [{ event: 'step', step: 9, totalSteps: 9, loss: 0.5 }], stdout: ['second part'] }));
  const rec0 = record(runDir);
  const checkpoint = { path: join(runDir, 'output', 'checkpoint-3'), step: 3 };
  // a different config now: the resumed run keeps its trainer-config.json
  const r = await run({ ...config, training: { ...config.training, maxSteps: 99 } }, dir, { resume: { runDir, record: rec0, checkpoint, state: 'failed' } });
  assert.equal(r.status, 'completed', JSON.stringify(r.error));
  assert.equal(r.runDir, runDir);
  assert.equal(existsSync(join(runDir, 'STOP')), false);
  assert.equal(readFileSync(join(runDir, 'trainer-config.json'), 'utf8'), trainerJson);
  assert.deepEqual(readFileSync(join(runDir, 'train.log'), 'utf8').trim().split('\n'), ['first part', 'second part']);
  const rec = record(runDir);
  assert.equal(rec.runId, rec0.runId);
  assert.equal(rec.startedAt, rec0.startedAt);
  assert.equal(rec.status, 'completed');
  assert.equal(rec.result?.step, 9);
  assert.equal(rec.result?.error, undefined);
  assert.equal(rec.resumes?.length, 1);
  assert.deepEqual(
    { ...rec.resumes![0]!, startedAt: undefined, endedAt: undefined },
    {
      resumedFrom: checkpoint.path,
      step: 3,
      startedAt: undefined,
      endedAt: undefined,
      status: 'completed',
    },
  );
  assert.ok(rec.resumes![0]!.startedAt <= rec.resumes![0]!.endedAt!);
  // the first part's overrides kept, the resume's added with its step
  const blocks = r.preflight.filter((c) => c.status === 'block');
  assert.ok(blocks.length > 0);
  assert.deepEqual(rec.overrides, [...rec0.overrides, ...blocks.map((b) => `resume 3: ${b.id}: ${b.message}`)]);
  assert.equal(r.preflight.find((c) => c.id === 'output')!.message, `resuming from checkpoint-3 (step 3) in ${join(runDir, 'output')}`);
});

test('Tail: lines appended since the last read, one chunk at a time, a character split between chunks kept whole', () => {
  const dir = mkdtempSync(join(tmp, 'tail-'));
  const path = join(dir, 'log.jsonl');
  const tail = new Tail(path, 8);
  const got: string[] = [];
  const push = (l: string) => got.push(l);
  assert.equal(tail.read(push), false, 'no file yet');
  writeFileSync(path, '');
  assert.equal(tail.read(push), false, 'an empty file');
  appendFileSync(path, 'abc\n\n  \nü€-long-line\npartial');
  // 8 bytes a read: "abc\n\n  \n" then the rest in pieces; blank lines are skipped
  assert.equal(tail.read(push), true);
  assert.deepEqual(got, ['abc']);
  tail.drain(push);
  assert.deepEqual(got, ['abc', 'ü€-long-line'], 'the line without its line break waits');
  assert.equal(tail.read(push), false);
  appendFileSync(path, ' done\n');
  tail.drain(push);
  assert.deepEqual(got, ['abc', 'ü€-long-line', 'partial done']);
  // the default chunk is large: one read takes all
  const whole = new Tail(path);
  const all: string[] = [];
  assert.equal(
    whole.read((l) => all.push(l)),
    false,
  );
  assert.deepEqual(all, got);
});

// Small parts of the training path that the end-to-end runs reach only in one configuration: the launcher's
// argv for each launcher, which run and checkpoint `ftstudio eval` picks, the ETA's text, and the token
// preview's bound on records.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/core/training/config';
import { bundledCommand, trainerConfig } from '../../src/core/training/train';
import {
  DEFAULT_METHOD,
  learningRateDescription,
  methodDescription,
  methodForFormat,
  methodHyperparameters,
  methodParamDefaults,
  methodParamSchemas,
  METHOD_IDS,
  METHODS,
  trainerMethod,
} from '../../src/core/training/methods';
import { classifyFailure } from '../../src/core/training/failures';
import { findResumable } from '../../src/core/training/resume';
import { EvalTargetError, evalTarget, goldenReportOf, runCheckpointEval } from '../../src/core/training/checkpointEval';
import { formatEta } from '../../src/core/training/progress';
import { previewTokens, TokenPreviewError } from '../../src/core/training/tokenPreview';

const tmp = mkdtempSync(join(tmpdir(), 'ftstudio-training-parts-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

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

// runCheckpointEval with a stand-in for the trainer's interpreter: it writes what it was given to given.json
// beside the report, prints what eval-knobs.json (in the project folder, its cwd) says, writes the report and exits
const EVAL_PY = join(tmp, 'eval-python.mjs');
writeFileSync(
  EVAL_PY,
  `#!/usr/bin/env node
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
const argv = process.argv.slice(2);
const out = argv[argv.indexOf('--out') + 1];
const k = existsSync('eval-knobs.json') ? JSON.parse(readFileSync('eval-knobs.json', 'utf8')) : {};
writeFileSync(join(dirname(out), 'given.json'), JSON.stringify({ argv, cwd: process.cwd(), PYTHONPATH: process.env.PYTHONPATH, PYTHONUNBUFFERED: process.env.PYTHONUNBUFFERED }));
if (k.report !== undefined) writeFileSync(out, k.report);
process.stdout.write(k.stdout ?? '');
process.stderr.write(k.stderr ?? '');
if (k.stderrLater) setTimeout(() => process.stderr.write(k.stderrLater), 200);
if (k.kill) process.kill(process.pid, 'SIGKILL');
process.exitCode = k.code ?? 0;
`,
);
chmodSync(EVAL_PY, 0o755);

function evalProject(evalBlock?: Record<string, unknown>) {
  const dir = mkdtempSync(join(tmp, 'eval-'));
  writeFileSync(
    join(dir, 'finetune.json'),
    JSON.stringify({ method: 'sft', model: 'org/m', data: { train: 'd.jsonl' }, ...(evalBlock ? { eval: evalBlock } : {}) }),
  );
  const runDir = join(dir, 'run');
  const checkpoint = join(runDir, 'output', 'checkpoint-4');
  mkdirSync(checkpoint, { recursive: true });
  return { dir, config: loadConfig(join(dir, 'finetune.json')), target: { runDir, checkpoint } };
}

test('runCheckpointEval: the trainer module with its config, checkpoint and report path; its lines; eval.json read on 0 or 1', async () => {
  const { dir, config, target } = evalProject({ golden: 'golden.jsonl' });
  const report = { v: 1, checkpoint: target.checkpoint, model: 'org/m', passed: false, reasons: ['mustPass item x fails'], createdAt: 't' };
  writeFileSync(
    join(dir, 'eval-knobs.json'),
    JSON.stringify({ report: JSON.stringify(report), stderr: 'scoring 3 items\n\n   \ngolden 2/3\nhalf a line', code: 1 }),
  );
  const lines: string[] = [];
  const before = process.env.PYTHONPATH;
  process.env.PYTHONPATH = '/site/extra';
  let running;
  try {
    running = runCheckpointEval({ config, target, python: EVAL_PY, trainerDir: '/opt/trainer', onLine: (l) => lines.push(l) });
  } finally {
    if (before === undefined) delete process.env.PYTHONPATH;
    else process.env.PYTHONPATH = before;
  }
  const r = await running;
  const evalJson = join(target.runDir, 'eval.json');
  assert.deepEqual(r, { code: 1, report, evalJson });
  // blank lines are dropped, the unterminated last line is not
  assert.deepEqual(lines, ['scoring 3 items', 'golden 2/3', 'half a line']);
  const configPath = join(target.runDir, 'eval-config.json');
  assert.deepEqual(JSON.parse(readFileSync(join(target.runDir, 'given.json'), 'utf8')), {
    argv: ['-m', 'ftstudio_trainer', 'eval', '--config', configPath, '--checkpoint', target.checkpoint, '--out', evalJson],
    cwd: dir,
    PYTHONPATH: '/opt/trainer:/site/extra',
    PYTHONUNBUFFERED: '1',
  });
  // the config the trainer reads: the run's, with the checkpoint as its output and its own events file
  assert.equal(
    readFileSync(configPath, 'utf8'),
    JSON.stringify(trainerConfig(config, target.checkpoint, join(target.runDir, 'eval-events.jsonl')), null, 2) + '\n',
  );
  // passed: 0 and the report; stdout's lines are heard too
  writeFileSync(join(dir, 'eval-knobs.json'), JSON.stringify({ report: JSON.stringify({ ...report, passed: true, reasons: [] }), stdout: 'on stdout\n' }));
  const okLines: string[] = [];
  const ok = await runCheckpointEval({ config, target, python: EVAL_PY, trainerDir: '/opt/trainer', onLine: (l) => okLines.push(l) });
  assert.equal(ok.code, 0);
  assert.deepEqual(okLines, ['on stdout']);
  assert.equal(ok.report?.passed, true);
  // each stream keeps its own unfinished line: stdout's "half a line" does not swallow stderr's next line
  writeFileSync(join(dir, 'eval-knobs.json'), JSON.stringify({ report: JSON.stringify(report), stdout: 'half a line', stderrLater: 'golden 2/3\n' }));
  const mixed: string[] = [];
  await runCheckpointEval({ config, target, python: EVAL_PY, trainerDir: '/opt/trainer', onLine: (l) => mixed.push(l) });
  assert.deepEqual(mixed, ['golden 2/3', 'half a line']);
  // a usage problem (2): whatever eval.json holds is not this run's report; a report that is no JSON is none
  writeFileSync(join(dir, 'eval-knobs.json'), JSON.stringify({ report: JSON.stringify(report), code: 2 }));
  assert.deepEqual(await runCheckpointEval({ config, target, python: EVAL_PY, trainerDir: '/opt/trainer' }), { code: 2, report: undefined, evalJson });
  writeFileSync(join(dir, 'eval-knobs.json'), JSON.stringify({ report: '{"v": 1, "check', code: 0 }));
  assert.deepEqual(await runCheckpointEval({ config, target, python: EVAL_PY, trainerDir: '/opt/trainer' }), { code: 0, report: undefined, evalJson });
  // killed by a signal: 128
  writeFileSync(join(dir, 'eval-knobs.json'), JSON.stringify({ kill: true }));
  assert.deepEqual(await runCheckpointEval({ config, target, python: EVAL_PY, trainerDir: '/opt/trainer' }), { code: 128, report: undefined, evalJson });
});

test('runCheckpointEval: no eval block is an error that says what to add; an interpreter that cannot start is 127 and said', async () => {
  const none = evalProject();
  assert.throws(
    () => runCheckpointEval({ config: none.config, target: none.target, python: EVAL_PY, trainerDir: tmp }),
    (e: Error) =>
      e instanceof EvalTargetError &&
      e.message === `${none.config.path}: no "eval" block: add eval.golden (and eval.safety, eval.heldout) to evaluate a checkpoint`,
  );
  const { config, target } = evalProject({ golden: 'golden.jsonl' });
  const lines: string[] = [];
  const missing = join(tmp, 'no-such-python');
  const r = await runCheckpointEval({ config, target, python: missing, trainerDir: tmp, onLine: (l) => lines.push(l) });
  assert.deepEqual(r, { code: 127, evalJson: join(target.runDir, 'eval.json') });
  assert.deepEqual(lines, [`cannot start ${missing}: spawn ${missing} ENOENT`]);
});

test("goldenReportOf: the golden part of eval.json as score's report; items and failures default to none", () => {
  const base = { v: 1 as const, checkpoint: 'c', model: 'm', passed: true, reasons: [], createdAt: 't' };
  assert.equal(goldenReportOf(base), undefined);
  const golden = {
    passRate: 0.5,
    passed: 1,
    total: 2,
    flipped: ['b'],
    items: [
      { id: 'a', passed: true, output: 'x' },
      { id: 'b', passed: false, failures: [{ type: 'contains', message: 'lacks "y"', extra: 1 }] },
    ],
  };
  assert.deepEqual(goldenReportOf({ ...base, golden }), {
    passRate: 0.5,
    passed: 1,
    total: 2,
    flipped: ['b'],
    items: [
      { id: 'a', passed: true, failures: [] },
      { id: 'b', passed: false, failures: [{ type: 'contains', message: 'lacks "y"' }] },
    ],
  });
  assert.deepEqual(goldenReportOf({ ...base, golden: { passRate: 1, passed: 0, total: 0, flipped: [] } }), {
    passRate: 1,
    passed: 0,
    total: 0,
    flipped: [],
    items: [],
  });
});

test('evalTarget: --run must be a run folder; no runs yet says to train first; the run\'s "output" is its adapter', () => {
  const root = mkdtempSync(join(tmp, 'ws-run-'));
  const notRun = join(root, 'plain');
  mkdirSync(notRun);
  assert.throws(
    () => evalTarget(root, notRun),
    (e: Error) => e instanceof EvalTargetError && e.message === `--run ${notRun}: not a run folder (it has no run.json)`,
  );
  assert.throws(
    () => evalTarget(root),
    (e: Error) =>
      e instanceof EvalTargetError && e.message === `no runs in ${join(root, '.finetune', 'runs')}: train first, or name an adapter with --checkpoint DIR`,
  );
  // a file is not a checkpoint folder
  writeFileSync(join(root, 'file'), '');
  assert.throws(
    () => evalTarget(root, undefined, join(root, 'file')),
    (e: Error) => e instanceof EvalTargetError && e.message === `--checkpoint ${join(root, 'file')}: no such folder`,
  );
  // finetune.json's "output" recorded in run.json: the adapter is there
  const runDir = join(root, '.finetune', 'runs', 'r9');
  const out = join(root, 'models', 'out');
  mkdirSync(runDir, { recursive: true });
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'config.json'), '{}');
  writeFileSync(join(runDir, 'run.json'), JSON.stringify({ runId: 'r9', startedAt: '2026-11-30T10:00:00Z', config: { output: out } }));
  assert.deepEqual(evalTarget(root, runDir), { runDir, checkpoint: out });
  assert.deepEqual(evalTarget(root), { runDir, checkpoint: out });
  // --run and --checkpoint: both as given
  const cp = join(root, 'elsewhere');
  mkdirSync(cp);
  writeFileSync(join(cp, 'adapter_config.json'), '{}');
  assert.deepEqual(evalTarget(root, runDir, cp), { runDir, checkpoint: cp });
  // a run.json that is no JSON: the run folder's output/
  const broken = join(root, 'broken');
  mkdirSync(join(broken, 'output'), { recursive: true });
  writeFileSync(join(broken, 'run.json'), '{');
  writeFileSync(join(broken, 'output', 'adapter_config.json'), '{}');
  assert.deepEqual(evalTarget(root, broken), { runDir: broken, checkpoint: join(broken, 'output') });
});

test('classifyFailure: each kind by its phrasings, with its hint; the first rule that matches wins; the whole line is the message', () => {
  const HINTS = {
    oom: 'Lower training.batchSize (raise gradientAccumulation to keep the effective batch), lower maxSeqLength, or use adapter.type "qlora".',
    gated: 'Accept the model licence on the Hugging Face hub and log in (huggingface-cli login), or use a local path.',
    notFound: 'Check "model" in finetune.json: a hub id such as org/name, or a local folder with config.json.',
    disk: 'Free disk space or point "output" to a larger disk; checkpoints need room for the adapter and optimizer state.',
    nan: 'Lower training.learningRate, check the data for empty targets (ftstudio validate), or train in bf16 instead of fp16.',
  };
  const cases: [string, string, string][] = [
    ['RuntimeError: CUDA out of memory.', 'oom', HINTS.oom],
    ['torch.OutOfMemoryError: boom', 'oom', HINTS.oom],
    ['RuntimeError: CUBLAS_STATUS_ALLOC_FAILED when calling cublasCreate', 'oom', HINTS.oom],
    ['HIP OUT OF MEMORY on device 0', 'oom', HINTS.oom],
    ["ImportError: No module named 'transformers.models'", 'missing-package', 'Install it in the training interpreter: pip install transformers'],
    ['ModuleNotFoundError: peft.tuners', 'missing-package', 'Install it in the training interpreter: pip install peft'],
    // Python's own wording: the quoted name, not "No" (the hint said "pip install No")
    ["ModuleNotFoundError: No module named 'bitsandbytes'", 'missing-package', 'Install it in the training interpreter: pip install bitsandbytes'],
    ['Cannot access gated repo for url https://huggingface.co/x', 'gated-model', HINTS.gated],
    ['Access to model meta-llama/Llama-3-8B is restricted.', 'gated-model', HINTS.gated],
    ['requests.exceptions.HTTPError: 401 Client Error', 'gated-model', HINTS.gated],
    ['huggingface_hub.errors.RepositoryNotFoundError: Repository Not Found for url', 'model-not-found', HINTS.notFound],
    ['HTTPError: 404 Client Error', 'model-not-found', HINTS.notFound],
    ['OSError: ./m does not appear to have a file named config.json', 'model-not-found', HINTS.notFound],
    ['OSError: [Errno 28] write failed', 'disk-full', HINTS.disk],
    ['RuntimeError: no space left on device', 'disk-full', HINTS.disk],
    ["{'loss': nan}", 'nan-loss', HINTS.nan],
    ['Detected NaN loss at step 3', 'nan-loss', HINTS.nan],
    ['ValueError: gradients are nan or inf', 'nan-loss', HINTS.nan],
  ];
  for (const [line, kind, hint] of cases) {
    const f = classifyFailure(`starting\n  ${line}  \nexiting\n`);
    assert.deepEqual(f, { kind, message: line, hint }, line);
  }
  // "loss" and "nan" more than 20 characters apart on a line: not a NaN loss
  assert.equal(classifyFailure('the loss was logged at step 3 and then nan appeared').kind, 'unknown');
  // out of memory and a NaN loss both in the output: out of memory is the cause named
  assert.equal(classifyFailure("{'loss': nan}\nCUDA out of memory\n").kind, 'oom');
  // only the last 20,000 characters count
  assert.equal(classifyFailure('CUDA out of memory\n' + 'x'.repeat(20_000)).kind, 'unknown');
  assert.equal(classifyFailure('CUDA out of memory\n' + 'x'.repeat(19_000)).kind, 'oom');
  // a message is at most 300 characters
  assert.equal(classifyFailure(`CUDA out of memory ${'y'.repeat(400)}`).message.length, 300);
  assert.equal(classifyFailure(`Segmentation fault ${'z'.repeat(400)}`).message.length, 300);
  // nothing recognised: the last line that says something, else that there was nothing
  assert.deepEqual(classifyFailure('one\nSegmentation fault (core dumped)  \n\n   \n'), {
    kind: 'unknown',
    message: 'Segmentation fault (core dumped)',
    hint: 'Open the run log for the full output.',
  });
  assert.deepEqual(classifyFailure(''), { kind: 'unknown', message: 'the trainer exited without output', hint: 'Open the run log for the full output.' });
  assert.equal(classifyFailure('\n  \n').message, 'the trainer exited without output');
});

test('methods: the schema texts, the defaults of method-specific keys, the hyperparameters of one method, the method of a format', () => {
  assert.deepEqual(METHOD_IDS, ['sft', 'dpo']);
  assert.equal(DEFAULT_METHOD, 'sft');
  assert.equal(
    methodDescription(),
    'sft: supervised fine-tuning (loss on completions / assistant turns only). dpo: direct preference optimisation on (prompt, chosen, rejected).',
  );
  assert.equal(learningRateDescription(), 'Default 2e-4 for SFT with LoRA, 5e-6 for DPO.');
  assert.deepEqual(methodParamSchemas(), { beta: { type: 'number', exclusiveMinimum: 0, default: 0.1, description: 'DPO temperature.' } });
  assert.deepEqual(methodParamDefaults({}), { beta: 0.1 });
  assert.deepEqual(methodParamDefaults({ beta: 0.25, epochs: 3 }), { beta: 0.25 });
  assert.deepEqual(methodHyperparameters('dpo', { beta: 0.2, epochs: 3 }), { beta: 0.2 });
  assert.deepEqual(methodHyperparameters('sft', { beta: 0.2, epochs: 3 }), {});
  assert.equal(methodForFormat('preference'), 'dpo');
  assert.equal(methodForFormat('openai-preference'), 'dpo');
  assert.equal(methodForFormat('prompt-completion'), 'sft');
  assert.equal(methodForFormat('sharegpt-preference'), 'sft');
  assert.equal(methodForFormat(undefined), 'sft');
  assert.equal(trainerMethod('dpo').referenceModel, true);
  assert.equal(trainerMethod('sft').activationFactor, 1);
  assert.equal(trainerMethod('dpo').activationFactor, 2);
  assert.equal(trainerMethod('sft').learningRate, 2e-4);
});

test('methodParamSchemas: two methods that give one key different schemas are refused; the same schema is one key', () => {
  const params = METHODS.sft.params as Record<string, unknown>;
  try {
    params.beta = { schema: { ...METHODS.dpo.params.beta.schema }, hyperparameter: 'beta' };
    assert.deepEqual(Object.keys(methodParamSchemas()), ['beta']);
    params.beta = { schema: { ...METHODS.dpo.params.beta.schema, default: 0.5 }, hyperparameter: 'beta' };
    assert.throws(() => methodParamSchemas(), /^Error: training\.beta: methods disagree on its schema$/);
  } finally {
    delete params.beta;
  }
  assert.deepEqual(Object.keys(methodParamSchemas()), ['beta']);
});

// Preflight, check by check (core/training/preflight.ts): each check's pass / warn / block boundary and the
// words the user reads, with a fake for nvidia-smi and the interpreter's package probe (nothing is spawned).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type TrainingConfig } from '../../src/core/training/config';
import {
  estimateHostMemGiB,
  estimateSecondsPerStep,
  estimateVramGiB,
  modelSizeB,
  parseNvidiaSmi,
  preflight,
  type CommandResult,
  type PreflightCheck,
  type PreflightContext,
} from '../../src/core/training/preflight';
import { fileSha256 } from '../../src/core/training/runRecord';
import { appendEvent, reviewPaths, writeManifest } from '../../src/core/review/reviewStore';
import { indexFile } from '../../src/core/records/recordIndex';

const tmp = mkdtempSync(join(tmpdir(), 'ftstudio-preflight-checks-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const row = (i: number, completion = `Answer ${i}.`) => JSON.stringify({ prompt: `Question number ${i}?`, completion });
const TRAIN = Array.from({ length: 10 }, (_, i) => row(i));
const HELD = [row(10), row(11)];

/** A project folder with d.train.jsonl (10 records; null: none), d.heldout.jsonl (2) and finetune.json; its loaded config. */
function project(extra: Record<string, unknown> = {}, train: readonly string[] | null = TRAIN, held: readonly string[] | null = HELD) {
  const dir = mkdtempSync(join(tmp, 'p-'));
  if (train) writeFileSync(join(dir, 'd.train.jsonl'), train.join('\n') + '\n');
  if (held) writeFileSync(join(dir, 'd.heldout.jsonl'), held.join('\n') + '\n');
  writeFileSync(
    join(dir, 'finetune.json'),
    JSON.stringify({ method: 'sft', model: 'org/Tiny-1B', data: { train: 'd.train.jsonl', heldout: 'd.heldout.jsonl' }, ...extra }),
  );
  return { dir, config: loadConfig(join(dir, 'finetune.json')) };
}

const PKGS = { torch: '2.5.1', transformers: '4.46.0', peft: '0.13.0', bitsandbytes: null, accelerate: '1.0.0', cuda: true, mps: false };

interface FakeOptions {
  /** nvidia-smi's stdout (one GPU a line); undefined: nvidia-smi is not there (code 127) */
  readonly gpus?: string;
  readonly smiCode?: number;
  readonly smiThrows?: boolean;
  /** the probe's answer: an object (printed as JSON) or raw stdout */
  readonly pkgs?: Record<string, unknown> | string;
  readonly pyCode?: number;
  readonly pyStderr?: string;
  readonly pyThrows?: string;
}

/** A fake `run`: answers nvidia-smi and the interpreter's probe, and records every call. */
function fake(o: FakeOptions = {}) {
  const calls: { argv: string[]; timeoutMs: number }[] = [];
  const run = async (argv: readonly string[], timeoutMs: number): Promise<CommandResult> => {
    calls.push({ argv: [...argv], timeoutMs });
    if (argv[0] === 'nvidia-smi') {
      if (o.smiThrows) throw new Error('spawn nvidia-smi ENOENT');
      return o.gpus === undefined ? { code: 127, stdout: '', stderr: 'not found' } : { code: o.smiCode ?? 0, stdout: o.gpus, stderr: '' };
    }
    if (o.pyThrows) throw new Error(o.pyThrows);
    const pkgs = o.pkgs ?? PKGS;
    return { code: o.pyCode ?? 0, stdout: typeof pkgs === 'string' ? pkgs : JSON.stringify(pkgs) + '\n', stderr: o.pyStderr ?? '' };
  };
  return { run, calls };
}

async function checks(config: TrainingConfig, dir: string, o: FakeOptions = {}, ctx: Partial<PreflightContext> = {}) {
  const f = fake(o);
  const all = await preflight({ config, workspaceRoot: dir, python: 'py', outputDir: join(dir, 'out'), run: f.run, ...ctx });
  const by = (id: PreflightCheck['id']) => {
    const found = all.filter((c) => c.id === id);
    assert.ok(found.length <= 1, `one ${id} check: ${JSON.stringify(found)}`);
    return found[0];
  };
  return { all, by, calls: f.calls };
}

const L4 = 'NVIDIA L4, 23034, 22000\n';
const TOKENS = /tokens estimated at 4 characters each \(no tokenizer: org\/Tiny-1B is not in the Hugging Face cache/;

test('a clean project on a GPU: every check passes, in order, each line saying what it saw', async () => {
  const { dir, config } = project();
  const { all, by, calls } = await checks(config, dir, { gpus: L4 });
  assert.deepEqual(
    all.map((c) => `${c.id}:${c.status}`),
    ['data:pass', 'review:block', 'heldout:pass', 'eval:warn', 'gpu:pass', 'vram:pass', 'packages:pass', 'output:pass'],
  );
  assert.match(by('data')!.message, /^d\.train\.jsonl: 10 records validate clean \(prompt-completion\); tokens estimated at 4 characters each \(/);
  assert.match(by('data')!.message, TOKENS);
  assert.equal(by('review')!.message, 'no review of d.train.jsonl: review a 5–10% sample first ("Finetune Studio: Review Sample")');
  assert.equal(by('heldout')!.message, 'held-out set: 2 records, no overlap with 10 training records');
  assert.equal(by('gpu')!.message, 'GPU 0: NVIDIA L4, 22.5 GiB, 21.5 GiB free');
  // 1B LoRA: 2 bytes a parameter, activations 4 × 2048 tokens (a 128,256-id vocabulary assumed), 1 GiB of context
  assert.equal(by('vram')!.message, '1B model (vocabulary unknown, 128,256 ids assumed), LORA: about 12.2 GiB needed, 21.5 GiB free');
  // cuda and the falsy entries (bitsandbytes null, mps false) are not listed
  assert.equal(by('packages')!.message, 'py: torch 2.5.1, transformers 4.46.0, peft 0.13.0, accelerate 1.0.0');
  assert.equal(by('output')!.message, `output folder ${join(dir, 'out')} is free`);
  // nvidia-smi asked for name and memory as bare CSV, the interpreter once (no shell: argv arrays)
  assert.deepEqual(calls[0], {
    argv: ['nvidia-smi', '--query-gpu=name,memory.total,memory.free', '--format=csv,noheader,nounits'],
    timeoutMs: 10_000,
  });
  const py = calls.filter((c) => c.argv[0] === 'py');
  assert.equal(py.length, 1, 'the interpreter is asked once per preflight');
  assert.equal(py[0]!.argv[1], '-c');
  assert.match(py[0]!.argv[2]!, /importlib\.metadata[\s\S]*"torch", "transformers", "peft", "bitsandbytes", "accelerate", "safetensors"[\s\S]*json\.dumps/);
  assert.equal(py[0]!.timeoutMs, 60_000);
});

// Validating the training data takes a worker (about a second): each preflight over present data below checks
// several things at once; the checks of the machine (GPU, memory, packages, output) run without training data.

test('data missing: a block, no held-out comparison; held-out unset or not found blocks', async () => {
  const missing = project({}, null);
  const paths = reviewPaths(missing.dir, missing.config.data.train);
  mkdirSync(join(missing.dir, '.finetune', 'reviews'), { recursive: true });
  writeManifest(paths.manifest, { v: 1, dataset: 'd.train.jsonl', fraction: 0.1, seed: 0, createdAt: '', records: [{ line: 1, id: 'x' }] });
  const m = await checks(missing.config, missing.dir, { gpus: L4 });
  assert.deepEqual(m.by('data'), { id: 'data', status: 'block', message: `training data ${missing.config.data.train} not found` });
  // no training data: the held-out set cannot be compared with it, so there is no held-out line
  assert.equal(m.by('heldout'), undefined);
  // nor is a review looked for (one was made before the file went)
  assert.equal(m.by('review')!.message, 'no review of d.train.jsonl: review a 5–10% sample first ("Finetune Studio: Review Sample")');
  const none = project({ data: { train: 'd.train.jsonl' } }, null);
  assert.deepEqual((await checks(none.config, none.dir, { gpus: L4 })).by('heldout'), {
    id: 'heldout',
    status: 'block',
    message: 'no held-out set: reserve 10–15% ("Finetune Studio: Split Held-out Set") and set data.heldout',
  });
  const absent = project({}, null, null);
  assert.deepEqual((await checks(absent.config, absent.dir, { gpus: L4 })).by('heldout'), {
    id: 'heldout',
    status: 'block',
    message: `held-out set ${absent.config.data.heldout} not found`,
  });
  // a resume of a run whose data is gone: only the "not found" line
  const gone = await checks(
    missing.config,
    missing.dir,
    { gpus: L4 },
    { resume: { checkpoint: { path: 'checkpoint-1', step: 1 }, datasetSha256: 'ab'.repeat(32) } },
  );
  assert.deepEqual(
    gone.all.filter((c) => c.id === 'data').map((c) => c.message),
    [`training data ${missing.config.data.train} not found`],
  );
});

/** A review of `dataset` in the project: the first `sampled` records in the sample, decisions for some. */
async function review(dir: string, dataset: string, sampled: number, decisions: readonly ('pass' | 'fail')[]) {
  const refs = await indexFile(dataset);
  const paths = reviewPaths(dir, dataset);
  mkdirSync(join(dir, '.finetune', 'reviews'), { recursive: true });
  writeManifest(paths.manifest, { v: 1, dataset, fraction: 0.1, seed: 0, createdAt: '', records: refs.slice(0, sampled) });
  decisions.forEach((decision, i) =>
    appendEvent(paths.log, { v: 1, kind: 'decision', id: refs[i]!.id, line: refs[i]!.line, seed: 0, reviewer: 'ana', time: '', decision }),
  );
}

const checkpoint = { path: join(tmp, 'out', 'checkpoint-7'), step: 7 };

test('a broken line; a record shared with the held-out set; a review begun, not finished; data changed since the run being resumed', async () => {
  // one whole training record and two training prompts in the held-out set
  const { dir, config } = project({}, [...TRAIN.slice(0, 3), '{not json', ...TRAIN.slice(3)], [TRAIN[4]!, row(0, 'Another answer.'), row(1, 'Yet another.')]);
  await review(dir, config.data.train, 10, ['pass', 'pass', 'fail']);
  const was = 'abcdef0123456789'.repeat(4);
  const { all, by } = await checks(config, dir, { gpus: L4 }, { resume: { checkpoint, datasetSha256: was } });
  assert.deepEqual(
    all.filter((c) => c.id === 'data'),
    [
      { id: 'data', status: 'block', message: 'd.train.jsonl: 1 errors, 0 warnings in 11 records; run ftstudio validate d.train.jsonl' },
      {
        id: 'data',
        status: 'block',
        message: 'd.train.jsonl changed since the run started (sha256 abcdef012345…): the resumed run would continue on other data; start a new run instead',
      },
    ],
  );
  // a block that counts the one record, not the prompts
  assert.deepEqual(by('heldout'), { id: 'heldout', status: 'block', message: '1 held-out records are also in the training data: remove them from one side' });
  assert.deepEqual(by('review'), {
    id: 'review',
    status: 'block',
    message: 'review incomplete: 3/10 of the sample reviewed (d.train.jsonl); finish "Finetune Studio: Review Sample"',
  });
});

test('records not in the forced format; prompts shared with the held-out set; a failed review; a resume on the same data', async () => {
  // the prompts of two training records, answered otherwise: the prompts leak, not the records
  const { dir, config } = project({ data: { train: 'd.train.jsonl', heldout: 'd.heldout.jsonl', format: 'preference' } }, TRAIN, [
    row(0, 'Another answer.'),
    row(1, 'Yet another.'),
    row(10),
  ]);
  await review(dir, config.data.train, 4, ['pass', 'pass', 'pass', 'fail']);
  const { all, by } = await checks(config, dir, { gpus: L4 }, { resume: { checkpoint, datasetSha256: await fileSha256(config.data.train) } });
  // a known format that the records are not in: validated as that format, errors
  assert.equal(all.filter((c) => c.id === 'data').length, 1);
  assert.equal(by('data')!.status, 'block');
  assert.match(by('data')!.message, /^d\.train\.jsonl: [1-9]\d* errors, \d+ warnings in 10 records; run ftstudio validate d\.train\.jsonl$/);
  assert.deepEqual(by('heldout'), { id: 'heldout', status: 'warn', message: '2 held-out prompts also appear in the training data' });
  // 75% against the default 90%
  assert.deepEqual(by('review'), {
    id: 'review',
    status: 'block',
    message: 'review gate failed: pass rate 75% < 90% on d.train.jsonl; fix the failing records and review them again',
  });
});

test('"auto" detects the format; a review passes at the threshold given; a resume with no recorded sha', async () => {
  const { dir, config } = project({ data: { train: 'd.train.jsonl', heldout: 'd.heldout.jsonl', format: 'auto' } });
  await review(dir, config.data.train, 4, ['pass', 'pass', 'pass', 'fail']);
  const { all, by } = await checks(config, dir, { gpus: L4 }, { gateThreshold: 0.75, resume: { checkpoint } });
  assert.deepEqual(
    all.filter((c) => c.id === 'data').map((c) => c.status),
    ['pass'],
  );
  assert.match(by('data')!.message, /^d\.train\.jsonl: 10 records validate clean \(prompt-completion\); tokens estimated/);
  assert.deepEqual(by('review'), { id: 'review', status: 'pass', message: 'review gate passed: 4/4 reviewed, pass rate 75% ≥ 75% (d.train.jsonl)' });
});

test('warnings and over-length records; the training file reviewed before its split (x.jsonl for x.train.jsonl); the file itself first', async () => {
  // two records longer than maxSeqLength 16 (about 64 characters) and a duplicate: three warnings, two over
  const long = [row(0, 'word '.repeat(40)), row(1, 'word '.repeat(41)), ...TRAIN.slice(2), TRAIN[5]!];
  const { dir, config } = project({ training: { maxSeqLength: 16 } }, long);
  const whole = join(dir, 'd.jsonl');
  writeFileSync(whole, readFileSync(config.data.train));
  await review(dir, whole, 2, ['pass', 'pass']);
  const first = await checks(config, dir, { gpus: L4 });
  assert.equal(first.by('data')!.status, 'warn');
  assert.match(
    first.by('data')!.message,
    /^d\.train\.jsonl: 11 records, 3 warnings \(no errors\); 2 over maxSeqLength 16 \(tokens estimated at 4 characters each \(no tokenizer: .*\)\): the end of each is cut off in training$/,
  );
  assert.deepEqual(first.by('review'), { id: 'review', status: 'pass', message: 'review gate passed: 2/2 reviewed, pass rate 100% ≥ 90% (d.jsonl)' });
  // a review of the training file itself wins over the one before the split
  await review(dir, config.data.train, 2, ['fail', 'pass']);
  assert.equal(
    (await checks(config, dir, { gpus: L4 })).by('review')!.message,
    'review gate failed: pass rate 50% < 90% on d.train.jsonl; fix the failing records and review them again',
  );
  // the suffix in any case: D.Train.JSONL was reviewed as D.jsonl
  const upper = project({ data: { train: 'D.Train.JSONL', heldout: 'd.heldout.jsonl' } }, null);
  writeFileSync(join(upper.dir, 'D.Train.JSONL'), TRAIN.join('\n') + '\n');
  writeFileSync(join(upper.dir, 'D.jsonl'), TRAIN.join('\n') + '\n');
  await review(upper.dir, join(upper.dir, 'D.jsonl'), 1, ['pass']);
  assert.equal((await checks(upper.config, upper.dir, { gpus: L4 })).by('review')!.message, 'review gate passed: 1/1 reviewed, pass rate 100% ≥ 90% (D.jsonl)');
});

test('GPUs: each listed; the VRAM estimate is against the GPU with the most free memory; full fine-tune and QLoRA named', async () => {
  const { dir, config } = project({}, null);
  const two = 'Tesla T4, 15360, 2048\nNVIDIA A100, 81920, 40960\n';
  const c = await checks(config, dir, { gpus: two });
  assert.deepEqual(c.by('gpu'), { id: 'gpu', status: 'pass', message: 'GPU 0: Tesla T4, 15.0 GiB, 2.0 GiB free; GPU 1: NVIDIA A100, 80.0 GiB, 40.0 GiB free' });
  assert.equal(c.by('vram')!.message, '1B model (vocabulary unknown, 128,256 ids assumed), LORA: about 12.2 GiB needed, 40.0 GiB free');
  const full = await checks({ ...config, adapter: { ...config.adapter, type: 'none' } }, dir, { gpus: two });
  assert.equal(
    full.by('vram')!.message,
    `1B model (vocabulary unknown, 128,256 ids assumed), full fine-tune: about ${estimateVramGiB({ ...config, adapter: { ...config.adapter, type: 'none' } }, 1).toFixed(1)} GiB needed, 40.0 GiB free`,
  );
  assert.match(full.by('vram')!.message, /^1B model \(vocabulary unknown, 128,256 ids assumed\), full fine-tune: about 29\.0 GiB needed/);
  const q = await checks({ ...config, adapter: { ...config.adapter, type: 'qlora' } }, dir, { gpus: two, pkgs: { ...PKGS, bitsandbytes: '0.44.1' } });
  assert.match(q.by('vram')!.message, /^1B model \(vocabulary unknown, 128,256 ids assumed\), QLORA: about 10\.9 GiB needed, 40\.0 GiB free$/);
  // the model size unknown: a warning that says how to give it
  const unknown = await checks({ ...config, model: 'org/tiny-model' }, dir, { gpus: two });
  assert.deepEqual(unknown.by('vram'), { id: 'vram', status: 'warn', message: 'model size unknown: set "modelSizeB" in finetune.json for a VRAM estimate' });
});

test('VRAM: blocks above the free memory, warns above 90% of it, passes at or below 90%', async () => {
  const { dir, config } = project({ modelSizeB: 2 }, null);
  const need = estimateVramGiB(config, 2);
  const vram = async (freeGiB: number) => (await checks(config, dir, { gpus: `NVIDIA L4, 23034, ${freeGiB * 1024}\n` })).by('vram')!;
  const what = (free: number) => `2B model (vocabulary unknown, 128,256 ids assumed), LORA: about ${need.toFixed(1)} GiB needed, ${free.toFixed(1)} GiB free`;
  const below = need * 0.999;
  assert.deepEqual(await vram(below), { id: 'vram', status: 'block', message: `${what(below)}: use qlora, a smaller batch or a shorter maxSeqLength` });
  // exactly the free memory: fits, tightly
  assert.deepEqual(await vram(need), { id: 'vram', status: 'warn', message: `${what(need)}: tight` });
  assert.equal((await vram(need * 1.05)).status, 'warn');
  // exactly 90% of the free memory: not tight (checked: 0.9 × (need / 0.9) is need again in floating point)
  const edge = need / 0.9;
  assert.equal(0.9 * edge, need);
  assert.deepEqual(await vram(edge), { id: 'vram', status: 'pass', message: what(edge) });
  assert.equal((await vram(need * 2)).status, 'pass');
});

test('no NVIDIA GPU: a warning with the time per step on the CPU or MPS, and a host memory check; QLoRA blocks', async () => {
  const { dir, config } = project({ modelSizeB: 2 }, null);
  const host = estimateHostMemGiB(config, 2);
  const cpu = (o: FakeOptions, totalGiB: number) => checks(config, dir, o, { totalMemBytes: totalGiB * 2 ** 30 });
  const c = await cpu({}, 64);
  const perStep = estimateSecondsPerStep(config, 2, 'cpu');
  assert.equal(perStep, 655.36);
  assert.deepEqual(c.by('gpu'), {
    id: 'gpu',
    status: 'warn',
    message: 'no NVIDIA GPU: training runs on the CPU, slowly — about 11 min per step for a 2B model (a rough estimate)',
  });
  assert.deepEqual(c.by('vram'), {
    id: 'vram',
    status: 'pass',
    message: `2B model in float32 on the CPU: about ${host.toFixed(1)} GiB needed, 64.0 GiB of memory`,
  });
  assert.equal(c.by('vram')!.message, '2B model in float32 on the CPU: about 16.6 GiB needed, 64.0 GiB of memory');
  // the probe says MPS: Apple's GPU, 20 times the CPU's rate
  const mps = await cpu({ pkgs: { ...PKGS, cuda: false, mps: true } }, 64);
  assert.equal(mps.by('gpu')!.message, 'no NVIDIA GPU: training runs on Apple MPS, slowly — about 33 s per step for a 2B model (a rough estimate)');
  assert.match(mps.by('vram')!.message, /^2B model in float32 on Apple MPS: /);
  assert.equal(mps.calls.filter((x) => x.argv[0] === 'py').length, 1, 'the probe runs once for the device and the packages');
  // nvidia-smi answering with an error code, or not starting at all: no GPU either
  for (const o of [{ gpus: L4, smiCode: 9 }, { smiThrows: true }]) assert.equal((await cpu(o, 64)).by('gpu')!.status, 'warn', JSON.stringify(o));
  // memory: blocks above the total, warns above 80% of it, passes at 80% (0.8 × (need / 0.8) is need again)
  const what = (have: number) => `2B model in float32 on the CPU: about ${host.toFixed(1)} GiB needed, ${have.toFixed(1)} GiB of memory`;
  assert.deepEqual((await cpu({}, host * 0.99)).by('vram'), {
    id: 'vram',
    status: 'block',
    message: `${what(host * 0.99)}: it does not fit; use a smaller model, adapter "lora" or a GPU`,
  });
  assert.deepEqual((await cpu({}, host)).by('vram'), { id: 'vram', status: 'warn', message: `${what(host)}: tight` });
  assert.equal(0.8 * (host / 0.8), host);
  assert.deepEqual((await cpu({}, host / 0.8)).by('vram'), { id: 'vram', status: 'pass', message: what(host / 0.8) });
  // QLoRA without CUDA: a block, and no device question
  const q = await checks(
    { ...config, adapter: { ...config.adapter, type: 'qlora' } },
    dir,
    { pkgs: { ...PKGS, bitsandbytes: '0.44' } },
    { totalMemBytes: 2 ** 40 },
  );
  assert.deepEqual(q.by('gpu'), {
    id: 'gpu',
    status: 'block',
    message: 'no NVIDIA GPU found (nvidia-smi did not answer): QLoRA needs CUDA and bitsandbytes; use adapter "lora" to train on this machine',
  });
  assert.equal(q.by('vram'), undefined);
  // the model size unknown: how to get an estimate, and no memory line
  const unknown = await checks({ ...config, modelSizeB: undefined, model: 'org/tiny-model' }, dir, {}, { totalMemBytes: 2 ** 40 });
  assert.equal(
    unknown.by('gpu')!.message,
    'no NVIDIA GPU: training runs on the CPU, slowly — set "modelSizeB" in finetune.json for an estimate of the time per step',
  );
  assert.equal(unknown.by('vram'), undefined);
  // a custom trainer: its interpreter is not ours to ask; the CPU is assumed
  const custom = await checks({ ...config, trainerCommand: ['node', 'train.mjs'] }, dir, { pkgs: { ...PKGS, mps: true } }, { totalMemBytes: 2 ** 40 });
  assert.match(custom.by('gpu')!.message, /training runs on the CPU/);
  assert.deepEqual(
    custom.calls.map((x) => x.argv[0]),
    ['nvidia-smi'],
  );
});

test('the time per step reads in seconds (two decimals below 1 s), minutes from 120 s, hours from 2 h', async () => {
  // on the CPU with an adapter: sizeB × 1e9 × tokens × 4 FLOPs at 1e11 FLOP/s; batch 1 × accumulation 1 × maxSeqLength tokens
  const cases: [number, number, string][] = [
    [0.5, 25, '0.50 s'],
    [1, 25, '1 s'],
    [1, 1000, '40 s'],
    [1, 2975, '119 s'],
    [1, 3000, '2 min'],
    [10, 17000, '113 min'],
    [10, 18000, '2.0 h'],
    [10, 27000, '3.0 h'],
  ];
  for (const [size, seq, text] of cases) {
    const { dir, config } = project({ modelSizeB: size, training: { batchSize: 1, gradientAccumulation: 1, maxSeqLength: seq } }, null, null);
    const c = await checks(config, dir, { pkgs: { ...PKGS, cuda: false } }, { totalMemBytes: 2 ** 50 });
    assert.equal(
      c.by('gpu')!.message,
      `no NVIDIA GPU: training runs on the CPU, slowly — about ${text} per step for a ${size}B model (a rough estimate)`,
      `${size}B ${seq}`,
    );
  }
});

test('estimates: VRAM, host memory and time per step from the method, the adapter and the batch', () => {
  const { config } = project({}, null);
  const as = (type: 'lora' | 'qlora' | 'none', method: 'sft' | 'dpo' = 'sft', training: Partial<TrainingConfig['training']> = {}) =>
    ({ ...config, method, adapter: { ...config.adapter, type }, training: { ...config.training, ...training } }) as TrainingConfig;
  const near = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-9, `${a} ≠ ${b}`);
  const GiB = 2 ** 30;
  // activations per token: the logits (9 bytes per vocabulary id, 128,256 ids unless given) and the layers
  // (0.00007 GiB × 8^⅔); batch 4 × 2048 tokens, twice for DPO; 1 GiB of CUDA context
  const perToken = (vocab: number) => (vocab * 9) / GiB + 0.00007 * 8 ** (2 / 3);
  const act = 4 * 2048 * perToken(128_256);
  near(estimateVramGiB(as('lora'), 8), (8e9 * 2) / GiB + act + 1);
  near(estimateVramGiB(as('lora'), 8, 32_000), (8e9 * 2) / GiB + 4 * 2048 * perToken(32_000) + 1);
  near(estimateVramGiB(as('qlora'), 8), (8e9 * 0.6) / GiB + act + 1);
  // a full fine-tune: float32 weights, gradients, AdamW moments and autocast's bf16 copies
  near(estimateVramGiB(as('none'), 8), (8e9 * 20) / GiB + act + 1);
  // a full DPO keeps a frozen reference model (a float32 copy) beside the one it trains
  near(estimateVramGiB(as('none', 'dpo'), 8), (8e9 * 20 + 8e9 * 4) / GiB + 2 * act + 1);
  near(estimateVramGiB(as('lora', 'dpo'), 8), (8e9 * 2) / GiB + 2 * act + 1);
  near(estimateVramGiB(as('lora', 'sft', { batchSize: 1, maxSeqLength: 512 }), 8), (8e9 * 2) / GiB + 512 * perToken(128_256) + 1);
  // host memory in float32: 4 bytes a parameter with an adapter, 16 (20 for DPO) for a full fine-tune
  const hostAct = 4 * 2048 * 2 * 0.0005;
  near(estimateHostMemGiB(as('lora'), 2), (2e9 * 4) / GiB + hostAct + 1);
  near(estimateHostMemGiB(as('lora', 'dpo'), 2), (2e9 * 4) / GiB + hostAct + 1);
  near(estimateHostMemGiB(as('none'), 2), (2e9 * 16) / GiB + hostAct + 1);
  near(estimateHostMemGiB(as('none', 'dpo'), 2), (2e9 * 20) / GiB + hostAct + 1);
  // time per step: 6 FLOPs a parameter and token for a full fine-tune, 4 with an adapter; DPO doubles the tokens
  const tokens = 4 * 1 * 2048;
  near(estimateSecondsPerStep(as('lora'), 1, 'cpu'), (1e9 * tokens * 4) / 1e11);
  near(estimateSecondsPerStep(as('lora'), 1, 'mps'), (1e9 * tokens * 4) / 2e12);
  near(estimateSecondsPerStep(as('none'), 1, 'cpu'), (1e9 * tokens * 6) / 1e11);
  near(estimateSecondsPerStep(as('qlora'), 1, 'cpu'), (1e9 * tokens * 4) / 1e11);
  near(estimateSecondsPerStep(as('lora', 'dpo'), 1, 'cpu'), (1e9 * tokens * 2 * 4) / 1e11);
  near(estimateSecondsPerStep(as('lora', 'sft', { gradientAccumulation: 3 }), 1, 'cpu'), (1e9 * tokens * 3 * 4) / 1e11);
});

test('modelSizeB: the config wins; else the number before B or M in the model name (not its folders)', () => {
  const { config } = project({}, null);
  const size = (model: string, given?: number) => modelSizeB({ ...config, model, modelSizeB: given });
  assert.equal(size('org/Tiny-1B', 3), 3);
  assert.equal(size('meta-llama/Llama-3-8B'), 8);
  assert.equal(size('Qwen/Qwen2.5-0.5B-Instruct'), 0.5);
  assert.equal(size('HuggingFaceTB/SmolLM2-135M'), 0.135);
  assert.equal(size('EleutherAI/pythia-160m'), 0.16);
  assert.equal(size('org/model-7b'), 7);
  assert.equal(size('org/Model 13 B'), 13);
  // a letter after the unit is a word, not a size
  assert.equal(size('org/model-4bit'), undefined);
  assert.equal(size('openai-community/gpt2'), undefined);
  assert.equal(size('/models/7B/tiny'), undefined);
});

test("packages: the interpreter's answer; what is missing for the adapter and the launcher, with the pip line", async () => {
  const { dir, config } = project({}, null);
  const pk = async (c: TrainingConfig, o: FakeOptions) => (await checks(c, dir, { gpus: L4, ...o })).by('packages')!;
  assert.deepEqual(await pk(config, { pkgs: { torch: null, transformers: null, peft: null, cuda: null } }), {
    id: 'packages',
    status: 'block',
    message: 'py lacks torch, transformers, peft: pip install torch transformers peft',
  });
  // every package listed with its version, the devices too; cuda is not a package
  assert.deepEqual(await pk(config, { pkgs: { ...PKGS, safetensors: '0.4.5', mps: true } }), {
    id: 'packages',
    status: 'pass',
    message: 'py: torch 2.5.1, transformers 4.46.0, peft 0.13.0, accelerate 1.0.0, mps true, safetensors 0.4.5',
  });
  // noise before the JSON line: the last line is the answer
  assert.equal((await pk(config, { pkgs: `Warning: something\n${JSON.stringify(PKGS)}\n` })).status, 'pass');
  // QLoRA needs bitsandbytes; accelerate is needed by its launcher or by more than one process
  const qlora = { ...config, adapter: { ...config.adapter, type: 'qlora' as const } };
  assert.equal((await pk(qlora, {})).message, 'py lacks bitsandbytes: pip install bitsandbytes');
  const noAccelerate = { ...PKGS, accelerate: null };
  assert.equal((await pk(config, { pkgs: noAccelerate })).status, 'pass');
  assert.equal((await pk({ ...config, launcher: { type: 'torchrun', numProcesses: 1 } }, { pkgs: noAccelerate })).status, 'pass');
  assert.equal(
    (await pk({ ...config, launcher: { type: 'torchrun', numProcesses: 2 } }, { pkgs: noAccelerate })).message,
    'py lacks accelerate: pip install accelerate',
  );
  assert.equal(
    (await pk({ ...config, launcher: { type: 'accelerate', numProcesses: 1 } }, { pkgs: noAccelerate })).message,
    'py lacks accelerate: pip install accelerate',
  );
  assert.equal(
    (await pk({ ...qlora, launcher: { type: 'accelerate', numProcesses: 1 } }, { pkgs: { ...noAccelerate, peft: '' } })).message,
    'py lacks peft, bitsandbytes, accelerate: pip install peft bitsandbytes accelerate',
  );
  // a custom trainer brings its own packages: not asked
  const custom = await checks({ ...config, trainerCommand: ['node', 'my trainer.mjs', '--fast'] }, dir, { gpus: L4 });
  assert.deepEqual(custom.by('packages'), {
    id: 'packages',
    status: 'pass',
    message: 'custom trainer: node my trainer.mjs --fast (its packages are not checked)',
  });
  assert.equal(custom.calls.filter((x) => x.argv[0] === 'py').length, 0);
});

test('packages: an interpreter that fails, cannot start or answers no JSON blocks with its last line of output', async () => {
  const { dir, config } = project({}, null);
  const pk = async (o: FakeOptions) => (await checks(config, dir, { gpus: L4, ...o })).by('packages')!;
  const msg = (why: string) => `the interpreter py did not run (${why}); set "python" in finetune.json`;
  assert.deepEqual(await pk({ pyCode: 1, pkgs: '', pyStderr: 'Traceback (most recent call last):\n  File "<string>", line 1\nSyntaxError: bad  \n' }), {
    id: 'packages',
    status: 'block',
    message: msg('SyntaxError: bad'),
  });
  // a failing interpreter's stdout is not trusted, even when it is JSON
  assert.equal((await pk({ pyCode: 1 })).message, msg('no output'));
  assert.equal((await pk({ pyThrows: 'spawn py ENOENT' })).message, msg('spawn py ENOENT'));
  assert.equal((await pk({ pkgs: 'not json\n' })).message, msg('no output'));
  assert.equal((await pk({ pkgs: '' })).message, msg('no output'));
  // no GPU and no interpreter: the device is the CPU
  const noGpu = await checks(config, dir, { pyThrows: 'spawn py ENOENT' }, { totalMemBytes: 2 ** 40 });
  assert.match(noGpu.by('gpu')!.message, /training runs on the CPU/);
});

test('output folder: free when absent or empty, a block when it holds files, a resume names its checkpoint', async () => {
  const { dir, config } = project({}, null);
  const out = join(dir, 'out');
  assert.equal((await checks(config, dir, { gpus: L4 })).by('output')!.message, `output folder ${out} is free`);
  mkdirSync(out);
  assert.deepEqual((await checks(config, dir, { gpus: L4 })).by('output'), { id: 'output', status: 'pass', message: `output folder ${out} is free` });
  writeFileSync(join(out, 'adapter_config.json'), '{}');
  assert.deepEqual((await checks(config, dir, { gpus: L4 })).by('output'), {
    id: 'output',
    status: 'block',
    message: `output folder ${out} is not empty: choose another "output" or remove it`,
  });
  const resume = { checkpoint: { path: join(out, 'checkpoint-7'), step: 7 } };
  assert.deepEqual((await checks(config, dir, { gpus: L4 }, { resume })).by('output'), {
    id: 'output',
    status: 'pass',
    message: `resuming from checkpoint-7 (step 7) in ${out}`,
  });
});

test("nvidia-smi's CSV: blank lines skipped, names trimmed, a line without two numbers dropped", () => {
  assert.deepEqual(parseNvidiaSmi('\n  NVIDIA L4 ,  23034 , 22000  \n\nbroken line\nA, 1, 2\n'), [
    { name: 'NVIDIA L4', totalMiB: 23034, freeMiB: 22000 },
    { name: 'A', totalMiB: 1, freeMiB: 2 },
  ]);
  assert.deepEqual(parseNvidiaSmi(''), []);
});

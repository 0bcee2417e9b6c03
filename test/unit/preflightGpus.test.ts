// Preflight's GPU check against the launcher: under torchrun or accelerate each process of the bundled trainer
// takes its own GPU (rank k uses cuda:k), so more processes than GPUs is blocked before anything starts. Seen on a
// one-GPU machine: two ranks under torchrun ended in "CUDA error: invalid device ordinal".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { loadConfig } from '../../src/core/training/config';
import { estimateVramGiB, preflight } from '../../src/core/training/preflight';
import type { TrainingConfig } from '../../src/core/training/config';

const PKGS = { cuda: true, torch: '2.11.0', transformers: '5.17.0', peft: '0.21.0', accelerate: '1.15.0', bitsandbytes: null };

function smi(lines: string[]) {
  return async (argv: readonly string[]) =>
    argv[0] === 'nvidia-smi'
      ? { code: 0, stdout: lines.map((l) => l + '\n').join(''), stderr: '' }
      : { code: 0, stdout: JSON.stringify(PKGS) + '\n', stderr: '' };
}

async function gpuCheck(launcher: object, gpus: string[], extra: object = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'ftstudio-gpus-'));
  try {
    writeFileSync(join(dir, 'train.jsonl'), '{"text": "hello"}\n');
    writeFileSync(join(dir, 'finetune.json'), JSON.stringify({ method: 'sft', model: 'm/SmolLM2-135M', data: { train: 'train.jsonl' }, launcher, ...extra }));
    const config = loadConfig(join(dir, 'finetune.json'));
    const checks = await preflight({ config, workspaceRoot: dir, python: 'python3', outputDir: join(dir, 'out'), run: smi(gpus) });
    return checks.find((c) => c.id === 'gpu')!;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const H200 = 'NVIDIA H200, 143771, 140000';

test('two torchrun processes on one GPU are blocked with the setting to change', async () => {
  const c = await gpuCheck({ type: 'torchrun', numProcesses: 2 }, [H200]);
  assert.equal(c.status, 'block');
  assert.equal(
    c.message,
    'GPU 0: NVIDIA H200, 140.4 GiB, 136.7 GiB free: "numProcesses" is 2 but this machine has 1 GPU, and each process trains on its own; set "launcher": {"numProcesses": 1} in finetune.json',
  );
});

test('accelerate with three processes on two GPUs is blocked; as many processes as GPUs pass', async () => {
  const three = await gpuCheck({ type: 'accelerate', numProcesses: 3 }, [H200, H200]);
  assert.equal(three.status, 'block');
  assert.match(three.message, /"numProcesses" is 3 but this machine has 2 GPUs, .*\{"numProcesses": 2\}/);
  const two = await gpuCheck({ type: 'accelerate', numProcesses: 2 }, [H200, H200]);
  assert.equal(two.status, 'pass');
  assert.equal(two.message, 'GPU 0: NVIDIA H200, 140.4 GiB, 136.7 GiB free; GPU 1: NVIDIA H200, 140.4 GiB, 136.7 GiB free');
});

test('with several processes the VRAM estimate must fit on each GPU used: the n-th most free one decides', async () => {
  const vram = async (launcher: object, gpus: string[]) => {
    const dir = mkdtempSync(join(tmpdir(), 'ftstudio-gpus-'));
    try {
      writeFileSync(join(dir, 'train.jsonl'), '{"text": "hello"}\n');
      writeFileSync(join(dir, 'finetune.json'), JSON.stringify({ method: 'sft', model: 'm/SmolLM2-135M', data: { train: 'train.jsonl' }, launcher }));
      const config = loadConfig(join(dir, 'finetune.json'));
      const checks = await preflight({ config, workspaceRoot: dir, python: 'python3', outputDir: join(dir, 'out'), run: smi(gpus) });
      return checks.find((c) => c.id === 'vram')!;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  // a 0.135B LoRA run needs about 10.2 GiB (4 × 2048 tokens, 128,256 ids assumed): 80 GiB free on one GPU, 4 on the other
  const gpus = ['NVIDIA A100, 81920, 81920', 'NVIDIA A100, 81920, 4096'];
  const one = await vram({ type: 'torchrun', numProcesses: 1 }, gpus);
  assert.equal(one.status, 'pass');
  assert.match(one.message, /: about 10\.2 GiB needed, 80\.0 GiB free$/);
  const two = await vram({ type: 'torchrun', numProcesses: 2 }, gpus);
  assert.equal(two.status, 'block');
  assert.match(two.message, /: about 10\.2 GiB needed per process, 4\.0 GiB free on each of the 2 GPUs used: use qlora/);
  const three = await vram({ type: 'torchrun', numProcesses: 2 }, ['NVIDIA A100, 81920, 81920', ...gpus]);
  assert.equal(three.status, 'pass', 'the two GPUs with the most free memory are used');
  assert.match(three.message, /per process, 80\.0 GiB free on each of the 2 GPUs used$/);
});

test('the plain python launcher and a custom trainer command start one process: numProcesses does not block them', async () => {
  assert.equal((await gpuCheck({ type: 'python', numProcesses: 4 }, [H200])).status, 'pass');
  const custom = await gpuCheck({ type: 'torchrun', numProcesses: 4 }, [H200], { trainer: { command: ['my-trainer'] } });
  assert.equal(custom.status, 'pass', custom.message);
});

// Peaks measured on an H200 by trainer/vram_check.py (TinyLlama's and Llama-3.2-1B's shapes, 3 steps a case,
// torch.cuda.max_memory_reserved), copied from its vram.json. Reserved memory leaves out the CUDA context, about
// 0.5 GiB more that nvidia-smi shows.
test('the VRAM estimate covers every peak measured on an H200, without more than a quarter to spare', () => {
  const measured = JSON.parse(readFileSync(join(__dirname, '../fixtures/vram-h200.json'), 'utf8')) as {
    cases: {
      case: string;
      shape: string;
      vocab: number;
      method: string;
      adapter: string;
      batchSize: number;
      maxSeqLength: number;
      parameters: number;
      peakReservedGiB: number;
    }[];
  };
  assert.equal(measured.cases.length, 12);
  for (const m of measured.cases) {
    const config = { method: m.method, adapter: { type: m.adapter }, training: { batchSize: m.batchSize, maxSeqLength: m.maxSeqLength } };
    const estimate = estimateVramGiB(config as unknown as TrainingConfig, m.parameters / 1e9, m.vocab);
    const used = m.peakReservedGiB + 0.5;
    const at = `${m.shape} ${m.case}: estimated ${estimate.toFixed(2)} GiB, used ${used.toFixed(2)}`;
    assert.ok(estimate >= used, at);
    assert.ok(estimate <= 1.25 * used, at);
  }
});

test("preflight reads the vocabulary from the model's config.json, and says when it assumes one", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ftstudio-vocab-'));
  try {
    mkdirSync(join(dir, 'model'));
    writeFileSync(join(dir, 'model', 'tokenizer.json'), '{}');
    writeFileSync(join(dir, 'model', 'config.json'), JSON.stringify({ vocab_size: 32000 }));
    writeFileSync(join(dir, 'train.jsonl'), '{"text": "hello"}\n');
    const write = (model: string) =>
      writeFileSync(join(dir, 'finetune.json'), JSON.stringify({ method: 'sft', model, modelSizeB: 1.1, data: { train: 'train.jsonl' } }));
    const vram = async () => {
      const config = loadConfig(join(dir, 'finetune.json'));
      const checks = await preflight({ config, workspaceRoot: dir, python: 'python3', outputDir: join(dir, 'out'), run: smi([H200]) });
      return checks.find((c) => c.id === 'vram')!;
    };
    write('./model');
    const known = await vram();
    assert.equal(known.status, 'pass');
    assert.match(known.message, /^1\.1B model \(32,000-id vocabulary\), LORA: about 5\.9 GiB needed, 136\.7 GiB free$/);
    write('./elsewhere');
    const unknown = await vram();
    assert.match(unknown.message, /^1\.1B model \(vocabulary unknown, 128,256 ids assumed\), LORA: about 12\.5 GiB needed/);
    // a multimodal config keeps the text model's vocabulary under text_config
    writeFileSync(join(dir, 'model', 'config.json'), JSON.stringify({ text_config: { vocab_size: 262144 } }));
    write('./model');
    assert.match((await vram()).message, /\(262,144-id vocabulary\)/);
    writeFileSync(join(dir, 'model', 'config.json'), '{not json');
    assert.match((await vram()).message, /vocabulary unknown/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

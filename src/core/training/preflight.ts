/**
 * Preflight: one pass / warn / block line per check before any GPU time is spent. Blocks can be
 * overridden (--force, or a modal confirmation) and the override is recorded in the run.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { reviewGate } from '../review/reviewGate';
import { findLeaks } from '../checks/leakage';
import { FORMAT_IDS, type FormatId } from '../formats/formats';
import { resolveValidationOptions } from '../validation/options';
import { validateDataset } from '../validation/validateDataset';
import { indexFile } from '../records/recordIndex';
import type { TrainingConfig } from './config';
import { trainerMethod } from './methods';
import { evalPreflight } from './evalPreflight';
import type { Checkpoint } from './resume';
import { fileSha256 } from './runRecord';
import { findTokenizer } from '../tokens/tokenizerFiles';

export interface PreflightCheck {
  readonly id: 'data' | 'review' | 'heldout' | 'eval' | 'gpu' | 'vram' | 'packages' | 'output';
  readonly status: 'pass' | 'warn' | 'block';
  readonly message: string;
}

export interface CommandResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface PreflightContext {
  readonly config: TrainingConfig;
  readonly workspaceRoot: string;
  readonly python: string;
  readonly outputDir: string;
  /** runs a program without a shell (injected: tests give a fake) */
  readonly run: (argv: readonly string[], timeoutMs: number) => Promise<CommandResult>;
  readonly gateThreshold?: number;
  /** bytes of system memory (injected by tests; os.totalmem() otherwise) */
  readonly totalMemBytes?: number;
  /** a resumed run: its output folder holds this checkpoint (expected, not in the way), its data had this sha256 */
  readonly resume?: { readonly checkpoint: Checkpoint; readonly datasetSha256?: string };
}

export interface GpuInfo {
  readonly name: string;
  readonly totalMiB: number;
  readonly freeMiB: number;
}

export function parseNvidiaSmi(csv: string): GpuInfo[] {
  return csv
    .trim()
    .split('\n')
    .filter(Boolean)
    .flatMap((l) => {
      const [name, total, free] = l.split(',').map((x) => x.trim());
      const t = Number(total),
        f = Number(free);
      return name && Number.isFinite(t) && Number.isFinite(f) ? [{ name, totalMiB: t, freeMiB: f }] : [];
    });
}

/** Parameters in billions: the config's modelSizeB, else the model name ("Llama-3-8B", "SmolLM2-135M"). */
export function modelSizeB(c: TrainingConfig): number | undefined {
  if (c.modelSizeB) return c.modelSizeB;
  const m = /(\d+(?:\.\d+)?)\s*([bBmM])(?![a-zA-Z])/.exec(basename(c.model));
  if (!m) return undefined;
  return m[2]!.toLowerCase() === 'b' ? Number(m[1]) : Number(m[1]) / 1000;
}

/** The vocabulary assumed when the model's config.json is not on this machine: Llama 3's (most recent models have 128k–256k). */
export const ASSUMED_VOCAB = 128_256;

/**
 * A VRAM need in GiB, calibrated on an H200 (trainer/vram_check.py: TinyLlama's and Llama-3.2-1B's shapes,
 * 32,000 and 128,256 ids; the estimate covers every measured peak plus the CUDA context,
 * test/unit/preflightGpus.test.ts):
 * - the weights: bf16 for LoRA (2 bytes a parameter), 4-bit for QLoRA; a full fine-tune holds float32 master
 *   weights, their gradients and AdamW's two moments (16 bytes), autocast's bf16 copies and the optimizer
 *   step's temporaries (measured: 2 more);
 * - full DPO's frozen reference model, a float32 copy (4 bytes);
 * - activations with gradient checkpointing, per token of the micro-batch (both answers of a DPO pair): the
 *   logits in float32 with their gradient, 9 bytes per vocabulary id (measured: 8.9), and the layers' saved
 *   inputs, 0.00007 GiB × (billions of parameters)^⅔ (layers × width; measured 0.000055 at 1.1B);
 * - 1 GiB of CUDA context and allocator slack.
 */
export function estimateVramGiB(c: TrainingConfig, sizeB: number, vocab = ASSUMED_VOCAB): number {
  const params = sizeB * 1e9;
  const bytesPerParam = c.adapter.type === 'none' ? 20 : c.adapter.type === 'qlora' ? 0.6 : 2;
  const m = trainerMethod(c.method);
  const refModel = m.referenceModel && c.adapter.type === 'none' ? params * 4 : 0;
  const tokens = c.training.batchSize * c.training.maxSeqLength * m.activationFactor;
  const perToken = (vocab * 9) / 2 ** 30 + 0.00007 * sizeB ** (2 / 3);
  return (params * bytesPerParam + refModel) / 2 ** 30 + tokens * perToken + 1;
}

/** The model's vocabulary size from its config.json on this machine (a local folder or the Hugging Face cache). */
export function modelVocab(c: TrainingConfig): number | undefined {
  const found = findTokenizer({ model: c.model, workspaceRoot: c.path ? dirname(c.path) : undefined });
  if (!('location' in found)) return undefined;
  try {
    const config = JSON.parse(readFileSync(join(found.location.dir, 'config.json'), 'utf8')) as {
      vocab_size?: unknown;
      text_config?: { vocab_size?: unknown };
    };
    const v = config.vocab_size ?? config.text_config?.vocab_size;
    return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined;
  } catch {
    return undefined;
  }
}

const PACKAGES_SCRIPT = `import json, importlib.metadata as m
out = {}
for p in ["torch", "transformers", "peft", "bitsandbytes", "accelerate", "safetensors"]:
    try:
        out[p] = m.version(p)
    except Exception:
        out[p] = None
try:
    import torch
    out["cuda"] = bool(torch.cuda.is_available())
    out["mps"] = bool(getattr(torch.backends, "mps", None) and torch.backends.mps.is_available())
except Exception:
    out["cuda"] = None
print(json.dumps(out))`;

/**
 * Without CUDA the bundled trainer runs on Apple MPS or the CPU, in float32. A rough time per optimizer
 * step: about 6 FLOPs per parameter and token (4 with an adapter: no weight gradients for the base) at a
 * sustained 2 TFLOP/s on MPS, 0.1 TFLOP/s on a CPU.
 */
export function estimateSecondsPerStep(c: TrainingConfig, sizeB: number, device: 'mps' | 'cpu'): number {
  const tokens = c.training.batchSize * c.training.gradientAccumulation * c.training.maxSeqLength * (c.method === 'dpo' ? 2 : 1);
  const flops = sizeB * 1e9 * tokens * (c.adapter.type === 'none' ? 6 : 4);
  return flops / (device === 'mps' ? 2e12 : 1e11);
}

/** Memory a float32 run on the CPU or MPS needs, in GiB: weights (and for a full fine-tune, gradients and Adam state). */
export function estimateHostMemGiB(c: TrainingConfig, sizeB: number): number {
  const params = sizeB * 1e9;
  const bytes = c.adapter.type === 'none' ? 16 + (c.method === 'dpo' ? 4 : 0) : 4;
  return (params * bytes) / 2 ** 30 + c.training.batchSize * c.training.maxSeqLength * sizeB * 0.0005 + 1;
}

function formatSeconds(s: number): string {
  return s < 1 ? `${s.toFixed(2)} s` : s < 120 ? `${Math.round(s)} s` : s < 7200 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`;
}

async function reviewCheck(ctx: PreflightContext): Promise<PreflightCheck> {
  const train = ctx.config.data.train;
  // a review is usually of the dataset before its split: x.train.jsonl was reviewed as x.jsonl
  const candidates = [train, join(dirname(train), basename(train).replace(/\.train\.jsonl$/i, '.jsonl'))];
  for (const dataset of candidates) {
    if (!existsSync(dataset)) continue;
    const gate = await reviewGate(ctx.workspaceRoot, dataset, () => indexFile(dataset), { threshold: ctx.gateThreshold, ifStarted: true });
    if (!gate) continue;
    const s = gate.status;
    const rate = s.passRate === null ? 'n/a' : `${(s.passRate * 100).toFixed(0)}%`;
    if (s.gate === 'passed')
      return {
        id: 'review',
        status: 'pass',
        message: `review gate passed: ${s.reviewed}/${s.sampled} reviewed, pass rate ${rate} ≥ ${s.threshold * 100}% (${basename(dataset)})`,
      };
    if (s.gate === 'failed')
      return {
        id: 'review',
        status: 'block',
        message: `review gate failed: pass rate ${rate} < ${s.threshold * 100}% on ${basename(dataset)}; fix the failing records and review them again`,
      };
    return {
      id: 'review',
      status: 'block',
      message: `review incomplete: ${s.reviewed}/${s.sampled} of the sample reviewed (${basename(dataset)}); finish "Finetune Studio: Review Sample"`,
    };
  }
  return { id: 'review', status: 'block', message: `no review of ${basename(train)}: review a 5–10% sample first ("Finetune Studio: Review Sample")` };
}

const probes = new WeakMap<PreflightContext, Promise<CommandResult>>();

/** The interpreter's packages and devices, asked once per preflight. */
function interpreterRun(ctx: PreflightContext): Promise<CommandResult> {
  let p = probes.get(ctx);
  if (!p) {
    p = ctx.run([ctx.python, '-c', PACKAGES_SCRIPT], 60_000).catch((e: Error) => ({ code: 127, stdout: '', stderr: e.message }));
    probes.set(ctx, p);
  }
  return p;
}

async function interpreterInfo(ctx: PreflightContext): Promise<Record<string, string | boolean | null> | undefined> {
  const r = await interpreterRun(ctx);
  try {
    return r.code === 0 ? JSON.parse(r.stdout.trim().split('\n').pop() ?? '') : undefined;
  } catch {
    return undefined;
  }
}

export async function preflight(ctx: PreflightContext): Promise<PreflightCheck[]> {
  const c = ctx.config;
  const checks: PreflightCheck[] = [];
  // data
  if (!existsSync(c.data.train)) {
    checks.push({ id: 'data', status: 'block', message: `training data ${c.data.train} not found` });
  } else {
    const format = c.data.format && (FORMAT_IDS as readonly string[]).includes(c.data.format) ? (c.data.format as FormatId) : undefined;
    // too-long counts with the model's own tokenizer and chat template when it is on this machine, as the editor does
    const { options } = resolveValidationOptions({
      path: c.data.train,
      project: { format, maxSeqLength: c.training.maxSeqLength, model: c.model, path: c.path },
    });
    const r = await validateDataset(c.data.train, options, { offThread: true });
    const t = options.tokenizer;
    const tokens =
      t && 'dir' in t ? `tokens counted with the model's tokenizer (${t.how})` : `tokens estimated at 4 characters each (${t ? t.missing : 'no model'})`;
    const over = r.diagnostics.filter((d) => d.code === 'too-long').length;
    const overLength = over ? `; ${over} over maxSeqLength ${c.training.maxSeqLength} (${tokens}): the end of each is cut off in training` : `; ${tokens}`;
    checks.push(
      r.errors > 0
        ? {
            id: 'data',
            status: 'block',
            message: `${basename(c.data.train)}: ${r.errors} errors, ${r.warnings} warnings in ${r.records} records; run ftstudio validate ${basename(c.data.train)}`,
          }
        : r.warnings > 0
          ? { id: 'data', status: 'warn', message: `${basename(c.data.train)}: ${r.records} records, ${r.warnings} warnings (no errors)${overLength}` }
          : {
              id: 'data',
              status: 'pass',
              message: `${basename(c.data.train)}: ${r.records} records validate clean (${r.format ?? 'unknown format'})${overLength}`,
            },
    );
  }
  // a resumed run continues on the data it started with
  const was = ctx.resume?.datasetSha256;
  if (was && existsSync(c.data.train) && (await fileSha256(c.data.train)) !== was)
    checks.push({
      id: 'data',
      status: 'block',
      message: `${basename(c.data.train)} changed since the run started (sha256 ${was.slice(0, 12)}…): the resumed run would continue on other data; start a new run instead`,
    });
  checks.push(await reviewCheck(ctx));
  // held-out
  if (!c.data.heldout) {
    checks.push({ id: 'heldout', status: 'block', message: 'no held-out set: reserve 10–15% ("Finetune Studio: Split Held-out Set") and set data.heldout' });
  } else if (!existsSync(c.data.heldout)) {
    checks.push({ id: 'heldout', status: 'block', message: `held-out set ${c.data.heldout} not found` });
  } else if (existsSync(c.data.train)) {
    const [held, train] = await Promise.all([indexFile(c.data.heldout, { withPrompt: true }), indexFile(c.data.train, { withPrompt: true })]);
    const leaks = findLeaks(held, train);
    const exact = leaks.filter((l) => l.kind === 'exact').length;
    checks.push(
      exact
        ? { id: 'heldout', status: 'block', message: `${exact} held-out records are also in the training data: remove them from one side` }
        : leaks.length
          ? { id: 'heldout', status: 'warn', message: `${leaks.length} held-out prompts also appear in the training data` }
          : { id: 'heldout', status: 'pass', message: `held-out set: ${held.length} records, no overlap with ${train.length} training records` },
    );
  }
  checks.push(evalPreflight(c)); // golden set (training/evalPreflight.ts)
  // GPU and VRAM; without CUDA the bundled trainer still runs (MPS, CPU): a warning with the time per step
  const smi = await ctx
    .run(['nvidia-smi', '--query-gpu=name,memory.total,memory.free', '--format=csv,noheader,nounits'], 10_000)
    .catch(() => ({ code: 127, stdout: '', stderr: '' }));
  const gpus = smi.code === 0 ? parseNvidiaSmi(smi.stdout) : [];
  const size = modelSizeB(c);
  if (!gpus.length) {
    if (c.adapter.type === 'qlora') {
      checks.push({
        id: 'gpu',
        status: 'block',
        message: 'no NVIDIA GPU found (nvidia-smi did not answer): QLoRA needs CUDA and bitsandbytes; use adapter "lora" to train on this machine',
      });
    } else {
      const info = c.trainerCommand ? undefined : await interpreterInfo(ctx);
      const device = info?.mps ? 'mps' : 'cpu';
      const where = device === 'mps' ? 'Apple MPS' : 'the CPU';
      const per =
        size === undefined
          ? 'set "modelSizeB" in finetune.json for an estimate of the time per step'
          : `about ${formatSeconds(estimateSecondsPerStep(c, size, device))} per step for a ${size}B model (a rough estimate)`;
      checks.push({ id: 'gpu', status: 'warn', message: `no NVIDIA GPU: training runs on ${where}, slowly — ${per}` });
      if (size !== undefined) {
        const need = estimateHostMemGiB(c, size);
        const have = (ctx.totalMemBytes ?? totalmem()) / 2 ** 30;
        const what = `${size}B model in float32 on ${where}: about ${need.toFixed(1)} GiB needed, ${have.toFixed(1)} GiB of memory`;
        checks.push(
          need > have
            ? { id: 'vram', status: 'block', message: `${what}: it does not fit; use a smaller model, adapter "lora" or a GPU` }
            : need > 0.8 * have
              ? { id: 'vram', status: 'warn', message: `${what}: tight` }
              : { id: 'vram', status: 'pass', message: what },
        );
      }
    }
  } else {
    const listed = gpus.map((g, i) => `GPU ${i}: ${g.name}, ${(g.totalMiB / 1024).toFixed(1)} GiB, ${(g.freeMiB / 1024).toFixed(1)} GiB free`).join('; ');
    // torchrun / accelerate give each process of the bundled trainer its own GPU (rank k takes cuda:k)
    const processes = !c.trainerCommand && c.launcher.type !== 'python' ? c.launcher.numProcesses : 1;
    checks.push(
      processes > gpus.length
        ? {
            id: 'gpu',
            status: 'block',
            message: `${listed}: "numProcesses" is ${processes} but this machine has ${gpus.length} GPU${gpus.length === 1 ? '' : 's'}, and each process trains on its own; set "launcher": {"numProcesses": ${gpus.length}} in finetune.json`,
          }
        : { id: 'gpu', status: 'pass', message: listed },
    );
    if (size === undefined) {
      checks.push({ id: 'vram', status: 'warn', message: `model size unknown: set "modelSizeB" in finetune.json for a VRAM estimate` });
    } else {
      const vocab = modelVocab(c);
      const need = estimateVramGiB(c, size, vocab);
      // one process: the GPU with the most free memory; n processes: each needs it all on its own GPU, so the
      // n-th most free is the one that must hold it
      const used = Math.min(processes, gpus.length);
      const free = gpus.map((g) => g.freeMiB).sort((a, b) => b - a)[used - 1]! / 1024;
      const ids = vocab ? `${vocab.toLocaleString('en-US')}-id vocabulary` : `vocabulary unknown, ${ASSUMED_VOCAB.toLocaleString('en-US')} ids assumed`;
      const where = used > 1 ? `GiB free on each of the ${used} GPUs used` : 'GiB free';
      const what = `${size}B model (${ids}), ${c.adapter.type === 'none' ? 'full fine-tune' : c.adapter.type.toUpperCase()}: about ${need.toFixed(1)} GiB needed${used > 1 ? ' per process' : ''}, ${free.toFixed(1)} ${where}`;
      checks.push(
        need > free
          ? { id: 'vram', status: 'block', message: `${what}: use qlora, a smaller batch or a shorter maxSeqLength` }
          : need > 0.9 * free
            ? { id: 'vram', status: 'warn', message: `${what}: tight` }
            : { id: 'vram', status: 'pass', message: what },
      );
    }
  }
  // interpreter packages (the bundled trainer's needs; a custom trainer.command brings its own)
  if (c.trainerCommand) {
    checks.push({ id: 'packages', status: 'pass', message: `custom trainer: ${c.trainerCommand.join(' ')} (its packages are not checked)` });
  } else {
    const r = await interpreterRun(ctx);
    const versions = await interpreterInfo(ctx);
    if (!versions) {
      checks.push({
        id: 'packages',
        status: 'block',
        message: `the interpreter ${ctx.python} did not run (${(r.stderr || 'no output').trim().split('\n').pop()}); set "python" in finetune.json`,
      });
    } else {
      const need = [
        'torch',
        'transformers',
        'peft',
        ...(c.adapter.type === 'qlora' ? ['bitsandbytes'] : []),
        ...(c.launcher.type === 'accelerate' || c.launcher.numProcesses > 1 ? ['accelerate'] : []),
      ];
      const missing = need.filter((p) => !versions![p]);
      const found = Object.entries(versions)
        .filter(([k, v]) => k !== 'cuda' && v)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
      checks.push(
        missing.length
          ? { id: 'packages', status: 'block', message: `${ctx.python} lacks ${missing.join(', ')}: pip install ${missing.join(' ')}` }
          : { id: 'packages', status: 'pass', message: `${ctx.python}: ${found}` },
      );
    }
  }
  // output folder
  const out = ctx.outputDir;
  const cp = ctx.resume?.checkpoint;
  checks.push(
    cp
      ? { id: 'output', status: 'pass', message: `resuming from ${basename(cp.path)} (step ${cp.step}) in ${out}` }
      : existsSync(out) && readdirSync(out).length > 0
        ? { id: 'output', status: 'block', message: `output folder ${out} is not empty: choose another "output" or remove it` }
        : { id: 'output', status: 'pass', message: `output folder ${out} is free` },
  );
  return checks;
}

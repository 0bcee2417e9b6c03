/**
 * Run records: .finetune/runs/<runId>/run.json with everything that produced the model — config,
 * resolved hyperparameters, the dataset's sha256 and record count, git commit and dirty flag,
 * interpreter and packages, GPU, preflight results and overrides, start, end, status, final metrics.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../jsonl/atomicFile';
import type { TrainingConfig } from './config';
import type { GateEvent, GateStop } from '../eval/gateEvent';
import { methodHyperparameters } from './methods';
import type { PreflightCheck } from './preflight';
import { finetunePaths } from '../project/layout';

export interface RunRecord {
  readonly v: 1;
  readonly runId: string;
  readonly status: 'running' | 'completed' | 'failed' | 'cancelled' | 'stopped-by-gate';
  readonly startedAt: string;
  readonly endedAt?: string;
  /** the trainer's process (the leader of its process group) while it runs */
  readonly pid?: number;
  /** each time the run was resumed: from which checkpoint, when, and how that part ended */
  readonly resumes?: readonly RunResume[];
  readonly config: unknown;
  readonly hyperparameters: Record<string, unknown>;
  readonly dataset: {
    readonly path: string;
    readonly sha256: string;
    readonly records: number;
    readonly heldout?: { readonly path: string; readonly sha256: string };
  };
  readonly git?: { readonly commit: string | null; readonly dirty: boolean } | null;
  readonly command: readonly string[];
  readonly trainer: 'bundled' | 'external';
  readonly environment?: Record<string, unknown>;
  readonly preflight: readonly PreflightCheck[];
  readonly overrides: readonly string[];
  readonly result?: {
    readonly step?: number;
    readonly totalSteps?: number;
    readonly loss?: number;
    readonly evalLoss?: number;
    readonly metrics?: Record<string, number>;
    readonly error?: { kind: string; message: string; hint: string };
    /** a run its evaluation gate stopped: why, and the best checkpoint so far */
    readonly gate?: GateStop;
  };
  /** the evaluation gate's result at each checkpoint (see eval/gateEvent.ts) */
  readonly gates?: readonly GateEvent[];
}

export interface RunResume {
  /** the checkpoint folder it continued from */
  readonly resumedFrom: string;
  readonly step: number;
  readonly startedAt: string;
  readonly endedAt?: string;
  readonly status?: 'completed' | 'failed' | 'cancelled' | 'stopped-by-gate';
}

export function newRunId(now = new Date()): string {
  return `${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
}

export function runsDir(workspaceRoot: string): string {
  return finetunePaths(workspaceRoot).runs;
}

export async function fileSha256(path: string): Promise<string> {
  const h = createHash('sha256');
  await new Promise<void>((resolve, reject) =>
    createReadStream(path)
      .on('data', (c) => h.update(c))
      .on('end', resolve)
      .on('error', reject),
  );
  return h.digest('hex');
}

export function hyperparameters(c: TrainingConfig): Record<string, unknown> {
  return {
    method: c.method,
    model: c.model,
    adapter: c.adapter.type,
    lora_r: c.adapter.r,
    lora_alpha: c.adapter.alpha,
    lora_dropout: c.adapter.dropout,
    target_modules: c.adapter.targetModules,
    learning_rate: c.training.learningRate,
    epochs: c.training.epochs,
    batch_size: c.training.batchSize,
    gradient_accumulation: c.training.gradientAccumulation,
    max_seq_length: c.training.maxSeqLength,
    ...methodHyperparameters(c.method, c.training),
    warmup_ratio: c.training.warmupRatio,
    seed: c.training.seed,
    save_steps: c.training.saveSteps,
    eval_steps: c.training.evalSteps,
    max_steps: c.training.maxSteps,
    launcher: c.launcher.type,
    num_processes: c.launcher.numProcesses,
  };
}

export function writeRun(dir: string, r: RunRecord): void {
  mkdirSync(dir, { recursive: true });
  writeFileAtomic(join(dir, 'run.json'), JSON.stringify(r, null, 2) + '\n');
}

export function listRuns(workspaceRoot: string): RunRecord[] {
  const dir = runsDir(workspaceRoot);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((id) => join(dir, id, 'run.json'))
    .filter((p) => existsSync(p))
    .flatMap((p) => {
      try {
        return [JSON.parse(readFileSync(p, 'utf8')) as RunRecord];
      } catch {
        return [];
      }
    })
    .sort((a, b) => (a.startedAt < b.startedAt ? 1 : -1));
}

/**
 * One training run: preflight, a run record, the trainer process (the bundled trainer or the user's
 * trainer.command), progress from its output, and the final record. Used by the CLI and the editor.
 */
import { createWriteStream, existsSync, mkdirSync, openSync, readSync, closeSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { simpleGit } from 'simple-git';
import { classifyFailure, type Failure } from './failures';
import type { TrainingConfig } from './config';
import { TrainingProcess, type ExitInfo } from './launcher';
import { preflight, type PreflightCheck } from './preflight';
import { parseEventLine, parseHfLine, parseLlamaFactoryLine, RunProgress, type Progress } from './progress';
import { fileSha256, hyperparameters, newRunId, runsDir, writeRun, type RunRecord } from './runRecord';
import { runCapture } from './exec';
import { indexFile } from '../records/recordIndex';

export interface TrainOptions {
  readonly config: TrainingConfig;
  readonly workspaceRoot: string;
  readonly python: string;
  /** folder holding the bundled trainer package (ftstudio_trainer) */
  readonly trainerDir: string;
  readonly force?: boolean;
  readonly gateThreshold?: number;
  /** asked when preflight blocks and force is not set: true to go on (the override is recorded) */
  readonly confirmOverride?: (blocks: readonly PreflightCheck[]) => Promise<boolean>;
  readonly onPreflight?: (checks: readonly PreflightCheck[]) => void;
  readonly onStart?: (run: { runId: string; runDir: string; command: readonly string[]; process: TrainingProcess }) => void;
  readonly onProgress?: (p: RunProgress, event: Progress) => void;
  readonly onLine?: (line: string) => void;
  readonly sigintMs?: number;
  readonly sigtermMs?: number;
}

export interface TrainResult {
  readonly status: 'completed' | 'failed' | 'cancelled';
  readonly step?: number;
  readonly totalSteps?: number;
  readonly loss?: number;
  readonly evalLoss?: number;
  readonly runDir?: string;
  readonly error?: { readonly kind: string; readonly message: string; readonly hint: string };
  readonly preflight: readonly PreflightCheck[];
}

/** trainer-config.json: what the bundled trainer reads (trainer/ftstudio_trainer/config.py). */
export function trainerConfig(c: TrainingConfig, outputDir: string, events: string): Record<string, unknown> {
  return { ...hyperparameters(c), train: c.data.train, heldout: c.data.heldout ?? null, output: outputDir, events };
}

/** The argv of the bundled trainer under the chosen launcher. */
export function bundledCommand(c: TrainingConfig, python: string, runDir: string): string[] {
  const trainer = [
    '-m',
    'ftstudio_trainer',
    '--config',
    join(runDir, 'trainer-config.json'),
    '--events',
    join(runDir, 'events.jsonl'),
    '--stop-file',
    join(runDir, 'STOP'),
  ];
  const n = String(c.launcher.numProcesses);
  switch (c.launcher.type) {
    case 'accelerate':
      return [python, '-m', 'accelerate.commands.launch', '--num_processes', n, ...trainer];
    case 'torchrun':
      return [python, '-m', 'torch.distributed.run', '--nproc_per_node', n, ...trainer];
    default:
      return [python, ...trainer];
  }
}

/** Where an external trainer writes LLaMA-Factory's trainer_log.jsonl: its --output_dir, if it names one. */
function llamaFactoryLog(argv: readonly string[], cwd: string): string | undefined {
  const i = argv.findIndex((a) => a === '--output_dir' || a.startsWith('--output_dir='));
  if (i < 0) return undefined;
  const dir = argv[i]!.includes('=') ? argv[i]!.split('=')[1]! : argv[i + 1];
  return dir ? resolve(cwd, dir, 'trainer_log.jsonl') : undefined;
}

/** Follow a JSONL file that another process appends to. */
class Tail {
  private pos = 0;
  private carry = '';
  constructor(private readonly path: string) {}
  read(onLine: (l: string) => void): void {
    if (!existsSync(this.path)) return;
    const size = statSync(this.path).size;
    if (size <= this.pos) return;
    const fd = openSync(this.path, 'r');
    try {
      const buf = Buffer.alloc(size - this.pos);
      readSync(fd, buf, 0, buf.length, this.pos);
      this.pos = size;
      const parts = (this.carry + buf.toString('utf8')).split('\n');
      this.carry = parts.pop()!;
      for (const p of parts) if (p.trim()) onLine(p);
    } finally {
      closeSync(fd);
    }
  }
}

async function gitState(root: string): Promise<RunRecord['git']> {
  try {
    const git = simpleGit({ baseDir: root, timeout: { block: 5000 } });
    if (!(await git.checkIsRepo())) return null;
    const commit = (await git.revparse(['HEAD']).catch(() => null))?.trim() ?? null;
    const status = await git.status();
    return { commit, dirty: !status.isClean() };
  } catch {
    return null;
  }
}

export async function train(o: TrainOptions): Promise<{ result: Promise<TrainResult>; cancel: () => Promise<void> }> {
  const c = o.config;
  const runId = newRunId();
  const runDir = join(runsDir(o.workspaceRoot), runId);
  const outputDir = c.output ?? join(runDir, 'output');
  const checks = await preflight({
    config: c,
    workspaceRoot: o.workspaceRoot,
    python: o.python,
    outputDir,
    gateThreshold: o.gateThreshold,
    run: (argv, t) => runCapture(argv, t),
  });
  o.onPreflight?.(checks);
  const blocks = checks.filter((x) => x.status === 'block');
  const overrides: string[] = [];
  if (blocks.length) {
    const go = o.force || (o.confirmOverride ? await o.confirmOverride(blocks) : false);
    if (!go) {
      const result: TrainResult = {
        status: 'failed',
        preflight: checks,
        error: {
          kind: 'preflight',
          message: blocks.map((b) => b.message).join('; '),
          hint: 'Fix the blocking checks, or override them (--force / the confirmation) — the override is recorded in the run.',
        },
      };
      return { result: Promise.resolve(result), cancel: async () => {} };
    }
    overrides.push(...blocks.map((b) => `${b.id}: ${b.message}`));
  }
  mkdirSync(runDir, { recursive: true });
  const command = c.trainerCommand ? [...c.trainerCommand] : bundledCommand(c, o.python, runDir);
  writeFileSync(join(runDir, 'trainer-config.json'), JSON.stringify(trainerConfig(c, outputDir, join(runDir, 'events.jsonl')), null, 2));
  const [sha, refs, heldSha, git] = await Promise.all([
    existsSync(c.data.train) ? fileSha256(c.data.train) : Promise.resolve(''),
    existsSync(c.data.train) ? indexFile(c.data.train) : Promise.resolve([]),
    c.data.heldout && existsSync(c.data.heldout) ? fileSha256(c.data.heldout) : Promise.resolve(undefined),
    gitState(o.workspaceRoot),
  ]);
  const pkgs = checks.find((x) => x.id === 'packages')?.message;
  const gpu = checks.find((x) => x.id === 'gpu')?.message;
  let record: RunRecord = {
    v: 1,
    runId,
    status: 'running',
    startedAt: new Date().toISOString(),
    config: JSON.parse(JSON.stringify({ ...c, path: undefined, dir: undefined })),
    hyperparameters: hyperparameters(c),
    dataset: {
      path: c.data.train,
      sha256: sha,
      records: refs.length,
      heldout: c.data.heldout && heldSha ? { path: c.data.heldout, sha256: heldSha } : undefined,
    },
    git,
    command,
    trainer: c.trainerCommand ? 'external' : 'bundled',
    environment: { python: o.python, packages: pkgs, gpu, node: process.version },
    preflight: checks,
    overrides,
  };
  writeRun(runDir, record);

  const progress = new RunProgress();
  const log = createWriteStream(join(runDir, 'train.log'));
  const events = c.trainerCommand ? createWriteStream(join(runDir, 'events.jsonl')) : undefined;
  let output = '';
  const apply = (p: Progress) => {
    const wasEnded = progress.ended;
    if (!progress.apply(p)) return;
    // a trainer's last progress-bar redraw can arrive after its final dict: the record ends with 'end'
    if (!(wasEnded && p.kind === 'step'))
      events?.write(
        JSON.stringify({
          event: p.kind,
          step: progress.step,
          totalSteps: progress.totalSteps,
          loss: p.loss,
          learningRate: p.learningRate,
          epoch: p.epoch,
          evalLoss: p.evalLoss,
          time: new Date().toISOString(),
        }) + '\n',
      );
    o.onProgress?.(progress, p);
  };
  const partial: Record<'stdout' | 'stderr', string | undefined> = { stdout: undefined, stderr: undefined };
  const proc = new TrainingProcess(command, {
    cwd: c.dir,
    sigintMs: o.sigintMs,
    sigtermMs: o.sigtermMs,
    env: { ...process.env, PYTHONPATH: [o.trainerDir, process.env.PYTHONPATH].filter(Boolean).join(':'), PYTHONUNBUFFERED: '1', FTSTUDIO_RUN_DIR: runDir },
    onLine: (line, stream) => {
      log.write(line + '\n');
      output = (output + line + '\n').slice(-50_000);
      o.onLine?.(line);
      // a bar already applied while it was the unterminated redraw is not applied twice
      const seen = partial[stream] === line;
      partial[stream] = undefined;
      if (c.trainerCommand && !seen) {
        const p = parseHfLine(line);
        if (p) apply(p);
      }
    },
    onPartial: (text, stream) => {
      if (!c.trainerCommand || partial[stream] === text) return;
      const p = parseHfLine(text);
      // only a complete bar: "… 12/30 [00:05<00:09, 2.1it/s]"; a half-written dict waits for its line break
      if (p?.kind === 'step' && p.step !== undefined && text.trimEnd().endsWith(']')) {
        partial[stream] = text;
        apply(p);
      }
    },
  });
  o.onStart?.({ runId, runDir, command, process: proc });
  const tails = c.trainerCommand
    ? [llamaFactoryLog(command, c.dir)].filter((x): x is string => !!x).map((p) => ({ tail: new Tail(p), parse: parseLlamaFactoryLine }))
    : [{ tail: new Tail(join(runDir, 'events.jsonl')), parse: parseEventLine }];
  const poll = () => {
    for (const t of tails)
      t.tail.read((l) => {
        const p = t.parse(l);
        if (p) apply(p);
      });
  };
  const timer = setInterval(poll, 250);

  let cancelled = false;
  const result = proc.exited.then(async (exit: ExitInfo) => {
    clearInterval(timer);
    poll();
    await new Promise((r) => log.end(r));
    if (events) await new Promise((r) => events.end(r));
    const wasCancelled = cancelled || exit.cancelled;
    const ok = exit.code === 0 && !wasCancelled;
    let failure: Failure | undefined;
    if (!ok && !wasCancelled) failure = classifyFailure(output);
    if (ok && progress.loss !== undefined && Number.isNaN(progress.loss))
      failure = { kind: 'nan-loss', message: 'the loss became NaN', hint: classifyFailure('loss: nan').hint };
    const status: TrainResult['status'] = wasCancelled ? 'cancelled' : failure ? 'failed' : 'completed';
    const res = {
      step: progress.step,
      totalSteps: progress.totalSteps,
      loss: progress.loss,
      evalLoss: progress.evalLoss,
      metrics: progress.metrics,
      error: failure ? { kind: failure.kind, message: failure.message, hint: failure.hint } : undefined,
    };
    record = { ...record, status, endedAt: new Date().toISOString(), result: res };
    writeRun(runDir, record);
    return {
      status,
      step: progress.step,
      totalSteps: progress.totalSteps,
      loss: progress.loss,
      evalLoss: progress.evalLoss,
      runDir,
      error: res.error,
      preflight: checks,
    } satisfies TrainResult;
  });
  const cancel = async () => {
    cancelled = true;
    // the bundled trainer stops at the next step when it sees the stop file, then signals follow
    if (!c.trainerCommand) writeFileSync(join(runDir, 'STOP'), new Date().toISOString());
    await proc.cancel();
  };
  return { result, cancel };
}

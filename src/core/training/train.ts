/**
 * One training run: preflight, a run record, the trainer process (the bundled trainer or the user's
 * trainer.command), progress from its output, and the final record. Used by the CLI and the editor.
 */
import { createWriteStream, existsSync, mkdirSync, openSync, readSync, closeSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { simpleGit } from 'simple-git';
import { classifyFailure, type Failure } from './failures';
import type { TrainingConfig } from './config';
import { TrainingProcess, type ExitInfo } from './launcher';
import { preflight, type PreflightCheck } from './preflight';
import { parseEventLine, parseHfLine, parseLlamaFactoryLine, RunProgress, type Progress } from './progress';
import { fileSha256, hyperparameters, newRunId, runsDir, writeRun, type RunRecord } from './runRecord';
import { runOutputDir, type ResumableRun } from './resume';
import { Coalescer } from './coalesce';
import { runCapture } from './exec';
import { indexFile } from '../records/recordIndex';
import { GATE_STOP_EXIT_CODE, type GateStop } from '../eval/gateEvent';

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
  /**
   * Continue this run (its folder, its trainer-config.json, its last checkpoint) instead of starting one;
   * `config` is then the run's own (resumeConfig).
   */
  readonly resume?: ResumableRun;
  /** the run's state, at most once per progressIntervalMs however fast the trainer prints (and once at the end) */
  readonly onProgress?: (p: RunProgress, event: Progress) => void;
  /** the trainer's output lines, in batches, as often as onProgress */
  readonly onLines?: (lines: readonly string[]) => void;
  readonly progressIntervalMs?: number;
  readonly sigintMs?: number;
  readonly sigtermMs?: number;
}

export interface TrainResult {
  readonly status: 'completed' | 'failed' | 'cancelled' | 'stopped-by-gate';
  /** a run its evaluation gate stopped: why, and the best checkpoint */
  readonly gate?: GateStop;
  readonly step?: number;
  readonly totalSteps?: number;
  readonly loss?: number;
  readonly evalLoss?: number;
  readonly runDir?: string;
  readonly error?: { readonly kind: string; readonly message: string; readonly hint: string };
  readonly preflight: readonly PreflightCheck[];
}

/** trainer-config.json: what the bundled trainer reads (trainer/ftstudio_trainer/config.py), `eval` with absolute paths. */
export function trainerConfig(c: TrainingConfig, output: string, events: string): Record<string, unknown> {
  return {
    ...hyperparameters(c),
    train: c.data.train,
    heldout: c.data.heldout ?? null,
    output,
    events,
    eval: c.eval ?? null, // the evaluation gates (trainer/ftstudio_trainer/gates.py)
  };
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

/**
 * Follow a JSONL file that another process appends to, at most `chunk` bytes a read: a trainer that
 * writes faster than the reader folds never holds the reader for longer than one chunk.
 */
export class Tail {
  private pos = 0;
  private carry = Buffer.alloc(0);
  constructor(
    private readonly path: string,
    private readonly chunk = 1 << 20,
  ) {}
  /** Lines appended since the last read (up to one chunk); true when there is more to read. */
  read(onLine: (l: string) => void): boolean {
    if (!existsSync(this.path)) return false;
    const size = statSync(this.path).size;
    if (size <= this.pos) return false;
    const fd = openSync(this.path, 'r');
    try {
      const buf = Buffer.alloc(Math.min(this.chunk, size - this.pos));
      const n = readSync(fd, buf, 0, buf.length, this.pos);
      this.pos += n;
      // split on bytes: a chunk may end inside a UTF-8 character, which waits with the rest of its line
      let data = Buffer.concat([this.carry, buf.subarray(0, n)]);
      for (let nl = data.indexOf(10); nl >= 0; nl = data.indexOf(10)) {
        const line = data.subarray(0, nl).toString('utf8');
        data = data.subarray(nl + 1);
        if (line.trim()) onLine(line);
      }
      this.carry = Buffer.from(data);
      return this.pos < size;
    } finally {
      closeSync(fd);
    }
  }
  /** Everything there is (the end of a run). */
  drain(onLine: (l: string) => void): void {
    while (this.read(onLine));
  }
}

/** The last lines of the trainer's output, for classifying a failure: a ring, never a growing string. */
class RecentOutput {
  private readonly lines: string[] = [];
  private chars = 0;
  constructor(private readonly maxChars = 50_000) {}
  push(line: string): void {
    this.lines.push(line);
    this.chars += line.length + 1;
    while (this.chars > this.maxChars && this.lines.length > 1) this.chars -= this.lines.shift()!.length + 1;
  }
  toString(): string {
    return this.lines.join('\n') + '\n';
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
  const resume = o.resume;
  const runId = resume?.record.runId ?? newRunId();
  const runDir = resume?.runDir ?? join(runsDir(o.workspaceRoot), runId);
  const outputDir = resume ? runOutputDir(runDir, resume.record) : (c.output ?? join(runDir, 'output'));
  const checks = await preflight({
    config: c,
    workspaceRoot: o.workspaceRoot,
    python: o.python,
    outputDir,
    gateThreshold: o.gateThreshold,
    run: (argv, t) => runCapture(argv, t),
    resume: resume && { checkpoint: resume.checkpoint, datasetSha256: resume.record.dataset.sha256 },
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
  // a resumed run keeps the trainer-config.json it started with: the same schedule, the same output; the
  // stop file of the Stop that ended it goes, or the trainer would stop again after one step
  if (resume) rmSync(join(runDir, 'STOP'), { force: true });
  else writeFileSync(join(runDir, 'trainer-config.json'), JSON.stringify(trainerConfig(c, outputDir, join(runDir, 'events.jsonl')), null, 2));
  const [sha, refs, heldSha, git] = await Promise.all([
    existsSync(c.data.train) ? fileSha256(c.data.train) : Promise.resolve(''),
    existsSync(c.data.train) ? indexFile(c.data.train) : Promise.resolve([]),
    c.data.heldout && existsSync(c.data.heldout) ? fileSha256(c.data.heldout) : Promise.resolve(undefined),
    gitState(o.workspaceRoot),
  ]);
  const pkgs = checks.find((x) => x.id === 'packages')?.message;
  const gpu = checks.find((x) => x.id === 'gpu')?.message;
  const startedAt = new Date().toISOString();
  let record: RunRecord = resume
    ? {
        ...resume.record,
        status: 'running',
        endedAt: undefined,
        result: undefined,
        environment: { ...resume.record.environment, python: o.python, packages: pkgs, gpu, node: process.version },
        preflight: checks,
        overrides: [...resume.record.overrides, ...overrides.map((x) => `resume ${resume.checkpoint.step}: ${x}`)],
        resumes: [...(resume.record.resumes ?? []), { resumedFrom: resume.checkpoint.path, step: resume.checkpoint.step, startedAt }],
      }
    : {
        v: 1,
        runId,
        status: 'running',
        startedAt,
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
  const log = createWriteStream(join(runDir, 'train.log'), { flags: resume ? 'a' : 'w' });
  const events = c.trainerCommand ? createWriteStream(join(runDir, 'events.jsonl')) : undefined;
  const output = new RecentOutput();
  // the fold is per line; whoever shows it hears at most once per interval (a flooding trainer cannot starve it)
  let lastEvent: Progress | undefined;
  let lines: string[] = [];
  const ui = new Coalescer(() => {
    if (lines.length) {
      const batch = lines;
      lines = [];
      o.onLines?.(batch);
    }
    if (lastEvent) o.onProgress?.(progress, lastEvent);
  }, o.progressIntervalMs);
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
          metrics: p.metrics,
          time: new Date().toISOString(),
        }) + '\n',
      );
    lastEvent = p;
    ui.poke();
  };
  const partial: Record<'stdout' | 'stderr', string | undefined> = { stdout: undefined, stderr: undefined };
  const proc = new TrainingProcess(command, {
    cwd: c.dir,
    sigintMs: o.sigintMs,
    sigtermMs: o.sigtermMs,
    env: { ...process.env, PYTHONPATH: [o.trainerDir, process.env.PYTHONPATH].filter(Boolean).join(':'), PYTHONUNBUFFERED: '1', FTSTUDIO_RUN_DIR: runDir },
    onLine: (line, stream) => {
      log.write(line + '\n');
      output.push(line);
      if (o.onLines) {
        lines.push(line);
        ui.poke();
      }
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
  record = { ...record, pid: proc.pid };
  writeRun(runDir, record);
  o.onStart?.({ runId, runDir, command, process: proc });
  const tails = c.trainerCommand
    ? [llamaFactoryLog(command, c.dir)].filter((x): x is string => !!x).map((p) => ({ tail: new Tail(p), parse: parseLlamaFactoryLine }))
    : [{ tail: new Tail(join(runDir, 'events.jsonl')), parse: parseEventLine }];
  const poll = (all = false) => {
    for (const t of tails) {
      const onLine = (l: string) => {
        const p = t.parse(l);
        if (p) apply(p);
      };
      if (all) t.tail.drain(onLine);
      else t.tail.read(onLine);
    }
  };
  const timer = setInterval(() => poll(), 250);

  let cancelled = false;
  const result = proc.exited.then(async (exit: ExitInfo) => {
    clearInterval(timer);
    poll(true);
    ui.flush();
    await new Promise((r) => log.end(r));
    if (events) await new Promise((r) => events.end(r));
    const wasCancelled = cancelled || exit.cancelled;
    // a run its gate stopped ends with an 'end' event saying so and exit code GATE_STOP_EXIT_CODE
    const gateStopped = !wasCancelled && progress.gateStop !== undefined && exit.code === GATE_STOP_EXIT_CODE;
    const ok = exit.code === 0 && !wasCancelled;
    let failure: Failure | undefined;
    if (!ok && !wasCancelled && !gateStopped) failure = classifyFailure(output.toString());
    if (ok && progress.loss !== undefined && Number.isNaN(progress.loss))
      failure = { kind: 'nan-loss', message: 'the loss became NaN', hint: classifyFailure('loss: nan').hint };
    const status: TrainResult['status'] = wasCancelled ? 'cancelled' : gateStopped ? 'stopped-by-gate' : failure ? 'failed' : 'completed';
    const res = {
      step: progress.step,
      totalSteps: progress.totalSteps,
      loss: progress.loss,
      evalLoss: progress.evalLoss,
      metrics: progress.metrics,
      error: failure ? { kind: failure.kind, message: failure.message, hint: failure.hint } : undefined,
      gate: gateStopped ? progress.gateStop : undefined,
    };
    const endedAt = new Date().toISOString();
    const resumes =
      record.resumes && resume ? [...record.resumes.slice(0, -1), { ...record.resumes[record.resumes.length - 1]!, endedAt, status }] : record.resumes;
    record = { ...record, status, endedAt, pid: undefined, resumes, result: res, gates: progress.gates.length ? progress.gates : undefined };
    writeRun(runDir, record);
    return {
      status,
      step: progress.step,
      totalSteps: progress.totalSteps,
      loss: progress.loss,
      evalLoss: progress.evalLoss,
      runDir,
      error: res.error,
      gate: res.gate,
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

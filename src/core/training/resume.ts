/**
 * Resuming a run: which runs can be resumed (a checkpoint of the bundled trainer in their output folder,
 * and not completed), which one is meant when none is named, and the configuration it continues with —
 * the run's own, as run.json recorded it, so that the schedule is the same (the trainer reads the run's
 * trainer-config.json again).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { TrainingConfig } from './config';
import { listRuns, runsDir, type RunRecord } from './runRecord';

export interface Checkpoint {
  /** the checkpoint folder */
  readonly path: string;
  readonly step: number;
}

export interface ResumableRun {
  readonly runDir: string;
  readonly record: RunRecord;
  readonly checkpoint: Checkpoint;
  /** 'interrupted': run.json still says running, but its trainer is gone (the editor or the machine went down) */
  readonly state: 'interrupted' | 'failed' | 'cancelled';
}

/**
 * The last complete checkpoint in a bundled trainer's output folder: checkpoint-N holding state.json
 * (the trainer writes it last, then renames the folder into place). The same rule as the trainer's
 * last_checkpoint (trainer/ftstudio_trainer/train.py).
 */
export function lastCheckpoint(outputDir: string): Checkpoint | undefined {
  if (!existsSync(outputDir)) return undefined;
  let best: Checkpoint | undefined;
  for (const d of readdirSync(outputDir)) {
    const m = /^checkpoint-(\d+)$/.exec(d);
    if (!m || !existsSync(join(outputDir, d, 'state.json'))) continue;
    const step = Number(m[1]);
    if (!best || step > best.step) best = { path: join(outputDir, d), step };
  }
  return best;
}

/** Where a run's checkpoints and adapter go: finetune.json's "output", else the run folder's output/. */
export function runOutputDir(runDir: string, record: Pick<RunRecord, 'config'>): string {
  const out = (record.config as { output?: unknown } | null)?.output;
  return typeof out === 'string' && out ? out : join(runDir, 'output');
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Still running: its run.json says so and its trainer process is alive (a record without a pid: assumed gone). */
export function runIsLive(record: RunRecord): boolean {
  return record.status === 'running' && record.pid !== undefined && pidAlive(record.pid);
}

export type ResumeLookup = { readonly run: ResumableRun } | { readonly error: string };

/** Why a run cannot be resumed, or the run to resume. */
function examine(runDir: string, record: RunRecord, isActive: (runDir: string) => boolean): ResumeLookup {
  const id = record.runId;
  if (record.trainer !== 'bundled')
    return {
      error: `run ${id} used your own trainer.command: resume works with the bundled trainer's checkpoints; resume it with your trainer's own option (e.g. --resume_from_checkpoint)`,
    };
  if (record.status === 'completed') return { error: `run ${id} completed: there is nothing to resume (start a new run to train further)` };
  if (record.status === 'stopped-by-gate')
    return {
      error: `run ${id} was stopped by its evaluation gate (${record.result?.gate?.reason ?? 'the gate failed'}): resuming would train past the regression; use its best checkpoint${record.result?.gate?.bestCheckpoint ? ` (${record.result.gate.bestCheckpoint})` : ''} or start a new run`,
    };
  if (isActive(runDir) || runIsLive(record)) return { error: `run ${id} is still running${record.pid ? ` (process ${record.pid})` : ''}: stop it first` };
  if (!existsSync(join(runDir, 'trainer-config.json')))
    return { error: `run ${id} has no trainer-config.json in ${runDir}: without it the trainer cannot continue the same schedule; start a new run` };
  const out = runOutputDir(runDir, record);
  const checkpoint = lastCheckpoint(out);
  if (!checkpoint)
    return {
      error: `run ${id} has no checkpoint in ${out}: the trainer saves one every saveSteps steps and when it is stopped; a run that failed before its first one has to start again`,
    };
  const state = record.status === 'running' ? 'interrupted' : record.status;
  return { run: { runDir, record, checkpoint, state } };
}

/** Runs that can be resumed, newest first. `isActive`: a run this process is running now. */
export function resumableRuns(workspaceRoot: string, isActive: (runDir: string) => boolean = () => false): ResumableRun[] {
  const dir = runsDir(workspaceRoot);
  return listRuns(workspaceRoot).flatMap((r) => {
    const x = examine(join(dir, r.runId), r, isActive);
    return 'run' in x ? [x.run] : [];
  });
}

/**
 * The run `ftstudio train --resume [RUN_DIR]` and "Resume Fine-tune" mean: the named one, or the newest
 * resumable one. An error says why there is none, and what to do.
 */
export function findResumable(workspaceRoot: string, runDir?: string, isActive: (runDir: string) => boolean = () => false): ResumeLookup {
  if (runDir) {
    const dir = resolve(runDir);
    const path = join(dir, 'run.json');
    if (!existsSync(path)) return { error: `${dir} is not a run folder (no run.json): runs live in ${runsDir(workspaceRoot)}` };
    let record: RunRecord;
    try {
      record = JSON.parse(readFileSync(path, 'utf8')) as RunRecord;
    } catch (e) {
      return { error: `${path}: not valid JSON (${(e as Error).message})` };
    }
    return examine(dir, record, isActive);
  }
  const runs = listRuns(workspaceRoot);
  if (!runs.length) return { error: `no runs in ${runsDir(workspaceRoot)} yet: start one ("Finetune Studio: Start Fine-tune" or ftstudio train)` };
  const found = resumableRuns(workspaceRoot, isActive);
  if (found.length) return { run: found[0]! };
  return {
    error: `none of the ${runs.length} runs in ${runsDir(workspaceRoot)} can be resumed: a resumable run was stopped, failed or interrupted after the bundled trainer saved a checkpoint (every saveSteps steps, and when it is stopped)`,
  };
}

/** The configuration a resumed run continues with: the run's own, as run.json recorded it. */
export function resumeConfig(run: ResumableRun, configPath: string): TrainingConfig {
  return { ...(run.record.config as TrainingConfig), path: configPath, dir: dirname(configPath) };
}

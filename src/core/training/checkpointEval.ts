/**
 * The three gates on one checkpoint, through the bundled trainer's Python (`python -m ftstudio_trainer
 * eval`, trainer/ftstudio_trainer/evalcmd.py): which run and checkpoint, the config it is given, the
 * process (no shell), and eval.json, the report it writes in the run folder. Used by `ftstudio eval`.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { writeFileAtomic } from '../jsonl/atomicFile';
import type { TrainingConfig } from './config';
import { listRuns, runsDir, type RunRecord } from './runRecord';
import { trainerConfig } from './train';
import { forEachStreamLine } from './launcher';
import type { GateGolden, GateHeldout, GateSafety } from '../eval/gateEvent';
import type { GoldenReport } from '../eval/goldenScore';
import type { AssertionType } from '../formats/evalSets';

/** eval.json: the gate event's golden / heldout / safety for one checkpoint, and the verdict. */
export interface EvalReport {
  readonly v: 1;
  /** the adapter (or model) folder evaluated */
  readonly checkpoint: string;
  /** the base model */
  readonly model: string;
  readonly passed: boolean;
  /** why the gate failed (empty when it passed): mustPass items that fail, safety deltas above the threshold */
  readonly reasons: readonly string[];
  /** flipped: items the base model (adapter off) passes and the adapter fails; basePassRate: the base's pass rate */
  readonly golden?: GateGolden & { readonly basePassRate?: number };
  readonly heldout?: GateHeldout & { readonly ci95?: readonly [number, number] };
  readonly safety?: GateSafety;
  readonly createdAt: string;
}

export class EvalTargetError extends Error {}

export interface EvalTarget {
  /** where eval.json (and eval-config.json) are written */
  readonly runDir: string;
  readonly checkpoint: string;
}

function outputOf(record: RunRecord | undefined, runDir: string): string {
  const out = (record?.config as { output?: unknown } | undefined)?.output;
  return typeof out === 'string' ? out : join(runDir, 'output');
}

function readRecord(runDir: string): RunRecord | undefined {
  try {
    return JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as RunRecord;
  } catch {
    return undefined;
  }
}

/** The folder at or above `dir` that holds a run.json, if any. */
function enclosingRun(dir: string): string | undefined {
  for (let d = resolve(dir); ; d = dirname(d)) {
    if (existsSync(join(d, 'run.json'))) return d;
    if (dirname(d) === d) return undefined;
  }
}

/**
 * The run folder and checkpoint to evaluate: --run (else the run holding --checkpoint, else the latest run),
 * and --checkpoint (else that run's final adapter). Problems are EvalTargetErrors that say what to do.
 */
export function evalTarget(workspaceRoot: string, run?: string, checkpoint?: string): EvalTarget {
  if (checkpoint !== undefined) {
    const cp = resolve(checkpoint);
    if (!existsSync(cp) || !statSync(cp).isDirectory()) throw new EvalTargetError(`--checkpoint ${cp}: no such folder`);
  }
  let runDir: string;
  if (run !== undefined) {
    runDir = resolve(run);
    if (!existsSync(join(runDir, 'run.json'))) throw new EvalTargetError(`--run ${runDir}: not a run folder (it has no run.json)`);
  } else if (checkpoint !== undefined) {
    runDir = enclosingRun(checkpoint) ?? resolve(checkpoint);
  } else {
    const latest = listRuns(workspaceRoot)[0];
    if (!latest) throw new EvalTargetError(`no runs in ${runsDir(workspaceRoot)}: train first, or name an adapter with --checkpoint DIR`);
    runDir = join(runsDir(workspaceRoot), latest.runId);
  }
  const cp = checkpoint !== undefined ? resolve(checkpoint) : outputOf(readRecord(runDir), runDir);
  if (!existsSync(join(cp, 'adapter_config.json')) && !existsSync(join(cp, 'config.json')))
    throw new EvalTargetError(
      `${cp} holds no adapter (adapter_config.json) or model: ${checkpoint === undefined ? 'the run has no final adapter (did it finish?): ' : ''}name one with --checkpoint DIR (e.g. a checkpoint-N folder)`,
    );
  return { runDir, checkpoint: cp };
}

export interface CheckpointEvalOptions {
  readonly config: TrainingConfig;
  readonly target: EvalTarget;
  readonly python: string;
  /** folder holding the bundled trainer package (ftstudio_trainer) */
  readonly trainerDir: string;
  /** each line the trainer writes to stderr (its progress and problems) */
  readonly onLine?: (line: string) => void;
}

export interface CheckpointEvalResult {
  /** 0 passed, 1 gate failed, 2 usage or input problem, other: the trainer crashed */
  readonly code: number;
  readonly report?: EvalReport;
  readonly evalJson: string;
}

/** Run the gates on the target's checkpoint; eval.json is written (atomically, by the trainer) in the run folder. */
export function runCheckpointEval(o: CheckpointEvalOptions): Promise<CheckpointEvalResult> {
  const c = o.config;
  if (!c.eval) throw new EvalTargetError(`${c.path}: no "eval" block: add eval.golden (and eval.safety, eval.heldout) to evaluate a checkpoint`);
  const { runDir, checkpoint } = o.target;
  const configPath = join(runDir, 'eval-config.json');
  const evalJson = join(runDir, 'eval.json');
  writeFileAtomic(configPath, JSON.stringify(trainerConfig(c, checkpoint, join(runDir, 'eval-events.jsonl')), null, 2) + '\n');
  const argv = [o.python, '-m', 'ftstudio_trainer', 'eval', '--config', configPath, '--checkpoint', checkpoint, '--out', evalJson];
  return new Promise((done) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      shell: false,
      cwd: c.dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PYTHONPATH: [o.trainerDir, process.env.PYTHONPATH].filter(Boolean).join(':'), PYTHONUNBUFFERED: '1' },
    });
    const heard = (line: string) => {
      if (line.trim()) o.onLine?.(line);
    };
    forEachStreamLine(child.stdout, heard, { breaks: /\n/ });
    forEachStreamLine(child.stderr, heard, { breaks: /\n/ });
    child.on('error', (e) => {
      o.onLine?.(`cannot start ${o.python}: ${e.message}`);
      done({ code: 127, evalJson });
    });
    child.on('close', (code) => {
      let report: EvalReport | undefined;
      if (code === 0 || code === 1) {
        try {
          report = JSON.parse(readFileSync(evalJson, 'utf8')) as EvalReport;
        } catch {
          report = undefined;
        }
      }
      done({ code: code ?? 128, report, evalJson });
    });
  });
}

/** The golden part of an eval report as `ftstudio score`'s report, for JUnit XML. */
export function goldenReportOf(r: EvalReport): GoldenReport | undefined {
  const g = r.golden;
  if (!g) return undefined;
  return {
    passRate: g.passRate,
    passed: g.passed,
    total: g.total,
    flipped: g.flipped,
    items: (g.items ?? []).map((i) => ({
      id: i.id,
      passed: i.passed,
      failures: (i.failures ?? []).map((f) => ({ type: f.type as AssertionType, message: f.message })),
    })),
  };
}

/**
 * `ftstudio eval --config finetune.json [--run RUN_DIR] [--checkpoint DIR] [--json] [--junit FILE]`: the
 * golden, held-out and safety gates on one checkpoint through the bundled trainer's Python.
 */
import { dirname, resolve } from 'node:path';
import { writeFileAtomic } from '../core/jsonl/atomicFile';
import { defaultEnvironmentDir } from '../core/python/environment';
import { describeInterpreter, resolveInterpreter } from '../core/python/interpreter';
import { EvalTargetError, evalTarget, goldenReportOf, runCheckpointEval } from '../core/training/checkpointEval';
import { goldenJunit } from '../core/eval/junit';
import { parseArgs, UsageError } from './args';
import { loadConfigOrUsage } from './configArg';
import { bundledTrainerDir } from './trainCommand';
import type { Io } from './validateCommand';

export const EVAL_USAGE = `usage: ftstudio eval [--config finetune.json] [--run RUN_DIR] [--checkpoint DIR] [--json] [--junit FILE]
  runs finetune.json's evaluation gates (eval.golden, eval.heldout, eval.safety) on one checkpoint with the bundled trainer
    --run RUN_DIR      the run (default: the one holding --checkpoint, else the latest run)
    --checkpoint DIR   the adapter to evaluate (default: the run's final adapter)
    --json             print eval.json on stdout
    --junit FILE       also write JUnit XML, one test case per golden item
  eval.json is written in the run folder (or in the checkpoint folder when it belongs to no run)
exit status: 0 gate passed, 1 gate failed (a mustPass item fails, a safety delta above eval.maxSafetyDeltaPoints), 2 usage, input or trainer problem`;

export async function evalCommand(argv: readonly string[], io: Io): Promise<number> {
  const args = parseArgs(argv, { values: ['config', 'run', 'checkpoint', 'junit'], booleans: ['json', 'help'] });
  if (args.flags.has('help')) {
    io.out(EVAL_USAGE);
    return 0;
  }
  if (args.positional.length) throw new UsageError(`eval takes no positional arguments (got ${args.positional.join(' ')})`);
  const path = resolve(typeof args.flags.get('config') === 'string' ? (args.flags.get('config') as string) : 'finetune.json');
  const config = loadConfigOrUsage(path);
  if (!config.eval) throw new UsageError(`${path} has no "eval" block: add eval.golden (a golden set; see examples/golden.jsonl) to evaluate a checkpoint`);
  let target;
  try {
    target = evalTarget(dirname(path), args.flags.get('run') as string | undefined, args.flags.get('checkpoint') as string | undefined);
  } catch (e) {
    if (e instanceof EvalTargetError) throw new UsageError(e.message);
    throw e;
  }
  const interpreter = await resolveInterpreter({ configPython: config.python, configDir: dirname(path), managedDirs: [defaultEnvironmentDir()] });
  io.err(`interpreter ${describeInterpreter(interpreter)}`);
  io.err(`checkpoint ${target.checkpoint}`);
  const r = await runCheckpointEval({ config, target, python: interpreter.python, trainerDir: bundledTrainerDir(), onLine: (l) => io.err(l) });
  if (r.code === 2) return 2; // the trainer named the problem on stderr
  if (!r.report) {
    io.err(`ftstudio: the trainer's evaluation ended with exit status ${r.code} without writing ${r.evalJson} (see its output above)`);
    return 2;
  }
  const junit = args.flags.get('junit');
  if (typeof junit === 'string') {
    const golden = goldenReportOf(r.report);
    if (!golden) io.err('ftstudio: warning: --junit: no golden set, no JUnit file written');
    else writeFileAtomic(resolve(junit), goldenJunit(golden, 'ftstudio eval', r.report.reasons));
  }
  io.err(`eval.json ${r.evalJson}`);
  if (args.flags.has('json')) io.out(JSON.stringify(r.report));
  return r.report.passed ? 0 : 1;
}

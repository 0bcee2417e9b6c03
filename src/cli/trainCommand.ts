/**
 * `ftstudio train [--config finetune.json] [--force] [--json] [--resume [RUN_DIR]]`: preflight and training,
 * stoppable with Ctrl+C. --resume continues a stopped, failed or interrupted run from its last checkpoint
 * (RUN_DIR, or the newest resumable run), with the run's own configuration, in the same run folder.
 */
import { dirname, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { defaultEnvironmentDir } from '../core/python/environment';
import { describeInterpreter, resolveInterpreter } from '../core/python/interpreter';
import { formatEta } from '../core/training/progress';
import { train } from '../core/training/train';
import { GATE_STOP_EXIT_CODE } from '../core/eval/gateEvent';
import { findResumable, resumeConfig } from '../core/training/resume';
import { parseArgs, UsageError } from './args';
import { loadConfigOrUsage } from './configArg';
import type { Io } from './validateCommand';

/** The bundled trainer ships beside the bundles: dist/../trainer. */
export function bundledTrainerDir(): string {
  for (const p of [resolve(__dirname, '..', 'trainer'), resolve(__dirname, '..', '..', 'trainer')]) if (existsSync(p)) return p;
  return resolve(__dirname, '..', 'trainer');
}

export async function trainCommand(argv: readonly string[], io: Io, tty = process.stderr.isTTY): Promise<number> {
  const args = parseArgs(argv, { values: ['config'], booleans: ['force', 'json', 'resume'] });
  const path = resolve(typeof args.flags.get('config') === 'string' ? (args.flags.get('config') as string) : 'finetune.json');
  const resuming = args.flags.has('resume');
  if (args.positional.length > (resuming ? 1 : 0))
    throw new UsageError(`unexpected argument ${args.positional[resuming ? 1 : 0]}${resuming ? '' : ' (a run folder goes after --resume)'}`);
  let config = loadConfigOrUsage(path);
  let resume;
  if (resuming) {
    const found = findResumable(dirname(path), args.positional[0]);
    if ('error' in found) {
      io.err(`ftstudio: nothing to resume: ${found.error}`);
      return 1;
    }
    resume = found.run;
    // the run's own configuration: the same schedule, data and output, whatever finetune.json says now
    config = { ...resumeConfig(resume, path), python: config.python };
    io.err(`resuming run ${resume.record.runId} (${resume.state}) from ${resume.checkpoint.path}, step ${resume.checkpoint.step}`);
  }
  const json = args.flags.has('json');
  const mark = { pass: 'pass ', warn: 'warn ', block: 'BLOCK' };
  const interpreter = await resolveInterpreter({ configPython: config.python, configDir: dirname(path), managedDirs: [defaultEnvironmentDir()] });
  io.err(`interpreter ${describeInterpreter(interpreter)}`);
  const run = await train({
    config,
    workspaceRoot: dirname(path),
    python: interpreter.python,
    trainerDir: bundledTrainerDir(),
    force: args.flags.has('force'),
    resume,
    onPreflight: (checks) => {
      for (const c of checks) io.err(`preflight ${mark[c.status]} ${c.id.padEnd(8)} ${c.message}`);
      if (checks.some((c) => c.id === 'packages' && c.status === 'block')) {
        io.err(
          interpreter.source === 'finetune.json'
            ? '  → install them into that interpreter, or drop "python" from finetune.json and run `ftstudio setup` (the training environment in one step)'
            : '  → run `ftstudio setup`: it makes the training environment in one step, and `ftstudio train` uses it',
        );
      }
    },
    onStart: ({ runDir, command }) => io.err(`run ${runDir}\n$ ${command.join(' ')}`),
    onProgress: (p) => {
      if (!tty) return;
      const f = p.fraction ?? 0;
      const bar = '#'.repeat(Math.round(f * 30)).padEnd(30, '.');
      process.stderr.write(
        `\r[${bar}] ${(f * 100).toFixed(0).padStart(3)}% ${p.step}/${p.totalSteps ?? '?'}${p.loss !== undefined ? ` loss ${p.loss.toFixed(4)}` : ''}${p.etaSeconds !== undefined ? ` ETA ${formatEta(p.etaSeconds)}` : ''}   `,
      );
    },
  });
  const onSigint = () => {
    io.err('\nstopping: SIGINT to the trainer (again: stop harder)');
    void run.cancel();
  };
  process.on('SIGINT', onSigint);
  const r = await run.result.finally(() => process.off('SIGINT', onSigint));
  if (tty) process.stderr.write('\n');
  if (r.error) io.err(`ftstudio: ${r.status}: ${r.error.kind}: ${r.error.message}\n  hint: ${r.error.hint}`);
  else io.err(`ftstudio: ${r.status}${r.runDir ? ` — ${r.runDir}` : ''}`);
  if (json)
    io.out(
      JSON.stringify({
        status: r.status,
        step: r.step ?? null,
        totalSteps: r.totalSteps ?? null,
        loss: r.loss ?? null,
        evalLoss: r.evalLoss ?? null,
        runDir: r.runDir ?? null,
        error: r.error ?? null,
        gate: r.gate ?? null,
      }),
    );
  return r.status === 'completed' ? 0 : r.status === 'cancelled' ? 130 : r.status === 'stopped-by-gate' ? GATE_STOP_EXIT_CODE : 1;
}

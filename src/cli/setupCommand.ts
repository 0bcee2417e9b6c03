/**
 * `ftstudio setup [--dir DIR] [--python PY] [--json]`: the training environment in one step (a virtual
 * environment with trainer/requirements.txt, imports checked). Exit 0 ready, 1 install or import check
 * failed, 2 usage; 130 when stopped with Ctrl+C.
 */
import { join, resolve } from 'node:path';
import { defaultEnvironmentDir, setupEnvironment, SetupError, type SetupProgress } from '../core/python/environment';
import { parseArgs, UsageError } from './args';
import { bundledTrainerDir } from './trainCommand';
import type { Io } from './validateCommand';

export const SETUP_HELP = `usage: ftstudio setup [--dir DIR] [--python PY] [--json]
Creates a virtual environment with the bundled trainer's packages (torch, transformers, peft, accelerate),
checks that they import, and prints its interpreter. A second run with nothing to do takes seconds.
  --dir DIR      the environment's folder (default ${defaultEnvironmentDir()})
  --python PY    the interpreter the environment is made from (default python3; Python 3.10 or newer)
  --json         last line on stdout: {"python": "...", "packages": {"torch": "...", ...}}
exit status: 0 ready, 1 the install or the import check failed, 2 usage`;

export async function setupCommand(argv: readonly string[], io: Io, tty = process.stderr.isTTY): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(SETUP_HELP);
    return 0;
  }
  const args = parseArgs(argv, { values: ['dir', 'python'], booleans: ['json'] });
  if (args.positional.length) throw new UsageError(`setup takes no file arguments, got ${args.positional.join(' ')}`);
  const dir = resolve((args.flags.get('dir') as string | undefined) ?? defaultEnvironmentDir());
  const basePython = (args.flags.get('python') as string | undefined) ?? 'python3';
  const json = args.flags.has('json');
  const started = Date.now();
  let shown = '';
  const onProgress = (p: SetupProgress) => {
    if (tty) {
      const line = `[setup] ${String(Math.round(p.fraction * 100)).padStart(3)}% ${p.message}`.slice(0, Math.max(20, (process.stderr.columns || 100) - 1));
      process.stderr.write(`\r${line.padEnd(shown.length)}`);
      shown = line;
    } else if (p.phase !== 'install' || !/^(resolving|fetching)/.test(p.message)) {
      io.err(`[setup] ${p.message}`);
    }
  };
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.on('SIGINT', onSigint);
  try {
    const r = await setupEnvironment({ dir, basePython, requirements: join(bundledTrainerDir(), 'requirements.txt'), onProgress, signal: abort.signal });
    if (shown) process.stderr.write('\r' + ' '.repeat(shown.length) + '\r');
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const list = Object.entries(r.packages)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    io.err(`ftstudio setup: ${r.installed ? 'installed' : 'already set up'} in ${seconds} s: ${list}`);
    io.out(json ? JSON.stringify({ python: r.python, packages: r.packages }) : r.python);
    return 0;
  } catch (e) {
    if (shown) process.stderr.write('\n');
    if (!(e instanceof SetupError)) throw e;
    if (e.kind === 'cancelled') {
      io.err('ftstudio setup: stopped; run it again to finish (what is installed stays)');
      return 130;
    }
    if (e.kind === 'usage') throw new UsageError(e.message);
    if (e.kind === 'interpreter' && args.flags.has('python')) throw new UsageError(e.message);
    io.err(`ftstudio setup: ${e.message}`);
    if (json) io.out(JSON.stringify({ python: null, error: { kind: e.kind, package: e.pkg ?? null, message: e.message } }));
    return 1;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

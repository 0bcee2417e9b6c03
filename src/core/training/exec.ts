/** Run a short program without a shell and collect its output (nvidia-smi, the interpreter's package list). */
import { spawn } from 'node:child_process';
import type { CommandResult } from './preflight';

export function runCapture(argv: readonly string[], timeoutMs: number, cwd?: string): Promise<CommandResult> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let settled = false;
    const child = spawn(argv[0]!, argv.slice(1), { shell: false, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish(null, `${argv[0]} did not answer within ${timeoutMs / 1000} s`);
    }, timeoutMs);
    const finish = (code: number | null, extra = '') => {
      // Stryker disable next-line ConditionalExpression: equivalent: a promise resolves once; the guard only skips a second clearTimeout and resolve
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ code, stdout, stderr: stderr + extra });
    };
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (e) => finish(127, e.message));
    child.on('close', (code) => finish(code));
  });
}

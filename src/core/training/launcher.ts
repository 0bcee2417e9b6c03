/**
 * A process you start is a process you end: spawned without a shell, in its own process group;
 * cancel sends SIGINT to the whole group, then SIGTERM, then SIGKILL after timeouts. Output is split
 * into lines on \n and on \r (tqdm redraws its bar with \r).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';

export interface LaunchOptions {
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly onLine: (line: string, stream: 'stdout' | 'stderr') => void;
  /**
   * The unterminated text after the last line break of a chunk, when there is some. tqdm draws its bar as
   * "\r" + bar and ends it only with the next redraw: this is how the step just drawn is known at once,
   * not one redraw (one training step: seconds to minutes) later. The same text comes again through
   * onLine once it is terminated.
   */
  readonly onPartial?: (text: string, stream: 'stdout' | 'stderr') => void;
  /** grace periods of the stop sequence */
  readonly sigintMs?: number;
  readonly sigtermMs?: number;
}

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly cancelled: boolean;
}

/**
 * Each line of a text stream as it arrives, split on `breaks` (default \r\n, \n or \r), and its unterminated
 * rest when the stream ends. Each stream keeps its own unfinished line: a partial stdout line never swallows
 * the next stderr line.
 */
export function forEachStreamLine(
  stream: Readable,
  onLine: (line: string) => void,
  o: { readonly breaks?: RegExp; readonly onPartial?: (text: string) => void } = {},
): void {
  let carry = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const parts = (carry + chunk).split(o.breaks ?? /\r\n|\n|\r/);
    carry = parts.pop()!;
    for (const p of parts) onLine(p);
    if (carry) o.onPartial?.(carry);
  });
  stream.on('end', () => {
    if (carry) onLine(carry);
    carry = '';
  });
}

export class TrainingProcess {
  private readonly child: ChildProcess;
  private cancelling = false;
  readonly exited: Promise<ExitInfo>;

  constructor(
    argv: readonly string[],
    private readonly opts: LaunchOptions,
  ) {
    if (!argv.length) throw new Error('empty command');
    this.child = spawn(argv[0]!, argv.slice(1), {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      shell: false,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of ['stdout', 'stderr'] as const) {
      const onPartial = opts.onPartial;
      forEachStreamLine(this.child[stream]!, (line) => opts.onLine(line, stream), {
        onPartial: onPartial && ((text) => onPartial(text, stream)),
      });
    }
    this.exited = new Promise((resolveExit) => {
      this.child.on('error', (e) => {
        opts.onLine(`failed to start ${argv[0]}: ${e.message}`, 'stderr');
        resolveExit({ code: 127, signal: null, cancelled: false });
      });
      this.child.on('close', (code, signal) => resolveExit({ code, signal, cancelled: this.cancelling }));
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  private signalGroup(sig: NodeJS.Signals): void {
    if (this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, sig);
    } catch {
      /* the group is gone */
    }
  }

  /** SIGINT (the trainer saves and stops), then SIGTERM, then SIGKILL, to the whole process group. */
  async cancel(): Promise<ExitInfo> {
    if (!this.cancelling) {
      this.cancelling = true;
      const steps: [NodeJS.Signals, number][] = [
        ['SIGINT', this.opts.sigintMs ?? 10_000],
        ['SIGTERM', this.opts.sigtermMs ?? 5_000],
        ['SIGKILL', 0],
      ];
      void (async () => {
        let done = false;
        void this.exited.then(() => (done = true));
        for (const [sig, wait] of steps) {
          if (done) break;
          this.signalGroup(sig);
          if (!wait) continue;
          // the grace timer is cleared once the group is gone: left pending, it keeps the process alive
          // (Ctrl+C on `ftstudio train` returned 10 s late)
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([this.exited, new Promise((r) => (timer = setTimeout(r, wait)))]);
          clearTimeout(timer);
        }
        // the leader may be gone while children of the group live on: make sure they end too
        if (done) this.signalGroup('SIGKILL');
      })();
    }
    const info = await this.exited;
    this.signalGroup('SIGKILL');
    return info;
  }
}

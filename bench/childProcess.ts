/** The benches' contenders: each a child process, timed from outside, its CPU time and peak RSS from inside. */
import { spawnSync } from 'node:child_process';

/**
 * The contenders' environment: this process's, plus `extra`, less NODE_EXTRA_CA_CERTS. Node reads that
 * bundle of certificates at every start (about 90 ms on this machine, where it is set for every process);
 * a time added to both sides alike would only pull the ratios towards 1.
 */
export function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  delete env.NODE_EXTRA_CA_CERTS;
  return env;
}

export interface Timed {
  /** wall seconds, spawn to exit */
  readonly s: number;
  /** CPU seconds and peak RSS, when the child reports them on stderr (`cpu_s=`, `maxrss_kb=`; FTSTUDIO_REPORT_RSS=1) */
  readonly cpuS?: number;
  readonly rssMb?: number;
  readonly out: string;
}

/** Run `cmd args` to its end (exit 0 or 1: a validator finding problems is a result, not a failure). */
export function timeChild(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Timed {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: childEnv(env), maxBuffer: 1 << 28 });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0 && r.status !== 1) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  const rss = /maxrss_kb=(\d+)/.exec(r.stderr ?? '');
  const cpu = /cpu_s=([\d.]+)/.exec(r.stderr ?? '');
  return { s, cpuS: cpu ? Number(cpu[1]) : undefined, rssMb: rss ? Number(rss[1]) / 1024 : undefined, out: r.stdout };
}

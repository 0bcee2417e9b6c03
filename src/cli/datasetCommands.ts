/** `ftstudio sample`, `ftstudio split`, `ftstudio review-status`: review sampling and the held-out split. */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { reviewGate } from '../core/review/reviewGate';
import { DEFAULT_GATE_THRESHOLD } from '../core/review/reviewStatus';
import { indexFile } from '../core/records/recordIndex';
import { REVIEW_FRACTION, sampleRecords } from '../core/sampling/sample';
import { HELDOUT_FRACTION, splitFile, SplitExistsError } from '../core/sampling/split';
import { projectRoot } from '../core/project/layout';
import { numberFlag, parseArgs, UsageError } from './args';
import type { Io } from './validateCommand';

function datasetArg(positional: readonly string[], cmd: string): string {
  if (positional.length !== 1) throw new UsageError(`${cmd} needs exactly one DATASET`);
  const p = resolve(positional[0]!);
  if (!existsSync(p)) throw new UsageError(`cannot read ${positional[0]}: no such file`);
  if (statSync(p).isDirectory()) throw new UsageError(`${positional[0]} is a directory, not a dataset`);
  return p;
}

function fractionFlag(args: ReturnType<typeof parseArgs>, fallback: number): number {
  const f = numberFlag(args, 'fraction', fallback, 0);
  if (!(f > 0 && f <= 1)) throw new UsageError(`--fraction must be in (0, 1], got ${f}`);
  return f;
}

export async function sampleCommand(argv: readonly string[], io: Io): Promise<number> {
  const args = parseArgs(argv, { values: ['fraction', 'seed', 'stratify-by'], booleans: ['json'] });
  const path = datasetArg(args.positional, 'sample');
  const stratifyBy = args.flags.get('stratify-by') as string | undefined;
  const refs = await indexFile(path, { stratifyBy });
  const s = sampleRecords(refs, {
    fraction: fractionFlag(args, REVIEW_FRACTION.default),
    seed: numberFlag(args, 'seed', 0),
    stratified: stratifyBy !== undefined,
    keepBelowFraction: true, // the review panel's rule: the same sample
  });
  for (const w of s.warnings) io.err(`ftstudio: warning: ${w}`);
  if (args.flags.has('json')) {
    io.out(JSON.stringify({ fraction: s.fraction, seed: s.seed, size: s.size, records: s.records.map((r) => ({ line: r.line, id: r.id })) }));
  } else {
    for (const r of s.records) io.out(`${args.positional[0]}:${r.line}: ${r.id}${r.stratum !== undefined ? ` [${r.stratum}]` : ''}`);
    io.out(`${s.size} of ${s.population} distinct records (fraction ${s.fraction}, seed ${s.seed})`);
  }
  return 0;
}

export async function splitCommand(argv: readonly string[], io: Io): Promise<number> {
  const args = parseArgs(argv, { values: ['fraction', 'seed', 'stratify-by'], booleans: ['json', 'force'] });
  const path = datasetArg(args.positional, 'split');
  try {
    const r = await splitFile(path, projectRoot(process.cwd()), {
      fraction: fractionFlag(args, HELDOUT_FRACTION.default),
      seed: numberFlag(args, 'seed', 0),
      stratifyBy: args.flags.get('stratify-by') as string | undefined,
      overwrite: args.flags.has('force'),
    });
    for (const w of r.plan.warnings) io.err(`ftstudio: warning: ${w}`);
    if (r.unreadable) io.err(`ftstudio: warning: ${r.unreadable} lines are not JSON objects; they went to ${r.files.train} (run ftstudio validate on it)`);
    if (args.flags.has('json'))
      io.out(
        JSON.stringify({
          train: r.files.train,
          heldout: r.files.heldout,
          record: r.files.record,
          trainRecords: r.train,
          heldoutRecords: r.heldout,
          seed: r.plan.seed,
          fraction: r.plan.fraction,
        }),
      );
    else io.out(`${r.train} records -> ${r.files.train}\n${r.heldout} records -> ${r.files.heldout}\nsplit recorded in ${r.files.record}`);
    return 0;
  } catch (e) {
    if (e instanceof SplitExistsError) throw new UsageError(`${e.message}: pass --force to overwrite`);
    throw e;
  }
}

export async function reviewStatusCommand(argv: readonly string[], io: Io): Promise<number> {
  const args = parseArgs(argv, { values: ['threshold'], booleans: ['json'] });
  const path = datasetArg(args.positional, 'review-status');
  const threshold = numberFlag(args, 'threshold', DEFAULT_GATE_THRESHOLD, 0);
  const gate = await reviewGate(projectRoot(process.cwd()), path, () => indexFile(path), { threshold });
  const { manifest, status } = gate;
  for (const p of gate.problems) io.err(`ftstudio: warning: ${p}`);
  const out = {
    sampled: status.sampled,
    reviewed: status.reviewed,
    passed: status.passed,
    failed: status.failed,
    passRate: status.passRate,
    gate: status.gate,
  };
  if (args.flags.has('json')) io.out(JSON.stringify(out));
  else
    io.out(
      `review of ${args.positional[0]}: ${out.reviewed}/${out.sampled} reviewed, ${out.passed} passed, ${out.failed} failed${out.passRate === null ? '' : ` (pass rate ${(out.passRate * 100).toFixed(1)}%)`}; gate ${out.gate}${manifest ? '' : ' (no review started: run "Finetune Studio: Review Sample" in VS Code)'}`,
    );
  return status.gate === 'passed' ? 0 : 1;
}

/** `ftstudio pairs` (rankings -> TRL preference pairs) and `ftstudio agreement` (annotator agreement). */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { writeFileAtomic } from '../core/jsonl/atomicFile';
import { forEachLineBatch } from '../core/jsonl/readLines';
import { agreementReport } from '../core/preference/agreementReport';
import { annotationsPath, readAnnotations } from '../core/preference/annotationStore';
import { derivePairs, RankedRowError, STRATEGIES, type Strategy } from '../core/preference/pairs';
import { projectRoot } from '../core/project/layout';
import { parseArgs, UsageError } from './args';
import type { Io } from './validateCommand';

function fileArg(positional: readonly string[], cmd: string): string {
  if (positional.length !== 1) throw new UsageError(`${cmd} needs exactly one FILE`);
  const p = resolve(positional[0]!);
  if (!existsSync(p)) throw new UsageError(`cannot read ${positional[0]}: no such file`);
  if (statSync(p).isDirectory()) throw new UsageError(`${positional[0]} is a directory`);
  return p;
}

export async function pairsCommand(argv: readonly string[], io: Io): Promise<number> {
  const args = parseArgs(argv, { values: ['strategy', 'out'], booleans: [] });
  const path = fileArg(args.positional, 'pairs');
  const strategy = (args.flags.get('strategy') ?? 'all-pairs') as Strategy;
  if (!STRATEGIES.includes(strategy)) throw new UsageError(`--strategy must be one of ${STRATEGIES.join(', ')}`);
  const out: string[] = [];
  let line = 0;
  let bad = 0;
  let rows = 0;
  await forEachLineBatch(path, (lines) => {
    for (const t of lines) {
      line++;
      if (!t.trim()) continue;
      rows++;
      try {
        for (const p of derivePairs(JSON.parse(t), strategy)) out.push(JSON.stringify(p));
      } catch (e) {
        bad++;
        const what = e instanceof RankedRowError ? e.message : `invalid JSON (${(e as Error).message})`;
        io.err(`${args.positional[0]}:${line}: ${what}; row skipped — fix it and run again`);
      }
    }
  });
  const target = args.flags.get('out');
  if (typeof target === 'string') {
    writeFileAtomic(resolve(target), out.map((l) => l + '\n').join(''));
    io.err(`${out.length} pairs from ${rows - bad} of ${rows} rows (${strategy}) -> ${target}`);
  } else {
    for (const l of out) io.out(l);
  }
  return bad ? 1 : 0;
}

export async function agreementCommand(argv: readonly string[], io: Io): Promise<number> {
  const args = parseArgs(argv, { values: [], booleans: ['json'] });
  const path = fileArg(args.positional, 'agreement');
  const log = annotationsPath(projectRoot(process.cwd()), path);
  const { events, problems } = readAnnotations(log);
  for (const p of problems) io.err(`ftstudio: warning: ${p}`);
  const r = agreementReport(events);
  if (args.flags.has('json')) {
    io.out(JSON.stringify(r));
    return 0;
  }
  if (!events.length) io.out(`no annotations in ${log}`);
  for (const p of r.pairs)
    io.out(
      `pairs ${p.a} vs ${p.b}: ${p.items} items, agreement ${(100 * (p.percentAgreement ?? 0)).toFixed(1)}%, Cohen's kappa ${p.kappa?.toFixed(3) ?? 'n/a'}`,
    );
  if (r.rankings) io.out(`rankings: ${r.rankings.units} units, Krippendorff's alpha (ordinal) ${r.rankings.alpha?.toFixed(3) ?? 'n/a'}`);
  return 0;
}

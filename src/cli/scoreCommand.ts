/**
 * `ftstudio score`: scoring without a model, for any inference stack.
 *   golden mode:  --golden G.jsonl --predictions P.jsonl [--baseline PREV.json] [--min-pass-rate X] [--json] [--junit FILE]
 *   heldout mode: --heldout H.jsonl --predictions P.jsonl --metric M [--schema S] [--json]
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { writeFileAtomic } from '../core/jsonl/atomicFile';
import { compileUserSchema, SchemaError } from '../core/checks/schemaCheck';
import { refusalPatternsOf } from '../core/eval/evalConfig';
import { EvalInputError, loadHeldoutPairs } from '../core/eval/evalFiles';
import { goldenReportLines, runGoldenScore } from '../core/eval/goldenScore';
import { goldenJunit } from '../core/eval/junit';
import { METRICS, type MetricId } from '../core/eval/metrics';
import { RefusalPatternError } from '../core/eval/refusal';
import { scoreMetric } from '../core/eval/taskScore';
import { findConfig } from '../core/project/projectConfig';
import { parseArgs, UsageError } from './args';
import type { Io } from './validateCommand';

export const SCORE_USAGE = `usage: ftstudio score --golden G.jsonl --predictions P.jsonl [--baseline PREV.json] [--min-pass-rate X] [--json] [--junit FILE]
       ftstudio score --heldout H.jsonl --predictions P.jsonl --metric M [--schema S] [--json]
  golden mode: P.jsonl holds {"id": …, "output": "…"} per golden item; an item passes when all its assertions pass
    --baseline PREV.json   a previous \`score --json\` report: items that passed there and fail now are "flipped"
    --min-pass-rate X      fail below this pass rate (0–1); without it only mustPass items and flips fail the gate
    --junit FILE           also write JUnit XML, one test case per golden item
  heldout mode: P.jsonl holds {"line": N, "output": "…"} (N: the record's 1-based line) or {"output": "…"} in record order
    --metric M             ${METRICS.join(', ')}
    --schema S             the JSON Schema for json_schema
  --json                   one JSON document on stdout
exit status: 0 gate passed (heldout: scored), 1 gate failed, 2 usage or input error (unknown or missing ids are named)`;

function rate(v: string | true | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isFinite(n) || n < 0 || n > 1) throw new UsageError(`--min-pass-rate must be a number from 0 to 1, got ${String(v)}`);
  return n;
}

export async function scoreCommand(argv: readonly string[], io: Io): Promise<number> {
  const args = parseArgs(argv, {
    values: ['golden', 'heldout', 'predictions', 'baseline', 'min-pass-rate', 'junit', 'metric', 'schema'],
    booleans: ['json', 'help'],
  });
  if (args.flags.has('help')) {
    io.out(SCORE_USAGE);
    return 0;
  }
  if (args.positional.length)
    throw new UsageError(`score takes no positional arguments (got ${args.positional.join(' ')}): name files with --golden / --heldout / --predictions`);
  const golden = args.flags.get('golden') as string | undefined;
  const heldout = args.flags.get('heldout') as string | undefined;
  const predictions = args.flags.get('predictions') as string | undefined;
  if ((golden === undefined) === (heldout === undefined)) throw new UsageError('score needs exactly one of --golden G.jsonl or --heldout H.jsonl');
  if (predictions === undefined) throw new UsageError('score needs --predictions P.jsonl');
  const only = (mode: string, names: string[]) => {
    for (const n of names) if (args.flags.has(n)) throw new UsageError(`--${n} is for ${mode} mode`);
  };
  try {
    if (golden !== undefined) {
      only('heldout', ['metric', 'schema']);
      return scoreGoldenMode(golden, predictions, args.flags, io);
    }
    only('golden', ['baseline', 'min-pass-rate', 'junit']);
    return scoreHeldoutMode(heldout!, predictions, args.flags, io);
  } catch (e) {
    if (e instanceof EvalInputError || e instanceof RefusalPatternError || e instanceof SchemaError) throw new UsageError(e.message);
    throw e;
  }
}

function scoreGoldenMode(goldenPath: string, predictionsPath: string, flags: Map<string, string | true>, io: Io): number {
  const minPassRate = rate(flags.get('min-pass-rate'));
  const config = findConfig(process.cwd());
  const extra = refusalPatternsOf(config);
  if (extra.problem) io.err(`ftstudio: warning: ${extra.problem}`);
  const run = runGoldenScore({
    golden: goldenPath,
    predictions: predictionsPath,
    baseline: flags.get('baseline') as string | undefined,
    minPassRate,
    refusalPatterns: extra.patterns,
    refusalPatternsSource: `${config} eval.refusalPatterns`,
  });
  const { report, reasons } = run;
  const junit = flags.get('junit') as string | undefined;
  if (junit !== undefined) {
    try {
      writeFileAtomic(junit, goldenJunit(report, `golden ${basename(goldenPath)}`, reasons));
    } catch (e) {
      throw new UsageError(`cannot write ${junit}: ${(e as Error).message}`);
    }
  }
  if (flags.has('json')) {
    io.out(JSON.stringify({ passRate: report.passRate, passed: report.passed, total: report.total, items: report.items, flipped: report.flipped }));
    for (const r of reasons) io.err(`ftstudio: gate failed: ${r}`);
  } else {
    for (const l of goldenReportLines(run)) io.out(l);
  }
  return reasons.length ? 1 : 0;
}

function scoreHeldoutMode(heldoutPath: string, predictionsPath: string, flags: Map<string, string | true>, io: Io): number {
  const metric = flags.get('metric');
  if (metric === undefined) throw new UsageError(`heldout mode needs --metric: one of ${METRICS.join(', ')}`);
  if (!(METRICS as readonly string[]).includes(String(metric))) throw new UsageError(`--metric must be one of ${METRICS.join(', ')}, got ${String(metric)}`);
  const schemaPath = flags.get('schema') as string | undefined;
  if (metric === 'json_schema' && schemaPath === undefined) throw new UsageError('--metric json_schema needs --schema S');
  if (metric !== 'json_schema' && schemaPath !== undefined) throw new UsageError('--schema is only for --metric json_schema');
  let validate: ((v: unknown) => boolean) | undefined;
  if (schemaPath !== undefined) {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(schemaPath, 'utf8'));
    } catch (e) {
      throw new UsageError(`cannot read schema ${schemaPath}: ${(e as Error).message}`);
    }
    const v = compileUserSchema(json, schemaPath);
    validate = (x) => v(x) as boolean;
  }
  const pairs = loadHeldoutPairs(heldoutPath, predictionsPath, metric !== 'json_schema');
  if (pairs.predictions.length === 0) throw new UsageError(`${predictionsPath}: no predictions to score`);
  const r = scoreMetric(metric as MetricId, pairs.references, pairs.predictions, validate);
  if (flags.has('json')) io.out(JSON.stringify({ metric: r.metric, score: r.score, n: r.n, ci95: r.ci95 }));
  else io.out(`${r.metric} ${r.score.toFixed(4)} (95% CI ${r.ci95[0].toFixed(4)}–${r.ci95[1].toFixed(4)}, n = ${r.n})`);
  return 0;
}

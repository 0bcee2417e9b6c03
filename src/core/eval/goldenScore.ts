/** Scoring a golden set's predictions: per item pass/fail, the pass rate, flips against a baseline, the gate. */
import { checkAssertion, type AssertionContext, type Failure } from './assertions';
import { loadBaseline, loadGoldenPredictions, loadGoldenSet, type GoldenSet, type Prediction } from './evalFiles';
import { refusalDetector } from './refusal';

export interface ItemResult {
  readonly id: string;
  readonly passed: boolean;
  readonly failures: readonly Failure[];
}

/** The `ftstudio score --json` document (golden mode). */
export interface GoldenReport {
  readonly passRate: number;
  readonly passed: number;
  readonly total: number;
  readonly items: readonly ItemResult[];
  /** ids that passed in the baseline and fail now */
  readonly flipped: readonly string[];
}

export function scoreGolden(
  set: GoldenSet,
  predictions: ReadonlyMap<string, Prediction>,
  ctx: Omit<AssertionContext, 'schemaOf'>,
  baseline?: ReadonlyMap<string, boolean>,
): GoldenReport {
  const full: AssertionContext = { ...ctx, schemaOf: set.schemaOf };
  const items: ItemResult[] = set.items.map((item) => {
    const output = predictions.get(item.id)!.output;
    const failures: Failure[] = [];
    for (const a of item.assert) {
      const f = checkAssertion(a, output, full);
      if (f) failures.push(f);
    }
    return { id: item.id, passed: failures.length === 0, failures };
  });
  const passed = items.filter((i) => i.passed).length;
  const flipped = baseline ? items.filter((i) => !i.passed && baseline.get(i.id) === true).map((i) => i.id) : [];
  return { passRate: items.length ? passed / items.length : 0, passed, total: items.length, items, flipped };
}

/**
 * Why the gate fails (empty: it passes): the pass rate below `minPassRate` (when given), a mustPass
 * item that fails, an item that flipped from pass to fail against the baseline.
 */
export function gateFailures(set: GoldenSet, report: GoldenReport, minPassRate?: number): string[] {
  const reasons: string[] = [];
  if (minPassRate !== undefined && report.passRate < minPassRate) {
    reasons.push(`pass rate ${pct(report.passRate)} is below --min-pass-rate ${pct(minPassRate)}`);
  }
  const must = new Set(set.items.filter((i) => i.mustPass).map((i) => i.id));
  const mustFailed = report.items.filter((i) => !i.passed && must.has(i.id)).map((i) => i.id);
  if (mustFailed.length) reasons.push(`mustPass item${mustFailed.length === 1 ? '' : 's'} failed: ${mustFailed.join(', ')}`);
  if (report.flipped.length) reasons.push(`passed in the baseline, fail now: ${report.flipped.join(', ')}`);
  return reasons;
}

export const pct = (x: number) => `${(Math.round(x * 1000) / 10).toFixed(1)}%`;

export interface GoldenRun {
  readonly set: GoldenSet;
  readonly report: GoldenReport;
  /** why the gate failed; empty when it passed */
  readonly reasons: readonly string[];
  readonly withBaseline: boolean;
}

/**
 * The whole golden-mode pipeline the CLI and the editor share: load and check the set, pair the
 * predictions, score, compare with the baseline, decide the gate. Input problems throw EvalInputError
 * (a bad refusal pattern RefusalPatternError), each naming the file and line.
 */
export function runGoldenScore(o: {
  readonly golden: string;
  readonly predictions: string;
  readonly baseline?: string;
  readonly minPassRate?: number;
  readonly refusalPatterns?: readonly string[];
  readonly refusalPatternsSource?: string;
}): GoldenRun {
  const isRefusal = refusalDetector(o.refusalPatterns ?? [], o.refusalPatternsSource);
  const set = loadGoldenSet(o.golden);
  const preds = loadGoldenPredictions(o.predictions, set);
  const baseline = o.baseline !== undefined ? loadBaseline(o.baseline) : undefined;
  const report = scoreGolden(set, preds, { isRefusal }, baseline);
  return { set, report, reasons: gateFailures(set, report, o.minPassRate), withBaseline: baseline !== undefined };
}

/** The human-readable report: one FAIL line per failed assertion, the pass count, the gate. */
export function goldenReportLines(run: GoldenRun): string[] {
  const { report, reasons } = run;
  const lines: string[] = [];
  for (const item of report.items) {
    if (item.passed) continue;
    for (const f of item.failures) lines.push(`FAIL ${item.id}: ${f.type}: ${f.message}`);
  }
  lines.push(
    `${report.passed}/${report.total} golden items passed (${pct(report.passRate)})${run.withBaseline ? `, ${report.flipped.length} flipped from pass to fail` : ''}`,
  );
  lines.push(reasons.length ? `gate failed: ${reasons.join('; ')}` : 'gate passed');
  return lines;
}

/** Scoring a golden set's predictions: per item pass/fail, the pass rate, flips against a baseline, the gate. */
import { checkAssertion, type AssertionContext, type Failure } from './assertions';
import type { GoldenSet, Prediction } from './evalFiles';

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

export function scoreGolden(set: GoldenSet, predictions: ReadonlyMap<string, Prediction>, ctx: Omit<AssertionContext, 'schemaOf'>, baseline?: ReadonlyMap<string, boolean>): GoldenReport {
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

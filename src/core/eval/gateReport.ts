/**
 * A run's evaluation gates as people read them: the Eval view's state (charts per checkpoint, the stop,
 * the golden items and the safety table of a checkpoint or of eval.json), the status bar's line and
 * tooltip, and the eval rows of Compare Runs. Folded from the gate events (live, events.jsonl or
 * run.json's gates[]) and the run folder's eval.json (`ftstudio eval`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gateEventOf, type GateEvent, type GateSafety, type GateStop } from './gateEvent';
import type { EvalCheckpointRow, EvalDetail, EvalItemRow, EvalViewState, SafetyItemRow, SafetyRow } from '../../protocol/eval';

/** eval.json as the Eval view reads it: the checkpoint it scored and its result as a gate event. */
export interface EvalFile {
  readonly checkpoint: string;
  readonly gate: GateEvent;
}

export const EVAL_FILE = 'eval.json';
export const EVAL_JSON_KEY = 'eval.json';

/**
 * eval.json's text → the file, or a problem naming the file and what to do. `ftstudio eval` writes
 * `{"v": 1, "checkpoint": PATH, "model", "passed", "reasons", "golden", "heldout", "safety", "createdAt"}`
 * (the gate event's golden / heldout / safety shapes; README, "ftstudio eval").
 */
export function parseEvalFile(text: string, path: string): { file?: EvalFile; problem?: string } {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch (e) {
    return { problem: `${path}: not valid JSON (${(e as Error).message}); run ftstudio eval again to rewrite it` };
  }
  const r = o as Record<string, unknown>;
  if (!o || typeof o !== 'object' || Array.isArray(o) || (r.golden === undefined && r.heldout === undefined && r.safety === undefined))
    return {
      problem: `${path}: expected ftstudio eval's result ({"checkpoint", "passed", "golden", "heldout", "safety"}); run ftstudio eval again to rewrite it`,
    };
  const checkpoint = typeof r.checkpoint === 'string' && r.checkpoint ? basename(r.checkpoint) : 'final adapter';
  // the final evaluation need not be at a training step
  const gate = gateEventOf({
    event: 'gate',
    step: 0,
    checkpoint,
    golden: r.golden,
    heldout: r.heldout,
    safety: r.safety,
    decision: r.passed === false ? 'stop' : 'continue',
    reasons: r.reasons,
  });
  if (!gate) return { problem: `${path}: its golden, heldout or safety result is malformed; run ftstudio eval again to rewrite it` };
  return { file: { checkpoint, gate } };
}

/** The run folder's eval.json: undefined when there is none. */
export function readEvalFile(runDir: string): { file?: EvalFile; problem?: string } {
  const path = join(runDir, EVAL_FILE);
  if (!existsSync(path)) return {};
  try {
    return parseEvalFile(readFileSync(path, 'utf8'), path);
  } catch (e) {
    return { problem: `${path}: cannot be read (${(e as Error).message})` };
  }
}

export interface GateThresholds {
  readonly maxDropPoints: number | null;
  readonly mustPassFlip: boolean | null;
  readonly maxSafetyDeltaPoints: number | null;
}

/** The thresholds of the run's config (run.json keeps the resolved finetune.json); nulls when it had no `eval`. */
export function gateThresholds(config: unknown): GateThresholds {
  const e = (config as { eval?: Record<string, unknown> } | undefined)?.eval;
  const s = (e?.stopOnRegression ?? {}) as Record<string, unknown>;
  const num = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : null);
  return {
    maxDropPoints: num(s.maxDropPoints),
    mustPassFlip: typeof s.mustPassFlip === 'boolean' ? s.mustPassFlip : null,
    maxSafetyDeltaPoints: num(e?.maxSafetyDeltaPoints),
  };
}

/** 0.9166 → "91.7%", 0.92 → "92%". */
export function formatRate(x: number): string {
  const p = Math.round(x * 1000) / 10;
  return `${Number.isInteger(p) ? p.toFixed(0) : p.toFixed(1)}%`;
}

/** Percentage points with their sign: "+3.0 pts", "−1.5 pts", "0.0 pts". */
export function formatPoints(d: number): string {
  const r = Math.round(d * 10) / 10;
  return `${r > 0 ? '+' : r < 0 ? '−' : ''}${Math.abs(r).toFixed(1)} pts`;
}

const checkpointName = (g: GateEvent) => g.checkpoint ?? `step ${g.step}`;
const stepKey = (g: GateEvent) => `step:${g.step}`;

function safetyRows(s: GateSafety, threshold: number | null): SafetyRow[] {
  const row = (measure: SafetyRow['measure'], k: 'harmfulCompliance' | 'overRefusal'): SafetyRow => {
    const delta = s.deltaPoints[k];
    return {
      measure,
      adapter: s.adapter?.[k] ?? NaN,
      base: s.base?.[k] ?? NaN,
      deltaPoints: delta,
      thresholdPoints: threshold,
      fails: threshold !== null && delta > threshold,
    };
  };
  return [row('harmful compliance', 'harmfulCompliance'), row('over-refusal', 'overRefusal')];
}

function detailOf(key: string, label: string, g: GateEvent, t: GateThresholds): EvalDetail {
  const flipped = new Set(g.golden?.flipped ?? []);
  const items: EvalItemRow[] = (g.golden?.items ?? []).map((i) => ({
    id: i.id,
    passed: i.passed,
    mustPass: i.mustPass === true,
    flipped: flipped.has(i.id),
    output: typeof i.output === 'string' ? i.output : null,
    baseOutput: typeof i.baseOutput === 'string' ? i.baseOutput : null,
    failures: Array.isArray(i.failures) ? i.failures : [],
  }));
  // what needs reading first: flipped, then failing mustPass, then failing, then the rest (stable within each)
  const rank = (i: EvalItemRow) => (i.passed ? 3 : i.flipped ? 0 : i.mustPass ? 1 : 2);
  const sorted = items.map((i, n) => ({ i, n })).sort((a, b) => rank(a.i) - rank(b.i) || a.n - b.n);
  const safetyItems: SafetyItemRow[] = (g.safety?.items ?? []).map((i) => ({
    ...i,
    adapterWrong: i.expect === 'refuse' ? !i.adapterRefused : i.adapterRefused,
  }));
  return {
    key,
    label,
    golden: g.golden ? { passRate: g.golden.passRate, passed: g.golden.passed, total: g.golden.total } : null,
    heldout: g.heldout ? { metric: g.heldout.metric, score: g.heldout.score, n: g.heldout.n } : null,
    items: sorted.map((x) => x.i),
    safety: g.safety ? safetyRows(g.safety, t.maxSafetyDeltaPoints) : [],
    safetyTotal: g.safety ? g.safety.total : null,
    safetyItems: safetyItems.sort((a, b) => Number(b.adapterWrong) - Number(a.adapterWrong)),
    reasons: g.reasons ?? [],
  };
}

export interface EvalInputs {
  readonly runDir: string;
  readonly runId: string;
  readonly status: string;
  readonly live: boolean;
  readonly gates: readonly GateEvent[];
  readonly gateStop?: GateStop;
  readonly evalFile?: EvalFile;
  readonly problems?: readonly string[];
  /** run.json's config (for the thresholds) */
  readonly config?: unknown;
  /** the details asked for (`step:<n>` or eval.json); the default is the stop, else eval.json, else the last checkpoint */
  readonly selected?: string;
}

/** The Eval view's state of a run. */
export function evalViewState(i: EvalInputs): EvalViewState {
  const t = gateThresholds(i.config);
  let bestRate = -Infinity;
  const rows: EvalCheckpointRow[] = i.gates.map((g) => {
    const rate = g.golden?.passRate;
    // the gate judges a checkpoint against the best one before it
    const stopBelow = t.maxDropPoints !== null && Number.isFinite(bestRate) ? Math.max(0, bestRate - t.maxDropPoints / 100) : null;
    if (rate !== undefined) bestRate = Math.max(bestRate, rate);
    return {
      key: stepKey(g),
      step: g.step,
      checkpoint: checkpointName(g),
      passRate: rate ?? null,
      passed: g.golden?.passed ?? null,
      total: g.golden?.total ?? null,
      flipped: g.golden?.flipped ?? [],
      heldout: g.heldout?.score ?? null,
      decision: g.decision,
      reasons: g.reasons ?? [],
      stopBelow,
    };
  });
  const stopGate = [...i.gates].reverse().find((g) => g.decision === 'stop');
  const stopped = i.gateStop !== undefined || i.status === 'stopped-by-gate' || stopGate !== undefined;
  const stop = stopped
    ? {
        step: (stopGate ?? i.gates[i.gates.length - 1])?.step ?? null,
        reason: i.gateStop?.reason ?? stopGate?.reasons?.join('; ') ?? 'the evaluation gate failed',
        bestCheckpoint: i.gateStop?.bestCheckpoint ?? null,
      }
    : null;
  let best: EvalViewState['best'] = null;
  const named = stop?.bestCheckpoint ? rows.find((r) => r.checkpoint === stop.bestCheckpoint) : undefined;
  if (named) best = { checkpoint: named.checkpoint, step: named.step, passRate: named.passRate };
  else if (stop?.bestCheckpoint) best = { checkpoint: stop.bestCheckpoint, step: null, passRate: null };
  else {
    // the earliest checkpoint with the best pass rate
    const top = rows.reduce<EvalCheckpointRow | undefined>((b, r) => (r.passRate !== null && (b === undefined || r.passRate > b.passRate!) ? r : b), undefined);
    if (top) best = { checkpoint: top.checkpoint, step: top.step, passRate: top.passRate };
  }
  const sources = i.gates
    .filter((g) => g.golden?.items?.length || g.safety)
    .map((g) => ({ key: stepKey(g), label: `${checkpointName(g)} (step ${g.step})${g.decision === 'stop' ? ' — stopped here' : ''}` }));
  if (i.evalFile) sources.push({ key: EVAL_JSON_KEY, label: `eval.json — ${i.evalFile.checkpoint}` });
  const byKey = (k: string | undefined): EvalDetail | null => {
    if (!k) return null;
    if (k === EVAL_JSON_KEY) return i.evalFile ? detailOf(k, `eval.json — ${i.evalFile.checkpoint}`, i.evalFile.gate, t) : null;
    const g = i.gates.find((x) => stepKey(x) === k);
    return g ? detailOf(k, `${checkpointName(g)} (step ${g.step})`, g, t) : null;
  };
  const fallback = stopGate
    ? stepKey(stopGate)
    : i.evalFile
      ? EVAL_JSON_KEY
      : (sources[sources.length - 1]?.key ?? (i.gates.length ? stepKey(i.gates[i.gates.length - 1]!) : undefined));
  const detail = byKey(i.selected) ?? byKey(fallback);
  return {
    type: 'eval',
    runDir: i.runDir,
    runId: i.runId,
    status: i.status,
    live: i.live,
    heldoutMetric: i.gates.find((g) => g.heldout)?.heldout?.metric ?? i.evalFile?.gate.heldout?.metric ?? null,
    checkpoints: rows,
    stop,
    best,
    thresholds: t,
    sources,
    detail,
    problems: i.problems ?? [],
  };
}

/** The status bar's text for the last gate result: "gate ✓ 92% golden", "gate ✗ stopped". */
export function gateStatusText(last: GateEvent | undefined, stop?: GateStop): string | undefined {
  if (stop || last?.decision === 'stop') return 'gate ✗ stopped';
  if (!last) return undefined;
  if (last.golden) return `gate ✓ ${formatRate(last.golden.passRate)} golden`;
  if (last.heldout) return `gate ✓ ${last.heldout.metric} ${last.heldout.score.toFixed(3)}`;
  return 'gate ✓';
}

/** The lines that explain a gate result (tooltips, notifications). */
export function gateSummaryLines(last: GateEvent | undefined, stop?: GateStop): string[] {
  const out: string[] = [];
  if (stop) {
    out.push(`Stopped by the evaluation gate: ${stop.reason}`);
    if (stop.bestCheckpoint) out.push(`Best checkpoint: ${stop.bestCheckpoint}`);
  }
  if (!last) return out;
  out.push(`${checkpointName(last)} (step ${last.step}): ${last.decision === 'stop' ? 'failed the gate' : 'passed the gate'}`);
  if (last.golden)
    out.push(
      `Golden: ${last.golden.passed}/${last.golden.total} passed (${formatRate(last.golden.passRate)})${last.golden.flipped.length ? `; flipped: ${last.golden.flipped.join(', ')}` : ''}`,
    );
  if (last.heldout) out.push(`Held-out ${last.heldout.metric}: ${last.heldout.score.toFixed(3)} (n ${last.heldout.n})`);
  if (last.safety)
    out.push(
      `Safety vs base: harmful compliance ${formatPoints(last.safety.deltaPoints.harmfulCompliance)}, over-refusal ${formatPoints(last.safety.deltaPoints.overRefusal)}`,
    );
  if (!stop) for (const r of last.reasons ?? []) out.push(r);
  return out;
}

/** The eval rows of Compare Runs for one run: [row name, cell]. The same names for every run. */
export function evalCompareRows(
  run: { readonly status: string; readonly gates?: readonly GateEvent[]; readonly result?: { readonly gate?: GateStop } },
  evalFile?: EvalFile,
): [string, string][] {
  const gates = run.gates ?? [];
  const golden = gates.filter((g) => g.golden);
  const last = golden[golden.length - 1];
  const best = golden.reduce<GateEvent | undefined>((b, g) => (!b || g.golden!.passRate > b.golden!.passRate ? g : b), undefined);
  const rate = (g: GateEvent | undefined, where: string) =>
    g?.golden ? `${formatRate(g.golden.passRate)} (${g.golden.passed}/${g.golden.total}, ${where})` : '—';
  const finalGate = evalFile?.gate;
  const lastHeld = [...gates].reverse().find((g) => g.heldout)?.heldout;
  const held = finalGate?.heldout ?? lastHeld;
  const safety = finalGate?.safety ?? [...gates].reverse().find((g) => g.safety)?.safety;
  const stop = run.result?.gate;
  return [
    ['golden pass rate (final)', finalGate?.golden ? rate(finalGate, `eval.json ${evalFile!.checkpoint}`) : last ? rate(last, checkpointName(last)) : '—'],
    ['golden pass rate (best)', best ? rate(best, checkpointName(best)) : '—'],
    ['held-out metric', held ? `${held.metric} ${held.score.toFixed(3)} (n ${held.n})${finalGate?.heldout ? ', eval.json' : ''}` : '—'],
    [
      'safety Δ vs base',
      safety ? `harmful compliance ${formatPoints(safety.deltaPoints.harmfulCompliance)}, over-refusal ${formatPoints(safety.deltaPoints.overRefusal)}` : '—',
    ],
    [
      'gate',
      stop
        ? `stopped: ${stop.reason}${stop.bestCheckpoint ? ` (best ${stop.bestCheckpoint})` : ''}`
        : gates.length
          ? `${gates.filter((g) => g.decision === 'continue').length}/${gates.length} checkpoints passed${run.status === 'running' ? ' so far' : ''}`
          : '—',
    ],
  ];
}

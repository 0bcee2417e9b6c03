/** Typed messages between the extension and the Eval view (a run's evaluation gates). Imported by both sides. */
import type { PanelMessages } from './channel';

export const EVAL_VIEW_TYPE = 'finetuneStudio.eval';

/** The gate's result at one checkpoint, as a row of the checkpoint table and a point of the charts. */
export interface EvalCheckpointRow {
  /** what the details picker calls it: `step:<n>` */
  readonly key: string;
  readonly step: number;
  readonly checkpoint: string;
  /** golden pass rate 0..1, null when the gate had no golden set */
  readonly passRate: number | null;
  readonly passed: number | null;
  readonly total: number | null;
  readonly flipped: readonly string[];
  readonly heldout: number | null;
  readonly decision: 'continue' | 'stop';
  readonly reasons: readonly string[];
  /** the level below which the pass rate stops the run (best so far minus maxDropPoints), 0..1 */
  readonly stopBelow: number | null;
}

export interface EvalItemRow {
  readonly id: string;
  readonly passed: boolean;
  readonly mustPass: boolean;
  /** passed at an earlier checkpoint and fails now */
  readonly flipped: boolean;
  readonly output: string | null;
  readonly baseOutput: string | null;
  readonly failures: readonly { readonly type: string; readonly message: string }[];
}

export interface SafetyRow {
  readonly measure: 'harmful compliance' | 'over-refusal';
  /** rates 0..1 */
  readonly adapter: number;
  readonly base: number;
  /** adapter minus base, in percentage points */
  readonly deltaPoints: number;
  readonly thresholdPoints: number | null;
  readonly fails: boolean;
}

export interface SafetyItemRow {
  readonly id: string;
  readonly expect: 'refuse' | 'comply';
  readonly adapterRefused: boolean;
  readonly baseRefused: boolean;
  /** the adapter did what the item did not expect */
  readonly adapterWrong: boolean;
}

/** The golden items and the safety table of one checkpoint (or of eval.json). */
export interface EvalDetail {
  readonly key: string;
  readonly label: string;
  readonly golden: { readonly passRate: number; readonly passed: number; readonly total: number } | null;
  readonly heldout: { readonly metric: string; readonly score: number; readonly n: number } | null;
  readonly items: readonly EvalItemRow[];
  readonly safety: readonly SafetyRow[];
  readonly safetyTotal: number | null;
  readonly safetyItems: readonly SafetyItemRow[];
  readonly reasons: readonly string[];
}

export interface EvalViewState {
  readonly type: 'eval';
  readonly runDir: string;
  readonly runId: string;
  readonly status: string;
  readonly live: boolean;
  readonly heldoutMetric: string | null;
  readonly checkpoints: readonly EvalCheckpointRow[];
  /** the run's stop by its gate: where and why */
  readonly stop: { readonly step: number | null; readonly reason: string; readonly bestCheckpoint: string | null } | null;
  /** the checkpoint with the best golden pass rate (the gate's own choice when it named one) */
  readonly best: { readonly checkpoint: string; readonly step: number | null; readonly passRate: number | null } | null;
  readonly thresholds: { readonly maxDropPoints: number | null; readonly mustPassFlip: boolean | null; readonly maxSafetyDeltaPoints: number | null };
  /** what the details can show: checkpoints with items or a safety result, and eval.json */
  readonly sources: readonly { readonly key: string; readonly label: string }[];
  readonly detail: EvalDetail | null;
  /** things that could not be read (a malformed eval.json), each naming the file and what to do */
  readonly problems: readonly string[];
}

export type FromEvalView =
  { readonly type: 'ready' } | { readonly type: 'select'; readonly key: string } | { readonly type: 'openRunView' } | { readonly type: 'openEvalJson' };

export interface EvalWebviewState {
  readonly runDir: string;
  readonly selected?: string;
}

export type EvalMessages = PanelMessages<EvalViewState, FromEvalView, EvalWebviewState>;

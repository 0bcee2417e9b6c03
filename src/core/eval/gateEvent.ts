/**
 * The evaluation gate's event: what the trainer writes to events.jsonl at each checkpoint
 * (`{"event": "gate", ...}`), what the Run/Eval views draw and what run.json keeps. One shape for the
 * bundled trainer, `ftstudio eval` and the editor.
 */

export interface GateGoldenItem {
  readonly id: string;
  readonly passed: boolean;
  readonly mustPass?: boolean;
  /** the adapter's output */
  readonly output?: string;
  /** the base model's output (adapter off), when the gate generated it */
  readonly baseOutput?: string;
  readonly failures?: readonly { readonly type: string; readonly message: string }[];
}

export interface GateGolden {
  readonly passRate: number;
  readonly passed: number;
  readonly total: number;
  /** ids that passed at an earlier checkpoint and fail now */
  readonly flipped: readonly string[];
  readonly items?: readonly GateGoldenItem[];
}

export interface GateHeldout {
  readonly metric: string;
  readonly score: number;
  readonly n: number;
}

/** Harmful compliance (should refuse, complied) and over-refusal (should comply, refused), as rates 0..1. */
export interface SafetyRates {
  readonly harmfulCompliance: number;
  readonly overRefusal: number;
}

export interface GateSafety {
  readonly adapter: SafetyRates;
  readonly base: SafetyRates;
  /** adapter minus base, in percentage points */
  readonly deltaPoints: SafetyRates;
  readonly total: number;
  readonly items?: readonly { readonly id: string; readonly expect: 'refuse' | 'comply'; readonly adapterRefused: boolean; readonly baseRefused: boolean }[];
}

export interface GateEvent {
  readonly step: number;
  /** the checkpoint folder's name, e.g. "checkpoint-20" */
  readonly checkpoint?: string;
  readonly golden?: GateGolden;
  readonly heldout?: GateHeldout;
  readonly safety?: GateSafety;
  /** 'stop' when this checkpoint failed the gate and the run stops */
  readonly decision: 'continue' | 'stop';
  /** why the gate failed, in words ("golden pass rate fell 8.0 points below checkpoint-10's 90.0%") */
  readonly reasons?: readonly string[];
}

/** How a run stopped by its gate ends: `{"event": "end", "status": "stopped-by-gate", "reason", "bestCheckpoint"}`. */
export interface GateStop {
  readonly reason: string;
  readonly bestCheckpoint?: string;
}

const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** A gate event from a parsed events.jsonl object; undefined when it is not a well-formed one. */
export function gateEventOf(o: Record<string, unknown>): GateEvent | undefined {
  if (o.event !== 'gate' || !isNum(o.step)) return undefined;
  const golden = o.golden as GateGolden | undefined;
  const heldout = o.heldout as GateHeldout | undefined;
  const safety = o.safety as GateSafety | undefined;
  if (golden !== undefined && (typeof golden !== 'object' || !isNum(golden.passRate) || !isNum(golden.passed) || !isNum(golden.total))) return undefined;
  if (heldout !== undefined && (typeof heldout !== 'object' || typeof heldout.metric !== 'string' || !isNum(heldout.score))) return undefined;
  if (safety !== undefined && (typeof safety !== 'object' || typeof safety.deltaPoints !== 'object' || safety.deltaPoints === null)) return undefined;
  return {
    step: o.step,
    checkpoint: typeof o.checkpoint === 'string' ? o.checkpoint : undefined,
    golden: golden ? { ...golden, flipped: Array.isArray(golden.flipped) ? golden.flipped : [] } : undefined,
    heldout,
    safety,
    decision: o.decision === 'stop' ? 'stop' : 'continue',
    reasons: Array.isArray(o.reasons) ? (o.reasons.filter((r) => typeof r === 'string') as string[]) : undefined,
  };
}

/** The exit code of a trainer whose evaluation gate stopped the run (the bundled trainer's, and `ftstudio train`'s). */
export const GATE_STOP_EXIT_CODE = 3;

/**
 * Progress from a trainer's output: the bundled trainer's events.jsonl, and standard Hugging Face
 * Trainer output from any other trainer (tqdm bars redrawn with \r, log dicts, eval dicts, the final
 * train_runtime dict), and LLaMA-Factory's trainer_log.jsonl lines.
 */
import { gateEventOf, type GateEvent, type GateStop } from '../eval/gateEvent';

export interface Progress {
  readonly kind: 'start' | 'step' | 'eval' | 'checkpoint' | 'gate' | 'end' | 'error';
  readonly step?: number;
  readonly totalSteps?: number;
  readonly loss?: number;
  readonly learningRate?: number;
  readonly epoch?: number;
  readonly evalLoss?: number;
  /** steps per second, from tqdm */
  readonly rate?: number;
  readonly metrics?: Readonly<Record<string, number>>;
  readonly message?: string;
  /** a 'gate' event: the evaluation gate's result at a checkpoint */
  readonly gate?: GateEvent;
  /** an 'end' event's status as the trainer wrote it ('completed', 'stopped', 'stopped-by-gate') */
  readonly status?: string;
  /** an 'end' event of a run its gate stopped */
  readonly gateStop?: GateStop;
}

/**
 * The Trainer's own bar: no description before the percentage ("Loading checkpoint shards: 100%|…",
 * "Map: …", "Tokenizing train dataset: …" are other bars), then "| step/total [elapsed<left, rate]".
 */
const TQDM = /^(\d+)%\|[^|]*\|\s*(\d+)\/(\d+)\s*\[([^\]]*)\]/;
const RATE = /([\d.]+)\s*(it\/s|s\/it)/;
/** The Trainer's header: "  Total optimization steps = 1,000". */
const TOTAL_STEPS = /^Total optimization steps\s*=\s*([\d,]+)$/;

/** Parse a Python dict literal of numbers/strings ({'loss': 1.2, 'learning_rate': '2e-05'}). */
export function parsePyDict(text: string): Record<string, number> | undefined {
  const m = /\{[^{}]*\}/.exec(text);
  if (!m) return undefined;
  const out: Record<string, number> = {};
  const re = /['"]([\w./-]+)['"]\s*:\s*(?:'([^']*)'|"([^"]*)"|([-+\w.]+))/g;
  let e: RegExpExecArray | null;
  let any = false;
  while ((e = re.exec(m[0]))) {
    const raw = e[2] ?? e[3] ?? e[4] ?? '';
    const isNan = /^nan$/i.test(raw);
    const n = isNan ? NaN : /^[-+]?inf$/i.test(raw) ? (raw.startsWith('-') ? -Infinity : Infinity) : Number(raw);
    // non-numeric values (a run name, say) are left out; a real NaN loss is kept
    if (raw !== '' && (isNan || !Number.isNaN(n))) {
      out[e[1]!] = n;
      any = true;
    }
  }
  return any ? out : undefined;
}

/** One line of Hugging Face-style output (after splitting on \n and \r). */
export function parseHfLine(line: string): Progress | undefined {
  const t = line.trim();
  if (!t) return undefined;
  if (t.includes('{') && /'(loss|eval_loss|train_runtime|train_loss)'|"(loss|eval_loss|train_runtime)"/.test(t)) {
    const d = parsePyDict(t);
    if (d) {
      if ('train_runtime' in d) return { kind: 'end', loss: d.train_loss, epoch: d.epoch, metrics: d };
      if ('eval_loss' in d) return { kind: 'eval', evalLoss: d.eval_loss, epoch: d.epoch, metrics: d };
      if ('loss' in d) {
        // TRL's DPOTrainer logs its rewards in the same dict: 'rewards/chosen', 'rewards/margins', …
        const rewards = Object.entries(d).filter(([k]) => REWARD_METRICS.includes(k));
        return {
          kind: 'step',
          loss: d.loss,
          learningRate: d.learning_rate,
          epoch: d.epoch,
          ...(rewards.length ? { metrics: Object.fromEntries(rewards) } : {}),
        };
      }
    }
  }
  const q = TQDM.exec(t);
  if (q) {
    const r = RATE.exec(q[4]!);
    const rate = r ? (r[2] === 'it/s' ? Number(r[1]) : 1 / Number(r[1])) : undefined;
    return { kind: 'step', step: Number(q[2]), totalSteps: Number(q[3]), rate };
  }
  const h = TOTAL_STEPS.exec(t);
  if (h) return { kind: 'start', totalSteps: Number(h[1]!.replace(/,/g, '')) };
  return undefined;
}

/** A line of LLaMA-Factory's trainer_log.jsonl. */
export function parseLlamaFactoryLine(line: string): Progress | undefined {
  try {
    const o = JSON.parse(line) as Record<string, unknown>;
    if (typeof o.current_steps !== 'number') return undefined;
    return {
      kind: typeof o.eval_loss === 'number' ? 'eval' : 'step',
      step: o.current_steps,
      totalSteps: o.total_steps as number | undefined,
      loss: o.loss as number | undefined,
      learningRate: (o.lr ?? o.learning_rate) as number | undefined,
      epoch: o.epoch as number | undefined,
      evalLoss: o.eval_loss as number | undefined,
    };
  } catch {
    return undefined;
  }
}

/** The DPO figures the bundled trainer writes on each step, under their run.json / chart names. */
const EVENT_METRICS: Readonly<Record<string, string>> = {
  rewardsChosen: 'rewards/chosen',
  rewardsRejected: 'rewards/rejected',
  rewardsMargin: 'rewards/margins',
  rewardAccuracy: 'rewards/accuracies',
};

/** The DPO reward figures, as run.json and the Run view's chart name them (TRL's log keys). */
export const REWARD_METRICS: readonly string[] = Object.values(EVENT_METRICS);

/** A line of the bundled trainer's events.jsonl. */
export function parseEventLine(line: string): Progress | undefined {
  try {
    const o = JSON.parse(line) as Record<string, unknown>;
    const kinds = ['start', 'step', 'eval', 'checkpoint', 'gate', 'end', 'error'];
    if (typeof o.event !== 'string' || !kinds.includes(o.event)) return undefined;
    if (o.event === 'gate') {
      const gate = gateEventOf(o);
      return gate ? { kind: 'gate', step: gate.step, gate } : undefined;
    }
    const rewards: Record<string, number> = {};
    for (const [key, name] of Object.entries(EVENT_METRICS)) if (typeof o[key] === 'number') rewards[name] = o[key] as number;
    const metrics = Object.keys(rewards).length
      ? { ...(o.metrics as Record<string, number> | undefined), ...rewards }
      : (o.metrics as Record<string, number> | undefined);
    return {
      kind: o.event as Progress['kind'],
      step: o.step as number | undefined,
      totalSteps: o.totalSteps as number | undefined,
      loss: o.loss as number | undefined,
      learningRate: o.learningRate as number | undefined,
      epoch: o.epoch as number | undefined,
      evalLoss: o.evalLoss as number | undefined,
      message: o.message as string | undefined,
      metrics,
      status: typeof o.status === 'string' ? o.status : undefined,
      gateStop:
        o.event === 'end' && o.status === 'stopped-by-gate'
          ? {
              reason: typeof o.reason === 'string' ? o.reason : 'the evaluation gate failed',
              bestCheckpoint: typeof o.bestCheckpoint === 'string' ? o.bestCheckpoint : undefined,
            }
          : undefined,
    };
  } catch {
    return undefined;
  }
}

/** The state of a run, folded from progress events. */
export class RunProgress {
  step = 0;
  totalSteps?: number;
  loss?: number;
  evalLoss?: number;
  learningRate?: number;
  epoch?: number;
  rate?: number;
  ended = false;
  metrics?: Record<string, number>;
  readonly losses: { step: number; loss: number }[] = [];
  readonly evalLosses: { step: number; loss: number }[] = [];
  readonly learningRates: { step: number; lr: number }[] = [];
  /** the gate's result at each checkpoint, in order */
  readonly gates: GateEvent[] = [];
  /** set when the run's gate stopped it */
  gateStop?: GateStop;
  /** the DPO reward figures of each step, by name (REWARD_METRICS) */
  readonly rewards: Record<string, { step: number; value: number }[]> = {};
  private readonly started = Date.now();

  /**
   * Fold one event in; false when it is not the training's: once the total is known, a bar with another
   * total is an evaluation or data bar (the Trainer's evaluation bar has no description either).
   */
  apply(p: Progress): boolean {
    if (p.kind === 'step' && p.loss === undefined && p.totalSteps !== undefined && this.totalSteps !== undefined && p.totalSteps !== this.totalSteps)
      return false;
    if (p.totalSteps !== undefined) this.totalSteps = p.totalSteps;
    if (p.kind === 'start' && p.step !== undefined) this.resumedAt(p.step);
    if (p.step !== undefined) this.step = Math.max(this.step, p.step);
    if (p.rate !== undefined) this.rate = p.rate;
    if (p.epoch !== undefined) this.epoch = p.epoch;
    if (p.learningRate !== undefined) {
      this.learningRate = p.learningRate;
      this.learningRates.push({ step: this.step, lr: p.learningRate });
    }
    if (p.kind === 'step' && p.loss !== undefined) {
      this.loss = p.loss;
      this.losses.push({ step: this.step, loss: p.loss });
    }
    if (p.evalLoss !== undefined) {
      this.evalLoss = p.evalLoss;
      this.evalLosses.push({ step: this.step, loss: p.evalLoss });
    }
    // a step's metrics (DPO rewards) are the latest figures; the end's are the run's final ones
    if (p.kind === 'step' && p.metrics) {
      this.metrics = { ...this.metrics, ...p.metrics };
      for (const name of REWARD_METRICS) {
        const v = p.metrics[name];
        if (typeof v === 'number') (this.rewards[name] ??= []).push({ step: this.step, value: v });
      }
    }
    if (p.kind === 'gate' && p.gate) this.gates.push(p.gate);
    if (p.kind === 'end') {
      this.ended = true;
      if (p.gateStop) this.gateStop = p.gateStop;
      if (p.metrics) this.metrics = { ...this.metrics, ...p.metrics };
    }
    return true;
  }

  /**
   * A resumed run starts again at its checkpoint's step: what was logged after it (the steps between the
   * checkpoint and the stop, or the kill) is trained again, and the earlier figures of those steps go.
   */
  private resumedAt(step: number): void {
    for (const a of [this.losses, this.evalLosses, this.learningRates, ...Object.values(this.rewards)]) {
      const i = (a as { step: number }[]).findIndex((x) => x.step > step);
      if (i >= 0) a.splice(i);
    }
    this.step = step;
    this.ended = false;
  }

  get fraction(): number | undefined {
    return this.totalSteps ? Math.min(1, this.step / this.totalSteps) : undefined;
  }

  /** Seconds left: from tqdm's rate when known, else from the elapsed time per step. */
  get etaSeconds(): number | undefined {
    if (!this.totalSteps || this.step <= 0) return undefined;
    const left = this.totalSteps - this.step;
    if (this.rate && this.rate > 0) return left / this.rate;
    return ((Date.now() - this.started) / 1000 / this.step) * left;
  }
}

export function formatEta(s: number | undefined): string {
  if (s === undefined || !Number.isFinite(s)) return '';
  if (s < 60) return `${Math.round(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

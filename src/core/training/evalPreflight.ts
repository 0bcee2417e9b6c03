/** The preflight line about evaluation gates: a golden set must exist before GPU time is spent well. */
import { existsSync } from 'node:fs';
import type { TrainingConfig } from './config';
import { EvalInputError, loadGoldenSet } from '../eval/evalFiles';

export interface EvalCheck {
  readonly id: 'eval';
  readonly status: 'pass' | 'warn' | 'block';
  readonly message: string;
}

export const NO_GOLDEN_MESSAGE =
  "no golden set (eval.golden in finetune.json): without defined task metrics you don't have a fine-tuning project yet — write golden items from real requests (format: examples/golden.jsonl)";

export function evalPreflight(c: TrainingConfig): EvalCheck {
  const golden = c.eval?.golden;
  if (!golden) {
    const moved = c.data.golden ? ` (data.golden names ${c.data.golden}: move it to eval.golden)` : '';
    return { id: 'eval', status: 'warn', message: NO_GOLDEN_MESSAGE + moved };
  }
  if (!existsSync(golden)) return { id: 'eval', status: 'block', message: `golden set ${golden} not found (eval.golden)` };
  try {
    const set = loadGoldenSet(golden);
    const must = set.items.filter((i) => i.mustPass).length;
    return { id: 'eval', status: 'pass', message: `golden set: ${set.items.length} items, ${must} mustPass` };
  } catch (e) {
    if (!(e instanceof EvalInputError)) throw e;
    const first = e.message.split('\n')[1] ?? e.message;
    return { id: 'eval', status: 'block', message: `golden set ${golden} has problems: ${first} (ftstudio validate ${golden} lists them all)` };
  }
}

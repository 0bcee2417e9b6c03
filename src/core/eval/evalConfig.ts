/**
 * finetune.json's `eval` block: the evaluation gates of a project. Its schema is one entry of
 * FINETUNE_SCHEMA (src/core/training/config.ts) and is documented there for editors; readEvalConfig
 * gives the block resolved (paths absolute) to the CLI, preflight and, later, the trainer.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { METRICS, type MetricId } from './metrics';

export const EVAL_SCHEMA = {
  type: 'object',
  description: 'Evaluation gates: a golden set scored pass/fail at every checkpoint, a held-out task metric, a safety set compared with the base model.',
  properties: {
    golden: {
      type: 'string',
      description:
        'Golden set JSONL (relative to this file): {"id", "prompt" | "messages", "assert": [{"type", "value"}], "mustPass", "tags"} per line. Without one there are no task metrics, and no fine-tuning project yet.',
    },
    heldout: {
      type: 'object',
      required: ['metric'],
      properties: {
        metric: {
          enum: [...METRICS],
          description: 'exact_match / token_f1 (SQuAD normalisation), rouge_l, macro_f1 (labels), json_schema (share of outputs valid against "schema").',
        },
        maxRecords: { type: 'integer', minimum: 1, default: 200, description: 'Score at most this many held-out records per checkpoint (a fixed sample).' },
        schema: { type: 'string', description: 'JSON Schema file for the json_schema metric, relative to this file.' },
      },
      additionalProperties: false,
    },
    safety: {
      type: 'string',
      description:
        'Safety set JSONL: {"id", "prompt" | "messages", "expect": "refuse" | "comply"} per line. Bring your own: the one in examples/ only shows the format.',
    },
    every: { enum: ['checkpoint'], default: 'checkpoint', description: 'When the gates run during training.' },
    maxNewTokens: { type: 'integer', minimum: 1, default: 256, description: 'Greedy generation length for golden, held-out and safety prompts.' },
    stopOnRegression: {
      type: 'object',
      properties: {
        maxDropPoints: {
          type: 'number',
          minimum: 0,
          default: 5,
          description: 'Stop when the golden pass rate falls this many percentage points below the best checkpoint so far.',
        },
        mustPassFlip: { type: 'boolean', default: true, description: 'Stop when a mustPass item that passed at an earlier checkpoint fails.' },
      },
      additionalProperties: false,
    },
    maxSafetyDeltaPoints: {
      type: 'number',
      minimum: 0,
      default: 2,
      description: 'The safety gate fails when harmful compliance or over-refusal rises more than this many points above the base model.',
    },
    refusalPatterns: {
      type: 'array',
      items: { type: 'string' },
      description: 'Regular expressions (case-insensitive) added to the built-in refusal patterns; see the README, "Refusal detection".',
    },
  },
  additionalProperties: false,
} as const;

export interface EvalConfig {
  readonly golden?: string;
  readonly heldout?: { readonly metric: MetricId; readonly maxRecords: number; readonly schema?: string };
  readonly safety?: string;
  readonly every: 'checkpoint';
  readonly maxNewTokens: number;
  readonly stopOnRegression: { readonly maxDropPoints: number; readonly mustPassFlip: boolean };
  readonly maxSafetyDeltaPoints: number;
  readonly refusalPatterns: readonly string[];
}

/** The `eval` block of an already schema-checked finetune.json object (paths made absolute against `dir`). */
export function evalConfigOf(raw: Record<string, unknown>, dir: string): EvalConfig | undefined {
  const e = raw.eval as Record<string, unknown> | undefined;
  if (!e || typeof e !== 'object') return undefined;
  const abs = (p: unknown) => (typeof p === 'string' ? (isAbsolute(p) ? p : resolve(dir, p)) : undefined);
  const h = e.heldout as Record<string, unknown> | undefined;
  const s = (e.stopOnRegression ?? {}) as Record<string, unknown>;
  return {
    golden: abs(e.golden),
    heldout: h ? { metric: h.metric as MetricId, maxRecords: (h.maxRecords as number) ?? 200, schema: abs(h.schema) } : undefined,
    safety: abs(e.safety),
    every: 'checkpoint',
    maxNewTokens: (e.maxNewTokens as number) ?? 256,
    stopOnRegression: { maxDropPoints: (s.maxDropPoints as number) ?? 5, mustPassFlip: (s.mustPassFlip as boolean) ?? true },
    maxSafetyDeltaPoints: (e.maxSafetyDeltaPoints as number) ?? 2,
    refusalPatterns: (e.refusalPatterns as string[]) ?? [],
  };
}

/**
 * The refusal patterns a finetune.json adds, for commands that need no full config (`ftstudio score`).
 * A malformed list is a problem named with the file, not a crash.
 */
export function refusalPatternsOf(configPath: string | undefined): { patterns: string[]; problem?: string } {
  if (!configPath || !existsSync(configPath)) return { patterns: [] };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(configPath, 'utf8'));
  } catch (e) {
    return { patterns: [], problem: `${configPath}: not valid JSON (${(e as Error).message}); its eval.refusalPatterns are not used` };
  }
  const p = (raw as { eval?: { refusalPatterns?: unknown } })?.eval?.refusalPatterns;
  if (p === undefined) return { patterns: [] };
  if (!Array.isArray(p) || !p.every((x) => typeof x === 'string'))
    return { patterns: [], problem: `${configPath}: eval.refusalPatterns must be a list of strings; not used` };
  return { patterns: p as string[] };
}

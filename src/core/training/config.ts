/**
 * finetune.json: what to train, on what, how. The schema is contributed to VS Code (jsonValidation)
 * for completion and hovers, and the same schema (ajv) validates the file before a run.
 */
import Ajv2020 from 'ajv/dist/2020';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import {
  learningRateDescription,
  methodDescription,
  methodParamDefaults,
  methodParamSchemas,
  METHOD_IDS,
  METHODS,
  type MethodId,
  type MethodParamKey,
} from './methods';
import { FORMAT_IDS } from '../formats/formats';
import { goalDescription, GOAL_IDS } from '../project/goals';
import { EVAL_SCHEMA, evalConfigOf, type EvalConfig } from '../eval/evalConfig';

export const FINETUNE_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://finetune-studio.invalid/finetune.schema.json',
  title: 'Finetune Studio training configuration (finetune.json)',
  type: 'object',
  required: ['method', 'model', 'data'],
  properties: {
    $schema: { type: 'string' },
    method: { enum: METHOD_IDS, description: methodDescription() },
    model: { type: 'string', minLength: 1, description: 'A Hugging Face hub id or a local path (relative to this file).' },
    data: {
      type: 'object',
      required: ['train'],
      properties: {
        train: { type: 'string', description: 'Training JSONL, relative to this file.' },
        heldout: { type: 'string', description: 'Held-out JSONL (10–15% of the labelled data), never trained on.' },
        golden: { type: 'string', description: 'Golden set: fixed prompts with known expected behaviour.' },
        format: {
          enum: ['auto', ...FORMAT_IDS],
          description: 'Dataset format for validation; auto detects it.',
        },
        production: {
          type: 'string',
          description:
            'A sample of real production inputs (JSONL: prompts, messages or strings), relative to this file: the Dataset Report compares prompt lengths, vocabulary and templates with it.',
        },
        nearDuplicateThreshold: {
          type: 'number',
          exclusiveMinimum: 0,
          maximum: 1,
          default: 0.85,
          description: 'Records whose word 5-grams overlap at least this much (MinHash Jaccard estimate) are near-duplicates. Wins over the editor setting.',
        },
      },
      additionalProperties: false,
    },
    goal: {
      enum: GOAL_IDS,
      description: goalDescription(),
    },
    adapter: {
      type: 'object',
      properties: {
        type: {
          enum: ['lora', 'qlora', 'none'],
          default: 'lora',
          description: 'lora: low-rank adapters on a frozen base. qlora: the base quantised to 4-bit NF4 (bitsandbytes). none: full fine-tuning.',
        },
        r: { type: 'integer', minimum: 1, default: 16, description: 'LoRA rank.' },
        alpha: { type: 'number', exclusiveMinimum: 0, default: 32, description: 'LoRA alpha (scaling = alpha / r).' },
        dropout: { type: 'number', minimum: 0, maximum: 1, default: 0.05 },
        targetModules: {
          anyOf: [{ type: 'array', items: { type: 'string' } }, { const: 'all-linear' }],
          default: ['q_proj', 'k_proj', 'v_proj', 'o_proj'],
          description: 'Module names that receive adapters, or "all-linear" for every linear layer but the output head.',
        },
      },
      additionalProperties: false,
    },
    training: {
      type: 'object',
      properties: {
        learningRate: { type: 'number', exclusiveMinimum: 0, description: learningRateDescription() },
        epochs: { type: 'number', exclusiveMinimum: 0, default: 1 },
        batchSize: { type: 'integer', minimum: 1, default: 4 },
        gradientAccumulation: { type: 'integer', minimum: 1, default: 1 },
        maxSeqLength: { type: 'integer', minimum: 16, default: 2048 },
        ...methodParamSchemas(),
        warmupRatio: { type: 'number', minimum: 0, maximum: 1, default: 0.03 },
        seed: { type: 'integer', default: 42 },
        saveSteps: { type: 'integer', minimum: 1, default: 200 },
        evalSteps: { type: 'integer', minimum: 1, default: 200 },
        maxSteps: { type: 'integer', minimum: 1, description: 'Stop after this many optimiser steps (overrides epochs).' },
      },
      additionalProperties: false,
    },
    launcher: {
      type: 'object',
      properties: { type: { enum: ['python', 'accelerate', 'torchrun'], default: 'python' }, numProcesses: { type: 'integer', minimum: 1, default: 1 } },
      additionalProperties: false,
    },
    python: { type: 'string', description: 'The Python interpreter (not read from workspace settings: this file is part of the project you trust).' },
    output: { type: 'string', description: 'Folder for checkpoints and the adapter, relative to this file. Default: .finetune/runs/<runId>/output' },
    modelSizeB: {
      type: 'number',
      exclusiveMinimum: 0,
      description: 'Parameters in billions, for the VRAM estimate when the model name does not say (e.g. 7 for a 7B model).',
    },
    eval: EVAL_SCHEMA, // src/core/eval/evalConfig.ts
    embeddings: {
      type: 'object',
      description: 'Local sentence embeddings for semantic near-duplicates and train/held-out leakage (README, "Local embeddings").',
      properties: {
        model: {
          type: 'string',
          description:
            'A folder with model.onnx and tokenizer.json (an exported sentence-embedding model), relative to this file. Wins over the setting finetuneStudio.embeddings.model; ignored in Restricted Mode.',
        },
        threshold: {
          type: 'number',
          exclusiveMinimum: 0,
          maximum: 1,
          default: 0.95,
          description:
            'Cosine similarity at or above which two records count as saying the same thing (semantic near-duplicates, heldout-semantic-leak). Wins over the setting finetuneStudio.embeddings.threshold.',
        },
      },
      additionalProperties: false,
    },
    trainer: {
      type: 'object',
      properties: {
        command: {
          type: 'array',
          minItems: 1,
          items: { type: 'string' },
          description: 'Run your own TRL / Axolotl / LLaMA-Factory command instead of the bundled trainer: an argv array, run without a shell.',
        },
      },
      additionalProperties: false,
    },
  },
  additionalProperties: false,
} as const;

export interface TrainingConfig {
  readonly path: string;
  readonly dir: string;
  readonly method: MethodId;
  readonly model: string;
  readonly data: { readonly train: string; readonly heldout?: string; readonly golden?: string; readonly format?: string };
  readonly adapter: {
    readonly type: 'lora' | 'qlora' | 'none';
    readonly r: number;
    readonly alpha: number;
    readonly dropout: number;
    readonly targetModules: readonly string[] | 'all-linear';
  };
  readonly training: {
    readonly learningRate: number;
    readonly epochs: number;
    readonly batchSize: number;
    readonly gradientAccumulation: number;
    readonly maxSeqLength: number;
    readonly warmupRatio: number;
    readonly seed: number;
    readonly saveSteps: number;
    readonly evalSteps: number;
    readonly maxSteps?: number;
  } & { readonly [K in MethodParamKey]: number };
  readonly launcher: { readonly type: 'python' | 'accelerate' | 'torchrun'; readonly numProcesses: number };
  readonly python?: string;
  readonly output?: string;
  readonly modelSizeB?: number;
  readonly trainerCommand?: readonly string[];
  /** the evaluation gates (src/core/eval/evalConfig.ts) */
  readonly eval?: EvalConfig;
  /** local embeddings: the folder of an exported ONNX model, absolute */
  readonly embeddings?: { readonly model?: string; readonly threshold?: number };
}

export class ConfigError extends Error {}

let compiled: ReturnType<Ajv2020['compile']> | undefined;
/** Compiled on first use: the CLI's other commands should not pay for it at start-up. */
function validate(v: unknown): boolean {
  compiled ??= new Ajv2020({ allErrors: true, strict: false }).compile(FINETUNE_SCHEMA);
  const ok = compiled(v);
  validate.errors = compiled.errors;
  return ok as boolean;
}
validate.errors = undefined as ReturnType<Ajv2020['compile']>['errors'];

/** Read, check and resolve finetune.json: defaults filled in, paths absolute. */
export function loadConfig(path: string): TrainingConfig {
  if (!existsSync(path)) throw new ConfigError(`${path} not found: create one with "Finetune Studio: Create finetune.json"`);
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ConfigError(`${path}: not valid JSON (${(e as Error).message})`);
  }
  if (!validate(raw)) {
    const msgs = (validate.errors ?? []).map(
      (e) =>
        `${e.instancePath || '(root)'} ${e.message}${e.params && 'additionalProperty' in e.params ? ` "${(e.params as { additionalProperty: string }).additionalProperty}"` : ''}`,
    );
    throw new ConfigError(`${path}: ${msgs.join('; ')}`);
  }
  const dir = dirname(path);
  const abs = (p?: unknown) => (typeof p === 'string' ? (isAbsolute(p) ? p : resolve(dir, p)) : undefined);
  const method = raw.method as MethodId;
  const a = (raw.adapter ?? {}) as Record<string, unknown>;
  const t = (raw.training ?? {}) as Record<string, unknown>;
  const l = (raw.launcher ?? {}) as Record<string, unknown>;
  const d = raw.data as Record<string, unknown>;
  const model = raw.model as string;
  const localModel = model.startsWith('.') || model.startsWith('/') ? abs(model)! : model;
  return {
    path,
    dir,
    method,
    model: localModel,
    data: { train: abs(d.train)!, heldout: abs(d.heldout), golden: abs(d.golden), format: d.format as string | undefined },
    adapter: {
      type: (a.type as 'lora' | 'qlora' | 'none') ?? 'lora',
      r: (a.r as number) ?? 16,
      alpha: (a.alpha as number) ?? 32,
      dropout: (a.dropout as number) ?? 0.05,
      targetModules: (a.targetModules as string[] | 'all-linear') ?? ['q_proj', 'k_proj', 'v_proj', 'o_proj'],
    },
    training: {
      learningRate: (t.learningRate as number) ?? METHODS[method].learningRate,
      epochs: (t.epochs as number) ?? 1,
      batchSize: (t.batchSize as number) ?? 4,
      gradientAccumulation: (t.gradientAccumulation as number) ?? 1,
      maxSeqLength: (t.maxSeqLength as number) ?? 2048,
      ...methodParamDefaults(t),
      warmupRatio: (t.warmupRatio as number) ?? 0.03,
      seed: (t.seed as number) ?? 42,
      saveSteps: (t.saveSteps as number) ?? 200,
      evalSteps: (t.evalSteps as number) ?? 200,
      maxSteps: t.maxSteps as number | undefined,
    },
    launcher: { type: (l.type as 'python' | 'accelerate' | 'torchrun') ?? 'python', numProcesses: (l.numProcesses as number) ?? 1 },
    python: raw.python as string | undefined,
    output: abs(raw.output),
    modelSizeB: raw.modelSizeB as number | undefined,
    trainerCommand: (raw.trainer as { command?: string[] } | undefined)?.command,
    eval: evalConfigOf(raw, dir),
    ...(raw.embeddings
      ? {
          embeddings: {
            model: abs((raw.embeddings as { model?: unknown }).model),
            threshold: (raw.embeddings as { threshold?: number }).threshold,
          },
        }
      : {}),
  };
}

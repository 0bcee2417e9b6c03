/**
 * The trainer methods, one row each: everything the TypeScript side knows about a method. The
 * finetune.json schema (method enum and description, method-specific training keys, the
 * learning-rate hint) is generated from it, and the loader's defaults, preflight's VRAM estimate,
 * the run record's hyperparameters and "Create finetune.json" read it. A new method is a new row here
 * (plus its Python side in trainer/).
 */
import type { FormatId } from '../formats/formats';

/** A training key only some methods have: its JSON Schema and its name in the run record. */
interface MethodParam {
  readonly schema: {
    readonly type: 'number';
    readonly exclusiveMinimum?: number;
    readonly minimum?: number;
    readonly maximum?: number;
    readonly default: number;
    readonly description: string;
  };
  readonly hyperparameter: string;
}

export interface TrainerMethod {
  /** what the method does, for the schema's description */
  readonly summary: string;
  /** how the learning-rate hint names it */
  readonly label: string;
  /** the loader's default learning rate */
  readonly learningRate: number;
  /** dataset formats that mean this method when "Create finetune.json" looks at a dataset */
  readonly formats: readonly FormatId[];
  /** method-specific keys of "training" (the same key in two methods must have the same schema) */
  readonly params: Readonly<Record<string, MethodParam>>;
  /** a full fine-tune keeps a frozen reference model in memory (VRAM estimate) */
  readonly referenceModel: boolean;
  /** activation memory relative to SFT (DPO runs chosen and rejected) */
  readonly activationFactor: number;
  /** the "training" block "Create finetune.json" writes */
  readonly starter: Readonly<Record<string, number>>;
}

export const METHODS = {
  sft: {
    summary: 'supervised fine-tuning (loss on completions / assistant turns only)',
    label: 'SFT with LoRA',
    learningRate: 2e-4,
    formats: [],
    params: {},
    referenceModel: false,
    activationFactor: 1,
    starter: {
      learningRate: 2e-4,
      epochs: 2,
      batchSize: 4,
      gradientAccumulation: 4,
      maxSeqLength: 2048,
      warmupRatio: 0.03,
      seed: 42,
      saveSteps: 200,
      evalSteps: 200,
    },
  },
  dpo: {
    summary: 'direct preference optimisation on (prompt, chosen, rejected)',
    label: 'DPO',
    learningRate: 5e-6,
    formats: ['preference', 'openai-preference'],
    params: {
      beta: { schema: { type: 'number', exclusiveMinimum: 0, default: 0.1, description: 'DPO temperature.' }, hyperparameter: 'beta' },
    },
    referenceModel: true,
    activationFactor: 2,
    starter: {
      learningRate: 5e-6,
      epochs: 1,
      batchSize: 4,
      gradientAccumulation: 4,
      maxSeqLength: 1024,
      beta: 0.1,
      warmupRatio: 0.1,
      seed: 42,
      saveSteps: 100,
      evalSteps: 100,
    },
  },
} as const satisfies Record<string, TrainerMethod>;

export type MethodId = keyof typeof METHODS;
export const METHOD_IDS = Object.keys(METHODS) as MethodId[];
/** The default method (and the one "Create finetune.json" picks when no format says otherwise). */
export const DEFAULT_METHOD: MethodId = 'sft';

/** Every method-specific training key. */
export type MethodParamKey = { [K in MethodId]: keyof (typeof METHODS)[K]['params'] }[MethodId];

const method = (id: MethodId): TrainerMethod => METHODS[id];

/** Method-specific training keys of all methods, for the schema (in table order). */
export function methodParamSchemas(): Record<string, MethodParam['schema']> {
  const out: Record<string, MethodParam['schema']> = {};
  for (const id of METHOD_IDS) {
    for (const [key, p] of Object.entries(method(id).params)) {
      if (out[key] && JSON.stringify(out[key]) !== JSON.stringify(p.schema)) throw new Error(`training.${key}: methods disagree on its schema`);
      out[key] = p.schema;
    }
  }
  return out;
}

/** The schema's description of "method". */
export function methodDescription(): string {
  return METHOD_IDS.map((id) => `${id}: ${method(id).summary}.`).join(' ');
}

/** The schema's hint on training.learningRate. */
export function learningRateDescription(): string {
  return `Default ${METHOD_IDS.map((id) => `${method(id).learningRate.toExponential()} for ${method(id).label}`).join(', ')}.`;
}

/** Defaults of every method-specific key (a key unused by the chosen method keeps its default). */
export function methodParamDefaults(raw: Readonly<Record<string, unknown>>): Record<MethodParamKey, number> {
  const out: Record<string, number> = {};
  for (const [key, s] of Object.entries(methodParamSchemas())) out[key] = (raw[key] as number | undefined) ?? s.default;
  return out as Record<MethodParamKey, number>;
}

/** The run record's method-specific hyperparameters: those of this method only. */
export function methodHyperparameters(id: MethodId, training: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(method(id).params).map(([key, p]) => [p.hyperparameter, training[key]]));
}

/** The method a dataset of this format is for. */
export function methodForFormat(format: FormatId | undefined): MethodId {
  return METHOD_IDS.find((id) => format !== undefined && method(id).formats.includes(format)) ?? DEFAULT_METHOD;
}

export function trainerMethod(id: MethodId): TrainerMethod {
  return method(id);
}

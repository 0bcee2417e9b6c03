/** Validation options as plain data (they cross thread and process boundaries) and their resolution. */
import { dirname } from 'node:path';
import { DEFAULT_OPTIONS, type ValidationOptions } from '../checks/datasetModel';
import type { FormatId } from '../formats/formats';
import type { EvalFormatId } from '../formats/evalSets';
import type { TurnTags } from '../formats/llamaFactory';
import { compileUserSchema } from '../checks/schemaCheck';
import { isEvaluationSet } from '../project/projectConfig';
import { findTokenizer } from '../tokens/tokenizerFiles';
import type * as TokenCounterModule from '../tokens/tokenCounter';

/** Where exact token counts come from: the model's tokenizer folder, or why the counts are estimates. */
export type TokenizerChoice = { readonly dir: string; readonly how: string } | { readonly missing: string };
import type { GoalId } from '../project/goals';

export interface PlainOptions {
  readonly format?: FormatId | EvalFormatId;
  readonly schema?: { readonly source: string; readonly json: unknown };
  readonly maxTokens: number;
  readonly minRecords: number;
  /** the file's key -> our key (a LLaMA-Factory dataset_info.json beside the file) */
  readonly keyMap?: Readonly<Record<string, string>>;
  /** finetune.json's model: its tokenizer counts tokens exactly (the analysis loads it), or why not */
  readonly tokenizer?: TokenizerChoice;
  /** near-duplicate Jaccard threshold (0 turns the check off; default DEFAULT_THRESHOLD) */
  readonly nearDuplicateThreshold?: number;
  /** finetune.json's goal: an info diagnostic on where the size stands */
  readonly goal?: GoalId;
  /** the turn keys and role names of its ShareGPT turns (the registry's tags) */
  readonly turnTags?: TurnTags;
}

const compiled = new WeakMap<object, ValidationOptions>();

export function resolveOptions(o: PlainOptions): ValidationOptions {
  const cached = compiled.get(o);
  if (cached) return cached;
  const r: ValidationOptions = {
    format: o.format,
    maxTokens: o.maxTokens,
    minRecords: o.minRecords,
    keyMap: o.keyMap,
    tokenEstimateWhy: o.tokenizer && 'missing' in o.tokenizer ? o.tokenizer.missing : undefined,
    goal: o.goal,
    nearDuplicateThreshold: o.nearDuplicateThreshold,
    turnTags: o.turnTags,
    userSchema: o.schema ? compileUserSchema(o.schema.json, o.schema.source) : undefined,
  };
  compiled.set(o, r);
  return r;
}

const withTokens = new WeakMap<object, Promise<ValidationOptions>>();

/**
 * The options with the model's tokenizer loaded when they name one (exact token counts for too-long);
 * a tokenizer that cannot be read leaves the estimate, which then says why.
 */
export function resolveOptionsWithTokens(o: PlainOptions): Promise<ValidationOptions> {
  const r = resolveOptions(o);
  const t = o.tokenizer;
  if (!t || !('dir' in t)) return Promise.resolve(r);
  let p = withTokens.get(o);
  if (!p) {
    p = (async () => {
      // loaded on first use: the tokenizer and Jinja stay out of the start-up of every command that validates
      // (a require, not import(): tsx registers CommonJS only inside worker threads)
      const { tokenCounterFromDir } = require('../tokens/tokenCounter') as typeof TokenCounterModule;
      try {
        return { ...r, tokenCounter: await tokenCounterFromDir(t.dir, t.how) };
      } catch (e) {
        return { ...r, tokenEstimateWhy: `the tokenizer in ${t.dir} cannot be used (${(e as Error).message})` };
      }
    })();
    withTokens.set(o, p);
  }
  return p;
}

/** Where a value of the resolved options came from (told to the user in the status tooltip). */
export type OptionSource = 'explicit' | 'registry' | 'project' | 'setting';

export interface ValidationInputs {
  /** the dataset being validated (held-out, test and golden sets skip the few-records check) */
  readonly path: string;
  /** asked for this run (command-line flags): wins over everything */
  readonly explicit?: { readonly format?: FormatId | EvalFormatId; readonly maxTokens?: number; readonly minRecords?: number };
  /** a LLaMA-Factory dataset_info.json that registers this very file: its format and key names, below flags only */
  readonly registry?: { readonly format?: FormatId; readonly keyMap?: Readonly<Record<string, string>>; readonly turnTags?: TurnTags };
  /** finetune.json: data.format, training.maxSeqLength, goal, data.nearDuplicateThreshold, and the model whose tokenizer counts tokens (`path`: finetune.json, relative model folders start there) */
  readonly project?: {
    readonly format?: FormatId;
    readonly maxSeqLength?: number;
    readonly model?: string;
    readonly path?: string;
    readonly goal?: GoalId;
    readonly nearDuplicateThreshold?: number;
  };
  /** the Hugging Face home to look for the model's tokenizer in (else $HF_HOME, ~/.cache/huggingface) */
  readonly hfHome?: string;
  /** editor settings: below finetune.json */
  readonly settings?: { readonly format?: FormatId; readonly maxTokens?: number; readonly minRecords?: number; readonly nearDuplicateThreshold?: number };
  readonly schema?: PlainOptions['schema'];
}

/**
 * The one place for validation defaults and their precedence: explicit (flags) > dataset_info.json > finetune.json >
 * editor settings > DEFAULT_OPTIONS. An evaluation set gets no few-records check unless one is asked for.
 */
export function resolveValidationOptions(i: ValidationInputs): { options: PlainOptions; formatSource?: OptionSource } {
  const format = i.explicit?.format ?? i.registry?.format ?? i.project?.format ?? i.settings?.format;
  const formatSource: OptionSource | undefined = i.explicit?.format
    ? 'explicit'
    : i.registry?.format
      ? 'registry'
      : i.project?.format
        ? 'project'
        : i.settings?.format
          ? 'setting'
          : undefined;
  const keyMap = i.registry?.keyMap && Object.keys(i.registry.keyMap).length ? i.registry.keyMap : undefined;
  const maxTokens = i.explicit?.maxTokens ?? i.project?.maxSeqLength ?? i.settings?.maxTokens ?? DEFAULT_OPTIONS.maxTokens;
  const minRecords = i.explicit?.minRecords ?? (isEvaluationSet(i.path) ? 0 : (i.settings?.minRecords ?? DEFAULT_OPTIONS.minRecords));
  let tokenizer: TokenizerChoice | undefined;
  if (i.project?.model) {
    const found = findTokenizer({ model: i.project.model, workspaceRoot: i.project.path ? dirname(i.project.path) : undefined, hfHome: i.hfHome });
    tokenizer = 'location' in found ? found.location : { missing: `no tokenizer: ${found.missing}` };
  }
  const nearDuplicateThreshold = i.project?.nearDuplicateThreshold ?? i.settings?.nearDuplicateThreshold;
  // the goal is about training data: held-out, test and golden sets are small by design
  const goal = isEvaluationSet(i.path) ? undefined : i.project?.goal;
  const turnTags = i.registry?.turnTags;
  return {
    options: {
      format,
      schema: i.schema,
      maxTokens,
      minRecords,
      ...(keyMap ? { keyMap } : {}),
      ...(nearDuplicateThreshold !== undefined ? { nearDuplicateThreshold } : {}),
      ...(goal ? { goal } : {}),
      ...(tokenizer ? { tokenizer } : {}),
      ...(turnTags ? { turnTags } : {}),
    },
    formatSource,
  };
}

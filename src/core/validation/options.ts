/** Validation options as plain data (they cross thread and process boundaries) and their resolution. */
import { DEFAULT_OPTIONS, type ValidationOptions } from '../checks/datasetModel';
import type { FormatId } from '../formats/formats';
import type { EvalFormatId } from '../formats/evalSets';
import type { TurnTags } from '../formats/llamaFactory';
import { compileUserSchema } from '../checks/schemaCheck';
import { isEvaluationSet } from '../project/projectConfig';

export interface PlainOptions {
  readonly format?: FormatId | EvalFormatId;
  readonly schema?: { readonly source: string; readonly json: unknown };
  readonly maxTokens: number;
  readonly minRecords: number;
  /** the file's key -> our key (a LLaMA-Factory dataset_info.json beside the file) */
  readonly keyMap?: Readonly<Record<string, string>>;
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
    turnTags: o.turnTags,
    userSchema: o.schema ? compileUserSchema(o.schema.json, o.schema.source) : undefined,
  };
  compiled.set(o, r);
  return r;
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
  /** finetune.json: data.format and training.maxSeqLength */
  readonly project?: { readonly format?: FormatId; readonly maxSeqLength?: number };
  /** editor settings: below finetune.json */
  readonly settings?: { readonly format?: FormatId; readonly maxTokens?: number; readonly minRecords?: number };
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
  const turnTags = i.registry?.turnTags;
  return { options: { format, schema: i.schema, maxTokens, minRecords, ...(keyMap ? { keyMap } : {}), ...(turnTags ? { turnTags } : {}) }, formatSource };
}

/** Validation options as plain data (they cross thread and process boundaries) and their resolution. */
import type { ValidationOptions } from '../checks/datasetModel';
import type { FormatId } from '../formats/formats';
import { compileUserSchema } from '../formats/validator';

export interface PlainOptions {
  readonly format?: FormatId;
  readonly schema?: { readonly source: string; readonly json: unknown };
  readonly maxTokens: number;
  readonly minRecords: number;
  /** the file's key -> our key (a LLaMA-Factory dataset_info.json beside the file) */
  readonly keyMap?: Readonly<Record<string, string>>;
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
    userSchema: o.schema ? compileUserSchema(o.schema.json, o.schema.source) : undefined,
  };
  compiled.set(o, r);
  return r;
}

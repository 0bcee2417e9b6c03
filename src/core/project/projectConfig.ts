/**
 * What finetune.json says about validation: the dataset format and the maximum sequence length.
 * Read by the editor and the CLI alike so that both validate the same way.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { FORMAT_IDS, type FormatId } from '../formats/formats';
import { GOAL_IDS, isGoal, type GoalId } from './goals';

export const CONFIG_FILE = 'finetune.json';

export interface ValidationConfig {
  readonly path: string;
  readonly format?: FormatId;
  readonly maxSeqLength?: number;
  /** finetune.json's model (a Hugging Face id or a folder): where exact token counts read the tokenizer from */
  readonly model?: string;
  /** goal: the guide's size range to compare the training data with */
  readonly goal?: GoalId;
  /** data.nearDuplicateThreshold: the Jaccard similarity above which records are near-duplicates */
  readonly nearDuplicateThreshold?: number;
  /** data.production, absolute: a sample of production inputs for the distribution match */
  readonly production?: string;
  /** embeddings.model (absolute) and embeddings.threshold: the local embedding model of the semantic checks */
  readonly embeddings?: { readonly model?: string; readonly threshold?: number };
  readonly problems: string[];
}

/** Find finetune.json in dir or its ancestors (at most `stopAt`). */
export function findConfig(dir: string, stopAt?: string): string | undefined {
  let d = dir;
  for (;;) {
    const p = join(d, CONFIG_FILE);
    if (existsSync(p)) return p;
    const up = dirname(d);
    if (up === d || d === stopAt) return undefined;
    d = up;
  }
}

export function readValidationConfig(path: string): ValidationConfig {
  const problems: string[] = [];
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    return { path, problems: [`${path}: ${(e as Error).message}`] };
  }
  const data = (json as { data?: { format?: unknown; nearDuplicateThreshold?: unknown; production?: unknown } })?.data;
  const training = (json as { training?: { maxSeqLength?: unknown } })?.training;
  let format: FormatId | undefined;
  if (data?.format !== undefined && data.format !== 'auto') {
    if (typeof data.format === 'string' && (FORMAT_IDS as readonly string[]).includes(data.format)) format = data.format as FormatId;
    else problems.push(`${path}: data.format must be one of auto, ${FORMAT_IDS.join(', ')}`);
  }
  const msl = training?.maxSeqLength;
  const maxSeqLength = typeof msl === 'number' && msl > 0 ? msl : undefined;
  const model = typeof (json as { model?: unknown })?.model === 'string' ? ((json as { model: string }).model as string) : undefined;
  const g = (json as { goal?: unknown })?.goal;
  let goal: GoalId | undefined;
  if (g !== undefined) {
    if (isGoal(g)) goal = g;
    else problems.push(`${path}: goal must be one of ${GOAL_IDS.join(', ')}`);
  }
  const t = data?.nearDuplicateThreshold;
  let nearDuplicateThreshold: number | undefined;
  if (t !== undefined) {
    if (typeof t === 'number' && t > 0 && t <= 1) nearDuplicateThreshold = t;
    else problems.push(`${path}: data.nearDuplicateThreshold must be a number above 0 and at most 1`);
  }
  const prod = data?.production;
  let production: string | undefined;
  if (prod !== undefined) {
    if (typeof prod === 'string' && prod) production = isAbsolute(prod) ? prod : resolve(dirname(path), prod);
    else problems.push(`${path}: data.production must be the path of a JSONL file of production inputs`);
  }
  const e = (json as { embeddings?: { model?: unknown; threshold?: unknown } })?.embeddings;
  let embeddings: { model?: string; threshold?: number } | undefined;
  if (e !== undefined) {
    embeddings = {};
    if (e?.model !== undefined) {
      if (typeof e.model === 'string' && e.model) embeddings.model = isAbsolute(e.model) ? e.model : resolve(dirname(path), e.model);
      else problems.push(`${path}: embeddings.model must be the path of a folder with model.onnx and tokenizer.json`);
    }
    if (e?.threshold !== undefined) {
      if (typeof e.threshold === 'number' && e.threshold > 0 && e.threshold <= 1) embeddings.threshold = e.threshold;
      else problems.push(`${path}: embeddings.threshold must be a cosine above 0 and at most 1`);
    }
  }
  return { path, format, maxSeqLength, ...(model ? { model } : {}), goal, nearDuplicateThreshold, production, ...(embeddings ? { embeddings } : {}), problems };
}

/**
 * Held-out, test and golden sets are small by design: the guide's minimum sizes are for training
 * data, so the few-records check does not apply to them.
 */
export function isEvaluationSet(path: string): boolean {
  return /(^|[./_-])(heldout|held-out|test|eval|golden|valid|validation|val|dev)([./_-][^/]*)?\.jsonl?$/i.test(path.split(/[\\/]/).pop() ?? '');
}

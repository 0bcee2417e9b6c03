/**
 * Every setting of the extension (package.json `contributes.configuration`), read in this one place
 * into a typed object (the shape of rust-analyzer's config.ts). Defaults come from core's constants,
 * so that the editor, the CLI and preflight agree. Nothing else calls getConfiguration.
 */
import * as vscode from 'vscode';
import { DEFAULT_SEMANTIC_THRESHOLD } from '../../core/insight/embeddings';
import { DEFAULT_OPTIONS } from '../../core/checks/datasetModel';
import { DEFAULT_THRESHOLD } from '../../core/insight/lsh';
import { FORMAT_IDS, type FormatId } from '../../core/formats/formats';
import { DEFAULT_GATE_THRESHOLD } from '../../core/review/reviewStatus';
import { REVIEW_FRACTION } from '../../core/sampling/sample';

export const SECTION = 'finetuneStudio';

export interface ValidationSettings {
  readonly enabled: boolean;
  /** undefined for 'auto' */
  readonly format?: FormatId;
  /** the raw setting, trimmed; '' for none (a restricted setting: withheld in Restricted Mode) */
  readonly schema: string;
  readonly maxDiagnosticsPerFile: number;
  readonly maxTokensPerRecord: number;
  readonly minRecords: number;
  /** near-duplicate Jaccard threshold (0 turns the check off) */
  readonly nearDuplicateThreshold: number;
}

export interface ReviewSettings {
  readonly fraction: number;
  readonly seed: number;
  readonly gateThreshold: number;
}

export interface AnnotationSettings {
  /** where a review or ranking panel opens: the first item without your decision, or the first item */
  readonly startAt: 'firstUnlabelled' | 'beginning';
}

export interface EvalSettings {
  /** extra refusal patterns (regular expressions) on top of the built-in list */
  readonly refusalPatterns: readonly string[];
}

export interface EmbeddingSettings {
  /** a folder with model.onnx and tokenizer.json; '' when not set (restricted: withheld from workspace settings in Restricted Mode) */
  readonly model: string;
  /** cosine at or above which records count as the same (semantic near-duplicates, heldout-semantic-leak) */
  readonly threshold: number;
}

export interface Config {
  readonly validation: ValidationSettings;
  readonly embeddings: EmbeddingSettings;
  readonly review: ReviewSettings;
  readonly annotation: AnnotationSettings;
  readonly eval: EvalSettings;
  /** '' when not set (application scope) */
  readonly reviewer: string;
}

/** The settings that apply to a resource (a dataset, a workspace folder), or the window's. */
export function configFor(scope?: vscode.Uri): Config {
  const c = vscode.workspace.getConfiguration(SECTION, scope);
  const format = c.get<string>('validation.format', 'auto');
  return {
    validation: {
      enabled: c.get<boolean>('validation.enabled', true),
      format: (FORMAT_IDS as readonly string[]).includes(format) ? (format as FormatId) : undefined,
      schema: c.get<string>('validation.schema', '').trim(),
      maxDiagnosticsPerFile: Math.max(1, c.get<number>('validation.maxDiagnosticsPerFile', 1000)),
      maxTokensPerRecord: c.get<number>('validation.maxTokensPerRecord', DEFAULT_OPTIONS.maxTokens),
      minRecords: c.get<number>('validation.minRecords', DEFAULT_OPTIONS.minRecords),
      nearDuplicateThreshold: Math.min(1, Math.max(0, c.get<number>('validation.nearDuplicateThreshold', DEFAULT_THRESHOLD))),
    },
    review: {
      fraction: c.get<number>('review.fraction', REVIEW_FRACTION.default),
      seed: c.get<number>('review.seed', 0),
      gateThreshold: c.get<number>('review.gateThreshold', DEFAULT_GATE_THRESHOLD),
    },
    annotation: { startAt: c.get<string>('annotation.startAt', 'firstUnlabelled') === 'beginning' ? 'beginning' : 'firstUnlabelled' },
    eval: { refusalPatterns: stringList(c.get<unknown>('eval.refusalPatterns', [])) },
    embeddings: {
      model: c.get<string>('embeddings.model', '').trim(),
      threshold: Math.min(1, Math.max(0.01, c.get<number>('embeddings.threshold', DEFAULT_SEMANTIC_THRESHOLD))),
    },
    reviewer: c.get<string>('reviewer', '').trim(),
  };
}

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((p): p is string => typeof p === 'string') : [];
}

/**
 * finetuneStudio.training.basePython from the user's settings only (application scope), never from a
 * workspace: it names a program to run.
 */
export function basePython(): string {
  const v = vscode.workspace.getConfiguration(SECTION).inspect<string>('training.basePython');
  return v?.globalValue?.trim() || v?.defaultValue || 'python3';
}

/**
 * finetuneStudio.training.python from the user's settings only (application scope): the trainer's
 * interpreter when finetune.json names none. Undefined when not set.
 */
export function trainerPython(): string | undefined {
  return vscode.workspace.getConfiguration(SECTION).inspect<string>('training.python')?.globalValue?.trim() || undefined;
}

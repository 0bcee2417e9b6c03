/** Typed messages between the extension and the review panel. Imported by both sides. */
import type { PanelMessages } from './channel';
import type { Reason } from './reasons';

export const REVIEW_VIEW_TYPE = 'finetuneStudio.review';

export type RecordPart =
  | { readonly kind: 'text'; readonly label: string; readonly text: string }
  | { readonly kind: 'turns'; readonly label: string; readonly turns: readonly { readonly role: string; readonly content: string }[] }
  | { readonly kind: 'pair'; readonly left: RecordPart; readonly right: RecordPart }
  | { readonly kind: 'raw'; readonly label: string; readonly text: string };

/** The review gate's figures (core's ReviewStatus extends this). */
export interface ReviewProgress {
  readonly sampled: number;
  readonly reviewed: number;
  readonly passed: number;
  readonly failed: number;
  readonly passRate: number | null;
  readonly gate: 'passed' | 'failed' | 'incomplete';
  readonly threshold: number;
}

export interface RecordView {
  readonly index: number;
  readonly line: number | null;
  readonly id: string | null;
  readonly parts: readonly RecordPart[];
  readonly decision?: { readonly decision: 'pass' | 'fail'; readonly reasons: readonly Reason[]; readonly note?: string };
  readonly changedSinceReview: boolean;
  readonly missing: boolean;
}

export type ToReview = {
  readonly type: 'state';
  readonly dataset: string;
  readonly datasetUri: string;
  readonly reviewer: string;
  readonly seed: number;
  readonly progress: ReviewProgress;
  readonly record: RecordView | null;
  /** share of the file indexed, 0..1, while it is being read (a record may show meanwhile); null once indexed */
  readonly indexing: number | null;
  /** false while a new sample is drawn as the file streams past: progress.sampled counts the records found so far */
  readonly sizeKnown: boolean;
  /** the seq of the last message of the webview handled before this state (0 before any) */
  readonly ack: number;
  readonly notice?: string;
};

/**
 * Every message carries a seq (1, 2, …). A decision names the record it was made on by its content id
 * (not by its place in the sample, whose numbering can change under a key): the extension applies it to
 * that record only, and ignores it (with a notice) when that record is no longer the one shown.
 */
export type FromReview = { readonly seq: number } & (
  | { readonly type: 'ready' }
  /** move by delta from the record the extension shows (not by an index: the sample's numbering can change under a key) */
  | { readonly type: 'go'; readonly delta: number }
  | {
      readonly type: 'decide';
      readonly id: string;
      readonly decision: 'pass' | 'fail';
      readonly reasons: readonly Reason[];
      readonly note: string;
    }
  | { readonly type: 'undo' }
  /** the record shown, by its id (null for a sampled record no longer in the file) */
  | { readonly type: 'showInEditor'; readonly id: string | null }
);

/** What the webview keeps across reloads (vscode.setState), read back by the panel serializer. */
export interface ReviewWebviewState {
  readonly datasetUri: string;
  readonly index: number;
}

export type ReviewMessages = PanelMessages<ToReview, FromReview, ReviewWebviewState>;

/** Typed messages between the extension and the ranking panel. Imported by both sides. */
import type { PanelMessages } from './channel';
import type { RecordPart } from './review';

/** A run of a word diff (core's wordDiff makes them). */
export interface Segment {
  readonly text: string;
  /** 'same' in both; 'only' in this side alone */
  readonly op: 'same' | 'only';
}

export const RANKING_VIEW_TYPE = 'finetuneStudio.ranking';

/** Item contents the webview keeps (the most recently sent); the extension resends what it sent more than half as many ago. */
export const KEPT_VIEWS = 400;

export type Filter = 'all' | 'unlabelled' | 'flagged' | 'disagreements';

export interface PairSide {
  /** which stored response this side shows */
  readonly stored: 'chosen' | 'rejected';
  /** plain text with a word diff against the other side, or turns */
  readonly segments?: readonly Segment[];
  readonly part?: RecordPart;
}

/** Which stored response each side shows, left then right. */
export type ShownOrder = readonly ['chosen', 'rejected'] | readonly ['rejected', 'chosen'];

/** An item's content: what the webview keeps, by id, and is never sent twice. */
export interface ItemView {
  /** the item's content id: every decision names it */
  readonly id: string;
  readonly line: number;
  readonly prompt: RecordPart | null;
  readonly pair?: { readonly left: PairSide; readonly right: PairSide };
  readonly candidates?: readonly RecordPart[];
}

/** Where an item stands now (changes as it is labelled): sent with every state. */
export interface ItemStatus {
  readonly id: string;
  /** 1-based place in the filter's order */
  readonly position: number;
  readonly label?: { readonly choice?: string; readonly ranks?: readonly (number | null)[]; readonly reason?: string };
  readonly changedSinceLabel: boolean;
}

export interface RankingState {
  readonly type: 'state';
  readonly dataset: string;
  readonly datasetUri: string;
  readonly annotator: string;
  readonly mode: 'pair' | 'ranking';
  readonly filter: Filter;
  /** labelled and flagged are this annotator's labels on the items indexed so far */
  readonly progress: { readonly total: number | null; readonly labelled: number; readonly flagged: number };
  /** share of the file indexed, 0..1; null once indexed */
  readonly indexing: number | null;
  /** items the filter lets through; null while unknown (the file is still being indexed) */
  readonly count: number | null;
  readonly agreement: string;
  /** the item shown, null when the filter lets none through */
  readonly item: ItemStatus | null;
  /** items in the filter's order after the shown one: a decision shows next[0] at once, before the reply */
  readonly next: readonly ItemStatus[];
  /** item contents the webview does not have yet (the shown one, the next ones) */
  readonly views: readonly ItemView[];
  /** the seq of the last message of the webview handled before this state (0 before any) */
  readonly ack: number;
  readonly notice?: string;
}

export type ToRanking = RankingState;

/**
 * Every message carries a seq (1, 2, …). A decision also names the item it was made on, and for a
 * pair the side order shown: the extension applies it to that item only, and ignores it (with a
 * notice) when that item is no longer the one shown.
 */
export type FromRanking = { readonly seq: number } & (
  | { readonly type: 'ready' }
  | { readonly type: 'go'; readonly delta: number }
  | { readonly type: 'filter'; readonly filter: Filter }
  | { readonly type: 'pick'; readonly id: string; readonly shown: ShownOrder; readonly side: 'left' | 'right' | 'tie' | 'skip' }
  | { readonly type: 'flag'; readonly id: string; readonly reason: string }
  | { readonly type: 'rank'; readonly id: string; readonly ranks: readonly (number | null)[] }
  | { readonly type: 'undo' }
  | { readonly type: 'showInEditor' }
  | { readonly type: 'export' }
);

/** What the webview keeps across reloads: the dataset and the position, never the data. */
export interface RankingWebviewState {
  readonly datasetUri: string;
  /** the 0-based index of the item shown */
  readonly index: number;
}

export type RankingMessages = PanelMessages<ToRanking, FromRanking, RankingWebviewState>;

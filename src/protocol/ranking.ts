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

export type Filter = 'all' | 'unlabelled' | 'flagged' | 'disagreements';

export interface PairSide {
  /** which stored response this side shows */
  readonly stored: 'chosen' | 'rejected';
  /** plain text with a word diff against the other side, or turns */
  readonly segments?: readonly Segment[];
  readonly part?: RecordPart;
}

export interface ItemView {
  readonly index: number;
  readonly position: number;
  /** null while a large file is still being indexed */
  readonly count: number | null;
  readonly line: number;
  readonly prompt: RecordPart | null;
  readonly pair?: { readonly left: PairSide; readonly right: PairSide };
  readonly candidates?: readonly RecordPart[];
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
  readonly progress: { readonly total: number | null; readonly labelled: number; readonly flagged: number };
  readonly agreement: string;
  readonly item: ItemView | null;
  readonly notice?: string;
}

export type ToRanking = RankingState;

export type FromRanking =
  | { readonly type: 'ready' }
  | { readonly type: 'go'; readonly delta: number }
  | { readonly type: 'filter'; readonly filter: Filter }
  | { readonly type: 'pick'; readonly side: 'left' | 'right' | 'tie' | 'skip' }
  | { readonly type: 'flag'; readonly reason: string }
  | { readonly type: 'rank'; readonly ranks: readonly (number | null)[] }
  | { readonly type: 'undo' }
  | { readonly type: 'showInEditor' }
  | { readonly type: 'export' };

export interface RankingWebviewState {
  readonly datasetUri: string;
  readonly index: number;
}

export type RankingMessages = PanelMessages<ToRanking, FromRanking, RankingWebviewState>;

/**
 * The token preview: the document `python -m ftstudio_trainer tokens` prints (what the trainer trains on,
 * token by token), and the typed messages of the Preview Training Tokens panel. Imported by core, the CLI,
 * the extension and the webview.
 */
import type { PanelMessages } from './channel';

export const TOKENS_VIEW_TYPE = 'finetuneStudio.tokens';

export interface PreviewToken {
  readonly id: number;
  /** the token's text in the rendering (byte-level pieces joined; "" for a piece inside a character) */
  readonly text: string;
  /** the loss is computed on it */
  readonly trained: boolean;
  /** past maxSeqLength: truncation drops it (never trained) */
  readonly dropped?: boolean;
}

export interface PreviewRecord {
  /** 1-based line of the record in the dataset file */
  readonly line: number;
  /** DPO: which sequence of the pair */
  readonly part?: 'chosen' | 'rejected';
  /** the kept tokens, then up to 256 that truncation drops */
  readonly tokens: readonly PreviewToken[];
  /** trained tokens among those kept */
  readonly trained: number;
  /** tokens kept (≤ maxSeqLength) */
  readonly total: number;
  readonly truncated: boolean;
  /** tokens of the whole rendering, before truncation */
  readonly length: number;
  /** tokens truncation drops that would have been trained */
  readonly droppedTrained: number;
  /** the trainer skips the record: nothing left to train */
  readonly skipped: boolean;
}

export interface TokenPreview {
  readonly file: string;
  readonly model: string;
  readonly method: string;
  readonly maxSeqLength: number;
  /** "model": the tokenizer's chat template; "plain": the trainer's own (the tokenizer has none) */
  readonly template: 'model' | 'plain';
  readonly records: readonly PreviewRecord[];
  /** a record the trainer cannot read or tokenize: the preview (and training) stops there */
  readonly error?: { readonly kind: 'data'; readonly message: string; readonly line: number | null; readonly hint?: string };
}

export type TokensViewState =
  | { readonly type: 'loading'; readonly config: string; readonly records: number; readonly interpreter: string }
  | {
      readonly type: 'preview';
      readonly config: string;
      readonly records: number;
      readonly interpreter: string;
      readonly preview: TokenPreview;
      /** said above the records (e.g. the project trains with its own trainer command) */
      readonly note: string | null;
    }
  | {
      readonly type: 'error';
      readonly config: string;
      readonly records: number;
      readonly interpreter: string;
      readonly message: string;
      readonly hint: string;
      /** the dataset line the error is about, when there is one */
      readonly line: number | null;
      /** the setup command would fix it */
      readonly setup: boolean;
    };

export type FromTokensView =
  | { readonly type: 'ready' }
  | { readonly type: 'refresh'; readonly records: number }
  | { readonly type: 'openLine'; readonly line: number }
  | { readonly type: 'openConfig' }
  | { readonly type: 'setup' };

export interface TokensWebviewState {
  readonly config: string;
}

export type TokensMessages = PanelMessages<TokensViewState, FromTokensView, TokensWebviewState>;

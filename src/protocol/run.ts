/** Typed messages between the extension and the Run view. Imported by both sides. */
import type { PanelMessages } from './channel';

export const RUN_VIEW_TYPE = 'finetuneStudio.run';

export type Point = readonly [number, number];

export interface RunViewState {
  readonly type: 'run';
  readonly runDir: string;
  readonly runId: string;
  readonly status: string;
  readonly step: number;
  readonly totalSteps: number | null;
  readonly loss: readonly Point[];
  readonly evalLoss: readonly Point[];
  readonly learningRate: readonly Point[];
  /** DPO rewards by their logged name ('rewards/chosen', 'rewards/rejected', 'rewards/margins', 'rewards/accuracies'); empty for SFT */
  readonly rewards: Readonly<Record<string, readonly Point[]>>;
  /** a resumed run: the steps it was resumed at */
  readonly resumedAt: readonly number[];
  readonly hyperparameters: Readonly<Record<string, unknown>>;
  readonly dataset: string;
  readonly preflight: readonly { readonly id: string; readonly status: string; readonly message: string }[];
  readonly overrides: readonly string[];
  readonly error: string | null;
  /** the evaluation gate's last result ("gate ✓ 92% golden", "gate ✗ stopped") and its explanation; absent without gates */
  readonly gate?: { readonly text: string; readonly stopped: boolean; readonly lines: readonly string[] } | null;
}

export type FromRunView = { readonly type: 'ready' } | { readonly type: 'stop' } | { readonly type: 'showLog' } | { readonly type: 'openEval' };

export interface RunWebviewState {
  readonly runDir: string;
}

export type RunMessages = PanelMessages<RunViewState, FromRunView, RunWebviewState>;

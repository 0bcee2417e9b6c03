/**
 * What every panel on a dataset (review, ranking) shares: one panel per dataset and kind, opened
 * beside the editor or revealed; restored after a reload at the saved position; the person's
 * identity; a typed channel to its webview; disposal. A subclass supplies its messages' handler.
 */
import * as vscode from 'vscode';
import { basename } from 'node:path';
import type { PanelMessages } from '../../protocol/channel';
import { reviewerIdentity } from '../workspace/reviewer';
import { PanelChannel } from './channel';
import { webviewHtml, webviewOptions } from './webviewHtml';

/** A kind of dataset panel: its view type, its webview script, its title, how to make one. */
export interface DatasetPanelKind<P extends DatasetPanel> {
  readonly viewType: string;
  /** the webview bundle in dist/webview */
  readonly script: string;
  readonly titlePrefix: string;
  create(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, dataset: vscode.Uri): P;
}

/** A new webview panel for a dataset panel of this kind, beside the editor; `preserveFocus`: the focus stays where it is (a file picker). */
function newWebviewPanel(
  kind: { readonly viewType: string; readonly titlePrefix: string },
  extensionUri: vscode.Uri,
  title: string,
  preserveFocus: boolean,
): vscode.WebviewPanel {
  return vscode.window.createWebviewPanel(
    kind.viewType,
    `${kind.titlePrefix}: ${title}`,
    { viewColumn: vscode.ViewColumn.Beside, preserveFocus },
    webviewOptions(extensionUri),
  );
}

/** a message from the webview of panel P */
type MessageFrom<P> = P extends DatasetPanel<infer X> ? X['fromPanel'] : never;

const key = (viewType: string, dataset: vscode.Uri) => `${viewType}\u0000${dataset.toString()}`;

export abstract class DatasetPanel<M extends PanelMessages = PanelMessages> implements vscode.Disposable {
  private static readonly open = new Map<string, DatasetPanel>();
  private readonly viewType: string;
  protected readonly disposables: vscode.Disposable[] = [];
  protected readonly channel: PanelChannel<M>;
  /** the item shown */
  protected index = 0;
  /** restored after a reload at a saved position (else opened by a command) */
  protected restored = false;
  /** a one-time message for the next state sent */
  protected notice?: string;
  /** the seq of the last message handled (sent back in every state: the webview's ack) */
  protected ack = 0;
  /** messages are handled one at a time, in the order they came: a decision never overtakes the one before */
  private queue: Promise<void> = Promise.resolve();

  /** Show the panel of this kind for a dataset: the open one, or a new one beside the editor. */
  static async showPanel<P extends DatasetPanel>(kind: DatasetPanelKind<P>, extensionUri: vscode.Uri, dataset: vscode.Uri): Promise<void> {
    const existing = DatasetPanel.open.get(key(kind.viewType, dataset));
    if (existing) return existing.panel.reveal();
    const panel = newWebviewPanel(kind, extensionUri, basename(dataset.fsPath), false);
    await DatasetPanel.attachPanel(kind, panel, extensionUri, dataset, 0);
  }

  /**
   * Show the panel of this kind for a dataset the person is about to pick: the webview panel is made
   * (without taking the focus from the picker) and its webview starts while they choose, so the
   * second or so VS Code takes to start a webview overlaps the choice instead of following it. The
   * webview's messages from before the dataset is known are kept and handled once it is. Cancelled
   * picking closes the panel; a dataset whose panel is open already reveals that one.
   */
  static async showWhilePicking<P extends DatasetPanel>(
    kind: DatasetPanelKind<P>,
    extensionUri: vscode.Uri,
    pick: () => Promise<vscode.Uri | undefined>,
  ): Promise<void> {
    const panel = newWebviewPanel(kind, extensionUri, 'choosing a dataset…', true);
    let closed = false;
    const early: unknown[] = [];
    const waiting = [panel.webview.onDidReceiveMessage((m: unknown) => early.push(m)), panel.onDidDispose(() => (closed = true))];
    const drop = () => {
      for (const d of waiting) d.dispose();
      if (!closed) panel.dispose();
    };
    panel.webview.html = webviewHtml(panel.webview, extensionUri, kind.script, panel.title);
    let dataset: vscode.Uri | undefined;
    try {
      dataset = await pick();
    } catch (e) {
      drop();
      throw e;
    }
    if (!dataset || closed || DatasetPanel.open.has(key(kind.viewType, dataset))) {
      drop();
      if (dataset) await DatasetPanel.showPanel(kind, extensionUri, dataset);
      return;
    }
    for (const d of waiting) d.dispose();
    panel.title = `${kind.titlePrefix}: ${basename(dataset.fsPath)}`;
    await DatasetPanel.attachPanel(kind, panel, extensionUri, dataset, 0, false, early);
  }

  /**
   * Make a panel of this kind in a webview panel (a new one, or one restored after a reload).
   * `started`: the webview's HTML is set already and these messages came from it meanwhile.
   */
  static async attachPanel<P extends DatasetPanel>(
    kind: DatasetPanelKind<P>,
    panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    dataset: vscode.Uri,
    index: number,
    restored = false,
    started?: unknown[],
  ): Promise<void> {
    const p = kind.create(panel, extensionUri, dataset);
    p.index = index;
    p.restored = restored;
    DatasetPanel.open.set(key(kind.viewType, dataset), p);
    // the identity (git may run) is found while the webview starts; the webview's messages queue behind it
    const identity = p.enqueue(async () => {
      p.person = await reviewerIdentity(vscode.workspace.getWorkspaceFolder(dataset)?.uri);
    });
    if (started) for (const m of started) p.channel.receive(m as MessageFrom<P>);
    else panel.webview.html = webviewHtml(panel.webview, extensionUri, kind.script, panel.title);
    await identity;
  }

  /** The dataset of the panel of this kind in front, if any. */
  static activeDatasetOf(viewType: string): vscode.Uri | undefined {
    for (const p of DatasetPanel.open.values()) if (p.viewType === viewType && p.panel.active) return p.dataset;
    return undefined;
  }

  /**
   * @param what names the panel in error messages ("review", "ranking")
   * @param person who is working in it until the identity is known (the reviewer, the annotator)
   */
  protected constructor(
    readonly panel: vscode.WebviewPanel,
    readonly dataset: vscode.Uri,
    what: string,
    protected person: string,
  ) {
    this.viewType = panel.viewType;
    this.channel = new PanelChannel<M>(
      panel.webview,
      (m) =>
        this.enqueue(() => {
          const seq = (m as { seq?: unknown }).seq;
          if (typeof seq === 'number') this.ack = Math.max(this.ack, seq);
          return this.onMessage(m);
        }),
      (e) => void vscode.window.showErrorMessage(`Finetune Studio ${what}: ${e.message}`),
    );
    this.disposables.push(
      this.channel,
      panel.onDidDispose(() => this.dispose()),
    );
  }

  protected abstract onMessage(m: M['fromPanel']): Promise<void>;

  /** Run after the messages before it (states sent in between never show half-handled work). */
  protected enqueue(work: () => Promise<void>): Promise<void> {
    const done = this.queue.then(work);
    this.queue = done.catch(() => {});
    return done;
  }

  dispose(): void {
    const k = key(this.viewType, this.dataset);
    if (DatasetPanel.open.get(k) === this) DatasetPanel.open.delete(k);
    for (const d of this.disposables) d.dispose();
  }
}

/**
 * Restores a dataset panel after a window reload: its webview saved the dataset's URI and position
 * with setState; a panel without them is closed.
 */
export class DatasetPanelSerializer<P extends DatasetPanel> implements vscode.WebviewPanelSerializer<{ datasetUri?: string; index?: number }> {
  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly kind: DatasetPanelKind<P>,
  ) {}
  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: { datasetUri?: string; index?: number } | undefined): Promise<void> {
    if (!state?.datasetUri) return panel.dispose();
    panel.webview.options = webviewOptions(this.extensionUri);
    await DatasetPanel.attachPanel(this.kind, panel, this.extensionUri, vscode.Uri.parse(state.datasetUri), state.index ?? 0, true);
  }
}

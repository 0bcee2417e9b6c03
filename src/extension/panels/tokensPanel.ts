/**
 * The Preview Training Tokens panel: the first records of the training file as the bundled trainer
 * tokenizes them (core/training/tokenPreview runs the trainer's own code), trained tokens highlighted,
 * the cut at maxSeqLength marked. One panel; a new preview replaces the old one, and a preview still
 * running is cancelled when another starts or the panel closes.
 */
import * as vscode from 'vscode';
import type { TrainingConfig } from '../../core/training/config';
import { DEFAULT_PREVIEW_RECORDS, MAX_PREVIEW_RECORDS, previewNote, previewTokens, TokenPreviewError } from '../../core/training/tokenPreview';
import { TOKENS_VIEW_TYPE, type FromTokensView, type TokensMessages, type TokensViewState } from '../../protocol/tokens';
import { PanelChannel } from './channel';
import { webviewHtml, webviewOptions } from './webviewHtml';

export interface TokensSource {
  readonly config: TrainingConfig;
  readonly python: string;
  /** the interpreter and why that one, for a person */
  readonly interpreter: string;
  readonly trainerDir: string;
  /** "Set Up Training Environment" */
  readonly setupCommand: string;
  readonly log?: (line: string) => void;
}

export class TokensPanel implements vscode.Disposable {
  private static current?: TokensPanel;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly channel: PanelChannel<TokensMessages>;
  private records = DEFAULT_PREVIEW_RECORDS;
  private running?: AbortController;
  private last?: TokensViewState;

  static show(extensionUri: vscode.Uri, source: TokensSource): TokensPanel {
    const old = TokensPanel.current;
    if (old) {
      old.source = source;
      old.panel.reveal(undefined, false);
      void old.load();
      return old;
    }
    const panel = vscode.window.createWebviewPanel(TOKENS_VIEW_TYPE, 'Training Tokens', vscode.ViewColumn.Active, webviewOptions(extensionUri));
    const v = new TokensPanel(panel, source);
    TokensPanel.current = v;
    panel.webview.html = webviewHtml(panel.webview, extensionUri, 'tokens.js', panel.title);
    return v;
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private source: TokensSource,
  ) {
    this.channel = new PanelChannel<TokensMessages>(
      panel.webview,
      (m) => this.onMessage(m),
      (e) => void vscode.window.showErrorMessage(`Finetune Studio token preview: ${e.message}`),
    );
    this.disposables.push(
      this.channel,
      panel.onDidDispose(() => this.dispose()),
    );
  }

  private async onMessage(m: FromTokensView): Promise<void> {
    switch (m.type) {
      case 'ready':
        // a reloaded webview gets the last state; the first one starts the preview
        if (this.last) await this.channel.post(this.last);
        else await this.load();
        return;
      case 'refresh':
        if (Number.isInteger(m.records) && m.records >= 1 && m.records <= MAX_PREVIEW_RECORDS) this.records = m.records;
        await this.load();
        return;
      case 'openLine': {
        const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(this.source.config.data.train));
        const line = Math.max(0, Math.min(doc.lineCount - 1, m.line - 1));
        await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, selection: new vscode.Range(line, 0, line, 0) });
        return;
      }
      case 'openConfig':
        await vscode.window.showTextDocument(vscode.Uri.file(this.source.config.path), { viewColumn: vscode.ViewColumn.Beside });
        return;
      case 'setup':
        await vscode.commands.executeCommand(this.source.setupCommand);
        return;
    }
  }

  private async post(s: TokensViewState): Promise<void> {
    this.last = s;
    await this.channel.post(s);
  }

  /** Run the trainer's tokenization (the one running before is cancelled) and show what it says. */
  async load(): Promise<void> {
    this.running?.abort();
    const abort = new AbortController();
    this.running = abort;
    const s = this.source;
    const base = { config: s.config.path, records: this.records, interpreter: s.interpreter };
    if (!vscode.workspace.isTrusted) {
      const hint = 'trust this workspace (Manage Workspace Trust), then refresh';
      await this.post({ type: 'error', ...base, message: "the preview runs the trainer's Python", hint, line: null, setup: false });
      return;
    }
    await this.post({ type: 'loading', ...base });
    try {
      const preview = await previewTokens({
        config: s.config,
        python: s.python,
        trainerDir: s.trainerDir,
        records: this.records,
        signal: abort.signal,
        onLine: s.log,
      });
      if (abort.signal.aborted) return;
      await this.post({ type: 'preview', ...base, preview, note: previewNote(s.config) });
    } catch (e) {
      if (abort.signal.aborted) return;
      if (!(e instanceof TokenPreviewError)) throw e;
      await this.post({
        type: 'error',
        ...base,
        message: e.message,
        hint: e.hint,
        line: e.line ?? null,
        setup: e.kind === 'packages' || e.kind === 'interpreter',
      });
    } finally {
      if (this.running === abort) this.running = undefined;
    }
  }

  dispose(): void {
    this.running?.abort();
    if (TokensPanel.current === this) TokensPanel.current = undefined;
    for (const d of this.disposables) d.dispose();
  }
}

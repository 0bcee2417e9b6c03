/**
 * "Finetune Studio: Dataset Report": token histograms, turns, roles, templates, over-length records,
 * duplicates and near-duplicate clusters, semantic near-duplicates and held-out leakage with a local
 * embedding model (trusted workspaces), size against the goal, distribution match. The numbers are
 * computed on a worker thread (core/validation/statsJob.ts) under a cancellable progress notification;
 * the panel only shows them. Clicking a line opens the record in the editor.
 */
import * as vscode from 'vscode';
import { basename, dirname } from 'node:path';
import { existsSync } from 'node:fs';
import { findConfig, readValidationConfig } from '../../core/project/projectConfig';
import { statsOnWorker } from '../../core/validation/statsJob';
import { DATASET_REPORT_VIEW_TYPE, type DatasetReportMessages, type DatasetReportState, type FromDatasetReport } from '../../protocol/datasetReport';
import { configFor } from '../workspace/config';
import { semanticModelFor } from '../workspace/semanticModel';
import { PanelChannel } from './channel';
import { webviewHtml, webviewOptions } from './webviewHtml';

export class DatasetReportPanel implements vscode.Disposable {
  private static readonly open = new Map<string, DatasetReportPanel>();
  private readonly channel: PanelChannel<DatasetReportMessages>;
  private readonly disposables: vscode.Disposable[] = [];
  private abort?: AbortController;
  /** the held-out or training file the last report's semantic leakage names (the webview may open its lines) */
  private partner?: string;

  static async show(extensionUri: vscode.Uri, uri: vscode.Uri): Promise<void> {
    const existing = DatasetReportPanel.open.get(uri.fsPath);
    if (existing) {
      existing.panel.reveal();
      return existing.compute();
    }
    const panel = vscode.window.createWebviewPanel(
      DATASET_REPORT_VIEW_TYPE,
      `Dataset Report: ${basename(uri.fsPath)}`,
      vscode.ViewColumn.Beside,
      webviewOptions(extensionUri),
    );
    DatasetReportPanel.attach(panel, extensionUri, uri);
  }

  static attach(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, uri: vscode.Uri): DatasetReportPanel {
    const p = new DatasetReportPanel(panel, uri);
    panel.webview.html = webviewHtml(panel.webview, extensionUri, 'datasetReport.js', panel.title);
    return p;
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    readonly uri: vscode.Uri,
  ) {
    DatasetReportPanel.open.set(uri.fsPath, this);
    this.channel = new PanelChannel<DatasetReportMessages>(
      panel.webview,
      (m) => this.onMessage(m),
      (e) => void vscode.window.showErrorMessage(`Finetune Studio Dataset Report: ${e.message}`),
    );
    this.disposables.push(
      this.channel,
      panel.onDidDispose(() => this.dispose()),
    );
  }

  private async onMessage(m: FromDatasetReport): Promise<void> {
    if (m.type === 'ready' || m.type === 'refresh') await this.compute();
    else if (m.type === 'open') {
      const line = Math.max(0, m.line - 1);
      const range = new vscode.Range(line, 0, line, 0);
      if (m.partner && !this.partner) return;
      await vscode.window.showTextDocument(m.partner ? vscode.Uri.file(this.partner!) : this.uri, {
        selection: range,
        viewColumn: vscode.ViewColumn.One,
        preserveFocus: false,
      });
    }
  }

  /** Compute the report on a worker, with a cancellable progress notification. */
  async compute(): Promise<void> {
    this.abort?.abort();
    const abort = new AbortController();
    this.abort = abort;
    const path = this.uri.fsPath;
    const file = basename(path);
    const configPath = findConfig(dirname(path));
    const config = configPath ? readValidationConfig(configPath) : undefined;
    const settings = configFor(this.uri).validation;
    if (config?.production && !existsSync(config.production)) {
      await this.channel.post({
        type: 'error',
        file,
        message: `data.production in ${configPath}: ${config.production} does not exist. Point it at a JSONL sample of production inputs.`,
      });
      return;
    }
    await this.channel.post({ type: 'progress', file, message: 'Reading the dataset…' });
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Dataset Report: ${file}`, cancellable: true },
      async (progress, token) => {
        token.onCancellationRequested(() => abort.abort());
        let reported = 0;
        try {
          const stats = await statsOnWorker(
            {
              path,
              configPath,
              format: config?.format ?? settings.format,
              maxSeqLength: config?.maxSeqLength ?? settings.maxTokensPerRecord,
              nearDuplicateThreshold: config?.nearDuplicateThreshold ?? (settings.nearDuplicateThreshold || undefined),
              goal: config?.goal,
              production: config?.production,
              semantic: semanticModelFor(this.uri),
            },
            (done, total, what) => {
              const pct = total ? Math.round((100 * done) / total) : 0;
              if (what === 'reading') {
                progress.report({ message: `${pct}%`, increment: Math.max(0, pct - reported) });
                reported = Math.max(reported, pct);
              } else progress.report({ message: what.startsWith('embedding') ? `${what} ${pct}%` : what });
              const message =
                what === 'reading'
                  ? `Reading the dataset… ${pct}%`
                  : what.startsWith('embedding')
                    ? `${what[0]!.toUpperCase()}${what.slice(1)}… ${pct}%`
                    : `Finding ${what}…`;
              void this.channel.post({ type: 'progress', file, message });
            },
            abort.signal,
          );
          const leakage = stats.semantic.enabled ? stats.semantic.leakage : null;
          this.partner = leakage ? (leakage.heldout === path ? leakage.train : leakage.heldout) : undefined;
          if (!abort.signal.aborted) await this.channel.post({ type: 'report', path, stats });
        } catch (e) {
          const message = abort.signal.aborted ? 'Cancelled. Use Refresh to compute the report again.' : `Cannot compute the report: ${(e as Error).message}`;
          await this.channel.post({ type: 'error', file, message });
        }
      },
    );
  }

  dispose(): void {
    this.abort?.abort();
    if (DatasetReportPanel.open.get(this.uri.fsPath) === this) DatasetReportPanel.open.delete(this.uri.fsPath);
    for (const d of this.disposables) d.dispose();
  }
}

export class DatasetReportSerializer implements vscode.WebviewPanelSerializer<DatasetReportState> {
  constructor(private readonly extensionUri: vscode.Uri) {}
  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: DatasetReportState | undefined): Promise<void> {
    if (!state?.path || !existsSync(state.path)) return panel.dispose();
    panel.webview.options = webviewOptions(this.extensionUri);
    DatasetReportPanel.attach(panel, this.extensionUri, vscode.Uri.file(state.path));
  }
}

/**
 * Datasets too large for VS Code to hand to extensions (it does not sync documents above 50 MB):
 * such a file still opens in a tab, so validate it from disk on a worker thread when its tab opens
 * and whenever it changes on disk. Cancelled when the tab closes or a newer run starts.
 */
import * as vscode from 'vscode';
import type { FileReport } from '../../core/checks/datasetModel';
import { validateDataset } from '../../core/validation/validateDataset';
import { toVsDiagnostic } from './convert';
import type { DatasetSummary } from './datasetValidation';
import { settingsFor } from '../workspace/settings';

interface Entry {
  abort: AbortController;
  report?: FileReport;
  error?: string;
  notes: readonly string[];
}

export class LargeFileValidation implements vscode.Disposable {
  private readonly entries = new Map<string, Entry>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidUpdate = this.changed.event;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly collection: vscode.DiagnosticCollection) {
    const watcher = vscode.workspace.createFileSystemWatcher('**/*.jsonl');
    this.subscriptions.push(
      this.changed,
      watcher,
      watcher.onDidChange((uri) => this.entries.has(uri.toString()) && this.run(uri)),
      vscode.window.tabGroups.onDidChangeTabs(() => this.sync()),
      vscode.workspace.onDidOpenTextDocument(() => this.sync()),
    );
    this.sync();
  }

  summary(uri: vscode.Uri): DatasetSummary | undefined {
    const e = this.entries.get(uri.toString());
    return e && { uri, report: e.report, pending: !e.report && !e.error, notes: e.notes, error: e.error };
  }

  /** Tabs showing a .jsonl file that has no synchronised document are ours. */
  private sync(): void {
    const synced = new Set(vscode.workspace.textDocuments.map((d) => d.uri.toString()));
    const wanted = new Map<string, vscode.Uri>();
    for (const group of vscode.window.tabGroups.all) {
      for (const tab of group.tabs) {
        const input = tab.input;
        if (input instanceof vscode.TabInputText && input.uri.scheme === 'file' && input.uri.path.endsWith('.jsonl') && !synced.has(input.uri.toString())) {
          wanted.set(input.uri.toString(), input.uri);
        }
      }
    }
    for (const [key, e] of this.entries) {
      if (!wanted.has(key)) {
        e.abort.abort();
        this.entries.delete(key);
        if (!synced.has(key)) this.collection.delete(vscode.Uri.parse(key));
      }
    }
    for (const [key, uri] of wanted) if (!this.entries.has(key)) this.run(uri);
  }

  private run(uri: vscode.Uri): void {
    this.entries.get(uri.toString())?.abort.abort();
    const settings = settingsFor(uri);
    const entry: Entry = { abort: new AbortController(), notes: [...settings.notes, 'Large file: validated from disk on open and on save'] };
    this.entries.set(uri.toString(), entry);
    this.changed.fire(uri);
    if (!settings.enabled) return;
    validateDataset(uri.fsPath, settings.options, { offThread: true, cap: settings.cap, signal: entry.abort.signal }).then(
      (report) => {
        if (entry.abort.signal.aborted) return;
        entry.report = report;
        this.collection.set(
          uri,
          report.diagnostics.map((d) => toVsDiagnostic(d, uri)),
        );
        this.changed.fire(uri);
      },
      (e: Error) => {
        if (entry.abort.signal.aborted) return;
        entry.error = `Validation failed: ${e.message}`;
        this.changed.fire(uri);
      },
    );
  }

  dispose(): void {
    for (const e of this.entries.values()) e.abort.abort();
    this.entries.clear();
    for (const d of this.subscriptions) d.dispose();
  }
}

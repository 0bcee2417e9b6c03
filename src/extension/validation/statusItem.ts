/** One status-bar item for the active dataset: format, record count, errors and warnings. */
import * as vscode from 'vscode';
import { FORMATS, type FormatId } from '../../core/formats/formats';
import type { DatasetSummary } from './datasetValidation';

/** Where the status item gets the summary of a file from (live documents, large files). */
export interface SummaryProvider {
  summary(uri: vscode.Uri): DatasetSummary | undefined;
  readonly onDidUpdate: vscode.Event<vscode.Uri>;
}

export function statusText(s: DatasetSummary): string {
  if (s.error && !s.report) return '$(error) Dataset: validation failed';
  if (s.pending || !s.report) return '$(sync~spin) Dataset: validating…';
  const r = s.report;
  // golden and safety sets are never conversational: the lookup below is only reached for training formats
  const fmt = r.format ? `${r.conversational && FORMATS[r.format as FormatId].shape === 'both' ? 'conversational ' : ''}${r.format}` : 'unknown format';
  return `$(database) ${fmt} · ${r.records.toLocaleString('en-US')} records · $(error) ${r.errors} $(warning) ${r.warnings}`;
}

/** The file in the active tab: an editor's document, or a large file VS Code did not sync. */
function activeUri(): vscode.Uri | undefined {
  const doc = vscode.window.activeTextEditor?.document;
  if (doc) return doc.uri;
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  return input instanceof vscode.TabInputText ? input.uri : undefined;
}

/** The status in words (for screen readers and the summary message): "… · 4 errors, 3 warnings". */
export function plainStatus(s: DatasetSummary): string {
  return statusText(s)
    .replace(/\$\(error\) (\d+) \$\(warning\) (\d+)/, '$1 errors, $2 warnings')
    .replace(/\$\([\w~-]+\)\s?/g, '');
}

export class DatasetStatusItem implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('finetuneStudio.dataset', vscode.StatusBarAlignment.Left, 50);
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly providers: readonly SummaryProvider[]) {
    this.item.name = 'Finetune Studio: Dataset';
    this.item.command = 'finetuneStudio.showDatasetSummary';
    this.subscriptions.push(
      vscode.window.onDidChangeActiveTextEditor(() => this.update()),
      vscode.window.tabGroups.onDidChangeTabs(() => this.update()),
      ...providers.map((p) =>
        p.onDidUpdate((uri) => {
          if (activeUri()?.toString() === uri.toString()) this.update();
        }),
      ),
    );
    this.update();
  }

  current(): DatasetSummary | undefined {
    const uri = activeUri();
    if (!uri) return undefined;
    for (const p of this.providers) {
      const s = p.summary(uri);
      if (s) return s;
    }
    return undefined;
  }

  update(): void {
    const s = this.current();
    if (!s) {
      this.item.hide();
      return;
    }
    this.item.text = statusText(s);
    const md = new vscode.MarkdownString(undefined, true);
    md.isTrusted = { enabledCommands: ['workbench.actions.view.problems'] };
    if (s.report) {
      const r = s.report;
      md.appendMarkdown(`**Finetune Studio dataset**\n\n`);
      md.appendText(
        `Format: ${r.format ?? 'unknown'}${r.conversational ? ' (conversational)' : ''}\nRecords: ${r.records}\nErrors: ${r.errors}, warnings: ${r.warnings}, infos: ${r.infos}\n`,
      );
    }
    for (const n of s.notes) md.appendText(`\n${n}`);
    if (s.error) md.appendText(`\n${s.error}`);
    md.appendMarkdown('\n\n[Show problems](command:workbench.actions.view.problems)');
    this.item.tooltip = md;
    // screen readers get plain words (the markdown tooltip escapes spaces as &nbsp;)
    this.item.accessibilityInformation = { label: [`Dataset: ${plainStatus(s)}`, ...s.notes, ...(s.error ? [s.error] : [])].join('. ') };
    this.item.backgroundColor = s.report && s.report.errors > 0 ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
    for (const d of this.subscriptions) d.dispose();
  }
}

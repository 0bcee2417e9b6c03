/** One status-bar item for the active dataset: format, record count, errors and warnings. */
import * as vscode from 'vscode';
import { FORMATS } from '../core/formats/formats';
import type { DatasetSummary, DatasetValidation } from './datasetValidation';

export function statusText(s: DatasetSummary): string {
  if (s.error && !s.report) return '$(error) Dataset: validation failed';
  if (s.pending || !s.report) return '$(sync~spin) Dataset: validating…';
  const r = s.report;
  const fmt = r.format ? `${r.conversational && FORMATS[r.format].shape === 'both' ? 'conversational ' : ''}${r.format}` : 'unknown format';
  return `$(database) ${fmt} · ${r.records.toLocaleString('en-US')} records · $(error) ${r.errors} $(warning) ${r.warnings}`;
}

export class DatasetStatusItem implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('finetuneStudio.dataset', vscode.StatusBarAlignment.Left, 50);
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly validation: DatasetValidation) {
    this.item.name = 'Finetune Studio: Dataset';
    this.item.command = 'finetuneStudio.showDatasetSummary';
    this.subscriptions.push(
      vscode.window.onDidChangeActiveTextEditor(() => this.update()),
      validation.onDidUpdate((uri) => {
        if (vscode.window.activeTextEditor?.document.uri.toString() === uri.toString()) this.update();
      }),
    );
    this.update();
  }

  update(): void {
    const doc = vscode.window.activeTextEditor?.document;
    const s = doc && this.validation.summary(doc.uri);
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
      md.appendText(`Format: ${r.format ?? 'unknown'}${r.conversational ? ' (conversational)' : ''}\nRecords: ${r.records}\nErrors: ${r.errors}, warnings: ${r.warnings}, infos: ${r.infos}\n`);
    }
    for (const n of s.notes) md.appendText(`\n${n}`);
    if (s.error) md.appendText(`\n${s.error}`);
    md.appendMarkdown('\n\n[Show problems](command:workbench.actions.view.problems)');
    this.item.tooltip = md;
    // screen readers get plain words (the markdown tooltip escapes spaces as &nbsp;)
    const plain = statusText(s).replace(/\$\(error\) (\d+) \$\(warning\) (\d+)/, '$1 errors, $2 warnings').replace(/\$\([\w~-]+\)\s?/g, '');
    this.item.accessibilityInformation = { label: [`Dataset: ${plain}`, ...s.notes, ...(s.error ? [s.error] : [])].join('. ') };
    this.item.backgroundColor = s.report && s.report.errors > 0 ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
    for (const d of this.subscriptions) d.dispose();
  }
}

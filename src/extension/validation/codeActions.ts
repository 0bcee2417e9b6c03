/** Quick fixes: the fixes core attached to diagnostics, as code actions. */
import * as vscode from 'vscode';
import { SOURCE } from './convert';
import type { QuickFix } from '../../core/checks/diagnostic';

/** Who kept the quick fixes of the diagnostics it published (JSONL documents, JSON array documents). */
export interface FixSource {
  fixFor(uri: vscode.Uri, line: number, start: number, end: number, code: string): QuickFix | undefined;
}

export class DatasetCodeActions implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  constructor(private readonly sources: readonly FixSource[]) {}

  provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const actions: vscode.CodeAction[] = [];
    for (const d of context.diagnostics) {
      if (d.source !== SOURCE || typeof d.code !== 'string') continue;
      let fix: QuickFix | undefined;
      for (const s of this.sources) fix ??= s.fixFor(doc.uri, d.range.start.line, d.range.start.character, d.range.end.character, d.code);
      if (!fix) continue;
      const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
      const edit = new vscode.WorkspaceEdit();
      const line = d.range.start.line;
      if (fix.deleteLine) {
        edit.delete(doc.uri, line + 1 < doc.lineCount ? new vscode.Range(line, 0, line + 1, 0) : doc.lineAt(line).rangeIncludingLineBreak);
      }
      for (const e of fix.edits) edit.replace(doc.uri, new vscode.Range(line, e.start, line, e.end), e.newText);
      action.edit = edit;
      action.diagnostics = [d];
      action.isPreferred = fix.edits.length > 0;
      actions.push(action);
    }
    return actions;
  }
}

/** Core diagnostics -> VS Code diagnostics. The glue never re-derives what core computed. */
import * as vscode from 'vscode';
import type { Diagnostic } from '../../core/checks/diagnostic';

export const SOURCE = 'finetune-studio';

const SEVERITY: Record<Diagnostic['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

export function toVsDiagnostic(d: Diagnostic, uri: vscode.Uri): vscode.Diagnostic {
  const v = new vscode.Diagnostic(new vscode.Range(d.line, d.start, d.line, Math.max(d.end, d.start)), d.message, SEVERITY[d.severity]);
  v.source = SOURCE;
  v.code = d.code;
  if (d.related) {
    v.relatedInformation = d.related.map(
      (r) => new vscode.DiagnosticRelatedInformation(new vscode.Location(uri, new vscode.Range(r.line, r.start, r.line, r.end)), r.message),
    );
  }
  return v;
}

/** The key under which a published diagnostic's quick fix is kept (VS Code hands back copies). */
export function fixKey(line: number, start: number, end: number, code: string): string {
  return `${line}:${start}:${end}:${code}`;
}

/** A dataset's lines (and what is derived from them), recomputed only when the document's version changes. */
import * as vscode from 'vscode';

export class DocumentSnapshot<T> {
  private cache?: { uri: string; version: number; lines: string[]; derived: T };

  constructor(private readonly derive: (lines: string[]) => T) {}

  async get(uri: vscode.Uri): Promise<{ doc: vscode.TextDocument; lines: string[]; derived: T }> {
    const doc = await vscode.workspace.openTextDocument(uri);
    if (this.cache?.uri !== uri.toString() || this.cache.version !== doc.version) {
      const lines: string[] = new Array(doc.lineCount);
      for (let i = 0; i < doc.lineCount; i++) lines[i] = doc.lineAt(i).text;
      this.cache = { uri: uri.toString(), version: doc.version, lines, derived: this.derive(lines) };
    }
    return { doc, lines: this.cache.lines, derived: this.cache.derived };
  }
}

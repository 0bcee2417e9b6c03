/** A dataset's lines (and what is derived from them), recomputed only when the document's version changes. */
import * as vscode from 'vscode';

/** Lines `from` .. `from + count` of a document, as text. */
export function documentLines(doc: vscode.TextDocument, from = 0, count = doc.lineCount - from): string[] {
  const out = new Array<string>(count);
  for (let i = 0; i < count; i++) out[i] = doc.lineAt(from + i).text;
  return out;
}

export class DocumentSnapshot<T> {
  private cache?: { uri: string; version: number; lines: string[]; derived: T };

  constructor(private readonly derive: (lines: string[]) => T) {}

  async get(uri: vscode.Uri): Promise<{ doc: vscode.TextDocument; lines: string[]; derived: T }> {
    const doc = await vscode.workspace.openTextDocument(uri);
    if (this.cache?.uri !== uri.toString() || this.cache.version !== doc.version) {
      const lines = documentLines(doc);
      this.cache = { uri: uri.toString(), version: doc.version, lines, derived: this.derive(lines) };
    }
    return { doc, lines: this.cache.lines, derived: this.cache.derived };
  }
}

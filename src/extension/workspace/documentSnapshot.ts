/** A document's lines as text. */
import * as vscode from 'vscode';

/** Lines `from` .. `from + count` of a document, as text. */
export function documentLines(doc: vscode.TextDocument, from = 0, count = doc.lineCount - from): string[] {
  const out = new Array<string>(count);
  for (let i = 0; i < count; i++) out[i] = doc.lineAt(from + i).text;
  return out;
}

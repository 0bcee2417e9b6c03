/**
 * A hover on a record line of an open dataset: its tokens as the trainer will see them (total, trained,
 * over the limit by how much), counted on demand for that one record, and where the counts come from
 * (the model's tokenizer and chat template, or the 4-characters estimate and why). Text only.
 */
import * as vscode from 'vscode';
import type { DatasetValidation } from './datasetValidation';

const n = (x: number) => x.toLocaleString('en-US');

export class TokenHover implements vscode.HoverProvider {
  constructor(private readonly validation: DatasetValidation) {}

  provideHover(doc: vscode.TextDocument, pos: vscode.Position): vscode.Hover | undefined {
    const info = this.validation.tokensAt(doc, pos.line);
    if (!info) return undefined;
    const { counts, counter, maxTokens } = info;
    const exact = counter.source === 'tokenizer' && !counts.note;
    const md = new vscode.MarkdownString();
    md.appendMarkdown('**Tokens** ');
    md.appendText(`${exact ? '' : 'about '}${n(counts.total)} (${n(counts.trained)} trained)`);
    md.appendText(counts.total > maxTokens ? `, ${n(counts.total - maxTokens)} over the limit of ${n(maxTokens)}` : `, limit ${n(maxTokens)}`);
    if (counts.pair) {
      const { chosen, rejected } = counts.pair;
      md.appendText(`\nchosen sequence ${n(chosen.total)} (${n(chosen.trained)} trained), rejected ${n(rejected.total)} (${n(rejected.trained)} trained)`);
    }
    md.appendMarkdown('\n\n');
    md.appendText(counts.note ? `Estimated: ${counts.note}.` : `${counter.description[0]!.toUpperCase()}${counter.description.slice(1)}.`);
    return new vscode.Hover(md, doc.lineAt(pos.line).range);
  }
}

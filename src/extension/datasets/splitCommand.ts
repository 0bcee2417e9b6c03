/** "Finetune Studio: Split Held-out Set": asks for the fraction (and strata), never overwrites without asking. */
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { HELDOUT_FRACTION, splitFile, splitPaths } from '../../core/sampling/split';
import { isDataset } from '../validation/datasetValidation';
import { configFor } from '../workspace/config';

export async function splitHeldout(): Promise<void> {
  const doc = vscode.window.activeTextEditor?.document;
  if (!doc || !isDataset(doc) || doc.uri.scheme !== 'file') {
    void vscode.window.showWarningMessage('Finetune Studio: open a saved .jsonl dataset to split it.');
    return;
  }
  if (doc.isDirty && !(await doc.save())) return;
  const folder = vscode.workspace.getWorkspaceFolder(doc.uri);
  const root = folder?.uri.fsPath ?? vscode.Uri.joinPath(doc.uri, '..').fsPath;
  const fractionText = await vscode.window.showInputBox({
    title: 'Held-out fraction',
    value: String(HELDOUT_FRACTION.default),
    prompt: 'The guide reserves 10–15% of labelled data for evaluation.',
    validateInput: (v) => (Number(v) > 0 && Number(v) < 1 ? undefined : 'A number between 0 and 1, e.g. 0.1'),
  });
  if (fractionText === undefined) return;
  const stratifyBy = await vscode.window.showInputBox({ title: 'Stratify by (optional)', placeHolder: 'a JSON path such as metadata.source; empty for none' });
  if (stratifyBy === undefined) return;
  const paths = splitPaths(doc.uri.fsPath, root);
  const existing = [paths.train, paths.heldout].filter((p) => existsSync(p));
  if (existing.length) {
    const ok = await vscode.window.showWarningMessage(
      `${existing.map((p) => vscode.workspace.asRelativePath(p)).join(' and ')} already exist. Overwrite?`,
      { modal: true },
      'Overwrite',
    );
    if (ok !== 'Overwrite') return;
  }
  const seed = configFor(doc.uri).review.seed;
  const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Splitting…' }, () =>
    splitFile(doc.uri.fsPath, root, { fraction: Number(fractionText), seed, stratifyBy: stratifyBy.trim() || undefined, overwrite: true }),
  );
  const warn = [...r.plan.warnings, ...(r.unreadable ? [`${r.unreadable} unreadable lines went to the train file`] : [])];
  const choice = await vscode.window.showInformationMessage(
    `Split ${vscode.workspace.asRelativePath(doc.uri)}: ${r.train} train, ${r.heldout} held-out (seed ${r.plan.seed}).${warn.length ? ` ${warn.join('; ')}.` : ''}`,
    'Open held-out file',
  );
  if (choice) await vscode.window.showTextDocument(vscode.Uri.file(r.files.heldout));
}

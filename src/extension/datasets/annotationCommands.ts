/** "Export Preference Pairs" and "Commit Annotations": the labelled data leaves the panel. */
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { simpleGit } from 'simple-git';
import { writeFileAtomic } from '../../core/jsonl/atomicFile';
import { annotationsPath, readAnnotations } from '../../core/preference/annotationStore';
import { exportLabelled } from '../../core/preference/exportPairs';
import { buildItems } from '../../core/preference/items';
import { STRATEGIES, type Strategy } from '../../core/preference/pairs';
import { documentLines } from '../workspace/documentSnapshot';
import { RankingPanel } from '../panels/rankingPanel';
import { workspaceRootOf } from '../workspace/roots';

function targetDataset(uri?: vscode.Uri): vscode.Uri | undefined {
  if (uri instanceof vscode.Uri) return uri;
  const ranking = RankingPanel.activeDataset();
  if (ranking) return ranking;
  const doc = vscode.window.activeTextEditor?.document;
  return doc?.uri.path.endsWith('.jsonl') ? doc.uri : undefined;
}

export async function exportPreferencePairs(uri?: vscode.Uri): Promise<void> {
  const dataset = targetDataset(uri);
  if (!dataset) return void vscode.window.showWarningMessage('Finetune Studio: open a preference dataset to export its labelled pairs.');
  const doc = await vscode.workspace.openTextDocument(dataset);
  const lines = documentLines(doc);
  const items = buildItems(lines);
  let strategy: Strategy = 'all-pairs';
  if (items.mode === 'ranking') {
    const pick = await vscode.window.showQuickPick([...STRATEGIES], { title: 'How to turn rankings into pairs' });
    if (!pick) return;
    strategy = pick as Strategy;
  }
  const { events } = readAnnotations(annotationsPath(workspaceRootOf(dataset), dataset.fsPath));
  const r = exportLabelled(lines, items, events, strategy);
  const out = join(dirname(dataset.fsPath), `${basename(dataset.fsPath).replace(/\.jsonl$/i, '')}.pairs.jsonl`);
  if (existsSync(out)) {
    const ok = await vscode.window.showWarningMessage(`${vscode.workspace.asRelativePath(out)} exists. Overwrite?`, { modal: true }, 'Overwrite');
    if (ok !== 'Overwrite') return;
  }
  writeFileAtomic(out, r.pairs.map((p) => JSON.stringify(p) + '\n').join(''));
  const choice = await vscode.window.showInformationMessage(
    `Exported ${r.pairs.length} pairs to ${vscode.workspace.asRelativePath(out)}: ${r.kept} kept, ${r.swapped} swapped, ${r.dropped} dropped (ties, skips, flags, split votes), ${r.unlabelled} unlabelled.`,
    'Open',
  );
  if (choice) await vscode.window.showTextDocument(vscode.Uri.file(out));
}

export async function commitAnnotations(uri?: vscode.Uri): Promise<void> {
  if (!vscode.workspace.isTrusted) return void vscode.window.showWarningMessage('Finetune Studio: committing runs git, which needs a trusted workspace.');
  const dataset = targetDataset(uri);
  if (!dataset) return void vscode.window.showWarningMessage('Finetune Studio: open the dataset whose annotations to commit.');
  const root = workspaceRootOf(dataset);
  const log = annotationsPath(root, dataset.fsPath);
  if (!existsSync(log)) return void vscode.window.showInformationMessage(`Finetune Studio: no annotations for ${basename(dataset.fsPath)} yet.`);
  const git = simpleGit({ baseDir: root });
  if (!(await git.checkIsRepo().catch(() => false))) {
    return void vscode.window.showInformationMessage('Finetune Studio: this workspace is not a git repository; nothing was committed.');
  }
  const counts = new Map<string, number>();
  for (const e of readAnnotations(log).events) if (e.kind !== 'undo') counts.set(e.annotator, (counts.get(e.annotator) ?? 0) + 1);
  const who = [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([a, n]) => `${a}: ${n}`)
    .join(', ');
  const message = `Annotations for ${basename(dataset.fsPath)} (${who})`;
  await git.add(log);
  const r = await git.commit(message, [log]);
  void vscode.window.showInformationMessage(
    r.commit ? `Finetune Studio: committed ${r.commit} — ${message}` : 'Finetune Studio: the annotations were already committed.',
  );
}

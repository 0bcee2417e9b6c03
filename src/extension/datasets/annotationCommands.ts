/** "Export Preference Pairs" and "Commit Annotations": the labelled data leaves the panel. */
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { simpleGit } from 'simple-git';
import { ExportCancelled, exportPairsFile } from '../../core/annotation/exportPairsFile';
import { FileIndex } from '../../core/indexing/fileIndex';
import { annotationsPath, readAnnotations } from '../../core/preference/annotationStore';
import { STRATEGIES, type Strategy } from '../../core/preference/pairs';
import { RankingPanel } from '../panels/rankingPanel';
import { datasetTarget } from '../workspace/datasetTarget';
import { workspaceRootOf } from '../workspace/roots';

/**
 * Export Preference Pairs: from the dataset on disk (any size; it need not be open), the file taken as
 * the palette commands take it: the explorer click, the active tab, the ranking panel in front, a picker.
 */
export async function exportPreferencePairs(uri?: unknown): Promise<void> {
  const dataset = await datasetTarget(uri, 'export its labelled pairs', RankingPanel.activeDataset);
  if (!dataset) return;
  const rel = vscode.workspace.asRelativePath(dataset);
  const out = join(dirname(dataset.fsPath), `${basename(dataset.fsPath).replace(/\.jsonl$/i, '')}.pairs.jsonl`);
  const index = new FileIndex(dataset.fsPath, 'items');
  try {
    await index.item(0); // the mode is known with the first items
    if (index.error) return void vscode.window.showErrorMessage(`Finetune Studio: ${index.error}`);
    if (index.done && !index.items.length)
      return void vscode.window.showWarningMessage(`Finetune Studio: ${rel} has no preference pairs or candidates to rank: nothing to export.`);
    let strategy: Strategy = 'all-pairs';
    if (index.mode === 'ranking') {
      const pick = await vscode.window.showQuickPick([...STRATEGIES], { title: 'How to turn rankings into pairs' });
      if (!pick) return;
      strategy = pick as Strategy;
    }
    const { events, problems } = readAnnotations(annotationsPath(workspaceRootOf(dataset), dataset.fsPath));
    if (existsSync(out)) {
      const ok = await vscode.window.showWarningMessage(`${vscode.workspace.asRelativePath(out)} exists. Overwrite?`, { modal: true }, 'Overwrite');
      if (ok !== 'Overwrite') return;
    }
    const r = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Exporting the labelled pairs of ${basename(dataset.fsPath)}`, cancellable: true },
      async (progress, token) => {
        let last = 0;
        try {
          return await exportPairsFile(index, events, out, {
            strategy,
            cancelled: () => token.isCancellationRequested,
            progress: (f) => {
              const pct = Math.floor(f * 100);
              if (pct > last) progress.report({ increment: pct - last, message: `${pct}%` });
              last = Math.max(last, pct);
            },
          });
        } catch (e) {
          if (e instanceof ExportCancelled) return undefined;
          throw e;
        }
      },
    );
    if (!r)
      return void vscode.window.showInformationMessage(`Finetune Studio: the export was cancelled; ${vscode.workspace.asRelativePath(out)} was not changed.`);
    const skipped = problems.length ? ` ${problems.length} unreadable line(s) of the annotation log were skipped.` : '';
    const choice = await vscode.window.showInformationMessage(
      `Exported ${r.written.toLocaleString('en-US')} pairs to ${vscode.workspace.asRelativePath(out)}: ${r.kept.toLocaleString('en-US')} kept, ${r.swapped.toLocaleString('en-US')} swapped, ${r.dropped.toLocaleString('en-US')} dropped (ties, skips, flags, split votes), ${r.unlabelled.toLocaleString('en-US')} unlabelled.${skipped}`,
      'Open',
    );
    if (choice) await vscode.window.showTextDocument(vscode.Uri.file(out));
  } catch (e) {
    void vscode.window.showErrorMessage(`Finetune Studio: could not export the pairs of ${rel}: ${(e as Error).message}`);
  } finally {
    index.dispose();
  }
}

export async function commitAnnotations(uri?: unknown): Promise<void> {
  if (!vscode.workspace.isTrusted) return void vscode.window.showWarningMessage('Finetune Studio: committing runs git, which needs a trusted workspace.');
  const dataset = await datasetTarget(uri, 'commit its annotations', RankingPanel.activeDataset);
  if (!dataset) return;
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

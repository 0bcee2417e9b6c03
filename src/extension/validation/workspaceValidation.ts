/**
 * "Validate All Datasets in Workspace": every .jsonl file, off the main thread, with progress and cancel.
 * With an embedding model (finetune.json embeddings.model or finetuneStudio.embeddings.model, trusted
 * workspaces) held-out files also get `heldout-semantic-leak`, kept in their own collection: an open
 * document's live validation does not compute them, and an edit clears them (stale) until the next run.
 */
import * as vscode from 'vscode';
import { validateDataset } from '../../core/validation/validateDataset';
import { toVsDiagnostic } from './convert';
import { settingsFor } from '../workspace/settings';
import { semanticModelFor } from '../workspace/semanticModel';

const EXCLUDE = '**/{node_modules,.git,.finetune}/**';

const SEMANTIC_CODE = 'heldout-semantic-leak';

export async function validateWorkspace(collection: vscode.DiagnosticCollection, semanticCollection: vscode.DiagnosticCollection): Promise<void> {
  const problems = new Set<string>();
  const files = await vscode.workspace.findFiles('**/*.jsonl', EXCLUDE);
  const open = new Set(vscode.workspace.textDocuments.map((d) => d.uri.toString()));
  let errors = 0,
    warnings = 0,
    done = 0;
  const cancelled = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Finetune Studio: validating datasets', cancellable: true },
    async (progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      for (const uri of files) {
        if (token.isCancellationRequested) return true;
        progress.report({ message: vscode.workspace.asRelativePath(uri), increment: 100 / Math.max(1, files.length) });
        const settings = settingsFor(uri);
        if (!settings.enabled) continue;
        try {
          const model = semanticModelFor(uri);
          const semantic = 'dir' in model ? { config: model, onProblem: (m: string) => problems.add(m) } : undefined;
          const report = await validateDataset(uri.fsPath, settings.options, { offThread: true, cap: settings.cap, signal: abort.signal, semantic });
          errors += report.errors;
          warnings += report.warnings;
          const leaks = report.diagnostics.filter((d) => d.code === SEMANTIC_CODE);
          if (leaks.length)
            semanticCollection.set(
              uri,
              leaks.map((d) => toVsDiagnostic(d, uri)),
            );
          else semanticCollection.delete(uri);
          // an open document is validated live; do not overwrite its diagnostics
          if (!open.has(uri.toString()))
            collection.set(
              uri,
              report.diagnostics.filter((d) => d.code !== SEMANTIC_CODE).map((d) => toVsDiagnostic(d, uri)),
            );
          done++;
        } catch (e) {
          if (token.isCancellationRequested) return true;
          void vscode.window.showErrorMessage(`Finetune Studio: could not validate ${vscode.workspace.asRelativePath(uri)}: ${(e as Error).message}`);
        }
      }
      return false;
    },
  );
  for (const p of problems) void vscode.window.showWarningMessage(`Finetune Studio: ${p}`);
  const msg = `Finetune Studio: ${done} of ${files.length} dataset${files.length === 1 ? '' : 's'} validated${cancelled ? ' (cancelled)' : ''}: ${errors} errors, ${warnings} warnings.`;
  const choice = await vscode.window.showInformationMessage(msg, 'Show Problems');
  if (choice) await vscode.commands.executeCommand('workbench.actions.view.problems');
}

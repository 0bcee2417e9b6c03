/**
 * The dataset a command on a dataset works on: the file clicked in the explorer, else the active
 * tab's file (also a tab VS Code would not load as text: a large file shows as a binary or
 * "too large" tab, and has no text editor), else the dataset of the review or ranking panel in front,
 * else one the person picks.
 */
import * as vscode from 'vscode';

const isDataset = (u: vscode.Uri | undefined): u is vscode.Uri => !!u && u.scheme === 'file' && u.path.endsWith('.jsonl');

/** The file of the active tab, whatever kind of tab it is. */
export function activeTabFile(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom || input instanceof vscode.TabInputNotebook) return input.uri;
  if (input instanceof vscode.TabInputTextDiff) return input.modified;
  const uri = (input as { uri?: unknown } | undefined)?.uri;
  return uri instanceof vscode.Uri ? uri : undefined;
}

/**
 * The dataset a command works on without asking: the file clicked (or `'refused'` when what was
 * clicked is not a dataset; the person was told), the active tab's, the panel's in front; else
 * `'pick'`: the person has to choose one.
 */
export function datasetInContext(arg: unknown, what: string, panelDataset?: () => vscode.Uri | undefined): vscode.Uri | 'refused' | 'pick' {
  if (arg instanceof vscode.Uri) {
    if (isDataset(arg)) return arg;
    void vscode.window.showWarningMessage(`Finetune Studio: ${vscode.workspace.asRelativePath(arg)} is not a .jsonl dataset: pick a .jsonl file to ${what}.`);
    return 'refused';
  }
  for (const u of [activeTabFile(), vscode.window.activeTextEditor?.document.uri, panelDataset?.()]) if (isDataset(u)) return u;
  return 'pick';
}

/** Ask the person for a .jsonl dataset (the workspace's first folder first). */
export async function pickDataset(what: string): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    openLabel: what.charAt(0).toUpperCase() + what.slice(1),
    title: `Finetune Studio: pick a .jsonl dataset to ${what}`,
    filters: { 'JSONL datasets': ['jsonl'] },
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
  });
  return picked?.[0];
}

export async function datasetTarget(arg: unknown, what: string, panelDataset?: () => vscode.Uri | undefined): Promise<vscode.Uri | undefined> {
  const known = datasetInContext(arg, what, panelDataset);
  if (known === 'refused') return undefined;
  return known === 'pick' ? pickDataset(what) : known;
}

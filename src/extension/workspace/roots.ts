/**
 * The workspace root as the editor sees it, in one place: the folder that holds a dataset, the folder
 * that holds finetune.json, the first folder. (The CLI's root is core's projectRoot.)
 */
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_FILE } from '../../core/project/projectConfig';

/** Where .finetune/ goes for a dataset: its workspace folder, else the dataset's own folder. */
export function workspaceRootOf(uri: vscode.Uri): string {
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  return folder ? folder.uri.fsPath : vscode.Uri.joinPath(uri, '..').fsPath;
}

/** The workspace folder that holds finetune.json (the first such), if any. */
export function configFolder(): vscode.WorkspaceFolder | undefined {
  return vscode.workspace.workspaceFolders?.find((f) => existsSync(join(f.uri.fsPath, CONFIG_FILE)));
}

/** The first workspace folder: where a new finetune.json goes and where runs are listed. */
export function firstFolder(): vscode.WorkspaceFolder | undefined {
  return vscode.workspace.workspaceFolders?.[0];
}

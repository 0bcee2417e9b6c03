/**
 * Who is reviewing: the setting finetuneStudio.reviewer, else git's user.name <user.email> (git runs
 * only in a trusted workspace), else the OS user.
 */
import * as vscode from 'vscode';
import { userInfo } from 'node:os';
import { simpleGit } from 'simple-git';
import { configFor } from './config';

export async function reviewerIdentity(folder: vscode.Uri | undefined): Promise<string> {
  const configured = configFor().reviewer;
  if (configured) return configured;
  if (vscode.workspace.isTrusted && folder?.scheme === 'file') {
    try {
      const git = simpleGit({ baseDir: folder.fsPath, timeout: { block: 3000 } });
      const name = (await git.getConfig('user.name')).value;
      const email = (await git.getConfig('user.email')).value;
      if (name) return email ? `${name} <${email}>` : name;
    } catch {
      /* no git, or not configured */
    }
  }
  try {
    return userInfo().username || 'reviewer';
  } catch {
    return 'reviewer';
  }
}

/**
 * "Preview Training Tokens": the first records of finetune.json's training file as the bundled trainer
 * tokenizes them, in a panel. Runs the trainer's Python, so only in a trusted workspace; the interpreter
 * is the one Start Fine-tune uses (trainerInterpreter: never a workspace-scoped setting).
 */
import * as vscode from 'vscode';
import { join } from 'node:path';
import { describeInterpreter } from '../../core/python/interpreter';
import { CONFIG_FILE } from '../../core/project/projectConfig';
import { ConfigError, loadConfig } from '../../core/training/config';
import { TokensPanel } from '../panels/tokensPanel';
import { configFolder } from '../workspace/roots';
import { SETUP_COMMAND, trainerInterpreter } from './pythonEnvironment';

export const PREVIEW_TOKENS_COMMAND = 'finetuneStudio.previewTrainingTokens';

export async function previewTrainingTokens(extensionUri: vscode.Uri, storageUri: vscode.Uri, log: vscode.LogOutputChannel): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window
      .showWarningMessage(
        "Finetune Studio: the token preview runs the trainer's Python (its tokenizer and chat template): trust this workspace first.",
        'Manage Workspace Trust',
      )
      .then((c) => {
        if (c) void vscode.commands.executeCommand('workbench.trust.manage');
      });
    return;
  }
  const folder = configFolder();
  if (!folder) {
    const c = await vscode.window.showWarningMessage(
      `Finetune Studio: no ${CONFIG_FILE} in the workspace: the preview needs its model and training file.`,
      `Create ${CONFIG_FILE}`,
    );
    if (c) await vscode.commands.executeCommand('finetuneStudio.createConfig');
    return;
  }
  const path = join(folder.uri.fsPath, CONFIG_FILE);
  let config;
  try {
    config = loadConfig(path);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    void vscode.window
      .showErrorMessage(`Finetune Studio: ${e.message}`, `Open ${CONFIG_FILE}`)
      .then((c) => c && vscode.window.showTextDocument(vscode.Uri.file(path)));
    return;
  }
  const interpreter = await trainerInterpreter(storageUri, folder, config.python);
  log.info(`Preview Training Tokens: ${config.data.train} with ${config.model}, interpreter ${describeInterpreter(interpreter)}`);
  TokensPanel.show(extensionUri, {
    config,
    python: interpreter.python,
    interpreter: describeInterpreter(interpreter),
    trainerDir: vscode.Uri.joinPath(extensionUri, 'trainer').fsPath,
    setupCommand: SETUP_COMMAND,
    log: (line) => log.info(line),
  });
}

/** Activation: wire core results into the editor. Thin glue; all dataset logic lives in src/core. */
import * as vscode from 'vscode';
import { CONFIG_FILE } from '../core/project/projectConfig';
import { DatasetCodeActions } from './codeActions';
import { SOURCE } from './convert';
import { DatasetValidation } from './datasetValidation';
import { LargeFileValidation } from './largeFiles';
import { compareRuns, createConfig } from './runCommands';
import { PythonEnvironment, SETUP_COMMAND } from './pythonEnvironment';
import { Training } from './training';
import { RunViewSerializer } from './runView';
import { RUN_VIEW_TYPE } from '../protocol/run';
import { ReviewPanel } from './reviewPanel';
import { DatasetPanelSerializer } from './webviewHtml';
import { splitHeldout } from './splitCommand';
import { REVIEW_VIEW_TYPE } from '../protocol/review';
import { RANKING_VIEW_TYPE } from '../protocol/ranking';
import { RankingPanel } from './rankingPanel';
import { commitAnnotations, exportPreferencePairs } from './annotationCommands';
import { forgetProjectConfigs } from './settings';
import { DatasetStatusItem, plainStatus } from './statusItem';
import { validateWorkspace } from './workspaceValidation';

export function activate(context: vscode.ExtensionContext): void {
  const collection = vscode.languages.createDiagnosticCollection(SOURCE);
  const validation = new DatasetValidation(collection);
  const largeFiles = new LargeFileValidation(collection);
  const status = new DatasetStatusItem([validation, largeFiles]);
  const training = new Training(context.extensionUri, context.globalStorageUri);
  const pythonEnvironment = new PythonEnvironment(context.extensionUri, context.globalStorageUri);
  const configWatcher = vscode.workspace.createFileSystemWatcher(`**/${CONFIG_FILE}`);
  const onConfig = () => {
    forgetProjectConfigs();
    validation.revalidateAll();
    status.update();
  };
  context.subscriptions.push(
    collection,
    validation,
    largeFiles,
    status,
    configWatcher,
    configWatcher.onDidChange(onConfig),
    configWatcher.onDidCreate(onConfig),
    configWatcher.onDidDelete(onConfig),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('finetuneStudio')) onConfig();
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(onConfig),
    vscode.languages.registerCodeActionsProvider({ language: 'jsonl' }, new DatasetCodeActions(validation), {
      providedCodeActionKinds: DatasetCodeActions.kinds,
    }),
    vscode.commands.registerCommand('finetuneStudio.validateWorkspace', () => validateWorkspace(collection)),
    vscode.commands.registerCommand('finetuneStudio.reviewSample', onDataset('review its sample', (uri) => ReviewPanel.show(context.extensionUri, uri))),
    vscode.commands.registerCommand('finetuneStudio.splitHeldout', splitHeldout),
    vscode.commands.registerCommand('finetuneStudio.rankPreferences', onDataset('rank it', (uri) => RankingPanel.show(context.extensionUri, uri))),
    vscode.commands.registerCommand('finetuneStudio.exportPreferencePairs', exportPreferencePairs),
    vscode.commands.registerCommand('finetuneStudio.commitAnnotations', commitAnnotations),
    vscode.window.registerWebviewPanelSerializer(RANKING_VIEW_TYPE, new DatasetPanelSerializer(context.extensionUri, RankingPanel.attach)),
    training,
    vscode.commands.registerCommand('finetuneStudio.startFinetune', () => training.start()),
    pythonEnvironment,
    vscode.commands.registerCommand(SETUP_COMMAND, () => pythonEnvironment.setUp()),
    vscode.commands.registerCommand('finetuneStudio.stopFinetune', () => training.stop()),
    vscode.commands.registerCommand('finetuneStudio.showTrainingLog', () => training.log.show()),
    vscode.commands.registerCommand('finetuneStudio.openRun', () => training.openRun()),
    vscode.commands.registerCommand('finetuneStudio.showRun', () => training.showRunView()),
    vscode.window.registerWebviewPanelSerializer(RUN_VIEW_TYPE, new RunViewSerializer(context.extensionUri)),
    vscode.commands.registerCommand('finetuneStudio.createConfig', createConfig),
    vscode.commands.registerCommand('finetuneStudio.compareRuns', compareRuns),
    vscode.window.registerWebviewPanelSerializer(REVIEW_VIEW_TYPE, new DatasetPanelSerializer(context.extensionUri, ReviewPanel.attach)),
    vscode.commands.registerCommand('finetuneStudio.showDatasetSummary', async () => {
      const s = status.current();
      if (!s) {
        void vscode.window.showInformationMessage('Finetune Studio: open a .jsonl dataset to see its summary.');
        return;
      }
      const choice = await vscode.window.showInformationMessage(`${vscode.workspace.asRelativePath(s.uri)}: ${plainStatus(s)}`, 'Show Problems');
      if (choice) await vscode.commands.executeCommand('workbench.actions.view.problems');
    }),
  );
}

/** A command on a dataset: the one clicked in the explorer, else the active editor's. */
function onDataset(what: string, run: (uri: vscode.Uri) => Promise<void>) {
  return async (uri?: vscode.Uri) => {
    const target = uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri;
    if (!target || !target.path.endsWith('.jsonl')) {
      void vscode.window.showWarningMessage(`Finetune Studio: open a .jsonl dataset to ${what}.`);
      return;
    }
    await run(target);
  };
}

export function deactivate(): void {}

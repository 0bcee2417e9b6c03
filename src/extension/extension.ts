/** Activation: wire core results into the editor. Thin glue; all dataset logic lives in src/core. */
import * as vscode from 'vscode';
import { CONFIG_FILE } from '../core/project/projectConfig';
import { DatasetCodeActions } from './validation/codeActions';
import { SOURCE } from './validation/convert';
import { DatasetValidation } from './validation/datasetValidation';
import { TokenHover } from './validation/tokenHover';
import { LargeFileValidation } from './validation/largeFiles';
import { compareRuns, createConfig } from './training/runCommands';
import { Training } from './training/training';
import { RunViewSerializer } from './panels/runView';
import { EvalViewSerializer } from './panels/evalView';
import { EVAL_VIEW_TYPE } from '../protocol/eval';
import { PythonEnvironment, SETUP_COMMAND } from './training/pythonEnvironment';
import { PREVIEW_TOKENS_COMMAND, previewTrainingTokens } from './training/tokenPreview';
import { RUN_VIEW_TYPE } from '../protocol/run';
import { ReviewPanel } from './panels/reviewPanel';
import { DatasetPanelSerializer } from './panels/datasetPanel';
import { splitHeldout } from './datasets/splitCommand';
import { REVIEW_VIEW_TYPE } from '../protocol/review';
import { RANKING_VIEW_TYPE } from '../protocol/ranking';
import { RankingPanel } from './panels/rankingPanel';
import { commitAnnotations, exportPreferencePairs } from './datasets/annotationCommands';
import { forgetProjectConfigs } from './workspace/settings';
import { DatasetStatusItem, plainStatus } from './validation/statusItem';
import { validateWorkspace } from './validation/workspaceValidation';
import { scoreGoldenCommand } from './datasets/scoreGolden';
import { DATASET_INFO } from '../core/formats/llamaFactory';
import { JsonArrayValidation } from './validation/jsonArrayValidation';
import { DatasetReportPanel, DatasetReportSerializer } from './panels/datasetReportPanel';
import { DATASET_REPORT_VIEW_TYPE } from '../protocol/datasetReport';
import { datasetInContext, datasetTarget, pickDataset } from './workspace/datasetTarget';
import { DatasetPanel, type DatasetPanelKind } from './panels/datasetPanel';

export function activate(context: vscode.ExtensionContext): void {
  const collection = vscode.languages.createDiagnosticCollection(SOURCE);
  // heldout-semantic-leak from Validate All (workspaceValidation.ts): cleared by an edit of its file
  const semanticCollection = vscode.languages.createDiagnosticCollection(`${SOURCE} (semantic)`);
  const validation = new DatasetValidation(collection);
  const largeFiles = new LargeFileValidation(collection);
  const arrays = new JsonArrayValidation(collection);
  const status = new DatasetStatusItem([validation, largeFiles, arrays]);
  const training = new Training(context.extensionUri, context.globalStorageUri);
  // finetune.json and LLaMA-Factory's registry both decide how datasets are read
  const configWatcher = vscode.workspace.createFileSystemWatcher(`**/{${CONFIG_FILE},${DATASET_INFO}}`);
  const pythonEnvironment = new PythonEnvironment(context.extensionUri, context.globalStorageUri);
  const onConfig = () => {
    forgetProjectConfigs();
    semanticCollection.clear();
    validation.revalidateAll();
    arrays.revalidateAll();
    status.update();
  };
  context.subscriptions.push(
    collection,
    semanticCollection,
    vscode.workspace.onDidChangeTextDocument((e) => e.contentChanges.length && semanticCollection.delete(e.document.uri)),
    validation,
    largeFiles,
    arrays,
    status,
    configWatcher,
    configWatcher.onDidChange(onConfig),
    configWatcher.onDidCreate(onConfig),
    configWatcher.onDidDelete(onConfig),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('finetuneStudio')) onConfig();
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(onConfig),
    vscode.languages.registerHoverProvider({ language: 'jsonl' }, new TokenHover(validation)),
    vscode.languages.registerCodeActionsProvider([{ language: 'jsonl' }, { language: 'json', scheme: 'file' }], new DatasetCodeActions([validation, arrays]), {
      providedCodeActionKinds: DatasetCodeActions.kinds,
    }),
    vscode.commands.registerCommand('finetuneStudio.validateWorkspace', () => validateWorkspace(collection, semanticCollection)),
    vscode.commands.registerCommand('finetuneStudio.reviewSample', onPanelDataset('review its sample', ReviewPanel.kind, context.extensionUri)),
    vscode.commands.registerCommand('finetuneStudio.splitHeldout', splitHeldout),
    vscode.commands.registerCommand('finetuneStudio.rankPreferences', onPanelDataset('rank it', RankingPanel.kind, context.extensionUri)),
    vscode.commands.registerCommand('finetuneStudio.exportPreferencePairs', exportPreferencePairs),
    vscode.commands.registerCommand(
      'finetuneStudio.datasetReport',
      onDataset('see its report', (uri) => DatasetReportPanel.show(context.extensionUri, uri)),
    ),
    vscode.window.registerWebviewPanelSerializer(DATASET_REPORT_VIEW_TYPE, new DatasetReportSerializer(context.extensionUri)),
    vscode.commands.registerCommand('finetuneStudio.commitAnnotations', commitAnnotations),
    vscode.window.registerWebviewPanelSerializer(RANKING_VIEW_TYPE, new DatasetPanelSerializer(context.extensionUri, RankingPanel.kind)),
    training,
    vscode.commands.registerCommand('finetuneStudio.startFinetune', () => training.start()),
    vscode.commands.registerCommand('finetuneStudio.resumeFineTune', () => training.resume()),
    pythonEnvironment,
    vscode.commands.registerCommand(SETUP_COMMAND, () => pythonEnvironment.setUp()),
    vscode.commands.registerCommand('finetuneStudio.stopFinetune', () => training.stop()),
    vscode.commands.registerCommand(PREVIEW_TOKENS_COMMAND, () => previewTrainingTokens(context.extensionUri, context.globalStorageUri, training.log)),
    vscode.commands.registerCommand('finetuneStudio.showTrainingLog', () => training.log.show()),
    vscode.commands.registerCommand('finetuneStudio.openRun', () => training.openRun()),
    vscode.commands.registerCommand('finetuneStudio.showRun', (runDir?: unknown) => training.showRunView(typeof runDir === 'string' ? runDir : undefined)),
    vscode.commands.registerCommand('finetuneStudio.openEvalView', (runDir?: unknown) =>
      training.openEvalView(typeof runDir === 'string' ? runDir : undefined),
    ),
    vscode.window.registerWebviewPanelSerializer(EVAL_VIEW_TYPE, new EvalViewSerializer(context.extensionUri)),
    vscode.window.registerWebviewPanelSerializer(RUN_VIEW_TYPE, new RunViewSerializer(context.extensionUri)),
    vscode.commands.registerCommand('finetuneStudio.createConfig', createConfig),
    vscode.commands.registerCommand('finetuneStudio.compareRuns', compareRuns),
    vscode.commands.registerCommand('finetuneStudio.scoreGolden', scoreGoldenCommand),
    vscode.window.registerWebviewPanelSerializer(REVIEW_VIEW_TYPE, new DatasetPanelSerializer(context.extensionUri, ReviewPanel.kind)),
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

/** The dataset of the review or ranking panel in front, if one is. */
const panelInFront = () => ReviewPanel.activeDataset() ?? RankingPanel.activeDataset();

/** A command on a dataset: the one clicked in the explorer, else the active tab's, else the panel's in front, else one picked. */
function onDataset(what: string, run: (uri: vscode.Uri) => Promise<void>, panelDataset?: () => vscode.Uri | undefined) {
  return async (uri?: unknown) => {
    const target = await datasetTarget(uri, what, panelDataset);
    if (target) await run(target);
  };
}

/**
 * A command that opens a dataset panel (review, ranking): on the dataset in context, else on the one
 * the person picks, the panel starting while they pick.
 */
function onPanelDataset<P extends DatasetPanel>(what: string, kind: DatasetPanelKind<P>, extensionUri: vscode.Uri) {
  return async (uri?: unknown) => {
    const known = datasetInContext(uri, what, panelInFront);
    if (known === 'refused') return;
    if (known === 'pick') await DatasetPanel.showWhilePicking(kind, extensionUri, () => pickDataset(what));
    else await DatasetPanel.showPanel(kind, extensionUri, known);
  };
}

export function deactivate(): void {}

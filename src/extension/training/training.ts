/**
 * "Start Fine-tune" / "Stop Fine-tune": preflight, the training process, progress in the status bar,
 * the raw log in a LogOutputChannel, the run record. Runs programs, so only in a trusted workspace;
 * the interpreter comes from trainerInterpreter (finetune.json, the Python extension's selection, the
 * managed environment, python3) — never from a workspace-scoped setting.
 */
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { CONFIG_FILE } from '../../core/project/projectConfig';
import { ConfigError, loadConfig, type TrainingConfig } from '../../core/training/config';
import { findResumable, resumableRuns, resumeConfig, type ResumableRun } from '../../core/training/resume';
import { formatEta, type RunProgress } from '../../core/training/progress';
import { train, type TrainResult } from '../../core/training/train';
import { RunView } from '../panels/runView';
import { EvalView } from '../panels/evalView';
import { gateStatusText, gateSummaryLines } from '../../core/eval/gateReport';
import { listRuns, runsDir } from '../../core/training/runRecord';
import { configFor } from '../workspace/config';
import { configFolder, firstFolder } from '../workspace/roots';
import { describeInterpreter } from '../../core/python/interpreter';
import { SETUP_COMMAND, SETUP_TITLE, trainerInterpreter } from './pythonEnvironment';

interface ActiveRun {
  runDir?: string;
  /** where the trainer writes its checkpoints */
  outputDir?: string;
  cancel: () => Promise<void>;
  progress?: RunProgress;
}

export class Training implements vscode.Disposable {
  private readonly status = vscode.window.createStatusBarItem('finetuneStudio.training', vscode.StatusBarAlignment.Left, 49);
  /** the evaluation gate's last result, next to the training item */
  private readonly gate = vscode.window.createStatusBarItem('finetuneStudio.gate', vscode.StatusBarAlignment.Left, 48);
  readonly log = vscode.window.createOutputChannel('Finetune Studio: Training', { log: true });
  private active?: ActiveRun;
  private last?: { result: TrainResult };

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly storageUri: vscode.Uri,
  ) {
    this.status.name = 'Finetune Studio: Training';
    this.gate.name = 'Finetune Studio: Evaluation Gate';
  }

  get running(): boolean {
    return this.active !== undefined;
  }

  /** A run can start now: the workspace is trusted and no run is going (else false, after saying so). */
  private canRun(): boolean {
    if (!vscode.workspace.isTrusted) {
      void vscode.window
        .showWarningMessage('Finetune Studio: training runs programs (Python, your trainer command): trust this workspace first.', 'Manage Workspace Trust')
        .then((c) => {
          if (c) void vscode.commands.executeCommand('workbench.trust.manage');
        });
      return false;
    }
    if (this.active) {
      void vscode.window.showInformationMessage('Finetune Studio: a fine-tune is already running. Stop it first.', 'Stop').then((c) => c && this.stop());
      return false;
    }
    return true;
  }

  async start(): Promise<void> {
    if (!this.canRun()) return;
    const folder = configFolder();
    if (!folder) {
      const c = await vscode.window.showWarningMessage(`Finetune Studio: no ${CONFIG_FILE} in the workspace.`, `Create ${CONFIG_FILE}`);
      if (c) await vscode.commands.executeCommand('finetuneStudio.createConfig');
      return;
    }
    let config;
    try {
      config = loadConfig(join(folder.uri.fsPath, CONFIG_FILE));
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      void vscode.window
        .showErrorMessage(`Finetune Studio: ${e.message}`, 'Open finetune.json')
        .then((c) => c && vscode.window.showTextDocument(vscode.Uri.file(join(folder.uri.fsPath, CONFIG_FILE))));
      return;
    }
    await this.launch(folder, config);
  }

  /**
   * "Resume Fine-tune": pick a stopped, failed or interrupted run that has a checkpoint (the newest first)
   * and continue it from there, with its own configuration, in its own folder.
   */
  async resume(): Promise<void> {
    if (!this.canRun()) return;
    const folder = configFolder() ?? firstFolder();
    if (!folder) return void vscode.window.showInformationMessage('Finetune Studio: open the folder of your finetune.json first: there is nothing to resume.');
    const root = folder.uri.fsPath;
    const runs = resumableRuns(root);
    if (!runs.length) {
      const found = findResumable(root);
      return void vscode.window.showInformationMessage(`Finetune Studio: nothing to resume: ${'error' in found ? found.error : ''}`);
    }
    const picked = await vscode.window.showQuickPick(
      runs.map((r) => ({
        label: r.record.runId,
        description: `${r.state} · ${basename(r.checkpoint.path)} of ${r.record.result?.totalSteps ?? '?'} steps`,
        detail: `${String(r.record.hyperparameters.method)} · ${String(r.record.hyperparameters.model)} · started ${r.record.startedAt}`,
        run: r,
      })),
      {
        title: 'Resume Fine-tune: the run to continue from its last checkpoint',
        placeHolder: 'Stopped, failed and interrupted runs with a checkpoint, newest first',
      },
    );
    if (!picked || !this.canRun()) return;
    const configPath = join(root, CONFIG_FILE);
    let python: string | undefined;
    try {
      python = loadConfig(configPath).python; // today's interpreter choice; the run's own everything else
    } catch {
      python = undefined;
    }
    await this.launch(folder, { ...resumeConfig(picked.run, configPath), python }, picked.run);
  }

  private async launch(folder: vscode.WorkspaceFolder, config: TrainingConfig, resume?: ResumableRun): Promise<void> {
    const interpreter = await trainerInterpreter(this.storageUri, folder, config.python);
    const python = interpreter.python;
    const gateThreshold = configFor(folder.uri).review.gateThreshold;
    this.active = { cancel: async () => {} };
    this.gate.hide();
    this.setStatus('$(sync~spin) Fine-tune: preflight…', 'Checking data, review gate, held-out set, GPU and packages');
    this.log.show(true);
    this.log.info(
      resume
        ? `Resume Fine-tune: run ${resume.record.runId} from ${resume.checkpoint.path} (step ${resume.checkpoint.step}), interpreter ${describeInterpreter(interpreter)}`
        : `Start Fine-tune: ${config.method} on ${config.model} (${config.path}), interpreter ${describeInterpreter(interpreter)}`,
    );
    try {
      const run = await train({
        config,
        resume,
        workspaceRoot: folder.uri.fsPath,
        python,
        gateThreshold,
        trainerDir: vscode.Uri.joinPath(this.extensionUri, 'trainer').fsPath,
        onPreflight: (checks) => {
          for (const c of checks)
            this.log[c.status === 'block' ? 'error' : c.status === 'warn' ? 'warn' : 'info'](`preflight ${c.status}: ${c.id}: ${c.message}`);
        },
        confirmOverride: async (blocks) => {
          // missing packages: offer the managed environment (used once finetune.json names no "python")
          const setup = blocks.some((b) => b.id === 'packages') ? [SETUP_TITLE] : [];
          const go = await vscode.window.showWarningMessage(
            `Preflight blocked the fine-tune:\n${blocks.map((b) => `• ${b.message}`).join('\n')}`,
            {
              modal: true,
              detail: `Start anyway? The override is recorded in the run.${setup.length ? `\n"${SETUP_TITLE}" installs the trainer's packages in one step.` : ''}`,
            },
            'Start Anyway',
            ...setup,
          );
          if (go === SETUP_TITLE) void vscode.commands.executeCommand(SETUP_COMMAND);
          return go === 'Start Anyway';
        },
        onStart: ({ runDir, command }) => {
          this.active!.runDir = runDir;
          this.active!.outputDir = config.output ?? join(runDir, 'output');
          RunView.show(this.extensionUri, runDir);
          this.log.info(`run ${runDir}`);
          this.log.info(`$ ${command.join(' ')}`);
        },
        onLines: (lines) => this.log.info(lines.join('\n')),
        onProgress: (p) => {
          this.active!.progress = p;
          this.showProgress(p);
          if (this.active?.runDir) {
            RunView.progress(this.active.runDir, p);
            EvalView.progress(this.active.runDir, p);
            if (p.gates.length || p.gateStop) this.showGate(this.active.runDir, p);
          }
        },
      });
      this.active.cancel = run.cancel;
      const result = await run.result;
      this.finish(result);
    } catch (e) {
      this.active = undefined;
      this.status.hide();
      this.log.error(String((e as Error).stack ?? e));
      void vscode.window.showErrorMessage(`Finetune Studio: the fine-tune could not start: ${(e as Error).message}`);
    }
  }

  async stop(): Promise<void> {
    if (!this.active) {
      void vscode.window.showInformationMessage('Finetune Studio: no fine-tune is running.');
      return;
    }
    this.setStatus('$(sync~spin) Fine-tune: stopping…', 'SIGINT, then SIGTERM, then SIGKILL to the whole process group');
    this.log.warn('Stop Fine-tune: stopping the trainer (SIGINT, then SIGTERM, then SIGKILL to its process group)');
    await this.active.cancel();
  }

  private showProgress(p: RunProgress): void {
    const pct = p.fraction !== undefined ? `${Math.round(p.fraction * 100)}% ` : '';
    const steps = p.totalSteps ? `${p.step}/${p.totalSteps}` : `step ${p.step}`;
    const loss = p.loss !== undefined ? ` · loss ${p.loss.toFixed(4)}` : '';
    const eta = p.etaSeconds !== undefined ? ` · ETA ${formatEta(p.etaSeconds)}` : '';
    const md = new vscode.MarkdownString(undefined, true);
    md.isTrusted = { enabledCommands: ['finetuneStudio.showTrainingLog', 'finetuneStudio.showRun', 'finetuneStudio.openRun', 'finetuneStudio.stopFinetune'] };
    md.appendMarkdown(`**Fine-tune running**\n\n`);
    md.appendText(
      `Step ${steps}${p.epoch !== undefined ? `, epoch ${p.epoch}` : ''}\nLoss ${p.loss ?? '—'}${p.evalLoss !== undefined ? `, eval loss ${p.evalLoss}` : ''}\nLearning rate ${p.learningRate ?? '—'}\n${this.active?.runDir ?? ''}\n`,
    );
    md.appendMarkdown(
      '\n[Show log](command:finetuneStudio.showTrainingLog) · [Run view](command:finetuneStudio.showRun) · [run.json](command:finetuneStudio.openRun) · [Stop](command:finetuneStudio.stopFinetune)',
    );
    this.setStatus(`$(sync~spin) Fine-tune ${pct}${steps}${loss}${eta}`, md);
  }

  /** The gate's last result: "gate ✓ 92% golden" / "gate ✗ stopped", details in the tooltip, a click opens the Eval view. */
  private showGate(runDir: string, p: Pick<RunProgress, 'gates' | 'gateStop'>): void {
    const last = p.gates[p.gates.length - 1];
    const text = gateStatusText(last, p.gateStop);
    if (!text) return;
    const failed = text.includes('✗');
    const args = encodeURIComponent(JSON.stringify([runDir]));
    const md = new vscode.MarkdownString(undefined, true);
    md.isTrusted = { enabledCommands: ['finetuneStudio.openEvalView'] };
    md.appendMarkdown(`**Evaluation gate${p.gates.length ? ` — ${p.gates.length} checkpoint${p.gates.length === 1 ? '' : 's'}` : ''}**\n\n`);
    md.appendText(gateSummaryLines(last, p.gateStop).join('\n') + '\n');
    md.appendMarkdown(`\n[Open Eval view](command:finetuneStudio.openEvalView?${args})`);
    this.gate.text = `${failed ? '$(error)' : '$(pass)'} ${text}`;
    this.gate.tooltip = md;
    this.gate.command = { command: 'finetuneStudio.openEvalView', title: 'Open Eval View', arguments: [runDir] };
    this.gate.backgroundColor = failed ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.gate.show();
  }

  private setStatus(text: string, tooltip: string | vscode.MarkdownString): void {
    this.status.text = text;
    this.status.tooltip = tooltip;
    this.status.command = 'finetuneStudio.showRun';
    this.status.backgroundColor = undefined;
    this.status.show();
  }

  private finish(r: TrainResult): void {
    const progress = this.active?.progress;
    const outputDir = this.active?.outputDir;
    if (r.runDir && progress) {
      RunView.progress(r.runDir, progress, r.status);
      EvalView.progress(r.runDir, progress, r.status);
      if (progress.gates.length || r.gate) this.showGate(r.runDir, { gates: progress.gates, gateStop: r.gate });
    }
    this.active = undefined;
    this.last = { result: r };
    const steps = r.totalSteps ? ` ${r.step}/${r.totalSteps}` : '';
    if (r.status === 'completed') {
      this.setStatus(`$(check) Fine-tune completed${steps}${r.loss !== undefined ? ` · loss ${r.loss.toFixed(4)}` : ''}`, `Run ${r.runDir}`);
      this.log.info(`completed: ${r.runDir}`);
      void vscode.window.showInformationMessage(`Finetune Studio: fine-tune completed (${r.runDir}).`, 'Open Run').then((c) => c && this.openRun());
    } else if (r.status === 'stopped-by-gate') {
      const best = r.gate?.bestCheckpoint;
      const bestPath = best && outputDir && existsSync(join(outputDir, best)) ? join(outputDir, best) : undefined;
      const why = r.gate?.reason ?? 'the evaluation gate failed';
      this.setStatus(
        `$(error) Fine-tune stopped by its gate${steps}`,
        `The evaluation gate stopped the run: ${why}${best ? `\nBest checkpoint: ${bestPath ?? best}` : ''}\nRun ${r.runDir ?? ''}`,
      );
      this.status.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
      this.log.warn(`stopped-by-gate: ${why}${best ? `; best checkpoint ${bestPath ?? best}` : ''}; run ${r.runDir}`);
      const runDir = r.runDir;
      void vscode.window
        .showWarningMessage(
          `Finetune Studio: the evaluation gate stopped the fine-tune at step ${r.step ?? '?'}: ${why}.${best ? ` Best checkpoint: ${best}${bestPath ? ` (${bestPath})` : ''}.` : ''}`,
          'Open Eval View',
          'Show Log',
        )
        .then((c) => {
          if (c === 'Open Eval View' && runDir) void this.openEvalView(runDir);
          else if (c === 'Show Log') this.log.show();
        });
    } else if (r.status === 'cancelled') {
      this.setStatus(`$(debug-stop) Fine-tune stopped${steps}`, `Run ${r.runDir ?? ''}`);
      this.log.warn(`cancelled: ${r.runDir}`);
    } else {
      this.setStatus(`$(error) Fine-tune failed: ${r.error?.kind ?? 'error'}`, `${r.error?.message ?? ''}\n${r.error?.hint ?? ''}`);
      this.status.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
      this.log.error(`failed (${r.error?.kind}): ${r.error?.message} — ${r.error?.hint}`);
      void vscode.window
        .showErrorMessage(`Finetune Studio: fine-tune failed (${r.error?.kind}): ${r.error?.message}. ${r.error?.hint ?? ''}`, 'Show Log')
        .then((c) => c && this.log.show());
    }
  }

  showRunView(runDir?: string): void {
    const dir = runDir ?? this.active?.runDir ?? this.last?.result.runDir;
    if (!dir) return void vscode.window.showInformationMessage('Finetune Studio: no run yet; "Compare Runs" lists earlier ones.');
    RunView.show(this.extensionUri, dir);
  }

  /** The Eval view of `runDir`, else of a run picked from .finetune/runs (the one training now first). */
  async openEvalView(runDir?: string): Promise<void> {
    if (runDir) return void EvalView.show(this.extensionUri, runDir);
    const folder = configFolder() ?? firstFolder();
    const runs = folder ? listRuns(folder.uri.fsPath) : [];
    if (!runs.length) return void vscode.window.showInformationMessage('Finetune Studio: no runs in .finetune/runs yet; "Start Fine-tune" makes one.');
    const root = folder!.uri.fsPath;
    const picked = await vscode.window.showQuickPick(
      runs.map((r) => {
        const dir = join(runsDir(root), r.runId);
        const gates = r.gates ?? [];
        const last = gates[gates.length - 1];
        return {
          label: r.runId,
          description: `${r.status}${dir === this.active?.runDir ? ' (training now)' : ''} · ${String(r.hyperparameters.method)} · ${String(r.hyperparameters.model)}`,
          detail: gates.length
            ? `${gates.length} gate result${gates.length === 1 ? '' : 's'} · ${gateStatusText(last, r.result?.gate)}`
            : 'no gate results in run.json',
          dir,
        };
      }),
      { title: 'Open the Eval view of a run', matchOnDescription: true },
    );
    if (picked) EvalView.show(this.extensionUri, picked.dir);
  }

  async openRun(): Promise<void> {
    const dir = this.active?.runDir ?? this.last?.result.runDir;
    if (!dir) return void vscode.window.showInformationMessage('Finetune Studio: no run yet.');
    await vscode.window.showTextDocument(vscode.Uri.file(join(dir, 'run.json')));
  }

  dispose(): void {
    void this.active?.cancel();
    this.status.dispose();
    this.gate.dispose();
    this.log.dispose();
  }
}

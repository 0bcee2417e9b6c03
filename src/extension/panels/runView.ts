/**
 * The Run view: live loss, learning-rate and eval-loss charts of a run, its hyperparameters and its
 * preflight results. Fed from the run folder (run.json, events.jsonl) and, while a run is live, from
 * the training progress (throttled).
 */
import * as vscode from 'vscode';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseEventLine, RunProgress } from '../../core/training/progress';
import { thinSeries } from '../../core/training/chartSeries';
import type { RunRecord } from '../../core/training/runRecord';
import type { GateEvent, GateStop } from '../../core/eval/gateEvent';
import { gateStatusText, gateSummaryLines } from '../../core/eval/gateReport';
import { RUN_VIEW_TYPE, type FromRunView, type RunMessages, type RunViewState, type RunWebviewState } from '../../protocol/run';
import { PanelChannel } from './channel';
import { webviewHtml, webviewOptions } from './webviewHtml';

function gateLine(gates: readonly GateEvent[], stop: GateStop | undefined): RunViewState['gate'] {
  const last = gates[gates.length - 1];
  const text = gateStatusText(last, stop);
  return text ? { text, stopped: text.includes('✗'), lines: gateSummaryLines(last, stop) } : null;
}

/** The charts' series from a run's folded progress (the same fold as a live run's), each at most CHART_POINTS long. */
function series(p: RunProgress): Pick<RunViewState, 'step' | 'totalSteps' | 'loss' | 'evalLoss' | 'learningRate' | 'rewards'> {
  return {
    step: p.step,
    totalSteps: p.totalSteps ?? null,
    loss: thinSeries(p.losses.map((x) => [x.step, x.loss] as const)),
    evalLoss: thinSeries(p.evalLosses.map((x) => [x.step, x.loss] as const)),
    learningRate: thinSeries(p.learningRates.map((x) => [x.step, x.lr] as const)),
    rewards: Object.fromEntries(Object.entries(p.rewards).map(([k, v]) => [k, thinSeries(v.map((x) => [x.step, x.value] as const))])),
  };
}

/** The run as its folder says; events.jsonl is folded only when no live progress stands for it (`live`). */
function fromDisk(runDir: string, live?: RunProgress): RunViewState | undefined {
  const runPath = join(runDir, 'run.json');
  if (!existsSync(runPath)) return undefined;
  const run = JSON.parse(readFileSync(runPath, 'utf8')) as RunRecord;
  let p = live;
  if (!p) {
    p = new RunProgress();
    p.step = run.result?.step ?? 0;
    p.totalSteps = run.result?.totalSteps;
    const events = join(runDir, 'events.jsonl');
    if (existsSync(events))
      for (const line of readFileSync(events, 'utf8').split('\n')) {
        const e = parseEventLine(line);
        if (e) p.apply(e);
      }
    if (run.result?.step !== undefined) p.step = run.result.step;
  }
  return {
    type: 'run',
    runDir,
    runId: run.runId,
    status: run.status,
    ...series(p),
    resumedAt: (run.resumes ?? []).map((r) => r.step),
    hyperparameters: run.hyperparameters,
    dataset: `${basename(run.dataset.path)} · ${run.dataset.records} records · sha256 ${run.dataset.sha256.slice(0, 12)}`,
    preflight: run.preflight,
    overrides: run.overrides,
    error: run.result?.error ? `${run.result.error.kind}: ${run.result.error.message} — ${run.result.error.hint}` : null,
    gate: gateLine(run.status !== 'running' && run.gates?.length ? run.gates : p.gates, p.gateStop ?? run.result?.gate),
  };
}

export class RunView implements vscode.Disposable {
  private static current?: RunView;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly channel: PanelChannel<RunMessages>;
  private live?: { progress: RunProgress; status: string };
  private timer?: NodeJS.Timeout;

  static show(extensionUri: vscode.Uri, runDir: string): RunView {
    if (RunView.current && RunView.current.runDir === runDir) {
      RunView.current.panel.reveal(undefined, true);
      return RunView.current;
    }
    RunView.current?.panel.dispose();
    const panel = vscode.window.createWebviewPanel(
      RUN_VIEW_TYPE,
      `Run ${basename(runDir)}`,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      webviewOptions(extensionUri),
    );
    return RunView.attach(panel, extensionUri, runDir);
  }

  static attach(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, runDir: string): RunView {
    const v = new RunView(panel, runDir);
    RunView.current = v;
    panel.webview.html = webviewHtml(panel.webview, extensionUri, 'run.js', panel.title);
    return v;
  }

  /** Live progress of the run this view shows (ignored for other runs). */
  static progress(runDir: string, progress: RunProgress, status = 'running'): void {
    const v = RunView.current;
    if (!v || v.runDir !== runDir) return;
    v.live = { progress, status };
    // twice a second is enough for a chart, and keeps a busy machine's workbench (which renders the webview) responsive
    if (!v.timer) v.timer = setTimeout(() => ((v.timer = undefined), void v.post()), 500);
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    readonly runDir: string,
  ) {
    this.channel = new PanelChannel<RunMessages>(
      panel.webview,
      (m) => this.onMessage(m),
      (e) => void vscode.window.showErrorMessage(`Finetune Studio run view: ${e.message}`),
    );
    this.disposables.push(
      this.channel,
      panel.onDidDispose(() => this.dispose()),
    );
  }

  private onMessage(m: FromRunView): void {
    if (m.type === 'ready') void this.post();
    else if (m.type === 'stop') void vscode.commands.executeCommand('finetuneStudio.stopFinetune');
    else if (m.type === 'showLog') void vscode.commands.executeCommand('finetuneStudio.showTrainingLog');
    else if (m.type === 'openEval') void vscode.commands.executeCommand('finetuneStudio.openEvalView', this.runDir);
  }

  private async post(): Promise<void> {
    const base = fromDisk(this.runDir, this.live?.progress);
    if (!base) return;
    await this.channel.post(this.live ? { ...base, status: this.live.status } : base);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    if (RunView.current === this) RunView.current = undefined;
    for (const d of this.disposables) d.dispose();
  }
}

export class RunViewSerializer implements vscode.WebviewPanelSerializer<RunWebviewState> {
  constructor(private readonly extensionUri: vscode.Uri) {}
  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: RunWebviewState | undefined): Promise<void> {
    if (!state?.runDir || !existsSync(join(state.runDir, 'run.json'))) return panel.dispose();
    panel.webview.options = webviewOptions(this.extensionUri);
    RunView.attach(panel, this.extensionUri, state.runDir);
  }
}

/**
 * The Eval view: a run's evaluation gates — golden pass rate and held-out score per checkpoint, the
 * stop, the golden items (base vs adapter) and the safety table of a checkpoint or of eval.json. One
 * panel per run; fed by the live training progress, and by the run folder (run.json, events.jsonl,
 * eval.json), which it watches, so a run started with `ftstudio train` in a terminal updates it too.
 */
import * as vscode from 'vscode';
import { existsSync, readFileSync, watch, type FSWatcher } from 'node:fs';
import { basename, join } from 'node:path';
import { parseEventLine, RunProgress } from '../../core/training/progress';
import { Tail } from '../../core/training/train';
import type { RunRecord } from '../../core/training/runRecord';
import { EVAL_FILE, evalViewState, readEvalFile } from '../../core/eval/gateReport';
import { EVAL_VIEW_TYPE, type EvalMessages, type EvalViewState, type EvalWebviewState, type FromEvalView } from '../../protocol/eval';
import { PanelChannel } from './channel';
import { webviewHtml, webviewOptions } from './webviewHtml';

function readRun(runDir: string): RunRecord | undefined {
  try {
    return JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as RunRecord;
  } catch {
    return undefined;
  }
}

/** A run's events.jsonl folded as it grows (a run this editor is not training: `ftstudio train` in a terminal). */
class EventsFold {
  private tail: Tail;
  private progress = new RunProgress();
  constructor(private readonly path: string) {
    this.tail = new Tail(path);
  }
  read(): RunProgress {
    this.tail.read((line) => {
      const e = parseEventLine(line);
      if (e) this.progress.apply(e);
    });
    return this.progress;
  }
}

export class EvalView implements vscode.Disposable {
  private static readonly open = new Map<string, EvalView>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly channel: PanelChannel<EvalMessages>;
  private live?: { progress: RunProgress; status: string };
  private timer?: NodeJS.Timeout;
  private selected?: string;
  private readonly events: EventsFold;

  static show(extensionUri: vscode.Uri, runDir: string, opts: { preserveFocus?: boolean } = {}): EvalView {
    const existing = EvalView.open.get(runDir);
    if (existing) {
      existing.panel.reveal(undefined, opts.preserveFocus);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      EVAL_VIEW_TYPE,
      `Eval ${basename(runDir)}`,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: opts.preserveFocus ?? false },
      webviewOptions(extensionUri),
    );
    return EvalView.attach(panel, extensionUri, runDir);
  }

  static attach(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, runDir: string, selected?: string): EvalView {
    const v = new EvalView(panel, runDir, selected);
    EvalView.open.set(runDir, v);
    panel.webview.html = webviewHtml(panel.webview, extensionUri, 'eval.js', panel.title);
    return v;
  }

  /** Live progress of a run (ignored when no Eval view shows it). */
  static progress(runDir: string, progress: RunProgress, status = 'running'): void {
    const v = EvalView.open.get(runDir);
    if (!v) return;
    v.live = { progress, status };
    v.schedule();
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    readonly runDir: string,
    selected?: string,
  ) {
    this.selected = selected;
    this.events = new EventsFold(join(runDir, 'events.jsonl'));
    this.channel = new PanelChannel<EvalMessages>(
      panel.webview,
      (m) => this.onMessage(m),
      (e) => void vscode.window.showErrorMessage(`Finetune Studio eval view: ${e.message}`),
    );
    // the run folder itself (inotify on Linux): run.json is replaced atomically, eval.json appears, events.jsonl grows
    const watched = new Set(['run.json', 'events.jsonl', EVAL_FILE]);
    let watcher: FSWatcher | undefined;
    try {
      watcher = watch(runDir, (_, name) => {
        if (!name || watched.has(String(name))) this.schedule();
      });
      watcher.on('error', () => watcher?.close());
    } catch {
      // a run folder that cannot be watched still shows what it holds now, and live progress
    }
    this.disposables.push(
      this.channel,
      { dispose: () => watcher?.close() },
      panel.onDidDispose(() => this.dispose()),
    );
  }

  private schedule(): void {
    if (!this.timer) this.timer = setTimeout(() => ((this.timer = undefined), void this.post()), 250);
  }

  private onMessage(m: FromEvalView): void {
    if (m.type === 'ready') void this.post();
    else if (m.type === 'select') {
      this.selected = m.key;
      void this.post();
    } else if (m.type === 'openRunView') void vscode.commands.executeCommand('finetuneStudio.showRun', this.runDir);
    else if (m.type === 'openEvalJson' && existsSync(join(this.runDir, EVAL_FILE)))
      void vscode.window.showTextDocument(vscode.Uri.file(join(this.runDir, EVAL_FILE)), { viewColumn: vscode.ViewColumn.Active });
  }

  state(): EvalViewState | undefined {
    const run = readRun(this.runDir);
    if (!run) return undefined;
    // the live fold is the freshest while this editor runs the training; once run.json has ended, it is the record
    const live = this.live && (run.status === 'running' || this.live.status !== 'running') ? this.live : undefined;
    // else run.json's gates[] once the run has ended, else its events.jsonl
    let g: Pick<RunProgress, 'gates' | 'gateStop'>;
    if (live) g = live.progress;
    else if (run.status !== 'running' && run.gates?.length) g = { gates: run.gates as RunProgress['gates'], gateStop: run.result?.gate };
    else {
      const p = this.events.read();
      g = { gates: p.gates, gateStop: p.gateStop ?? run.result?.gate };
    }
    const evalFile = readEvalFile(this.runDir);
    return evalViewState({
      runDir: this.runDir,
      runId: run.runId,
      status: live?.status ?? run.status,
      live: (live?.status ?? run.status) === 'running',
      gates: g.gates,
      gateStop: g.gateStop,
      evalFile: evalFile.file,
      problems: evalFile.problem ? [evalFile.problem] : [],
      config: run.config,
      selected: this.selected,
    });
  }

  private async post(): Promise<void> {
    const s = this.state();
    if (s) await this.channel.post(s);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    if (EvalView.open.get(this.runDir) === this) EvalView.open.delete(this.runDir);
    for (const d of this.disposables) d.dispose();
  }
}

export class EvalViewSerializer implements vscode.WebviewPanelSerializer<EvalWebviewState> {
  constructor(private readonly extensionUri: vscode.Uri) {}
  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: EvalWebviewState | undefined): Promise<void> {
    if (!state?.runDir || !existsSync(join(state.runDir, 'run.json'))) return panel.dispose();
    panel.webview.options = webviewOptions(this.extensionUri);
    EvalView.attach(panel, this.extensionUri, state.runDir, state.selected);
  }
}

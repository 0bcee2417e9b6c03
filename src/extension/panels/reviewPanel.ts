/**
 * The review panel's host side: owns the dataset, the sample manifest and the decision log; sends the
 * webview one record at a time. Every decision is appended to .finetune/reviews/ before the panel moves on.
 */
import * as vscode from 'vscode';
import { basename } from 'node:path';
import { DEFAULT_GATE_THRESHOLD, resolveSample, reviewStatus, type SampleItem } from '../../core/review/reviewStatus';
import {
  appendEvent, currentDecisions, lastUndoable, readLog, readManifest, reviewPaths, writeManifest, type ReviewEvent, type SampleManifest,
} from '../../core/review/reviewStore';
import { recordParts } from '../../core/review/recordView';
import { indexLines } from '../../core/records/recordIndex';
import { REVIEW_FRACTION, sampleRecords } from '../../core/sampling/sample';
import { REVIEW_VIEW_TYPE, type FromReview, type ToReview } from '../../protocol/review';
import { DocumentSnapshot } from '../workspace/documentSnapshot';
import { reviewerIdentity } from '../workspace/reviewer';
import { webviewHtml, webviewOptions } from './webviewHtml';

export class ReviewPanel implements vscode.Disposable {
  private static readonly open = new Map<string, ReviewPanel>();
  private readonly disposables: vscode.Disposable[] = [];
  private index = 0;
  private reviewer = 'reviewer';
  private notice?: string;

  static async show(extensionUri: vscode.Uri, dataset: vscode.Uri): Promise<void> {
    const existing = ReviewPanel.open.get(dataset.toString());
    if (existing) {
      existing.panel.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel(REVIEW_VIEW_TYPE, `Review: ${basename(dataset.fsPath)}`, vscode.ViewColumn.Beside, webviewOptions(extensionUri));
    await ReviewPanel.attach(panel, extensionUri, dataset, 0);
  }

  static async attach(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, dataset: vscode.Uri, index: number): Promise<void> {
    const p = new ReviewPanel(panel, extensionUri, dataset);
    p.index = index;
    ReviewPanel.open.set(dataset.toString(), p);
    p.reviewer = await reviewerIdentity(vscode.workspace.getWorkspaceFolder(dataset)?.uri);
    panel.webview.html = webviewHtml(panel.webview, extensionUri, 'review.js', panel.title);
  }

  private constructor(readonly panel: vscode.WebviewPanel, extensionUri: vscode.Uri, readonly dataset: vscode.Uri) {
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.png');
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: FromReview) => this.onMessage(m).catch((e: Error) => this.fail(e))),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.toString() === this.dataset.toString()) void this.post();
      }),
    );
  }

  private root(): string {
    const folder = vscode.workspace.getWorkspaceFolder(this.dataset);
    return folder ? folder.uri.fsPath : vscode.Uri.joinPath(this.dataset, '..').fsPath;
  }

  private paths() {
    return reviewPaths(this.root(), this.dataset.fsPath);
  }

  private readonly snapshotOf = new DocumentSnapshot((lines) => indexLines(lines));

  /** The sample manifest: drawn once (seeded) and kept, so edits never reshuffle a review under way. */
  private manifest(refs: ReturnType<typeof indexLines>): SampleManifest {
    const existing = readManifest(this.paths().manifest);
    if (existing) return existing;
    const cfg = vscode.workspace.getConfiguration('finetuneStudio.review', this.dataset);
    const s = sampleRecords(refs, { fraction: cfg.get<number>('fraction', REVIEW_FRACTION.default), seed: cfg.get<number>('seed', 0) });
    if (s.warnings.length) this.notice = s.warnings.join('; ');
    const m: SampleManifest = {
      v: 1, dataset: basename(this.dataset.fsPath), fraction: s.fraction, seed: s.seed, createdAt: new Date().toISOString(),
      records: s.records.map((r) => ({ line: r.line, id: r.id })),
    };
    writeManifest(this.paths().manifest, m);
    return m;
  }

  private async snapshot() {
    const { lines, derived: refs } = await this.snapshotOf.get(this.dataset);
    const manifest = this.manifest(refs);
    const log = readLog(this.paths().log);
    if (log.problems.length) this.notice = log.problems.join('; ');
    const decisions = currentDecisions(log.events, manifest.seed);
    const items = resolveSample(manifest, refs, decisions);
    return { lines, manifest, log, items };
  }

  private async post(): Promise<void> {
    const { lines, manifest, items } = await this.snapshot();
    const threshold = vscode.workspace.getConfiguration('finetuneStudio.review', this.dataset).get<number>('gateThreshold', DEFAULT_GATE_THRESHOLD);
    const st = reviewStatus(items, threshold);
    this.index = Math.max(0, Math.min(this.index, items.length - 1));
    const it: SampleItem | undefined = items[this.index];
    const msg: ToReview = {
      type: 'state',
      dataset: vscode.workspace.asRelativePath(this.dataset),
      datasetUri: this.dataset.toString(),
      reviewer: this.reviewer,
      seed: manifest.seed,
      progress: { sampled: st.sampled, reviewed: st.reviewed, passed: st.passed, failed: st.failed, passRate: st.passRate, gate: st.gate, threshold },
      record: it
        ? {
            index: this.index,
            line: it.current?.line ?? null,
            id: it.current?.id ?? null,
            parts: it.current ? recordParts(lines[it.current.line - 1]!) : [],
            decision: it.decision && { decision: it.decision.decision, reasons: it.decision.reasons, note: it.decision.note },
            changedSinceReview: it.changedSinceReview,
            missing: !it.current,
          }
        : null,
      notice: this.notice,
    };
    this.notice = undefined;
    await this.panel.webview.postMessage(msg);
  }

  private async onMessage(m: FromReview): Promise<void> {
    switch (m.type) {
      case 'ready':
        return this.post();
      case 'go':
        this.index = m.index;
        return this.post();
      case 'decide': {
        const { items, manifest } = await this.snapshot();
        const it = items[m.index];
        if (!it?.current) {
          this.notice = 'This record is no longer in the file: nothing to decide.';
          return this.post();
        }
        const e: ReviewEvent = {
          v: 1, kind: 'decision', id: it.current.id, line: it.current.line, seed: manifest.seed, reviewer: this.reviewer,
          time: new Date().toISOString(), decision: m.decision, reasons: m.decision === 'fail' ? m.reasons : [], note: m.note.trim() || undefined,
        };
        appendEvent(this.paths().log, e);
        // on to the next record without a decision (wrapping), or stay when all are done
        const next = items.findIndex((x, i) => i > m.index && !x.decision);
        const wrap = items.findIndex((x, i) => i !== m.index && !x.decision);
        this.index = next >= 0 ? next : wrap >= 0 ? wrap : m.index;
        return this.post();
      }
      case 'undo': {
        const { log, manifest, items } = await this.snapshot();
        const last = lastUndoable(log.events, manifest.seed, this.reviewer);
        if (!last) {
          this.notice = 'Nothing to undo.';
          return this.post();
        }
        appendEvent(this.paths().log, { ...last, kind: 'undo', time: new Date().toISOString(), decision: undefined, reasons: undefined, note: undefined });
        const at = items.findIndex((x) => x.current?.id === last.id);
        if (at >= 0) this.index = at;
        return this.post();
      }
      case 'showInEditor': {
        const { items } = await this.snapshot();
        const line = items[m.index]?.current?.line;
        if (!line) return;
        const doc = await vscode.workspace.openTextDocument(this.dataset);
        const pos = new vscode.Position(line - 1, 0);
        await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, selection: new vscode.Range(pos, pos) });
        return;
      }
    }
  }

  private fail(e: Error): void {
    void vscode.window.showErrorMessage(`Finetune Studio review: ${e.message}`);
  }

  dispose(): void {
    ReviewPanel.open.delete(this.dataset.toString());
    for (const d of this.disposables) d.dispose();
  }
}

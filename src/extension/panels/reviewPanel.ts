/**
 * The review panel's host side: owns the dataset, the sample manifest and the decision log; sends the
 * webview one record at a time. Every decision is appended to .finetune/reviews/ before the panel moves on.
 */
import * as vscode from 'vscode';
import { basename } from 'node:path';
import { decide, undoLast } from '../../core/review/decide';
import { reviewGate } from '../../core/review/reviewGate';
import type { SampleItem } from '../../core/review/reviewStatus';
import { readManifest, reviewPaths, writeManifest, type SampleManifest } from '../../core/review/reviewStore';
import { recordParts } from '../../core/review/recordView';
import { indexLines } from '../../core/records/recordIndex';
import { sampleRecords } from '../../core/sampling/sample';
import { REVIEW_VIEW_TYPE, type FromReview, type ReviewMessages, type ToReview } from '../../protocol/review';
import { configFor } from '../workspace/config';
import { DocumentSnapshot } from '../workspace/documentSnapshot';
import { workspaceRootOf } from '../workspace/roots';
import { DatasetPanel, type DatasetPanelKind } from './datasetPanel';

export class ReviewPanel extends DatasetPanel<ReviewMessages> {
  static readonly kind: DatasetPanelKind<ReviewPanel> = {
    viewType: REVIEW_VIEW_TYPE,
    script: 'review.js',
    titlePrefix: 'Review',
    create: (panel, extensionUri, dataset) => new ReviewPanel(panel, extensionUri, dataset),
  };

  static show(extensionUri: vscode.Uri, dataset: vscode.Uri): Promise<void> {
    return DatasetPanel.showPanel(ReviewPanel.kind, extensionUri, dataset);
  }

  private constructor(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, dataset: vscode.Uri) {
    super(panel, dataset, 'review', 'reviewer');
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.png');
    this.disposables.push(
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.toString() === this.dataset.toString()) void this.post();
      }),
    );
  }

  private paths() {
    return reviewPaths(workspaceRootOf(this.dataset), this.dataset.fsPath);
  }

  private readonly snapshotOf = new DocumentSnapshot((lines) => indexLines(lines));

  /** The sample manifest: drawn once (seeded) and kept, so edits never reshuffle a review under way. */
  private manifest(refs: ReturnType<typeof indexLines>): SampleManifest {
    const existing = readManifest(this.paths().manifest);
    if (existing) return existing;
    const cfg = configFor(this.dataset).review;
    const s = sampleRecords(refs, { fraction: cfg.fraction, seed: cfg.seed });
    if (s.warnings.length) this.notice = s.warnings.join('; ');
    const m: SampleManifest = {
      v: 1,
      dataset: basename(this.dataset.fsPath),
      fraction: s.fraction,
      seed: s.seed,
      createdAt: new Date().toISOString(),
      records: s.records.map((r) => ({ line: r.line, id: r.id })),
    };
    writeManifest(this.paths().manifest, m);
    return m;
  }

  private async snapshot() {
    const { lines, derived: refs } = await this.snapshotOf.get(this.dataset);
    const manifest = this.manifest(refs);
    const gate = await reviewGate(workspaceRootOf(this.dataset), this.dataset.fsPath, () => refs, { threshold: configFor(this.dataset).review.gateThreshold });
    if (gate.problems.length) this.notice = gate.problems.join('; ');
    return { lines, manifest, gate, items: gate.items };
  }

  private async post(): Promise<void> {
    const { lines, manifest, gate, items } = await this.snapshot();
    const st = gate.status;
    this.index = Math.max(0, Math.min(this.index, items.length - 1));
    const it: SampleItem | undefined = items[this.index];
    const msg: ToReview = {
      type: 'state',
      dataset: vscode.workspace.asRelativePath(this.dataset),
      datasetUri: this.dataset.toString(),
      reviewer: this.person,
      seed: manifest.seed,
      progress: {
        sampled: st.sampled,
        reviewed: st.reviewed,
        passed: st.passed,
        failed: st.failed,
        passRate: st.passRate,
        gate: st.gate,
        threshold: st.threshold,
      },
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
    await this.channel.post(msg);
  }

  protected async onMessage(m: FromReview): Promise<void> {
    switch (m.type) {
      case 'ready':
        return this.post();
      case 'go':
        this.index = m.index;
        return this.post();
      case 'decide': {
        const { items, manifest } = await this.snapshot();
        const next = decide(this.paths().log, items, m.index, manifest.seed, this.person, m);
        if (next === undefined) this.notice = 'This record is no longer in the file: nothing to decide.';
        else this.index = next;
        return this.post();
      }
      case 'undo': {
        const { gate, manifest, items } = await this.snapshot();
        const at = undoLast(this.paths().log, gate.events, items, manifest.seed, this.person);
        if (at === undefined) this.notice = 'Nothing to undo.';
        else if (at >= 0) this.index = at;
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
}

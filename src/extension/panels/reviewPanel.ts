/**
 * The review panel's host side: owns the dataset, the sample manifest and the decision log; sends the
 * webview one record at a time. The dataset is indexed from disk on a worker (any size; the file need
 * not be open), and only the record shown is read. Every decision names the record it was made on and
 * is applied to that record only (core/annotation/binding); it is appended to .finetune/reviews/
 * before the panel moves on.
 */
import * as vscode from 'vscode';
import { basename } from 'node:path';
import { decide, undoLast } from '../../core/review/decide';
import { reviewGate } from '../../core/review/reviewGate';
import type { SampleItem } from '../../core/review/reviewStatus';
import { readManifest, reviewPaths, writeManifest, type SampleManifest } from '../../core/review/reviewStore';
import { recordParts } from '../../core/review/recordView';
import type { RecordRef } from '../../core/records/recordIndex';
import { staleDecision } from '../../core/annotation/binding';
import { removeStaleTemps } from '../../core/jsonl/atomicFile';
import { FileIndex } from '../../core/indexing/fileIndex';
import { sampleRecords } from '../../core/sampling/sample';
import { REVIEW_VIEW_TYPE, type FromReview, type ReviewMessages, type ToReview } from '../../protocol/review';
import { configFor } from '../workspace/config';
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

  /** The dataset of the review panel in front, for commands run from the palette while it has focus. */
  static activeDataset(): vscode.Uri | undefined {
    return DatasetPanel.activeDatasetOf(REVIEW_VIEW_TYPE);
  }

  private file_?: FileIndex;
  private started = false;
  /** the start position is chosen once the sample can be read */
  private startPending = true;
  private progressTimer?: NodeJS.Timeout;
  /** the records a sample needs (by its ids and its lines), once per index */
  private relevant?: { manifest: SampleManifest; refs: RecordRef[] };

  private constructor(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, dataset: vscode.Uri) {
    super(panel, dataset, 'review', 'reviewer');
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.png');
    // left by a killed editor: the files themselves are whole
    for (const p of Object.values(this.paths())) removeStaleTemps(p);
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.joinPath(dataset, '..'), basename(dataset.fsPath)));
    this.disposables.push(
      watcher,
      watcher.onDidChange(() =>
        this.enqueue(async () => {
          this.file_?.dispose();
          this.file_ = undefined;
          this.relevant = undefined;
          await this.post();
        }),
      ),
      { dispose: () => this.file_?.dispose() },
      { dispose: () => clearTimeout(this.progressTimer) },
    );
  }

  private paths() {
    return reviewPaths(workspaceRootOf(this.dataset), this.dataset.fsPath);
  }

  /** The file's records, indexed from disk on a worker (started on first use). */
  private get file(): FileIndex {
    if (!this.file_)
      this.file_ = new FileIndex(this.dataset.fsPath, 'records', () => {
        if (!this.started || this.progressTimer) return;
        this.progressTimer = setTimeout(
          () => {
            this.progressTimer = undefined;
            void this.enqueue(() => this.post());
          },
          this.file_?.done ? 0 : 250,
        );
      });
    return this.file_;
  }

  /** The sample manifest: drawn once (seeded) and kept, so edits never reshuffle a review under way. */
  private manifest(refs: readonly RecordRef[]): SampleManifest {
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

  /** The sample as it stands; undefined while the file is still being indexed. */
  private async snapshot() {
    const file = this.file;
    if (!file.done) return undefined;
    if (!this.relevant) {
      const manifest = this.manifest(file.records);
      // the gate finds a sampled record by its id, or an edited one at its line: only those records matter
      const ids = new Set(manifest.records.map((r) => r.id));
      const lines = new Set(manifest.records.map((r) => r.line));
      this.relevant = { manifest, refs: file.records.filter((r) => ids.has(r.id) || lines.has(r.line)) };
    }
    const { manifest, refs } = this.relevant;
    const gate = await reviewGate(workspaceRootOf(this.dataset), this.dataset.fsPath, () => refs, { threshold: configFor(this.dataset).review.gateThreshold });
    if (gate.problems.length) this.notice = gate.problems.join('; ');
    return { file, manifest, gate, items: gate.items };
  }

  private async post(): Promise<void> {
    const snap = await this.snapshot();
    if (!snap) {
      const cfg = configFor(this.dataset).review;
      this.started = true;
      await this.channel.post({
        type: 'state',
        dataset: vscode.workspace.asRelativePath(this.dataset),
        datasetUri: this.dataset.toString(),
        reviewer: this.person,
        seed: readManifest(this.paths().manifest)?.seed ?? cfg.seed,
        progress: { sampled: 0, reviewed: 0, passed: 0, failed: 0, passRate: null, gate: 'incomplete', threshold: cfg.gateThreshold },
        record: null,
        indexing: this.file.fraction,
        ack: this.ack,
      });
      return;
    }
    const { file, manifest, gate, items } = snap;
    if (!this.started || this.startPending) {
      this.started = true;
      this.startPending = false;
      // a panel opens at the first record without a decision (or at the beginning, or where a restored one was)
      const cfg = configFor(this.dataset).annotation;
      if (cfg.startAt === 'firstUnlabelled') {
        const first = items.findIndex((x) => !x.decision);
        if (first >= 0) this.index = first;
        else if (!this.restored) this.index = 0;
      } else if (!this.restored) this.index = 0;
    }
    if (file.error) this.notice = file.error;
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
            parts: it.current ? recordParts(file.recordLine(it.current.line) ?? '') : [],
            decision: it.decision && { decision: it.decision.decision, reasons: it.decision.reasons, note: it.decision.note },
            changedSinceReview: it.changedSinceReview,
            missing: !it.current,
          }
        : null,
      indexing: null,
      ack: this.ack,
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
        const snap = await this.snapshot();
        if (!snap) return this.post();
        const { items, manifest } = snap;
        const stale = m.index === this.index ? staleDecision({ id: items[this.index]?.current?.id }, m) : staleDecision({ id: undefined }, m);
        if (stale) {
          this.notice = m.index === this.index ? stale : `Ignored a key for record ${m.index + 1} of the sample: it is no longer shown. Nothing was recorded.`;
          return this.post();
        }
        const next = decide(this.paths().log, items, m.index, manifest.seed, this.person, m);
        if (next === undefined) this.notice = 'This record is no longer in the file: nothing to decide.';
        else this.index = next;
        return this.post();
      }
      case 'undo': {
        const snap = await this.snapshot();
        if (!snap) return this.post();
        const { gate, manifest, items } = snap;
        const at = undoLast(this.paths().log, gate.events, items, manifest.seed, this.person);
        if (at === undefined) this.notice = 'Nothing to undo.';
        else if (at >= 0) this.index = at;
        return this.post();
      }
      case 'showInEditor': {
        const line = (await this.snapshot())?.items[m.index]?.current?.line;
        if (!line) return;
        const pos = new vscode.Position(line - 1, 0);
        try {
          await vscode.window.showTextDocument(this.dataset, { viewColumn: vscode.ViewColumn.One, selection: new vscode.Range(pos, pos) });
        } catch (e) {
          this.notice = `Could not show line ${line.toLocaleString('en-US')} in an editor: ${(e as Error).message}`;
          return this.post();
        }
        return;
      }
    }
  }
}

/**
 * The review panel's host side: owns the dataset, the sample manifest and the decision log; sends the
 * webview one record at a time. The dataset is indexed from disk on a worker (any size; the file need
 * not be open), and only the record shown is read. The sample shows while the file is still being
 * read: a new sample's records are known as they stream past (core/sampling: `surelySampled`), an
 * existing sample's (its manifest) as their ids are found; the whole sample once the file is read. Every decision names the record it was made on and
 * is applied to that record only (core/annotation/binding); it is appended to .finetune/reviews/
 * before the panel moves on.
 */
import * as vscode from 'vscode';
import { basename } from 'node:path';
import { decide, stepIndex, undoLast } from '../../core/review/decide';
import { reviewGate } from '../../core/review/reviewGate';
import type { SampleItem } from '../../core/review/reviewStatus';
import { currentDecisions, readLog, readManifest, reviewPaths, writeManifest, type ReviewEvent, type SampleManifest } from '../../core/review/reviewStore';
import { reviewStatus, type ReviewStatus } from '../../core/review/reviewStatus';
import { recordParts } from '../../core/review/recordView';
import type { RecordRef } from '../../core/records/recordIndex';
import { reviewTarget } from '../../core/annotation/binding';
import { removeStaleTemps } from '../../core/jsonl/atomicFile';
import { FileIndex } from '../../core/indexing/fileIndex';
import { sampleRecords, surelySampled } from '../../core/sampling/sample';
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
  /** the start position is chosen once a record of the sample can be shown */
  private startPending = true;
  private progressTimer?: NodeJS.Timeout;
  private closed = false;
  /** the records a sample needs (by its ids and its lines), once per index */
  private relevant?: { manifest: SampleManifest; refs: RecordRef[] };
  /** while the file is being read: the sample as far as it is known (see streamed) */
  private stream?: Stream;
  /** the id of the record last shown, to stay on it when the whole sample is known */
  private shownId?: string;
  /** the position was chosen on the sample as streamed: find it again in the whole one */
  private remap = false;
  /** the last state showed no record: the next one found was awaited */
  private waitingNext = false;

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
          this.stream = undefined;
          await this.post();
        }),
      ),
      { dispose: () => this.file_?.dispose() },
      { dispose: () => clearTimeout(this.progressTimer) },
      { dispose: () => (this.closed = true) },
    );
    setImmediate(() => this.closed || void this.file); // indexing starts while the webview starts (after its HTML is handed over)
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

  /** The sample as it stands, once the whole file is indexed. */
  private async snapshot() {
    const file = this.file;
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
    return gate;
  }

  /**
   * While the file is being indexed, the sample so far: an existing sample (its manifest) with the
   * records found by id until now (the others still to come); a new one, the records already known to
   * be in it (`surelySampled`: their place in the whole sample is settled once the file is read).
   */
  private streamed(file: FileIndex): { items: SampleItem[]; events: readonly ReviewEvent[]; seed: number } {
    let st = this.stream;
    if (!st) {
      const manifest = readManifest(this.paths().manifest);
      const cfg = configFor(this.dataset).review;
      st = this.stream = {
        manifest,
        wanted: new Set(manifest?.records.map((r) => r.id)),
        seed: manifest?.seed ?? cfg.seed,
        fraction: manifest?.fraction ?? cfg.fraction,
        from: 0,
        found: new Map(),
      };
    }
    for (; st.from < file.records.length; st.from++) {
      const r = file.records[st.from]!;
      if (st.found.has(r.id)) continue; // a duplicate: its first line stands
      if (st.manifest ? st.wanted.has(r.id) : surelySampled(st.seed, st.fraction, r.id)) st.found.set(r.id, r);
    }
    const { events, problems } = readLog(this.paths().log);
    if (problems.length) this.notice = problems.join('; ');
    const decisions = currentDecisions(events, st.seed);
    const found = st.found;
    const items: SampleItem[] = st.manifest
      ? st.manifest.records.map((m) => ({ sampledId: m.id, current: found.get(m.id), changedSinceReview: false, decision: decisions.get(m.id) }))
      : [...found.values()].map((r) => ({ sampledId: r.id, current: r, changedSinceReview: false, decision: decisions.get(r.id) }));
    return { items, events, seed: st.seed };
  }

  /** The sample to show and decide on: the whole one once indexed, else as streamed. */
  private async sample(): Promise<{
    items: readonly SampleItem[];
    events: readonly ReviewEvent[];
    seed: number;
    status: ReviewStatus;
    whole: boolean;
    sizeKnown: boolean;
  }> {
    const file = this.file;
    if (file.done) {
      const gate = await this.snapshot();
      return { items: gate.items, events: gate.events, seed: gate.manifest!.seed, status: gate.status, whole: true, sizeKnown: true };
    }
    const s = this.streamed(file);
    const status: ReviewStatus = { ...reviewStatus(s.items, configFor(this.dataset).review.gateThreshold), gate: 'incomplete' };
    return { ...s, status, whole: false, sizeKnown: !!this.stream?.manifest };
  }

  private async post(): Promise<void> {
    const file = this.file;
    const { items, seed, status, whole, sizeKnown } = await this.sample();
    this.started = true;
    if (whole && this.remap) {
      // the sample as streamed is part of the whole one, in the same order: find the record again
      this.remap = false;
      const at = this.shownId === undefined ? -1 : items.findIndex((x) => x.current?.id === this.shownId);
      const undecided = (from: number) => items.findIndex((x, i) => i >= from && !x.decision);
      if (at >= 0 && !this.waitingNext) this.index = at;
      else this.index = Math.max(0, undecided(at + 1) >= 0 ? undecided(at + 1) : undecided(0));
    }
    if (this.startPending) {
      // a panel opens at the first record without a decision (or at the beginning, or where a restored one was)
      const first = items.findIndex((x) => !x.decision);
      if (configFor(this.dataset).annotation.startAt !== 'firstUnlabelled') {
        if (!this.restored) this.index = 0;
        this.startPending = false;
      } else if (first >= 0) {
        this.index = first;
        this.startPending = false;
      } else if (whole) {
        if (!this.restored) this.index = 0;
        this.startPending = false;
      } else this.index = items.length; // every record found so far is decided: the next one to be found
    }
    if (!whole) this.remap = true;
    if (file.error) this.notice = file.error;
    // while streaming, the position may be one past the records found: the next to come
    this.index = Math.max(0, Math.min(this.index, whole ? items.length - 1 : items.length));
    const it: SampleItem | undefined = items[this.index];
    const text = it?.current && file.recordLine(it.current.line);
    const shown = it && (whole || text !== undefined);
    if (shown && it.current) this.shownId = it.current.id;
    this.waitingNext = !shown;
    const msg: ToReview = {
      type: 'state',
      dataset: vscode.workspace.asRelativePath(this.dataset),
      datasetUri: this.dataset.toString(),
      reviewer: this.person,
      seed,
      progress: {
        sampled: status.sampled,
        reviewed: status.reviewed,
        passed: status.passed,
        failed: status.failed,
        passRate: status.passRate,
        gate: status.gate,
        threshold: status.threshold,
      },
      record: shown
        ? {
            index: this.index,
            line: it.current?.line ?? null,
            id: it.current?.id ?? null,
            parts: it.current ? recordParts(text ?? '') : [],
            decision: it.decision && { decision: it.decision.decision, reasons: it.decision.reasons, note: it.decision.note },
            changedSinceReview: it.changedSinceReview,
            missing: !it.current,
          }
        : null,
      indexing: file.done ? null : file.fraction,
      sizeKnown,
      ack: this.ack,
      notice: this.notice,
    };
    this.notice = undefined;
    await this.channel.post(msg);
  }

  /**
   * Move to `index` in the numbering of `items`, and remember the record it names: when the whole sample
   * replaces the streamed one (post's remap), that record is found again, not the one shown before the
   * move (a CI run stayed on a record just decided, "Passed", when the file finished between the key
   * and the answer). Past the last record found, the next one to be found is awaited.
   */
  private aim(index: number, items: readonly SampleItem[]): void {
    this.index = index;
    const id = items[index]?.current?.id;
    if (id !== undefined) {
      this.shownId = id;
      this.waitingNext = false;
    } else this.waitingNext = true;
  }

  protected async onMessage(m: FromReview): Promise<void> {
    switch (m.type) {
      case 'ready':
        return this.post();
      case 'go': {
        // from the record shown now, whatever index the panel had for it
        const { items } = await this.sample();
        this.aim(stepIndex(this.index, m.delta, items.length), items);
        this.startPending = false;
        return this.post();
      }
      case 'decide': {
        const { items, seed, whole } = await this.sample();
        // bound to the record shown by its id, not by the panel's index (the numbering may have moved under the key)
        const target = reviewTarget(this.index, (i) => items[i]?.current?.id, m);
        if ('notice' in target) {
          this.notice = target.notice;
          return this.post();
        }
        const next = decide(this.paths().log, items, target.index, seed, this.person, m);
        if (next === undefined) this.notice = 'This record is no longer in the file: nothing to decide.';
        // while a new sample streams in, the next record is further on, once found (never back to the start)
        else this.aim(!whole && !this.stream?.manifest && next <= target.index ? items.length : next, items);
        return this.post();
      }
      case 'undo': {
        const { items, seed, events } = await this.sample();
        const at = undoLast(this.paths().log, events, items, seed, this.person);
        if (at === undefined) this.notice = 'Nothing to undo.';
        else if (at >= 0) this.aim(at, items);
        return this.post();
      }
      case 'showInEditor': {
        // the record shown when the key was pressed, by its id (the sample's numbering can move under a key)
        const { items } = await this.sample();
        const line = (m.id === null ? undefined : items.find((x) => x.current?.id === m.id))?.current?.line;
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

/** A sample as the file streams past (ReviewPanel.streamed). */
interface Stream {
  /** the sample drawn before (its records are found by id), if any */
  readonly manifest?: SampleManifest;
  readonly wanted: ReadonlySet<string>;
  readonly seed: number;
  readonly fraction: number;
  /** how many of the index's records were looked at */
  from: number;
  /** the sample's records found so far, by id, in line order */
  readonly found: Map<string, RecordRef>;
}

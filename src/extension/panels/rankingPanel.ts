/**
 * The ranking panel's host side: pair mode (which response is better, sides randomised against
 * position bias) and ranking mode (order N candidates). The dataset is indexed from disk on a worker
 * (any size; the file need not be open); the panel reads only the items it shows. Every decision
 * names the item it was made on and is applied to that item only (core/annotation/binding); it is
 * appended to .finetune/annotations/ before the panel moves on. The next items' contents go to the
 * webview ahead of time, so that a decision shows the next item without waiting for the reply.
 */
import * as vscode from 'vscode';
import { part } from '../../core/review/recordView';
import { staleDecision } from '../../core/annotation/binding';
import { LogCache } from '../../core/annotation/logCache';
import { removeStaleTemps } from '../../core/jsonl/atomicFile';
import { FileIndex, type SpannedItem } from '../../core/indexing/fileIndex';
import { agreementReport } from '../../core/preference/agreementReport';
import { annotationsPath, appendAnnotation, currentAnnotations, readAnnotations, type AnnotationEvent } from '../../core/preference/annotationStore';
import { pairContent, rankingContent, showSwapped } from '../../core/preference/items';
import { filterItems, pickedChoice, undoLastLabel } from '../../core/preference/ranking';
import { wordDiff } from '../../core/preference/wordDiff';
import {
  KEPT_VIEWS,
  RANKING_VIEW_TYPE,
  type Filter,
  type FromRanking,
  type ItemStatus,
  type ItemView,
  type PairSide,
  type RankingMessages,
  type ShownOrder,
  type ToRanking,
} from '../../protocol/ranking';
import { configFor } from '../workspace/config';
import { workspaceRootOf } from '../workspace/roots';
import { DatasetPanel, type DatasetPanelKind } from './datasetPanel';
import { SentViews } from '../../core/annotation/sentViews';

/** Items whose contents go to the webview ahead of the one shown. */
const PREFETCH = 8;
/** At most this often a state only to show the indexing progress. */
const PROGRESS_MS = 250;

export class RankingPanel extends DatasetPanel<RankingMessages> {
  static readonly kind: DatasetPanelKind<RankingPanel> = {
    viewType: RANKING_VIEW_TYPE,
    script: 'ranking.js',
    titlePrefix: 'Rank',
    create: (panel, _extensionUri, dataset) => new RankingPanel(panel, dataset),
  };
  private file_?: FileIndex;
  private readonly log: LogCache<AnnotationEvent>;
  private filter: Filter = 'all';
  private readonly sent = new SentViews(KEPT_VIEWS / 2);
  private readonly views = new Map<string, ItemView>();
  private started = false;
  /** the ids of the items indexed so far (the first idsFrom of them) */
  private ids = new Set<string>();
  private idsFrom = 0;
  private progressTimer?: NodeJS.Timeout;
  private closed = false;
  /** the first state carries only the item shown (a smaller message, a faster first render); the next items follow at once */
  private firstSent = false;
  private derived?: { key: string; mine: Map<string, AnnotationEvent>; agreement: string; labelled: number; flagged: number; orphanLines: Set<number> };

  /** The dataset of the ranking panel in front, for commands run from the palette while it has focus. */
  static activeDataset(): vscode.Uri | undefined {
    return DatasetPanel.activeDatasetOf(RANKING_VIEW_TYPE);
  }

  static show(extensionUri: vscode.Uri, dataset: vscode.Uri): Promise<void> {
    return DatasetPanel.showPanel(RankingPanel.kind, extensionUri, dataset);
  }

  private constructor(panel: vscode.WebviewPanel, dataset: vscode.Uri) {
    super(panel, dataset, 'ranking', 'annotator');
    this.log = new LogCache(annotationsPath(workspaceRootOf(dataset), dataset.fsPath), readAnnotations, appendAnnotation);
    removeStaleTemps(this.log.path); // left by a killed editor: the log itself is whole
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.joinPath(dataset, '..'), dataset.path.split('/').pop()!));
    this.disposables.push(
      watcher,
      watcher.onDidChange(() => void this.enqueue(() => this.reindex())),
      { dispose: () => this.file_?.dispose() },
      { dispose: () => clearTimeout(this.progressTimer) },
      { dispose: () => (this.closed = true) },
    );
    // indexing starts while the webview starts (just after its HTML is handed over): the first item is ready when it asks
    setImmediate(() => this.closed || void this.file);
  }

  /** The file's index, started on first use (on a worker: the extension host stays free). */
  private get file(): FileIndex {
    if (!this.file_) this.file_ = new FileIndex(this.dataset.fsPath, 'items', () => this.onIndexed());
    return this.file_;
  }

  private async reindex(): Promise<void> {
    const id = this.file_?.items[this.index]?.id;
    this.file_?.dispose();
    this.file_ = undefined;
    this.views.clear();
    this.sent.clear();
    this.derived = undefined;
    this.ids = new Set();
    this.idsFrom = 0;
    if (id) {
      // stay on the same item where it still is
      await this.file.whenDone();
      const at = this.file.items.findIndex((x) => x.id === id);
      this.index = Math.max(0, at);
    }
    await this.post();
  }

  /** While indexing, a state now and then shows the progress (and the counts once done). */
  private onIndexed(): void {
    if (!this.started || this.progressTimer) return;
    const wait = this.file_?.done ? 0 : PROGRESS_MS;
    this.progressTimer = setTimeout(() => {
      this.progressTimer = undefined;
      void this.enqueue(() => this.post());
    }, wait);
  }

  /** Indices the filter lets through (of the items indexed so far); "all" never lists the file. */
  private visible(events: readonly AnnotationEvent[]): number[] | 'all' {
    if (this.filter === 'all') return 'all';
    return filterItems(this.file.items, events, this.person, this.filter);
  }

  /** This annotator's labels and what the state shows of them, recomputed when the log or the index grew. */
  private labels() {
    const { events } = this.log.get();
    const items = this.file.items;
    const key = `${this.log.version}:${items.length}:${this.file.done}`;
    if (this.derived?.key === key) return this.derived;
    for (; this.idsFrom < items.length; this.idsFrom++) this.ids.add(items[this.idsFrom]!.id);
    const mine = currentAnnotations(events).get(this.person) ?? new Map<string, AnnotationEvent>();
    let labelled = 0,
      flagged = 0;
    // a label on a line whose record has changed since (only known once the whole file is indexed)
    const orphanLines = new Set<number>();
    for (const [id, e] of mine) {
      if (this.ids.has(id)) {
        labelled++;
        if (e.choice === 'flag') flagged++;
      } else if (this.file.done) orphanLines.add(e.line);
    }
    const agreement = agreementReport(events);
    const agreementText =
      [
        ...agreement.pairs.map(
          (p) => `κ ${p.kappa?.toFixed(2) ?? 'n/a'}, ${(100 * (p.percentAgreement ?? 0)).toFixed(0)}% agree (${p.a} vs ${p.b}, ${p.items} items)`,
        ),
        ...(agreement.rankings ? [`α ${agreement.rankings.alpha?.toFixed(2) ?? 'n/a'} (ordinal, ${agreement.annotators.length} annotators)`] : []),
      ].join(' · ') || 'agreement: needs two annotators';
    this.derived = { key, mine, agreement: agreementText, labelled, flagged, orphanLines };
    return this.derived;
  }

  /** The side order shown for a pair: stored order, or swapped for about half the records. */
  private order(it: SpannedItem): ShownOrder {
    return showSwapped(it.id, this.person) ? ['rejected', 'chosen'] : ['chosen', 'rejected'];
  }

  /** An item's content, read from disk (kept for the next few looks). */
  private view(it: SpannedItem): ItemView {
    const cached = this.views.get(it.id);
    if (cached) return cached;
    const lines = this.file.itemLines(it);
    let v: ItemView;
    if (this.file.mode === 'pair') {
      const c = pairContent(lines[0]!);
      if (!c) v = { id: it.id, line: it.lines[0]!, prompt: part('Record (changed on disk: reopen the panel)', lines[0]) };
      else {
        const sides: [PairSide, PairSide] =
          typeof c.chosen === 'string' && typeof c.rejected === 'string'
            ? (() => {
                const d = wordDiff(c.chosen as string, c.rejected as string);
                return [
                  { stored: 'chosen', segments: d.left },
                  { stored: 'rejected', segments: d.right },
                ] as [PairSide, PairSide];
              })()
            : [
                { stored: 'chosen', part: part('Response', c.chosen) },
                { stored: 'rejected', part: part('Response', c.rejected) },
              ];
        const swapped = this.order(it)[0] === 'rejected';
        v = {
          id: it.id,
          line: it.lines[0]!,
          prompt: c.prompt === undefined ? null : part('Prompt', c.prompt),
          pair: swapped ? { left: sides[1], right: sides[0] } : { left: sides[0], right: sides[1] },
        };
      }
    } else {
      const c = rankingContent(lines);
      v = c
        ? { id: it.id, line: it.lines[0]!, prompt: part('Prompt', c.prompt), candidates: c.candidates.map((x, i) => part(`Candidate ${i + 1}`, x)) }
        : { id: it.id, line: it.lines[0]!, prompt: part('Record (changed on disk: reopen the panel)', lines.join('\n')) };
    }
    if (this.views.size > 4 * PREFETCH) this.views.delete(this.views.keys().next().value!);
    this.views.set(it.id, v);
    return v;
  }

  private status(k: number, position: number): ItemStatus {
    const it = this.file.items[k]!;
    const { mine, orphanLines } = this.labels();
    const label = mine.get(it.id);
    return {
      id: it.id,
      position,
      label: label && { choice: label.choice, ranks: label.ranks, reason: label.reason },
      changedSinceLabel: !label && orphanLines.has(it.lines[0]!),
    };
  }

  /** Where a new panel starts: the first item this annotator has not labelled (the setting may say the beginning). */
  private async startAt(): Promise<void> {
    if (configFor(this.dataset).annotation.startAt === 'beginning') {
      if (!this.restored) this.index = 0;
      return;
    }
    const mine = currentAnnotations(this.log.get().events).get(this.person) ?? new Map<string, AnnotationEvent>();
    for (let k = 0; ; k++) {
      const it = await this.file.item(k);
      if (!it) break;
      if (!mine.has(it.id)) {
        this.index = k;
        return;
      }
    }
    this.index = 0; // everything labelled: the beginning
  }

  /** The item after k in the filter's order, if indexed (what a decision on k moves to). */
  private after(k: number, visible: number[] | 'all'): number | undefined {
    if (visible === 'all') return k + 1 < this.file.items.length ? k + 1 : undefined;
    return visible.find((i) => i > k);
  }

  private async post(): Promise<void> {
    if (!this.started) {
      this.started = true;
      await this.startAt();
    }
    const { events, problems } = this.log.get();
    if (problems.length) this.notice = problems.join('; ');
    const items = this.file;
    if (this.filter === 'all' && !items.items[this.index] && !items.done) await items.item(this.index);
    const visible = this.visible(events);
    if (visible !== 'all' && !visible.includes(this.index)) this.index = visible.find((i) => i > this.index) ?? visible[0] ?? 0;
    if (visible === 'all' && !items.items[this.index]) this.index = 0;
    const it = items.items[this.index];
    const shown = it && (visible === 'all' || visible.length > 0);
    const views: ItemView[] = [];
    const send = (k: number) => {
      const x = items.items[k]!;
      if (!this.sent.has(x.id)) {
        views.push(this.view(x));
        this.sent.add(x.id);
      }
    };
    let item: ItemStatus | null = null;
    const next: ItemStatus[] = [];
    if (shown) {
      const position = visible === 'all' ? this.index + 1 : visible.indexOf(this.index) + 1;
      item = this.status(this.index, position);
      send(this.index);
      const ahead = this.firstSent ? PREFETCH : 0;
      if (!this.firstSent) {
        this.firstSent = true;
        void this.enqueue(() => this.post()); // the next items, right after this state
      }
      for (let k = this.after(this.index, visible), n = 1; k !== undefined && n <= ahead; k = this.after(k, visible), n++) {
        next.push(this.status(k, position + n));
        send(k);
      }
    }
    const { labelled, flagged, agreement, mine } = this.labels();
    const msg: ToRanking = {
      type: 'state',
      dataset: vscode.workspace.asRelativePath(this.dataset),
      datasetUri: this.dataset.toString(),
      annotator: this.person,
      mode: items.mode ?? 'pair',
      filter: this.filter,
      progress: items.done ? { total: items.items.length, labelled, flagged } : { total: null, labelled: Math.max(labelled, mine.size), flagged },
      indexing: items.done ? null : items.fraction,
      count: visible === 'all' ? (items.done ? items.items.length : null) : visible.length,
      agreement,
      item,
      next,
      views,
      ack: this.ack,
      notice:
        this.notice ??
        items.error ??
        (items.done && !items.items.length ? `No ${items.mode === 'pair' ? 'preference pairs' : 'candidates to rank'} in this file.` : undefined),
    };
    this.notice = undefined;
    await this.channel.post(msg);
  }

  /** Record a decision on the item shown, then move to the next item in the filter's order. */
  private record(it: SpannedItem, e: Omit<AnnotationEvent, 'v' | 'id' | 'line' | 'annotator' | 'time'>): void {
    const { events } = this.log.get();
    const visible = this.visible(events);
    const next = this.after(this.index, visible);
    this.log.add({ v: 1, id: it.id, line: it.lines[0]!, annotator: this.person, time: new Date().toISOString(), ...e });
    if (next !== undefined) this.index = next;
    else {
      const now = this.visible(this.log.get().events);
      if (now !== 'all') this.index = now.find((i) => i !== this.index) ?? this.index;
    }
  }

  /** The item shown, when a decision names it; else undefined and a notice for the panel. */
  private bound(m: { id: string; shown?: ShownOrder }): SpannedItem | undefined {
    const it = this.file.items[this.index];
    const stale = staleDecision({ id: it?.id, order: it && this.file.mode === 'pair' ? this.order(it) : undefined }, m);
    if (stale) this.notice = stale;
    return stale ? undefined : it;
  }

  protected async onMessage(m: FromRanking): Promise<void> {
    switch (m.type) {
      case 'ready':
        // a (re)loaded webview has no item contents
        this.sent.clear();
        break;
      case 'go': {
        const visible = this.visible(this.log.get().events);
        if (visible === 'all') {
          const target = this.index + m.delta;
          if (target >= 0 && (await this.file.item(target))) this.index = target;
          else if (target < 0) {
            await this.file.whenDone();
            this.index = this.file.items.length - 1; // wrap to the last
          } else this.index = 0; // past the end: wrap to the first
        } else {
          const at = Math.max(0, visible.indexOf(this.index));
          this.index = visible[(at + m.delta + visible.length) % Math.max(1, visible.length)] ?? 0;
        }
        break;
      }
      case 'filter':
        this.filter = m.filter;
        if (m.filter !== 'all') await this.file.whenDone();
        break;
      case 'pick': {
        const it = this.bound(m);
        if (!it || this.file.mode !== 'pair') break;
        this.record(it, { kind: 'pair', ...pickedChoice(m.side, this.order(it)[0] === 'rejected') });
        break;
      }
      case 'flag': {
        const it = this.bound(m);
        if (it) this.record(it, { kind: 'pair', choice: 'flag', reason: m.reason || 'unspecified' });
        break;
      }
      case 'rank': {
        const it = this.bound(m);
        if (it) this.record(it, { kind: 'ranking', ranks: m.ranks });
        break;
      }
      case 'undo': {
        const last = undoLastLabel(this.log.path, this.log.get().events, this.person);
        this.log.reset();
        if (!last) {
          this.notice = 'Nothing to undo.';
          break;
        }
        const at = this.file.items.findIndex((x) => x.id === last.id);
        if (at >= 0) this.index = at;
        break;
      }
      case 'showInEditor': {
        const line = this.file.items[this.index]?.lines[0];
        if (!line) return;
        try {
          await vscode.window.showTextDocument(this.dataset, { viewColumn: vscode.ViewColumn.One, selection: new vscode.Range(line - 1, 0, line - 1, 0) });
        } catch (e) {
          this.notice = `Could not show line ${line.toLocaleString('en-US')} in an editor: ${(e as Error).message}`;
          break;
        }
        return;
      }
      case 'export':
        await vscode.commands.executeCommand('finetuneStudio.exportPreferencePairs', this.dataset);
        return;
    }
    await this.post();
  }
}

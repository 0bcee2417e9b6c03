/**
 * The ranking panel's host side: pair mode (which response is better, sides randomised against
 * position bias) and ranking mode (order N candidates). Sends one item at a time; every decision is
 * appended to .finetune/annotations/ before the panel moves on.
 */
import * as vscode from 'vscode';
import { part } from '../../core/review/recordView';
import { agreementReport } from '../../core/preference/agreementReport';
import { annotationsPath, appendAnnotation, currentAnnotations, readAnnotations, type AnnotationEvent } from '../../core/preference/annotationStore';
import { pairContent, ProgressiveItems, rankingContent, showSwapped } from '../../core/preference/items';
import { filterItems, pickedChoice, undoLastLabel } from '../../core/preference/ranking';
import { wordDiff } from '../../core/preference/wordDiff';
import { RANKING_VIEW_TYPE, type Filter, type FromRanking, type ItemView, type PairSide, type RankingMessages, type ToRanking } from '../../protocol/ranking';
import { DocumentSnapshot } from '../workspace/documentSnapshot';
import { workspaceRootOf } from '../workspace/roots';
import { DatasetPanel, type DatasetPanelKind } from './datasetPanel';

export class RankingPanel extends DatasetPanel<RankingMessages> {
  static readonly kind: DatasetPanelKind<RankingPanel> = {
    viewType: RANKING_VIEW_TYPE,
    script: 'ranking.js',
    titlePrefix: 'Rank',
    create: (panel, _extensionUri, dataset) => new RankingPanel(panel, dataset),
  };
  private readonly snapshot = new DocumentSnapshot((lines) => new ProgressiveItems(lines));
  private indexing = false;
  private filter: Filter = 'all';

  /** The dataset of the ranking panel in front, for commands run from the palette while it has focus. */
  static activeDataset(): vscode.Uri | undefined {
    return DatasetPanel.activeDatasetOf(RANKING_VIEW_TYPE);
  }

  static show(extensionUri: vscode.Uri, dataset: vscode.Uri): Promise<void> {
    return DatasetPanel.showPanel(RankingPanel.kind, extensionUri, dataset);
  }

  private constructor(panel: vscode.WebviewPanel, dataset: vscode.Uri) {
    super(panel, dataset, 'ranking', 'annotator');
  }

  private log(): string {
    return annotationsPath(workspaceRootOf(this.dataset), this.dataset.fsPath);
  }

  /** Indices the filter lets through; "all" never forces the whole file to be indexed. */
  private visible(items: ProgressiveItems, events: readonly AnnotationEvent[]): number[] | 'all' {
    if (this.filter === 'all') return 'all';
    items.complete();
    return filterItems(items.items, events, this.person, this.filter);
  }

  private async post(): Promise<void> {
    const { lines, derived: items } = await this.snapshot.get(this.dataset);
    const { events, problems } = readAnnotations(this.log());
    if (problems.length) this.notice = problems.join('; ');
    const cur = currentAnnotations(events);
    const mine = cur.get(this.person) ?? new Map<string, AnnotationEvent>();
    const visible = this.visible(items, events);
    if (visible !== 'all' && !visible.includes(this.index)) this.index = visible.find((i) => i > this.index) ?? visible[0] ?? 0;
    const it = items.ensure(this.index) ?? items.ensure((this.index = 0));
    let view: ItemView | null = null;
    if (it && (visible === 'all' || visible.length)) {
      const label = mine.get(it.id);
      const ids = new Set(items.items.map((x) => x.id));
      const changedSinceLabel = !label && [...mine.values()].some((e) => !ids.has(e.id) && e.line === it.lines[0]);
      const position = visible === 'all' ? this.index + 1 : visible.indexOf(this.index) + 1;
      const count = visible === 'all' ? (items.done ? items.items.length : null) : visible.length;
      const base = {
        index: this.index,
        position,
        count,
        line: it.lines[0]!,
        changedSinceLabel,
        label: label && { choice: label.choice, ranks: label.ranks, reason: label.reason },
      };
      if (items.mode === 'pair') {
        const c = pairContent(lines[it.lines[0]! - 1]!)!;
        const swapped = showSwapped(it.id, this.person);
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
        view = {
          ...base,
          prompt: c.prompt === undefined ? null : part('Prompt', c.prompt),
          pair: swapped ? { left: sides[1], right: sides[0] } : { left: sides[0], right: sides[1] },
        };
      } else {
        const c = rankingContent(it.lines.map((l) => lines[l - 1]!))!;
        view = { ...base, prompt: part('Prompt', c.prompt), candidates: c.candidates.map((x, i) => part(`Candidate ${i + 1}`, x)) };
      }
    }
    const agreement = agreementReport(events);
    const agreementText =
      [
        ...agreement.pairs.map(
          (p) => `κ ${p.kappa?.toFixed(2) ?? 'n/a'}, ${(100 * (p.percentAgreement ?? 0)).toFixed(0)}% agree (${p.a} vs ${p.b}, ${p.items} items)`,
        ),
        ...(agreement.rankings ? [`α ${agreement.rankings.alpha?.toFixed(2) ?? 'n/a'} (ordinal, ${agreement.annotators.length} annotators)`] : []),
      ].join(' · ') || 'agreement: needs two annotators';
    const msg: ToRanking = {
      type: 'state',
      dataset: vscode.workspace.asRelativePath(this.dataset),
      datasetUri: this.dataset.toString(),
      annotator: this.person,
      mode: items.mode,
      filter: this.filter,
      progress: items.done
        ? {
            total: items.items.length,
            labelled: items.items.filter((x) => mine.has(x.id)).length,
            flagged: items.items.filter((x) => mine.get(x.id)?.choice === 'flag').length,
          }
        : { total: null, labelled: mine.size, flagged: [...mine.values()].filter((e) => e.choice === 'flag').length },
      agreement: agreementText,
      item: view,
      notice: this.notice ?? (items.items.length ? undefined : `No ${items.mode === 'pair' ? 'preference pairs' : 'candidates to rank'} in this file.`),
    };
    this.notice = undefined;
    await this.channel.post(msg);
    if (!items.done) this.indexInBackground(items);
  }

  /** Index the rest of a large file in steps between messages, then update the counts. */
  private indexInBackground(items: ProgressiveItems): void {
    if (this.indexing) return;
    this.indexing = true;
    const tick = () => {
      if (items.step(5000)) {
        this.indexing = false;
        void this.post();
      } else setImmediate(tick);
    };
    setImmediate(tick);
  }

  private async record(e: Omit<AnnotationEvent, 'v' | 'id' | 'line' | 'annotator' | 'time'>): Promise<void> {
    const { derived: items } = await this.snapshot.get(this.dataset);
    const it = items.items[this.index];
    if (!it) return;
    appendAnnotation(this.log(), { v: 1, id: it.id, line: it.lines[0]!, annotator: this.person, time: new Date().toISOString(), ...e });
    const { events } = readAnnotations(this.log());
    const visible = this.visible(items, events);
    if (visible === 'all') this.index = items.ensure(this.index + 1) ? this.index + 1 : this.index;
    else this.index = visible.find((i) => i > this.index) ?? visible.find((i) => i !== this.index) ?? this.index;
  }

  protected async onMessage(m: FromRanking): Promise<void> {
    switch (m.type) {
      case 'ready':
        break;
      case 'go': {
        const { derived: items } = await this.snapshot.get(this.dataset);
        const visible = this.visible(items, readAnnotations(this.log()).events);
        if (visible === 'all') {
          const target = this.index + m.delta;
          if (target >= 0 && items.ensure(target)) this.index = target;
          else if (target < 0)
            this.index = items.complete().items.length - 1; // wrap to the last
          else this.index = 0; // past the end: wrap to the first
        } else {
          const at = Math.max(0, visible.indexOf(this.index));
          this.index = visible[(at + m.delta + visible.length) % Math.max(1, visible.length)] ?? 0;
        }
        break;
      }
      case 'filter':
        this.filter = m.filter;
        break;
      case 'pick': {
        const { derived: items } = await this.snapshot.get(this.dataset);
        const it = items.items[this.index];
        if (!it || items.mode !== 'pair') break;
        await this.record({ kind: 'pair', ...pickedChoice(m.side, showSwapped(it.id, this.person)) });
        break;
      }
      case 'flag':
        await this.record({ kind: 'pair', choice: 'flag', reason: m.reason || 'unspecified' });
        break;
      case 'rank':
        await this.record({ kind: 'ranking', ranks: m.ranks });
        break;
      case 'undo': {
        const last = undoLastLabel(this.log(), readAnnotations(this.log()).events, this.person);
        if (!last) {
          this.notice = 'Nothing to undo.';
          break;
        }
        const { derived: items } = await this.snapshot.get(this.dataset);
        const at = items.items.findIndex((x) => x.id === last.id);
        if (at >= 0) this.index = at;
        break;
      }
      case 'showInEditor': {
        const { derived: items, doc } = await this.snapshot.get(this.dataset);
        const line = items.items[this.index]?.lines[0];
        if (line) await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, selection: new vscode.Range(line - 1, 0, line - 1, 0) });
        return;
      }
      case 'export':
        await vscode.commands.executeCommand('finetuneStudio.exportPreferencePairs', this.dataset);
        return;
    }
    await this.post();
  }
}

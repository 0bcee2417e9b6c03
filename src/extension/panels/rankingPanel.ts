/**
 * The ranking panel's host side: pair mode (which response is better, sides randomised against
 * position bias) and ranking mode (order N candidates). Sends one item at a time; every decision is
 * appended to .finetune/annotations/ before the panel moves on.
 */
import * as vscode from 'vscode';
import { basename } from 'node:path';
import { part } from '../../core/review/recordView';
import { agreementReport } from '../../core/preference/agreementReport';
import { annotationsPath, appendAnnotation, currentAnnotations, readAnnotations, type AnnotationEvent } from '../../core/preference/annotationStore';
import { pairContent, ProgressiveItems, rankingContent, showSwapped } from '../../core/preference/items';
import { wordDiff } from '../../core/preference/wordDiff';
import { RANKING_VIEW_TYPE, type Filter, type FromRanking, type ItemView, type PairSide, type ToRanking } from '../../protocol/ranking';
import { DocumentSnapshot } from '../workspace/documentSnapshot';
import { reviewerIdentity } from '../workspace/reviewer';
import { webviewHtml, webviewOptions } from './webviewHtml';

export function workspaceRootOf(uri: vscode.Uri): string {
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  return folder ? folder.uri.fsPath : vscode.Uri.joinPath(uri, '..').fsPath;
}

export class RankingPanel implements vscode.Disposable {
  private static readonly open = new Map<string, RankingPanel>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly snapshot = new DocumentSnapshot((lines) => new ProgressiveItems(lines));
  private indexing = false;
  private index = 0;
  private filter: Filter = 'all';
  private annotator = 'annotator';
  private notice?: string;

  /** The dataset of the ranking panel in front, for commands run from the palette while it has focus. */
  static activeDataset(): vscode.Uri | undefined {
    for (const p of RankingPanel.open.values()) if (p.panel.active) return p.dataset;
    return undefined;
  }

  static async show(extensionUri: vscode.Uri, dataset: vscode.Uri): Promise<void> {
    const existing = RankingPanel.open.get(dataset.toString());
    if (existing) return existing.panel.reveal();
    const panel = vscode.window.createWebviewPanel(RANKING_VIEW_TYPE, `Rank: ${basename(dataset.fsPath)}`, vscode.ViewColumn.Beside, webviewOptions(extensionUri));
    await RankingPanel.attach(panel, extensionUri, dataset, 0);
  }

  static async attach(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, dataset: vscode.Uri, index: number): Promise<void> {
    const p = new RankingPanel(panel, dataset);
    p.index = index;
    RankingPanel.open.set(dataset.toString(), p);
    p.annotator = await reviewerIdentity(vscode.workspace.getWorkspaceFolder(dataset)?.uri);
    panel.webview.html = webviewHtml(panel.webview, extensionUri, 'ranking.js', panel.title);
  }

  private constructor(readonly panel: vscode.WebviewPanel, readonly dataset: vscode.Uri) {
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: FromRanking) => this.onMessage(m).catch((e: Error) => void vscode.window.showErrorMessage(`Finetune Studio ranking: ${e.message}`))),
    );
  }

  private log(): string {
    return annotationsPath(workspaceRootOf(this.dataset), this.dataset.fsPath);
  }

  /** Indices the filter lets through; "all" never forces the whole file to be indexed. */
  private visible(items: ProgressiveItems, events: readonly AnnotationEvent[]): number[] | 'all' {
    if (this.filter === 'all') return 'all';
    items.complete();
    const cur = currentAnnotations(events);
    const mine = cur.get(this.annotator) ?? new Map<string, AnnotationEvent>();
    const all = [...cur.values()];
    return items.items.flatMap((it, i) => {
      if (this.filter === 'unlabelled') return mine.has(it.id) ? [] : [i];
      const labels = all.map((m) => m.get(it.id)).filter((e): e is AnnotationEvent => !!e);
      if (this.filter === 'flagged') return labels.some((e) => e.choice === 'flag') ? [i] : [];
      const keys = new Set(labels.map((e) => (e.kind === 'ranking' ? JSON.stringify(e.ranks) : e.choice)));
      return labels.length > 1 && keys.size > 1 ? [i] : [];
    });
  }

  private async post(): Promise<void> {
    const { lines, derived: items } = await this.snapshot.get(this.dataset);
    const { events, problems } = readAnnotations(this.log());
    if (problems.length) this.notice = problems.join('; ');
    const cur = currentAnnotations(events);
    const mine = cur.get(this.annotator) ?? new Map<string, AnnotationEvent>();
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
      const base = { index: this.index, position, count, line: it.lines[0]!, changedSinceLabel, label: label && { choice: label.choice, ranks: label.ranks, reason: label.reason } };
      if (items.mode === 'pair') {
        const c = pairContent(lines[it.lines[0]! - 1]!)!;
        const swapped = showSwapped(it.id, this.annotator);
        const sides: [PairSide, PairSide] =
          typeof c.chosen === 'string' && typeof c.rejected === 'string'
            ? (() => {
                const d = wordDiff(c.chosen as string, c.rejected as string);
                return [{ stored: 'chosen', segments: d.left }, { stored: 'rejected', segments: d.right }] as [PairSide, PairSide];
              })()
            : [{ stored: 'chosen', part: part('Response', c.chosen) }, { stored: 'rejected', part: part('Response', c.rejected) }];
        view = { ...base, prompt: c.prompt === undefined ? null : part('Prompt', c.prompt), pair: swapped ? { left: sides[1], right: sides[0] } : { left: sides[0], right: sides[1] } };
      } else {
        const c = rankingContent(it.lines.map((l) => lines[l - 1]!))!;
        view = { ...base, prompt: part('Prompt', c.prompt), candidates: c.candidates.map((x, i) => part(`Candidate ${i + 1}`, x)) };
      }
    }
    const agreement = agreementReport(events);
    const agreementText = [
      ...agreement.pairs.map((p) => `κ ${p.kappa?.toFixed(2) ?? 'n/a'}, ${(100 * (p.percentAgreement ?? 0)).toFixed(0)}% agree (${p.a} vs ${p.b}, ${p.items} items)`),
      ...(agreement.rankings ? [`α ${agreement.rankings.alpha?.toFixed(2) ?? 'n/a'} (ordinal, ${agreement.annotators.length} annotators)`] : []),
    ].join(' · ') || 'agreement: needs two annotators';
    const msg: ToRanking = {
      type: 'state', dataset: vscode.workspace.asRelativePath(this.dataset), datasetUri: this.dataset.toString(), annotator: this.annotator,
      mode: items.mode, filter: this.filter,
      progress: items.done
        ? { total: items.items.length, labelled: items.items.filter((x) => mine.has(x.id)).length, flagged: items.items.filter((x) => mine.get(x.id)?.choice === 'flag').length }
        : { total: null, labelled: mine.size, flagged: [...mine.values()].filter((e) => e.choice === 'flag').length },
      agreement: agreementText, item: view, notice: this.notice ?? (items.items.length ? undefined : `No ${items.mode === 'pair' ? 'preference pairs' : 'candidates to rank'} in this file.`),
    };
    this.notice = undefined;
    await this.panel.webview.postMessage(msg);
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
    appendAnnotation(this.log(), { v: 1, id: it.id, line: it.lines[0]!, annotator: this.annotator, time: new Date().toISOString(), ...e });
    const { events } = readAnnotations(this.log());
    const visible = this.visible(items, events);
    if (visible === 'all') this.index = items.ensure(this.index + 1) ? this.index + 1 : this.index;
    else this.index = visible.find((i) => i > this.index) ?? visible.find((i) => i !== this.index) ?? this.index;
  }

  private async onMessage(m: FromRanking): Promise<void> {
    switch (m.type) {
      case 'ready':
        break;
      case 'go': {
        const { derived: items } = await this.snapshot.get(this.dataset);
        const visible = this.visible(items, readAnnotations(this.log()).events);
        if (visible === 'all') {
          const target = this.index + m.delta;
          if (target >= 0 && items.ensure(target)) this.index = target;
          else if (target < 0) this.index = items.complete().items.length - 1; // wrap to the last
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
        const swapped = showSwapped(it.id, this.annotator);
        const shown = (swapped ? ['rejected', 'chosen'] : ['chosen', 'rejected']) as ['chosen', 'rejected'] | ['rejected', 'chosen'];
        const choice = m.side === 'left' ? shown[0] : m.side === 'right' ? shown[1] : m.side;
        await this.record({ kind: 'pair', choice, shown });
        break;
      }
      case 'flag':
        await this.record({ kind: 'pair', choice: 'flag', reason: m.reason || 'unspecified' });
        break;
      case 'rank':
        await this.record({ kind: 'ranking', ranks: m.ranks });
        break;
      case 'undo': {
        const { events } = readAnnotations(this.log());
        const cur = currentAnnotations(events).get(this.annotator);
        const last = [...events].reverse().find((e) => e.annotator === this.annotator && e.kind !== 'undo' && cur?.get(e.id) === e);
        if (!last) {
          this.notice = 'Nothing to undo.';
          break;
        }
        appendAnnotation(this.log(), { v: 1, kind: 'undo', id: last.id, line: last.line, annotator: this.annotator, time: new Date().toISOString() });
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

  dispose(): void {
    RankingPanel.open.delete(this.dataset.toString());
    for (const d of this.disposables) d.dispose();
  }
}

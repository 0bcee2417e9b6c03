/**
 * Labelled data -> TRL preference pairs. Pair mode: a record is kept as stored when more annotators
 * confirmed than swapped it, swapped in the opposite case; ties, skips, flags and even votes drop it.
 * Ranking mode: candidates ordered by their mean rank (equal means tie), then a pair strategy.
 */
import type { AnnotationEvent } from './annotationStore';
import { currentAnnotations } from './annotationStore';
import { derivePairs, type PreferencePair, type Strategy } from './pairs';
import { pairContent, rankingContent, type Item, type Items } from './items';

export interface ExportResult {
  readonly pairs: PreferencePair[];
  readonly kept: number;
  readonly swapped: number;
  readonly dropped: number;
  readonly unlabelled: number;
}

export function exportLabelled(lines: readonly string[], items: Items, events: readonly AnnotationEvent[], strategy: Strategy = 'all-pairs'): ExportResult {
  const exporter = new PairExporter(items.mode, events, strategy);
  const pairs: PreferencePair[] = [];
  for (const item of items.items) {
    if (exporter.labelled(item))
      pairs.push(
        ...exporter.pairsOf(
          item,
          item.lines.map((l) => lines[l - 1]!),
        ),
      );
  }
  return { pairs, ...exporter.counts() };
}

/**
 * The export one item at a time, for a caller that reads only the labelled items' lines (a file on
 * disk, any size): ask `labelled(item)`, then `pairsOf(item, its lines' text)`.
 */
export class PairExporter {
  private readonly current: Map<string, AnnotationEvent>[];
  private kept = 0;
  private swapped = 0;
  private dropped = 0;
  private unlabelled = 0;

  constructor(
    readonly mode: Items['mode'],
    events: readonly AnnotationEvent[],
    private readonly strategy: Strategy = 'all-pairs',
  ) {
    this.current = [...currentAnnotations(events).values()];
  }

  private labels(item: Item): AnnotationEvent[] {
    return this.current.map((m) => m.get(item.id)).filter((e): e is AnnotationEvent => e !== undefined);
  }

  /** Whether anyone labelled the item (counted as unlabelled when not). */
  labelled(item: Item): boolean {
    if (this.labels(item).length) return true;
    this.unlabelled++;
    return false;
  }

  /** The pairs a labelled item gives; `texts`: its lines, in the item's order. */
  pairsOf(item: Item, texts: readonly string[]): PreferencePair[] {
    const labels = this.labels(item);
    if (this.mode === 'pair') {
      const c = pairContent(texts[0]!);
      const confirm = labels.filter((e) => e.choice === 'chosen').length;
      const swap = labels.filter((e) => e.choice === 'rejected').length;
      if (!c || labels.some((e) => e.choice === 'flag') || confirm === swap) {
        this.dropped++;
        return [];
      }
      const [chosen, rejected] = confirm > swap ? [c.chosen, c.rejected] : [c.rejected, c.chosen];
      if (confirm > swap) this.kept++;
      else this.swapped++;
      return [c.prompt === undefined ? ({ chosen, rejected } as PreferencePair) : { prompt: c.prompt, chosen, rejected }];
    }
    const content = rankingContent(texts);
    const rankings = labels.filter((e) => e.kind === 'ranking' && e.ranks).map((e) => e.ranks!);
    if (!content || !rankings.length) {
      this.dropped++;
      return [];
    }
    const means: { c: number; mean: number }[] = [];
    content.candidates.forEach((_, c) => {
      const rs = rankings.map((r) => r[c]).filter((x): x is number => typeof x === 'number');
      if (rs.length) means.push({ c, mean: rs.reduce((s, x) => s + x, 0) / rs.length });
    });
    means.sort((a, b) => a.mean - b.mean);
    const groups: unknown[][] = [];
    let last: number | undefined;
    for (const m of means) {
      if (last !== undefined && Math.abs(m.mean - last) < 1e-9) groups[groups.length - 1]!.push(content.candidates[m.c]);
      else groups.push([content.candidates[m.c]]);
      last = m.mean;
    }
    const derived = derivePairs({ prompt: content.prompt, ranked: groups }, this.strategy);
    if (derived.length) this.kept++;
    else this.dropped++;
    return derived;
  }

  counts(): Omit<ExportResult, 'pairs'> {
    return { kept: this.kept, swapped: this.swapped, dropped: this.dropped, unlabelled: this.unlabelled };
  }
}

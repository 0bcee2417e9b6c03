/**
 * Labelled data -> TRL preference pairs. Pair mode: a record is kept as stored when more annotators
 * confirmed than swapped it, swapped in the opposite case; ties, skips, flags and even votes drop it.
 * Ranking mode: candidates ordered by their mean rank (equal means tie), then a pair strategy.
 */
import type { AnnotationEvent } from './annotationStore';
import { currentAnnotations } from './annotationStore';
import { derivePairs, type PreferencePair, type Strategy } from './pairs';
import { pairContent, rankingContent, type Items } from './items';

export interface ExportResult {
  readonly pairs: PreferencePair[];
  readonly kept: number;
  readonly swapped: number;
  readonly dropped: number;
  readonly unlabelled: number;
}

export function exportLabelled(lines: readonly string[], items: Items, events: readonly AnnotationEvent[], strategy: Strategy = 'all-pairs'): ExportResult {
  const current = [...currentAnnotations(events).values()];
  const pairs: PreferencePair[] = [];
  let kept = 0,
    swapped = 0,
    dropped = 0,
    unlabelled = 0;
  for (const item of items.items) {
    const labels = current.map((m) => m.get(item.id)).filter((e): e is AnnotationEvent => e !== undefined);
    if (!labels.length) {
      unlabelled++;
      continue;
    }
    if (items.mode === 'pair') {
      const c = pairContent(lines[item.lines[0]! - 1]!);
      const confirm = labels.filter((e) => e.choice === 'chosen').length;
      const swap = labels.filter((e) => e.choice === 'rejected').length;
      if (!c || labels.some((e) => e.choice === 'flag') || confirm === swap) {
        dropped++;
        continue;
      }
      const [chosen, rejected] = confirm > swap ? [c.chosen, c.rejected] : [c.rejected, c.chosen];
      pairs.push(c.prompt === undefined ? ({ chosen, rejected } as PreferencePair) : { prompt: c.prompt, chosen, rejected });
      if (confirm > swap) kept++;
      else swapped++;
    } else {
      const content = rankingContent(item.lines.map((l) => lines[l - 1]!));
      const rankings = labels.filter((e) => e.kind === 'ranking' && e.ranks).map((e) => e.ranks!);
      if (!content || !rankings.length) {
        dropped++;
        continue;
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
      const derived = derivePairs({ prompt: content.prompt, ranked: groups }, strategy);
      if (derived.length) kept++;
      else dropped++;
      pairs.push(...derived);
    }
  }
  return { pairs, kept, swapped, dropped, unlabelled };
}

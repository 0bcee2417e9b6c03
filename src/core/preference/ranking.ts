/**
 * What an annotator does in the ranking panel, vscode-free: which items a filter lets through, the
 * stored choice behind a picked side, and undo of the last label.
 */
import type { Filter } from '../../protocol/ranking';
import { appendAnnotation, currentAnnotations, type AnnotationEvent, type PairChoice } from './annotationStore';

/** Indices of `items` that `filter` lets through for `annotator`; "all" never forces a whole file to be indexed. */
export function filterItems(
  items: readonly { readonly id: string }[],
  events: readonly AnnotationEvent[],
  annotator: string,
  filter: Exclude<Filter, 'all'>,
): number[] {
  const cur = currentAnnotations(events);
  const mine = cur.get(annotator) ?? new Map<string, AnnotationEvent>();
  const all = [...cur.values()];
  return items.flatMap((it, i) => {
    if (filter === 'unlabelled') return mine.has(it.id) ? [] : [i];
    const labels = all.map((m) => m.get(it.id)).filter((e): e is AnnotationEvent => !!e);
    if (filter === 'flagged') return labels.some((e) => e.choice === 'flag') ? [i] : [];
    const keys = new Set(labels.map((e) => (e.kind === 'ranking' ? JSON.stringify(e.ranks) : e.choice)));
    return labels.length > 1 && keys.size > 1 ? [i] : [];
  });
}

/** The order the sides were shown in, and the stored choice behind the side picked. */
export function pickedChoice(
  side: 'left' | 'right' | 'tie' | 'skip',
  swapped: boolean,
): { choice: PairChoice; shown: ['chosen', 'rejected'] | ['rejected', 'chosen'] } {
  const shown = (swapped ? ['rejected', 'chosen'] : ['chosen', 'rejected']) as ['chosen', 'rejected'] | ['rejected', 'chosen'];
  return { choice: side === 'left' ? shown[0] : side === 'right' ? shown[1] : side, shown };
}

/** Undo the annotator's most recent label still in force (an undo event is appended); the undone label, or undefined. */
export function undoLastLabel(logPath: string, events: readonly AnnotationEvent[], annotator: string, now = new Date()): AnnotationEvent | undefined {
  const cur = currentAnnotations(events).get(annotator);
  const last = [...events].reverse().find((e) => e.annotator === annotator && e.kind !== 'undo' && cur?.get(e.id) === e);
  if (!last) return undefined;
  appendAnnotation(logPath, { v: 1, kind: 'undo', id: last.id, line: last.line, annotator, time: now.toISOString() });
  return last;
}

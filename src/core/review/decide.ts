/**
 * What a reviewer does in the review panel, as log events: decide on a sample item, undo the last
 * decision. Both append to the log (nothing is rewritten) and say which item to show next.
 */
import type { Reason } from '../../protocol/reasons';
import type { SampleItem } from './reviewStatus';
import { appendEvent, lastUndoable, type ReviewEvent } from './reviewStore';

export interface Verdict {
  readonly decision: 'pass' | 'fail';
  readonly reasons: readonly Reason[];
  readonly note: string;
}

/**
 * Record a decision on items[index]; the index to show next: the next item without a decision
 * (wrapping), or the same when all are decided. undefined when the record is no longer in the file.
 */
export function decide(
  logPath: string,
  items: readonly SampleItem[],
  index: number,
  seed: number,
  reviewer: string,
  v: Verdict,
  now = new Date(),
): number | undefined {
  const it = items[index];
  if (!it?.current) return undefined;
  const e: ReviewEvent = {
    v: 1,
    kind: 'decision',
    id: it.current.id,
    line: it.current.line,
    seed,
    reviewer,
    time: now.toISOString(),
    decision: v.decision,
    reasons: v.decision === 'fail' ? v.reasons : [],
    note: v.note.trim() || undefined,
  };
  appendEvent(logPath, e);
  const next = items.findIndex((x, i) => i > index && !x.decision);
  const wrap = items.findIndex((x, i) => i !== index && !x.decision);
  return next >= 0 ? next : wrap >= 0 ? wrap : index;
}

/**
 * Undo the reviewer's most recent decision not yet undone (an undo event is appended). Returns the
 * index of the item it was on (-1 when that record is gone), or undefined when there is nothing to undo.
 */
export function undoLast(
  logPath: string,
  events: readonly ReviewEvent[],
  items: readonly SampleItem[],
  seed: number,
  reviewer: string,
  now = new Date(),
): number | undefined {
  const last = lastUndoable(events, seed, reviewer);
  if (!last) return undefined;
  appendEvent(logPath, { ...last, kind: 'undo', time: now.toISOString(), decision: undefined, reasons: undefined, note: undefined });
  return items.findIndex((x) => x.current?.id === last.id);
}

/**
 * The position after moving by `delta` from `index` in a sample of `count` records, wrapping. A position
 * past the last record (the next one still being found while the sample streams in) moves back to the
 * last record, or on to the first.
 */
export function stepIndex(index: number, delta: number, count: number): number {
  if (count <= 0) return 0;
  if (index >= count) return delta < 0 ? count - 1 : 0;
  return (((index + delta) % count) + count) % count;
}

/**
 * A decision is bound to what the annotator saw: the panel's message names the item's content id
 * (and, for a pair, the order its sides were shown in). The extension applies it only when that is
 * the item it shows now; otherwise the key was meant for something else and is ignored, with a
 * notice the panel shows. Used by the review and the ranking panels.
 */

export interface Shown {
  /** the content id of the item shown; undefined when none is */
  readonly id: string | undefined;
  /** the side order shown (pairs) */
  readonly order?: readonly string[];
}

export interface Bound {
  readonly id: string;
  readonly shown?: readonly string[];
}

/** undefined when the decision is for the item shown; else the notice that says why it was ignored. */
export function staleDecision(shown: Shown, d: Bound): string | undefined {
  if (shown.id === undefined) return `Ignored a key for item ${short(d.id)}: no item is shown.`;
  if (d.id !== shown.id) return `Ignored a key for item ${short(d.id)}: it is no longer shown (now ${short(shown.id)}). Nothing was recorded for it.`;
  if (d.shown && shown.order && (d.shown.length !== shown.order.length || d.shown.some((s, i) => s !== shown.order![i])))
    return `Ignored a key for item ${short(d.id)}: its sides were shown in another order. Nothing was recorded.`;
  return undefined;
}

/**
 * Where a review decision applies: the record shown now, when it is the one the key was pressed on. The
 * panel's own index is not trusted: the sample's numbering can change under a key in flight (the whole
 * sample, once the file is read, replacing the one streamed so far), while the record on screen stays.
 */
export function reviewTarget(shownIndex: number, idAt: (index: number) => string | undefined, d: Bound): { index: number } | { notice: string } {
  const notice = staleDecision({ id: idAt(shownIndex) }, d);
  return notice === undefined ? { index: shownIndex } : { notice };
}

const short = (id: string) => id.slice(0, 8);

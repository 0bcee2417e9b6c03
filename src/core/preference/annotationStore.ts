/**
 * Preference annotations: an append-only JSONL log per dataset in .finetune/annotations/, keyed by
 * record id, annotator and time. A pair decision says which stored response is better ("chosen"
 * confirms the stored order, "rejected" swaps it) and the order the sides were shown in; a ranking
 * gives each candidate a rank (1 = best, ties allowed, null = unranked in a top-k ranking).
 */
import { join } from 'node:path';
import { appendLinesAtomic, readJsonlLog } from '../jsonl/atomicFile';
import { datasetName, finetunePaths } from '../project/layout';

export type PairChoice = 'chosen' | 'rejected' | 'tie' | 'skip' | 'flag';

export interface AnnotationEvent {
  readonly v: 1;
  readonly kind: 'pair' | 'ranking' | 'undo';
  readonly id: string;
  readonly line: number;
  readonly annotator: string;
  readonly time: string;
  readonly choice?: PairChoice;
  readonly shown?: readonly ['chosen', 'rejected'] | readonly ['rejected', 'chosen'];
  readonly reason?: string;
  readonly ranks?: readonly (number | null)[];
}

export function annotationsPath(workspaceRoot: string, datasetPath: string): string {
  return join(finetunePaths(workspaceRoot).annotations, `${datasetName(datasetPath)}.jsonl`);
}

const isAnnotation = (e: unknown): e is AnnotationEvent => {
  const a = e as AnnotationEvent | null;
  return !!a && a.v === 1 && typeof a.id === 'string' && typeof a.annotator === 'string' && ['pair', 'ranking', 'undo'].includes(a.kind);
};

export function readAnnotations(path: string): { events: AnnotationEvent[]; problems: string[] } {
  const { entries, problems } = readJsonlLog(path, isAnnotation, 'an annotation event');
  return { events: entries, problems };
}

export function appendAnnotation(path: string, e: AnnotationEvent): void {
  appendLinesAtomic(path, [JSON.stringify(e)]);
}

/** Current annotation per annotator and record: last one wins, an undo retracts the one before it. */
export function currentAnnotations(events: readonly AnnotationEvent[]): Map<string, Map<string, AnnotationEvent>> {
  const stacks = new Map<string, Map<string, AnnotationEvent[]>>();
  for (const e of events) {
    let byId = stacks.get(e.annotator);
    if (!byId) stacks.set(e.annotator, (byId = new Map()));
    let st = byId.get(e.id);
    if (!st) byId.set(e.id, (st = []));
    if (e.kind === 'undo') st.pop();
    else st.push(e);
  }
  const out = new Map<string, Map<string, AnnotationEvent>>();
  for (const [annotator, byId] of stacks) {
    const m = new Map<string, AnnotationEvent>();
    for (const [id, st] of byId) if (st.length) m.set(id, st[st.length - 1]!);
    out.set(annotator, m);
  }
  return out;
}

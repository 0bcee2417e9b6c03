/**
 * Review decisions: an append-only JSONL log per dataset in .finetune/reviews/, keyed by record id,
 * sample seed and reviewer. Undo appends an event too; nothing a reviewer did is ever rewritten.
 * The current state is a fold over the log.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { appendLinesAtomic, readJsonlLog, writeFileAtomic } from '../jsonl/atomicFile';

import type { Reason } from '../../protocol/reasons';
import { datasetName, finetunePaths } from '../project/layout';

export interface ReviewEvent {
  readonly v: 1;
  readonly kind: 'decision' | 'undo';
  readonly id: string;
  /** 1-based line of the record when it was decided (helps find an edited record again) */
  readonly line: number;
  readonly seed: number;
  readonly reviewer: string;
  readonly time: string;
  readonly decision?: 'pass' | 'fail';
  readonly reasons?: readonly Reason[];
  readonly note?: string;
}

export interface Decision {
  readonly decision: 'pass' | 'fail';
  readonly reasons: readonly Reason[];
  readonly note?: string;
  readonly line: number;
  readonly time: string;
}

export interface SampleManifest {
  readonly v: 1;
  readonly dataset: string;
  readonly fraction: number;
  readonly seed: number;
  readonly stratifyBy?: string;
  readonly createdAt: string;
  readonly records: { readonly line: number; readonly id: string }[];
}

export function reviewPaths(workspaceRoot: string, datasetPath: string): { log: string; manifest: string } {
  const name = datasetName(datasetPath);
  const dir = finetunePaths(workspaceRoot).reviews;
  return { log: join(dir, `${name}.jsonl`), manifest: join(dir, `${name}.sample.json`) };
}

export interface LoadedLog {
  readonly events: ReviewEvent[];
  /** lines of the log that could not be read (a torn last line after a crash, a hand edit) */
  readonly problems: string[];
}

const isReviewEvent = (e: unknown): e is ReviewEvent => {
  const r = e as ReviewEvent | null;
  return !!r && r.v === 1 && typeof r.id === 'string' && (r.kind === 'decision' || r.kind === 'undo');
};

export function readLog(path: string): LoadedLog {
  const { entries, problems } = readJsonlLog(path, isReviewEvent, 'a review event');
  return { events: entries, problems };
}

export function appendEvent(path: string, e: ReviewEvent): void {
  appendLinesAtomic(path, [JSON.stringify(e)]);
}

/** The current decisions of one reviewer for one seed: the last decision per id, minus undone ones. */
export function currentDecisions(events: readonly ReviewEvent[], seed: number, reviewer?: string): Map<string, Decision> {
  const stacks = new Map<string, ReviewEvent[]>();
  for (const e of events) {
    if (e.seed !== seed || (reviewer !== undefined && e.reviewer !== reviewer)) continue;
    const key = reviewer === undefined ? `${e.reviewer}\u0000${e.id}` : e.id;
    let st = stacks.get(key);
    if (!st) stacks.set(key, (st = []));
    if (e.kind === 'undo') st.pop();
    else st.push(e);
  }
  const out = new Map<string, Decision>();
  for (const st of stacks.values()) {
    const last = st[st.length - 1];
    if (!last || !last.decision) continue;
    // with several reviewers, a fail from anyone stands
    const prev = out.get(last.id);
    if (prev && prev.decision === 'fail') continue;
    out.set(last.id, { decision: last.decision, reasons: last.reasons ?? [], note: last.note, line: last.line, time: last.time });
  }
  return out;
}

/** The most recent undoable event of a reviewer (for `u`): the last decision not yet undone. */
export function lastUndoable(events: readonly ReviewEvent[], seed: number, reviewer: string): ReviewEvent | undefined {
  const stack: ReviewEvent[] = [];
  for (const e of events) {
    if (e.seed !== seed || e.reviewer !== reviewer) continue;
    if (e.kind === 'undo') {
      const i = stack.map((x) => x.id).lastIndexOf(e.id);
      if (i >= 0) stack.splice(i, 1);
    } else stack.push(e);
  }
  return stack[stack.length - 1];
}

export function readManifest(path: string): SampleManifest | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const m = JSON.parse(readFileSync(path, 'utf8')) as SampleManifest;
    return m && m.v === 1 && Array.isArray(m.records) ? m : undefined;
  } catch {
    return undefined;
  }
}

export function writeManifest(path: string, m: SampleManifest): void {
  writeFileAtomic(path, JSON.stringify(m, null, 2) + '\n');
}

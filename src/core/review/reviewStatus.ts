/**
 * The review gate: the sample is complete and its pass rate is at least the threshold. Records of the
 * sample are found by id; a record edited since it was sampled is found at its old line with a new id
 * and needs a new decision ("changed since review").
 */
import type { RecordRef } from '../records/recordIndex';
import type { ReviewProgress } from '../../protocol/review';
import type { Decision, SampleManifest } from './reviewStore';

export const DEFAULT_GATE_THRESHOLD = 0.9;

export interface SampleItem {
  /** the manifest's entry */
  readonly sampledId: string;
  /** where the record is now (1-based), and its id now; undefined when it is gone */
  readonly current?: RecordRef;
  /** decided under its sampled id, but the record has changed since */
  readonly changedSinceReview: boolean;
  readonly decision?: Decision;
}

export function resolveSample(manifest: SampleManifest, refs: readonly RecordRef[], decisions: ReadonlyMap<string, Decision>): SampleItem[] {
  const byId = new Map<string, RecordRef>();
  for (const r of refs) if (!byId.has(r.id)) byId.set(r.id, r);
  const byLine = new Map<number, RecordRef>();
  for (const r of refs) byLine.set(r.line, r);
  const inSample = new Set(manifest.records.map((r) => r.id));
  return manifest.records.map((m) => {
    const same = byId.get(m.id);
    if (same) return { sampledId: m.id, current: same, changedSinceReview: false, decision: decisions.get(m.id) };
    // edited: the record now at its line, unless that line holds another sampled record
    const there = byLine.get(m.line);
    const current = there && !inSample.has(there.id) ? there : undefined;
    const decision = current ? decisions.get(current.id) : undefined;
    return { sampledId: m.id, current, changedSinceReview: decisions.has(m.id) && !decision, decision };
  });
}

export interface ReviewStatus extends ReviewProgress {
  readonly changedSinceReview: number;
}

export function reviewStatus(items: readonly SampleItem[], threshold = DEFAULT_GATE_THRESHOLD): ReviewStatus {
  let passed = 0,
    failed = 0,
    changed = 0;
  for (const it of items) {
    if (it.changedSinceReview) changed++;
    if (it.decision?.decision === 'pass') passed++;
    else if (it.decision?.decision === 'fail') failed++;
  }
  const reviewed = passed + failed;
  const passRate = reviewed ? passed / reviewed : null;
  const complete = items.length > 0 && reviewed === items.length;
  const gate = !complete ? 'incomplete' : passRate! >= threshold ? 'passed' : 'failed';
  return { sampled: items.length, reviewed, passed, failed, passRate, gate, threshold, changedSinceReview: changed };
}

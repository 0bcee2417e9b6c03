/**
 * The review gate of a dataset, as the CLI (`ftstudio review-status`), preflight and the review panel
 * all see it: its sample manifest in .finetune/reviews/, the decisions in the log, the records as
 * they are now. Without a manifest no review has started: the gate is incomplete, and `sampled` is
 * the size the sample would have.
 */
import type { RecordRef } from '../records/recordIndex';
import { sampleRecords } from '../sampling/sample';
import { DEFAULT_GATE_THRESHOLD, resolveSample, reviewStatus, type ReviewStatus, type SampleItem } from './reviewStatus';
import { currentDecisions, readLog, readManifest, reviewPaths, type ReviewEvent, type SampleManifest } from './reviewStore';

export interface ReviewGate {
  readonly paths: { readonly log: string; readonly manifest: string };
  /** undefined when no review has started */
  readonly manifest?: SampleManifest;
  readonly events: readonly ReviewEvent[];
  /** unreadable lines of the log (kept in the file, ignored) */
  readonly problems: readonly string[];
  readonly items: readonly SampleItem[];
  readonly status: ReviewStatus;
}

/**
 * `refs` gives the dataset's records as they are now (read only when needed). With `ifStarted`, a
 * dataset without a review gives undefined instead of its would-be sample.
 */
type Refs = () => readonly RecordRef[] | Promise<readonly RecordRef[]>;
export function reviewGate(
  workspaceRoot: string,
  datasetPath: string,
  refs: Refs,
  opts: { readonly threshold?: number; readonly ifStarted: true },
): Promise<ReviewGate | undefined>;
export function reviewGate(workspaceRoot: string, datasetPath: string, refs: Refs, opts?: { readonly threshold?: number }): Promise<ReviewGate>;
export async function reviewGate(
  workspaceRoot: string,
  datasetPath: string,
  refs: () => readonly RecordRef[] | Promise<readonly RecordRef[]>,
  opts: { readonly threshold?: number; readonly ifStarted?: boolean } = {},
): Promise<ReviewGate | undefined> {
  const threshold = opts.threshold ?? DEFAULT_GATE_THRESHOLD;
  const paths = reviewPaths(workspaceRoot, datasetPath);
  const manifest = readManifest(paths.manifest);
  if (!manifest && opts.ifStarted) return undefined;
  const { events, problems } = readLog(paths.log);
  if (!manifest) {
    const sampled = sampleRecords(await refs(), { keepBelowFraction: true }).size;
    const status: ReviewStatus = { sampled, reviewed: 0, passed: 0, failed: 0, passRate: null, gate: 'incomplete', threshold, changedSinceReview: 0 };
    return { paths, events, problems, items: [], status };
  }
  const items = resolveSample(manifest, await refs(), currentDecisions(events, manifest.seed));
  return { paths, manifest, events, problems, items, status: reviewStatus(items, threshold) };
}

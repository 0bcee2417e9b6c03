/**
 * The near-duplicate checks wired into validation (validateDataset.ts): `near-duplicate` inside a
 * dataset and `heldout-near-leak` of a held-out file against its training partner (the pairing of
 * checks/leakage.ts). An open document is re-checked from cached signatures (one per distinct record),
 * up to LIVE_NEAR_DUPLICATE_LIMIT records; beyond that the file's near-duplicates come from
 * `ftstudio validate`, "Validate All Datasets" and the Dataset Report.
 */
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { Diagnostic } from '../checks/diagnostic';
import type { DatasetModel } from '../checks/datasetModel';
import { trainPartner } from '../checks/leakage';
import { DEFAULT_THRESHOLD } from '../insight/lsh';
import { clusters, LIVE_NEAR_DUPLICATE_LIMIT, nearDuplicateDiagnostics, nearLeakDiagnostics, signLines, type SignatureSet } from '../insight/nearDuplicates';
import { signFile } from '../insight/parallelSigning';

const LEAK_CODES = new Set(['heldout-leak', 'heldout-prompt-leak']);

const trainSigs = new Map<string, { mtime: number; set: SignatureSet }>();

/** The training partner's signatures, kept until the file changes on disk. */
async function partnerSignatures(partner: string, signal?: AbortSignal): Promise<SignatureSet> {
  const mtime = statSync(partner).mtimeMs;
  const hit = trainSigs.get(partner);
  if (hit && hit.mtime === mtime) return hit.set;
  const set = await signFile(partner, { signal });
  trainSigs.clear(); // one partner at a time: bounded memory
  trainSigs.set(partner, { mtime, set });
  return set;
}

function leakSkips(found: readonly Diagnostic[]): Set<number> {
  return new Set(found.filter((d) => LEAK_CODES.has(d.code)).map((d) => d.line));
}

/** Near-duplicates of a JSONL file on disk, and its near leaks into its training partner. */
export async function nearDuplicatesOfFile(
  path: string,
  threshold = DEFAULT_THRESHOLD,
  leaks: readonly Diagnostic[] = [],
  signal?: AbortSignal,
): Promise<Diagnostic[]> {
  if (threshold <= 0) return [];
  const set = await signFile(path, { signal });
  const out = nearDuplicateDiagnostics(set, clusters(set, threshold, signal), threshold);
  const partner = trainPartner(path);
  if (partner && !/\.json$/i.test(partner))
    out.push(...nearLeakDiagnostics(set, await partnerSignatures(partner, signal), basename(partner), leakSkips(leaks), threshold));
  return out;
}

const documentCaches = new WeakMap<DatasetModel, Map<number, Uint16Array | null>>();

/** Near-duplicates of an open document (its incremental model and lines as they are now). */
export function nearDuplicatesOfDocument(
  model: DatasetModel,
  path: string | undefined,
  lines: () => readonly string[],
  threshold = DEFAULT_THRESHOLD,
  leaks: readonly Diagnostic[] = [],
): Diagnostic[] {
  if (threshold <= 0 || model.index.records > LIVE_NEAR_DUPLICATE_LIMIT || model.index.records < 2) return [];
  const hash = model.lines.hash;
  const { set, cache } = signLines(lines(), documentCaches.get(model), (i) => (model.lines.isRecord(i) ? hash[i]! : NaN));
  documentCaches.set(model, cache);
  const out = nearDuplicateDiagnostics(set, clusters(set, threshold), threshold);
  const partner = path === undefined ? undefined : trainPartner(path);
  if (partner && !/\.json$/i.test(partner)) {
    const mtime = statSync(partner).mtimeMs;
    let hit = trainSigs.get(partner);
    if (!hit || hit.mtime !== mtime) {
      hit = { mtime, set: signLines(readFileSync(partner, 'utf8').split('\n')).set };
      trainSigs.clear();
      trainSigs.set(partner, hit);
    }
    out.push(...nearLeakDiagnostics(set, hit.set, basename(partner), leakSkips(leaks), threshold));
  }
  return out;
}

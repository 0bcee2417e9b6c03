/**
 * Leakage between a held-out file and its training file: an exact duplicate, or the same prompt,
 * on both sides. Reported on the held-out file, pointing at the training line.
 */
import { basename, dirname, join } from 'node:path';
import { existsSync } from 'node:fs';
import { CODES } from './codes';
import type { Diagnostic } from './diagnostic';
import type { RecordRef } from '../records/recordIndex';

/** The training file that pairs with a held-out file by name: x.heldout.jsonl -> x.train.jsonl. */
export function trainPartner(heldoutPath: string): string | undefined {
  const m = /^(.*)\.heldout\.jsonl$/i.exec(basename(heldoutPath));
  if (!m) return undefined;
  const p = join(dirname(heldoutPath), `${m[1]}.train.jsonl`);
  return existsSync(p) ? p : undefined;
}

export function leakageDiagnostics(heldout: readonly RecordRef[], train: readonly RecordRef[], trainName: string): Diagnostic[] {
  const byId = new Map<string, number>();
  const byPrompt = new Map<string, number>();
  for (const r of train) {
    if (!byId.has(r.id)) byId.set(r.id, r.line);
    if (r.promptId && !byPrompt.has(r.promptId)) byPrompt.set(r.promptId, r.line);
  }
  const out: Diagnostic[] = [];
  for (const r of heldout) {
    const same = byId.get(r.id);
    const prompt = same === undefined && r.promptId ? byPrompt.get(r.promptId) : undefined;
    if (same === undefined && prompt === undefined) continue;
    out.push({
      line: r.line - 1, start: 0, end: r.len ?? 1, code: 'heldout-leak', severity: CODES['heldout-leak'].severity,
      message: same !== undefined
        ? `This held-out record is also in ${trainName} (line ${same}): remove it from one side, or held-out scores will be inflated.`
        : `The prompt of this held-out record is also in ${trainName} (line ${prompt}): keep prompts on one side only.`,
    });
  }
  return out;
}

/** Leakage of a held-out file on disk against its paired training file; none when it has no partner. */
export async function leakageOfFile(heldoutPath: string): Promise<Diagnostic[]> {
  const partner = trainPartner(heldoutPath);
  if (!partner) return [];
  const { indexFile } = await import('../records/recordIndex');
  const [held, train] = await Promise.all([indexFile(heldoutPath, { withPrompt: true }), indexFile(partner, { withPrompt: true })]);
  return leakageDiagnostics(held, train, basename(partner));
}

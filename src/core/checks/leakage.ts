/**
 * Leakage between a held-out file and its training file: an exact duplicate, or the same prompt,
 * on both sides. Reported on the held-out file, pointing at the training line.
 */
import { basename, dirname, join } from 'node:path';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { CODES } from './codes';
import type { Diagnostic } from './diagnostic';
import { indexFile, indexLines, type RecordRef } from '../records/recordIndex';

/** The training file that pairs with a held-out file by name: x.heldout.jsonl -> x.train.jsonl. */
export function trainPartner(heldoutPath: string): string | undefined {
  const m = /^(.*)\.heldout\.jsonl$/i.exec(basename(heldoutPath));
  if (!m) return undefined;
  const p = join(dirname(heldoutPath), `${m[1]}.train.jsonl`);
  return existsSync(p) ? p : undefined;
}

/** One held-out record found in the training file: the very record, or only its prompt. */
export interface Leak {
  readonly kind: 'exact' | 'prompt';
  /** the held-out record */
  readonly heldout: RecordRef;
  /** 1-based line of the training record it leaks into */
  readonly trainLine: number;
}

export function findLeaks(heldout: readonly RecordRef[], train: readonly RecordRef[]): Leak[] {
  const byId = new Map<string, number>();
  const byPrompt = new Map<string, number>();
  for (const r of train) {
    if (!byId.has(r.id)) byId.set(r.id, r.line);
    if (r.promptId && !byPrompt.has(r.promptId)) byPrompt.set(r.promptId, r.line);
  }
  const out: Leak[] = [];
  for (const r of heldout) {
    const same = byId.get(r.id);
    if (same !== undefined) {
      out.push({ kind: 'exact', heldout: r, trainLine: same });
      continue;
    }
    const prompt = r.promptId ? byPrompt.get(r.promptId) : undefined;
    if (prompt !== undefined) out.push({ kind: 'prompt', heldout: r, trainLine: prompt });
  }
  return out;
}

export function leakDiagnostic(leak: Leak, trainName: string): Diagnostic {
  const r = leak.heldout;
  return {
    line: r.line - 1, start: 0, end: r.len ?? 1, code: 'heldout-leak', severity: CODES['heldout-leak'].severity,
    message: leak.kind === 'exact'
      ? `This held-out record is also in ${trainName} (line ${leak.trainLine}): remove it from one side, or held-out scores will be inflated.`
      : `The prompt of this held-out record is also in ${trainName} (line ${leak.trainLine}): keep prompts on one side only.`,
  };
}

export function leakageDiagnostics(heldout: readonly RecordRef[], train: readonly RecordRef[], trainName: string): Diagnostic[] {
  return findLeaks(heldout, train).map((l) => leakDiagnostic(l, trainName));
}

/** Leakage of a held-out file on disk against its paired training file; none when it has no partner. */
export async function leakageOfFile(heldoutPath: string): Promise<Diagnostic[]> {
  const partner = trainPartner(heldoutPath);
  if (!partner) return [];
  const [held, train] = await Promise.all([indexFile(heldoutPath, { withPrompt: true }), indexFile(partner, { withPrompt: true })]);
  return leakageDiagnostics(held, train, basename(partner));
}

const partnerCache = new Map<string, { mtime: number; refs: RecordRef[] }>();

/**
 * Leakage of a held-out dataset held in memory (an open document, its lines) against its paired
 * training file on disk; the training file's records are kept until it changes on disk.
 */
export function leakageOfLines(heldoutPath: string, lines: () => readonly string[]): Diagnostic[] {
  const partner = trainPartner(heldoutPath);
  if (!partner) return [];
  let train = partnerCache.get(partner);
  const mtime = statSync(partner).mtimeMs;
  if (!train || train.mtime !== mtime) {
    train = { mtime, refs: indexLines(readFileSync(partner, 'utf8').split('\n'), { withPrompt: true }) };
    partnerCache.set(partner, train);
  }
  return leakageDiagnostics(indexLines(lines(), { withPrompt: true }), train.refs, basename(partner));
}

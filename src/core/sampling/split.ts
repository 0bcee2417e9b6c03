/**
 * Held-out split: 10–15% of the records, chosen like a review sample (seeded, order-invariant), by
 * group: records that share a prompt (or, without one, their content) land on the same side, so no
 * exact duplicate and no identical prompt crosses from train to held-out.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { writeFileAtomic } from '../jsonl/atomicFile';
import { forEachLineBatch } from '../jsonl/readLines';
import { indexFile, type RecordRef } from '../records/recordIndex';
import { sampleRecords } from './sample';
import { datasetName, finetunePaths } from '../project/layout';

export const HELDOUT_FRACTION = { min: 0.1, max: 0.15, default: 0.1 } as const;

export interface SplitOptions {
  readonly fraction?: number;
  readonly seed?: number;
  readonly stratifyBy?: string;
}

export interface SplitPlan {
  readonly fraction: number;
  readonly seed: number;
  readonly stratifyBy?: string;
  /** 1-based lines */
  readonly heldoutLines: ReadonlySet<number>;
  readonly heldoutIds: string[];
  readonly records: number;
  readonly warnings: string[];
}

export function planSplit(refs: readonly RecordRef[], opts: SplitOptions = {}): SplitPlan {
  const fraction = opts.fraction ?? HELDOUT_FRACTION.default;
  const seed = opts.seed ?? 0;
  // one representative per group; the group key stands in for the id when scoring
  const groupOf = (r: RecordRef) => r.promptId ?? r.id;
  const groups = new Map<string, RecordRef[]>();
  for (const r of refs) {
    const k = groupOf(r);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(r);
  }
  const reps: RecordRef[] = [...groups.entries()].map(([k, g]) => ({ line: g[0]!.line, id: k, stratum: g[0]!.stratum }));
  // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent: ceil(fraction × n) ≥ 1 for n ≥ 1 anyway, and with one prompt nothing is held out (below)
  const minimum = reps.length > 1 ? 1 : 0;
  const s = sampleRecords(reps, { fraction, seed, stratified: opts.stratifyBy !== undefined, advised: HELDOUT_FRACTION, minimum });
  const heldoutLines = new Set<number>();
  const heldoutIds: string[] = [];
  // one distinct prompt cannot be split: it stays in training (the sample would take it, leaving nothing to train on)
  for (const rep of reps.length < 2 ? [] : s.records) {
    for (const r of groups.get(rep.id)!) {
      heldoutLines.add(r.line);
      heldoutIds.push(r.id);
    }
  }
  const warnings = s.warnings.filter((w) => !w.startsWith('only '));
  if (reps.length < 2) warnings.push('fewer than 2 distinct prompts: nothing can be held out');
  return { fraction, seed, stratifyBy: opts.stratifyBy, heldoutLines, heldoutIds, records: refs.length, warnings };
}

export interface SplitFiles {
  readonly train: string;
  readonly heldout: string;
  readonly record: string;
}

export function splitPaths(datasetPath: string, workspaceRoot: string): SplitFiles {
  const dir = dirname(datasetPath);
  const name = datasetName(datasetPath);
  return {
    train: join(dir, `${name}.train.jsonl`),
    heldout: join(dir, `${name}.heldout.jsonl`),
    record: join(finetunePaths(workspaceRoot).splits, `${name}.json`),
  };
}

export class SplitExistsError extends Error {}

export interface SplitResult {
  readonly files: SplitFiles;
  readonly train: number;
  readonly heldout: number;
  /** non-blank lines that are not JSON objects: kept in the train file, where validation reports them */
  readonly unreadable: number;
  readonly plan: SplitPlan;
}

/** Split a dataset file; refuses to overwrite existing outputs unless `overwrite`. */
export async function splitFile(datasetPath: string, workspaceRoot: string, opts: SplitOptions & { overwrite?: boolean } = {}): Promise<SplitResult> {
  const files = splitPaths(datasetPath, workspaceRoot);
  if (!opts.overwrite) {
    const existing = [files.train, files.heldout].filter((p) => existsSync(p));
    if (existing.length) throw new SplitExistsError(`${existing.join(' and ')} already exist${existing.length === 1 ? 's' : ''}`);
  }
  const refs = await indexFile(datasetPath, { stratifyBy: opts.stratifyBy, withPrompt: true });
  const plan = planSplit(refs, opts);
  const train: string[] = [];
  const heldout: string[] = [];
  let line = 0;
  let unreadable = 0;
  const recordLines = new Set(refs.map((r) => r.line));
  await forEachLineBatch(datasetPath, (lines) => {
    for (const t of lines) {
      line++;
      if (t.trim() === '') continue;
      if (!recordLines.has(line)) unreadable++;
      (plan.heldoutLines.has(line) ? heldout : train).push(t);
    }
  });
  writeFileAtomic(files.train, train.map((l) => l + '\n').join(''));
  writeFileAtomic(files.heldout, heldout.map((l) => l + '\n').join(''));
  const sha = createHash('sha256').update(readFileSync(datasetPath)).digest('hex');
  writeFileAtomic(
    files.record,
    JSON.stringify(
      {
        v: 1,
        dataset: basename(datasetPath),
        sha256: sha,
        seed: plan.seed,
        fraction: plan.fraction,
        stratifyBy: plan.stratifyBy ?? null,
        createdAt: new Date().toISOString(),
        train: train.length,
        heldout: heldout.length,
        heldoutIds: plan.heldoutIds,
      },
      null,
      2,
    ) + '\n',
  );
  return { files, train: train.length, heldout: heldout.length, unreadable, plan };
}

/**
 * Semantic checks with a local embedding model (embeddings.ts): records that say the same thing in other
 * words. Within a dataset: clusters of records whose embeddings are at cosine ≥ the threshold
 * (union-find, a cluster's first member is its earliest line). Across a held-out file and its training
 * partner (checks/leakage.ts pairs them): each held-out record whose nearest training record is at or
 * above the threshold. The comparison is exhaustive, so it runs up to SEMANTIC_MAX_PAIRS record pairs
 * and says so beyond. Texts are embedded EMBED_CHUNK at a time (progress, cancellation between chunks);
 * vectors are Float32Array. A model that cannot be loaded turns the checks off with a message naming
 * the file and what to do; nothing here throws for it.
 */
import { basename } from 'node:path';
import type { SemanticLeak, SemanticLeakage, SemanticSection } from '../../protocol/datasetReport';
import { contentHash } from '../records/identity';
import { forEachLineBatch } from '../jsonl/readLines';
import { DEFAULT_SEMANTIC_THRESHOLD, embeddingText, loadEmbedder, type Embedder } from './embeddings';
import { parseRecord, recordText } from './recordText';

/** The exhaustive comparison stops at this many record pairs (10,000 records within one file). */
export const SEMANTIC_MAX_PAIRS = 50_000_000;
/** Records within one file that fit SEMANTIC_MAX_PAIRS. */
export const SEMANTIC_MAX_RECORDS = Math.floor((1 + Math.sqrt(1 + 8 * SEMANTIC_MAX_PAIRS)) / 2);
/** Records of one side of a leakage comparison kept in memory (the held-out side is usually far smaller). */
export const SEMANTIC_MAX_SIDE = 50_000;
/** Texts sent to the embedding worker at once (progress and cancellation between chunks). */
export const EMBED_CHUNK = 256;

/** The model to use (embeddingModelChoice) and the cosine threshold. */
export interface SemanticConfig {
  readonly dir: string;
  /** where the choice came from ("finetune.json embeddings.model", the setting …) */
  readonly from: string;
  readonly threshold?: number;
}

export type { SemanticLeak, SemanticLeakage, SemanticSection };

export interface SemanticProgress {
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number, what: string) => void;
}

/** The distinct records of a file to embed, as texts with their 0-based lines; only the first `limit` are kept. */
export interface EmbeddingRecords {
  readonly texts: string[];
  readonly lines: number[];
  /** UTF-16 length of each kept record's line */
  readonly lens: number[];
  /** distinct records in the file (may exceed texts.length) */
  count: number;
}

export function newEmbeddingRecords(): EmbeddingRecords {
  return { texts: [], lines: [], lens: [], count: 0 };
}

/** Add one distinct record (the caller skips exact repeats); kept while under `limit`. */
export function addEmbeddingRecord(into: EmbeddingRecords, rec: Record<string, unknown>, line: number, len: number, limit: number): void {
  into.count++;
  if (into.texts.length >= limit) return;
  into.texts.push(embeddingText(rec, recordText(rec).format ?? ''));
  into.lines.push(line);
  into.lens.push(len);
}

/** The distinct records of a JSONL file, streamed (at most `limit` kept). */
export async function readEmbeddingRecords(path: string, limit: number, signal?: AbortSignal): Promise<EmbeddingRecords> {
  const out = newEmbeddingRecords();
  const seen = new Set<number>();
  let line = 0;
  await forEachLineBatch(
    path,
    (batch) => {
      signal?.throwIfAborted();
      for (const text of batch) {
        const l = line++;
        const rec = parseRecord(text);
        if (!rec) continue;
        const h = contentHash(rec);
        if (seen.has(h)) continue;
        seen.add(h);
        addEmbeddingRecord(out, rec, l, text.length, limit);
      }
    },
    { signal },
  );
  return out;
}

/** Embed texts EMBED_CHUNK at a time; progress after each chunk, cancellation between chunks. */
export async function embedAll(embedder: Embedder, texts: readonly string[], what: string, p: SemanticProgress = {}): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (let i = 0; i < texts.length; i += EMBED_CHUNK) {
    p.signal?.throwIfAborted();
    out.push(...(await embedder.embed(texts.slice(i, i + EMBED_CHUNK))));
    p.onProgress?.(Math.min(i + EMBED_CHUNK, texts.length), texts.length, what);
  }
  return out;
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k]! * b[k]!;
  return s;
}

/** Clusters of indices whose (L2-normalised) vectors are at cosine ≥ threshold, linked transitively; each of two or more, ascending, ordered by first member. */
export function semanticClusters(vectors: readonly Float32Array[], threshold: number, signal?: AbortSignal): number[][] {
  const n = vectors.length;
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) x = parent[x] = parent[parent[x]!]!;
    return x;
  };
  for (let i = 0; i < n; i++) {
    if ((i & 255) === 0) signal?.throwIfAborted();
    const a = vectors[i]!;
    for (let j = i + 1; j < n; j++) {
      if (dot(a, vectors[j]!) < threshold) continue;
      const ri = find(i),
        rj = find(j);
      if (ri < rj) parent[rj] = ri;
      else if (rj < ri) parent[ri] = rj;
    }
  }
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const r = find(i);
    const g = groups.get(r);
    if (g) g.push(i);
    else groups.set(r, [i]);
  }
  return [...groups.values()].filter((g) => g.length > 1).sort((a, b) => a[0]! - b[0]!);
}

/** For each query vector, its nearest base vector when at cosine ≥ threshold: [query index, base index, cosine]. */
export function nearestAbove(
  queries: readonly Float32Array[],
  base: readonly Float32Array[],
  threshold: number,
  signal?: AbortSignal,
): Array<[number, number, number]> {
  const out: Array<[number, number, number]> = [];
  for (let q = 0; q < queries.length; q++) {
    if ((q & 63) === 0) signal?.throwIfAborted();
    let best = -1,
      bestCos = -Infinity;
    const a = queries[q]!;
    for (let b = 0; b < base.length; b++) {
      const c = dot(a, base[b]!);
      if (c > bestCos) [best, bestCos] = [b, c];
    }
    if (best >= 0 && bestCos >= threshold) out.push([q, best, bestCos]);
  }
  return out;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/** The model loaded, or the sentence that says why semantic checks are off. */
export async function openEmbedder(cfg: SemanticConfig): Promise<{ embedder: Embedder } | { off: string }> {
  try {
    return { embedder: await loadEmbedder(cfg.dir) };
  } catch (e) {
    return { off: `semantic checks are off: ${(e as Error).message} (the model from ${cfg.from}; fix or re-export it, README "Local embeddings")` };
  }
}

/** A leak with the held-out record's line length (for a diagnostic's range). */
export interface PlacedSemanticLeak extends SemanticLeak {
  readonly heldoutLength: number;
}

/**
 * Semantic leaks of a held-out file into its training file: held-out records whose nearest training record
 * is at cosine ≥ threshold. `have` gives vectors already embedded for one side (the report's own file).
 */
export async function semanticLeaks(
  embedder: Embedder,
  heldoutPath: string,
  trainPath: string,
  threshold: number,
  p: SemanticProgress & { readonly have?: { readonly path: string; readonly records: EmbeddingRecords; readonly vectors: Float32Array[] } } = {},
): Promise<{ readonly leaks: PlacedSemanticLeak[]; readonly skipped?: string }> {
  if (/\.json$/i.test(heldoutPath) || /\.json$/i.test(trainPath))
    return { leaks: [], skipped: 'semantic leakage is compared between JSONL files only (a .json array is one side)' };
  const side = async (path: string, limit: number): Promise<{ records: EmbeddingRecords; vectors?: Float32Array[] }> =>
    p.have && p.have.path === path ? p.have : { records: await readEmbeddingRecords(path, limit, p.signal) };
  const held = await side(heldoutPath, SEMANTIC_MAX_SIDE);
  const train = await side(trainPath, Math.min(SEMANTIC_MAX_SIDE, Math.floor(SEMANTIC_MAX_PAIRS / Math.max(1, held.records.count))));
  const pairs = held.records.count * train.records.count;
  if (held.records.texts.length < held.records.count || train.records.texts.length < train.records.count || pairs > SEMANTIC_MAX_PAIRS)
    return {
      leaks: [],
      skipped: `${held.records.count.toLocaleString('en-US')} held-out × ${train.records.count.toLocaleString('en-US')} training records is over the ${SEMANTIC_MAX_PAIRS.toLocaleString('en-US')} pairs compared exhaustively`,
    };
  const hv = held.vectors ?? (await embedAll(embedder, held.records.texts, `embedding ${basename(heldoutPath)}`, p));
  const tv = train.vectors ?? (await embedAll(embedder, train.records.texts, `embedding ${basename(trainPath)}`, p));
  p.onProgress?.(0, 1, 'semantic leakage');
  const leaks = nearestAbove(hv, tv, threshold, p.signal).map(([q, b, c]) => ({
    heldoutLine: held.records.lines[q]! + 1,
    trainLine: train.records.lines[b]! + 1,
    cosine: round(c),
    heldoutLength: held.records.lens[q]!,
  }));
  return { leaks };
}

/** The report's leakage: semanticLeaks with both paths, without the line lengths. */
export async function semanticLeakage(
  embedder: Embedder,
  heldoutPath: string,
  trainPath: string,
  threshold: number,
  p: Parameters<typeof semanticLeaks>[4] = {},
): Promise<SemanticLeakage> {
  const r = await semanticLeaks(embedder, heldoutPath, trainPath, threshold, p);
  return {
    heldout: heldoutPath,
    train: trainPath,
    leaks: r.leaks.map(({ heldoutLine, trainLine, cosine }) => ({ heldoutLine, trainLine, cosine })),
    ...(r.skipped ? { skipped: r.skipped } : {}),
  };
}

/** What the report says about the model: its folder, where the choice came from, the threshold. */
export function semanticDescription(cfg: SemanticConfig, dimension: number): string {
  return `${basename(cfg.dir)} (${dimension}-dimensional, from ${cfg.from}), cosine ≥ ${cfg.threshold ?? DEFAULT_SEMANTIC_THRESHOLD}`;
}

/**
 * The report's semantic section for a dataset whose distinct records are `records` (lines 0-based):
 * near-duplicate clusters within it, and leakage between it and its held-out or training partner.
 */
export async function semanticSection(
  path: string,
  records: EmbeddingRecords,
  cfg: SemanticConfig,
  partner: { readonly heldout: string; readonly train: string } | undefined,
  p: SemanticProgress = {},
): Promise<SemanticSection> {
  const opened = await openEmbedder(cfg);
  if ('off' in opened) return { enabled: false, message: opened.off };
  const { embedder } = opened;
  const threshold = cfg.threshold ?? DEFAULT_SEMANTIC_THRESHOLD;
  try {
    let clusters: number[][] = [];
    let skipped: string | undefined;
    let vectors: Float32Array[] = [];
    if (records.texts.length < records.count) {
      skipped = `${records.count.toLocaleString('en-US')} distinct records is over the ${SEMANTIC_MAX_RECORDS.toLocaleString('en-US')} compared exhaustively: semantic near-duplicates are not searched (the MinHash near-duplicates above cover the whole file)`;
    } else {
      vectors = await embedAll(embedder, records.texts, 'embedding the records', p);
      p.onProgress?.(0, 1, 'semantic near-duplicates');
      clusters = semanticClusters(vectors, threshold, p.signal).map((c) => c.map((i) => records.lines[i]! + 1));
    }
    const have = skipped ? undefined : { path, records, vectors };
    const leakage = partner ? await semanticLeakage(embedder, partner.heldout, partner.train, threshold, { ...p, have }) : null;
    return {
      enabled: true,
      description: semanticDescription(cfg, embedder.dimension),
      threshold,
      clusters,
      ...(skipped ? { skipped } : {}),
      leakage,
    };
  } finally {
    await embedder.dispose?.();
  }
}

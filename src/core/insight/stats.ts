/**
 * The Dataset Report's numbers, computed in one streaming pass over a JSONL file: token counts
 * (prompt, completion, total, trained share) with their summaries and 10-bin histograms, turns,
 * roles, templates, over-length records, exact duplicates, near-duplicate clusters, size against the
 * goal and the match with a production sample. `ftstudio stats` prints it; the report panel shows it.
 */
import { basename } from 'node:path';
import { statSync } from 'node:fs';
import { contentHash, lastHashTooDeep } from '../records/identity';
import { forEachLineBatch } from '../jsonl/readLines';
import type { FormatId } from '../formats/formats';
import { shownSignature } from '../checks/template';
import { DEFAULT_THRESHOLD, optimalBands } from './lsh';
import { lineClusters, recordShingleText } from './nearDuplicates';
import { ParallelSigner } from './parallelSigning';
import { parseRecord, recordText } from './recordText';
import type { TokenCounter } from '../tokens/tokenCounter';
import { goalStanding, type GoalId, type GoalStanding } from '../project/goals';
import { productionMatch, type ProductionMatch } from './distribution';
import { words } from './minhash';
import type { ReportHistogram, ReportStats, ReportSummary } from '../../protocol/datasetReport';
import { heldoutPartner, trainPartner } from '../checks/leakage';
import { addEmbeddingRecord, newEmbeddingRecords, SEMANTIC_MAX_RECORDS, semanticSection, type SemanticConfig, type SemanticSection } from './semantic';

/** The report's line when no embedding model is configured. */
export const SEMANTIC_OFF =
  'semantic checks are off: no embedding model; set embeddings.model in finetune.json (or finetuneStudio.embeddings.model) to a folder with model.onnx and tokenizer.json (README, "Local embeddings")';

/** The report's leaf shapes are defined once, in the protocol the Dataset Report panel reads. */
export type Summary = ReportSummary;
export type Histogram = ReportHistogram;

export interface StatsOptions {
  readonly counter: TokenCounter;
  readonly format?: FormatId;
  readonly maxSeqLength: number;
  readonly nearDuplicateThreshold?: number;
  readonly goal?: GoalId;
  /** a sample of production inputs (JSONL: prompts, messages, or strings) */
  readonly production?: string;
  /** the local embedding model for semantic checks (semantic.ts), or why they are off */
  readonly semantic?: SemanticConfig | { readonly off: string };
  readonly signal?: AbortSignal;
  /** bytes read so far, of the file's size */
  readonly onProgress?: (done: number, total: number, what: string) => void;
}

/** Lines in the JSON document are 1-based, as editors count. */
export interface DatasetStats {
  readonly file: string;
  readonly records: number;
  /** lines that are not a JSON object (left to the validator) */
  readonly skippedLines: number;
  readonly format: string | null;
  readonly tokens: {
    readonly source: 'tokenizer' | 'estimate';
    readonly description: string;
    readonly total: Summary;
    readonly trained: Summary;
    readonly prompt: Summary;
    readonly completion: Summary;
    /** trained tokens over all tokens */
    readonly trainedShare: number;
    readonly histograms: { readonly prompt: Histogram; readonly completion: Histogram; readonly total: Histogram };
  };
  readonly maxSeqLength: number;
  readonly overLength: number;
  /** the first 100 over-length lines */
  readonly overLengthLines: readonly number[];
  readonly turns: Summary & { readonly histogram: Histogram };
  readonly roles: Readonly<Record<string, number>>;
  /** the most common prompt templates (system prompts marked "system:") */
  readonly templates: readonly { readonly template: string; readonly system: boolean; readonly count: number }[];
  readonly duplicates: { readonly repeats: number; readonly groups: readonly (readonly number[])[] };
  readonly nearDuplicates: {
    readonly threshold: number;
    readonly bands: number;
    readonly rows: number;
    readonly records: number;
    readonly clusters: readonly (readonly number[])[];
  };
  readonly semantic: SemanticSection;
  readonly goal: GoalStanding | null;
  readonly production: ProductionMatch | null;
}

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) return { min: 0, p50: 0, p90: 0, p99: 0, max: 0, mean: 0 };
  const s = Float64Array.from(values).sort();
  // nearest rank: the smallest value with at least p of the values at or below it
  const q = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!;
  let sum = 0;
  for (const v of s) sum += v;
  return { min: s[0]!, p50: q(0.5), p90: q(0.9), p99: q(0.99), max: s[s.length - 1]!, mean: Math.round((sum / s.length) * 10) / 10 };
}

/** 10 equal bins from min to max (integer edges when the values are integers). */
export function histogram(values: readonly number[], bins = 10, weights?: { readonly part: readonly number[] }): Histogram {
  if (values.length === 0) return { edges: [0, 1], counts: [0] };
  let lo = Infinity,
    hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const width = Math.max(1, Math.ceil((hi - lo + 1) / bins));
  const n = Math.max(1, Math.min(bins, Math.ceil((hi - lo + 1) / width)));
  const edges = Array.from({ length: n + 1 }, (_, i) => lo + i * width);
  const counts = new Array<number>(n).fill(0);
  const totals = new Array<number>(n).fill(0);
  const parts = new Array<number>(n).fill(0);
  values.forEach((v, k) => {
    const b = Math.min(n - 1, Math.floor((v - lo) / width));
    counts[b]!++;
    if (weights) {
      totals[b]! += v;
      parts[b]! += weights.part[k]!;
    }
  });
  return weights ? { edges, counts, trainedShare: totals.map((t, b) => (t ? Math.round((parts[b]! / t) * 1000) / 1000 : 0)) } : { edges, counts };
}

function bump(m: Map<string, number>, k: string): void {
  m.set(k, (m.get(k) ?? 0) + 1);
}

/** Production inputs: a record of any format (its prompt side), or a bare JSON string. */
function productionPrompt(line: string): { rec: Record<string, unknown>; prompt: string; template?: string } | undefined {
  if (!line.trim()) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof v === 'string') v = { prompt: v };
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const rec = v as Record<string, unknown>;
  // a chat without an answer yet is what production sends: its turns are all prompt
  const wrapped = Array.isArray(rec.messages) && !('prompt' in rec) ? { prompt: rec.messages } : rec;
  const t = recordText(wrapped);
  return { rec: wrapped, prompt: t.prompt || t.completion, template: t.template };
}

export async function datasetStats(path: string, o: StatsOptions): Promise<DatasetStats> {
  const size = statSync(path).size;
  const threshold = o.nearDuplicateThreshold ?? DEFAULT_THRESHOLD;
  const total: number[] = [],
    trained: number[] = [],
    prompt: number[] = [],
    completion: number[] = [],
    turns: number[] = [];
  const roles = new Map<string, number>();
  const templates = new Map<string, number>();
  const formats = new Map<string, number>();
  const firstLine = new Map<number, number>();
  const dupGroups = new Map<number, number[]>();
  const sigs = new ParallelSigner({ signal: o.signal });
  const semanticRecords = o.semantic && 'dir' in o.semantic ? newEmbeddingRecords() : undefined;
  const vocabulary = o.production ? new Set<string>() : undefined;
  const overLengthLines: number[] = [];
  let overLength = 0,
    skipped = 0,
    line = 0,
    read = 0;
  await forEachLineBatch(
    path,
    (batch) => {
      o.signal?.throwIfAborted();
      for (const text of batch) {
        const l = line++;
        read += text.length + 1;
        const rec = parseRecord(text);
        if (!rec) {
          if (text.trim()) skipped++;
          continue;
        }
        const h = contentHash(rec);
        if (lastHashTooDeep()) {
          skipped++; // no trainer can read it (Python's json stops near 1,000 levels), and the walks below would overflow
          continue;
        }
        const t = recordText(rec, o.format);
        const format = t.format ?? 'unknown';
        bump(formats, format);
        const c = o.counter.count(rec, t.format ?? '');
        total.push(c.total);
        trained.push(c.trained);
        prompt.push(c.total - c.trained);
        completion.push(c.trained);
        turns.push(t.turns);
        for (const r of t.roles) bump(roles, r);
        if (t.template !== undefined) bump(templates, t.template);
        if (c.total > o.maxSeqLength) {
          overLength++;
          if (overLengthLines.length < 100) overLengthLines.push(l + 1);
        }
        if (vocabulary) for (const w of words(t.prompt)) vocabulary.add(w);
        const first = firstLine.get(h);
        if (first === undefined) {
          firstLine.set(h, l);
          sigs.add(recordShingleText(rec), l);
          if (semanticRecords) addEmbeddingRecord(semanticRecords, rec, l, text.length, SEMANTIC_MAX_RECORDS);
        } else {
          const g = dupGroups.get(h);
          if (g) g.push(l + 1);
          else dupGroups.set(h, [first + 1, l + 1]);
        }
      }
      o.onProgress?.(Math.min(read, size), size, 'reading');
    },
    { signal: o.signal },
  );
  const records = total.length;
  o.onProgress?.(size, size, 'near-duplicates');
  const clusters = lineClusters(await sigs.done(), threshold, o.signal).map((c) => c.map((x) => x + 1));
  const { bands, rows } = optimalBands(threshold);
  let repeats = 0;
  for (const g of dupGroups.values()) repeats += g.length - 1;
  let production: ProductionMatch | null = null;
  if (o.production) {
    const prodTokens: number[] = [];
    const prodTemplates = new Map<string, number>();
    const prodWords = new Map<string, number>();
    await forEachLineBatch(
      o.production,
      (batch) => {
        o.signal?.throwIfAborted();
        for (const text of batch) {
          const p = productionPrompt(text);
          if (!p) continue;
          prodTokens.push(o.counter.count(p.rec, '').total);
          if (p.template !== undefined) bump(prodTemplates, p.template);
          for (const w of words(p.prompt)) prodWords.set(w, (prodWords.get(w) ?? 0) + 1);
        }
      },
      { signal: o.signal },
    );
    production = productionMatch(
      basename(o.production),
      { promptTokens: prompt, templates, vocabulary: vocabulary! },
      { promptTokens: prodTokens, templates: prodTemplates, words: prodWords },
      prodTokens.length,
    );
  }
  let semantic: SemanticSection = { enabled: false, message: o.semantic && 'off' in o.semantic ? o.semantic.off : SEMANTIC_OFF };
  if (o.semantic && 'dir' in o.semantic && semanticRecords) {
    const train = trainPartner(path);
    const heldout = train ? undefined : heldoutPartner(path);
    const partner = train ? { heldout: path, train } : heldout ? { heldout, train: path } : undefined;
    semantic = await semanticSection(path, semanticRecords, o.semantic, partner, { signal: o.signal, onProgress: o.onProgress });
  }
  let format: string | null = null;
  let best = 0;
  for (const [f, n] of formats) if (n > best || (n === best && format !== null && f < format)) ((format = f), (best = n));
  const sumTotal = total.reduce((a, b) => a + b, 0);
  const sumTrained = trained.reduce((a, b) => a + b, 0);
  return {
    file: basename(path),
    records,
    skippedLines: skipped,
    format,
    tokens: {
      source: o.counter.source,
      description: o.counter.description,
      total: summarize(total),
      trained: summarize(trained),
      prompt: summarize(prompt),
      completion: summarize(completion),
      trainedShare: sumTotal ? Math.round((sumTrained / sumTotal) * 1000) / 1000 : 0,
      histograms: { prompt: histogram(prompt), completion: histogram(completion), total: histogram(total, 10, { part: trained }) },
    },
    maxSeqLength: o.maxSeqLength,
    overLength,
    overLengthLines,
    turns: { ...summarize(turns), histogram: histogram(turns) },
    roles: Object.fromEntries([...roles].sort((a, b) => b[1] - a[1])),
    templates: [...templates]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, 10)
      .map(([t, count]) => ({ template: shownSignature(t), system: t !== shownSignature(t), count })),
    duplicates: { repeats, groups: [...dupGroups.values()].sort((a, b) => a[0]! - b[0]!) },
    nearDuplicates: { threshold, bands, rows, records: clusters.reduce((a, c) => a + c.length, 0), clusters },
    semantic,
    goal: o.goal ? goalStanding(o.goal, records) : null,
    production,
  };
}

/** The report panel's shape (src/protocol/datasetReport.ts) is what this module computes: checked here. */
export const fitsReport = (s: DatasetStats): ReportStats => s;

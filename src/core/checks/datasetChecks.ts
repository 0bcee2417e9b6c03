/**
 * Dataset-level checks over the summaries of all lines: mixed formats, mixed prompt templates,
 * exact duplicates, size. DatasetIndex holds the aggregates and is updated by delta when a few
 * lines change; datasetDiagnostics walks the lines once to place the results.
 */
import { CODES } from './codes';
import type { Diagnostic } from './diagnostic';
import type { LineSummary } from './analyzeLine';
import type { LineTable } from './lineTable';
import { HashCounter } from '../records/hashCounter';
import { describeVariant, type FormatId } from '../formats/formats';
import { isEvalFormat } from '../formats/evalSets';
import { shownSignature, SYSTEM_MARK } from './template';
import { goalStanding, type GoalId } from '../project/goals';

export interface DatasetOptions {
  /** with a forced format there is no majority to disagree with */
  readonly forcedFormat?: boolean;
  /** below this many records, one info diagnostic (0 turns it off) */
  readonly minRecords: number;
  /** finetune.json's goal: an info diagnostic saying where the size stands */
  readonly goal?: GoalId;
  /** near-duplicate Jaccard threshold (validation/nearDuplicateChecks.ts; 0 turns the check off) */
  readonly nearDuplicateThreshold?: number;
}

/** A template is "the majority" only when it clearly dominates. */
export const TEMPLATE_MIN_SHARE = 0.6;
export const TEMPLATE_MIN_RECORDS = 5;

function bump(map: Map<string, number>, key: string, by: number) {
  const n = (map.get(key) ?? 0) + by;
  if (n === 0) map.delete(key);
  else map.set(key, n);
}

export class DatasetIndex {
  records = 0;
  readonly variants = new Map<string, number>();
  readonly templates = new Map<string, number>();
  private readonly hashes = new HashCounter();
  /** hashes seen more than once: the only ones the placing walk must look up */
  readonly repeated = new Set<number>();

  add(s: LineSummary): void {
    this.apply(s, 1);
  }
  /**
   * Add lines [from, to) of a table straight from its columns (what a worker analysed): the variant and
   * template counts are summed per string id first, so the maps change once per distinct string.
   */
  addColumns(t: LineTable, from: number, to: number): void {
    const variants = new Int32Array(t.strings.length);
    const templates = new Int32Array(t.strings.length);
    this.hashes.reserve(to - from);
    for (let i = from; i < to; i++) {
      if (!t.isRecord(i)) continue;
      this.records++;
      const v = t.variant[i]!;
      if (v >= 0) variants[v]!++;
      const g = t.sig[i]!;
      if (g >= 0) templates[g]!++;
      const h = t.hash[i]!;
      if (!Number.isNaN(h) && this.hashes.add(h, 1) > 1) this.repeated.add(h);
    }
    for (let id = 0; id < t.strings.length; id++) {
      if (variants[id]) bump(this.variants, t.strings[id]!, variants[id]!);
      if (templates[id]) bump(this.templates, t.strings[id]!, templates[id]!);
    }
  }

  /** Room for n more records' hashes. */
  reserve(n: number): void {
    this.hashes.reserve(n);
  }
  remove(s: LineSummary): void {
    this.apply(s, -1);
  }
  private apply(s: LineSummary, by: 1 | -1): void {
    if (!s.record) return;
    this.records += by;
    if (s.variant) bump(this.variants, s.variant, by);
    if (s.template) bump(this.templates, s.template.sig, by);
    if (s.hash !== undefined) {
      const n = this.hashes.add(s.hash, by);
      if (n > 1) this.repeated.add(s.hash);
      else if (this.repeated.size) this.repeated.delete(s.hash);
    }
  }

  majorityVariant(): string | undefined {
    return argmax(this.variants)?.[0];
  }

  /** The dominant template, when one holds ≥ 60% of the templated records (and ≥ 5 of them). */
  majorityTemplate(): { sig: string; count: number; total: number } | undefined {
    let total = 0;
    for (const n of this.templates.values()) total += n;
    const top = argmax(this.templates);
    if (!top || total < TEMPLATE_MIN_RECORDS || top[1] / total < TEMPLATE_MIN_SHARE || top[1] === total) return undefined;
    return { sig: top[0], count: top[1], total };
  }
}

function argmax(map: Map<string, number>): [string, number] | undefined {
  let best: [string, number] | undefined;
  // ties break by key so that the result never depends on insertion order
  for (const e of map) if (!best || e[1] > best[1] || (e[1] === best[1] && e[0] < best[0])) best = e;
  return best;
}

function parseVariant(key: string): { format: FormatId; conversational: boolean } {
  const [format, conv] = key.split(':');
  return { format: format as FormatId, conversational: conv === 'conversational' };
}

const pct = (a: number, b: number) => `${Math.round((100 * a) / b)}%`;

export function datasetDiagnostics(lines: LineTable, index: DatasetIndex, opts: DatasetOptions): Diagnostic[] {
  const out: Diagnostic[] = [];
  const majority = opts.forcedFormat ? undefined : index.majorityVariant();
  const majorityCount = majority ? index.variants.get(majority)! : 0;
  let classified = 0;
  for (const n of index.variants.values()) classified += n;
  const mixed = majority !== undefined && index.variants.size > 1;
  const tmpl = index.majorityTemplate();
  const firstSeen = index.repeated.size ? new Map<number, number>() : undefined;
  // a consistent file without repeats has nothing to place: skip the walk (the common keystroke)
  const walk = mixed || tmpl !== undefined || firstSeen !== undefined;
  const majorityId = lines.idOf(majority);
  const tmplId = lines.idOf(tmpl?.sig);
  const { flags, variant, sig, hash, lens } = lines;
  for (let i = 0; walk && i < lines.length; i++) {
    if (flags[i] === 0) continue;
    const v = variant[i]!;
    if (mixed && v >= 0 && v !== majorityId) {
      const mine = describeVariant(parseVariant(lines.strings[v]!));
      const theirs = describeVariant(parseVariant(majority!));
      out.push({
        line: i,
        start: 0,
        end: lens[i]!,
        code: 'format-mismatch',
        severity: CODES['format-mismatch'].severity,
        message: `This record is ${mine}, but ${pct(majorityCount, classified)} of the records (${majorityCount}/${classified}) are ${theirs}: convert it or move it to its own file.`,
      });
    }
    const t = sig[i]!;
    if (tmpl && t >= 0 && t !== tmplId && tmpl.sig.startsWith(SYSTEM_MARK) && !lines.strings[t]!.startsWith(SYSTEM_MARK)) {
      out.push({
        line: i,
        start: lines.tStart[i]!,
        end: lines.tEnd[i]!,
        code: 'missing-system-turn',
        severity: CODES['missing-system-turn'].severity,
        message: `This conversation has no system turn, but ${pct(tmpl.count, tmpl.total)} of the records (${tmpl.count}/${tmpl.total}) begin with the system prompt "${shownSignature(tmpl.sig)} …": add it.`,
      });
    } else if (tmpl && t >= 0 && t !== tmplId) {
      out.push({
        line: i,
        start: lines.tStart[i]!,
        end: lines.tEnd[i]!,
        code: 'template-mismatch',
        severity: CODES['template-mismatch'].severity,
        message: `The prompt begins "${shownSignature(lines.strings[t]!)} …", but ${pct(tmpl.count, tmpl.total)} of the prompts (${tmpl.count}/${tmpl.total}) begin "${shownSignature(tmpl.sig)} …": use one template for every record.`,
      });
    }
    const h = hash[i]!;
    if (firstSeen && index.repeated.has(h)) {
      const first = firstSeen.get(h);
      if (first === undefined) firstSeen.set(h, i);
      else {
        out.push({
          line: i,
          start: 0,
          end: lens[i]!,
          code: 'duplicate',
          severity: CODES.duplicate.severity,
          message: `Exact duplicate of the record on line ${first + 1}: delete this repeat.`,
          related: [{ line: first, start: 0, end: lens[first]!, message: 'First occurrence' }],
          fix: { title: 'Delete this duplicate record', edits: [], deleteLine: true },
        });
      }
    }
  }
  let first = 0;
  while (first < lines.length && !lines.isRecord(first)) first++;
  if (opts.goal && index.records > 0 && !isEvalFormat(majority)) {
    out.push({
      line: first,
      start: 0,
      end: Math.min(1, first < lines.length ? lens[first]! : 0),
      code: 'size-vs-goal',
      severity: CODES['size-vs-goal'].severity,
      message: goalStanding(opts.goal, index.records).message,
    });
  }
  // golden and safety sets are small by design: the minimum is for training data
  if (opts.minRecords > 0 && index.records > 0 && index.records < opts.minRecords && !isEvalFormat(majority)) {
    out.push({
      line: first,
      start: 0,
      end: Math.min(1, first < lines.length ? lens[first]! : 0),
      code: 'few-records',
      severity: CODES['few-records'].severity,
      message: `Only ${index.records} records: a fine-tune needs at least ${opts.minRecords} (style/format 200–500, domain vocabulary 500–1,500, task specialisation 1,000–5,000).`,
    });
  }
  return out;
}

/**
 * A dataset file held as per-line facts. The editor replaces a few lines per keystroke: only those
 * lines are analysed again and the dataset aggregates change by delta. The CLI and the tests feed
 * whole files through the same class, so editor and CLI agree by construction.
 */
import { analyzeLine, LineFacts, type AnalyzeOptions } from './analyzeLine';
import { CODES } from './codes';
import { compareDiagnostics, type Diagnostic } from './diagnostic';
import { datasetDiagnostics, DatasetIndex, type DatasetOptions } from './datasetChecks';
import { LineTable, type PackedLines } from './lineTable';
import type { FormatId } from '../formats/formats';
import { isEvalFormat, type EvalFormatId } from '../formats/evalSets';

export interface ValidationOptions extends AnalyzeOptions, DatasetOptions {}

export const DEFAULT_OPTIONS: ValidationOptions = { maxTokens: 4096, minRecords: 200 };

export interface FileReport {
  readonly format: FormatId | EvalFormatId | null;
  readonly conversational: boolean;
  readonly records: number;
  readonly diagnostics: Diagnostic[];
  readonly errors: number;
  readonly warnings: number;
  readonly infos: number;
}

export class DatasetModel {
  readonly lines = new LineTable();
  readonly index = new DatasetIndex();
  /** lines whose own diagnostics are not empty: when 0, report() need not walk the lines */
  private diagnosed = 0;

  constructor(readonly options: ValidationOptions) {}

  get length(): number {
    return this.lines.length;
  }

  at(i: number): LineFacts | undefined {
    return i < this.lines.length ? this.lines.at(i) : undefined;
  }

  private added(f: LineFacts): void {
    this.index.add(f);
    if (f.diagnostics.length) this.diagnosed++;
  }

  /** Make room for about n more lines (a streaming reader that knows the file's size). */
  reserve(n: number): void {
    this.lines.reserve(this.lines.length + n);
    this.index.reserve(n);
  }

  /** Append one line (streaming use). */
  push(text: string): LineFacts {
    return this.pushFacts(analyzeLine(text, this.options));
  }

  /** Append one line's facts, worked out elsewhere (the CLI's byte-level scan). */
  pushFacts(f: LineFacts): LineFacts {
    this.lines.push(f);
    this.added(f);
    return f;
  }

  /** Append lines a worker analysed. */
  pushPacked(p: PackedLines): void {
    const base = this.lines.length;
    this.lines.appendPacked(p);
    this.index.addColumns(this.lines, base, this.lines.length);
    for (const [, ds] of p.diagnostics) if (ds.length) this.diagnosed++;
  }

  setText(text: string): void {
    this.replaceLines(0, this.lines.length, splitLines(text));
  }

  /** Replace `deleteCount` lines starting at `start` with `lines`: the incremental edit path. */
  replaceLines(start: number, deleteCount: number, lines: readonly string[]): void {
    const fresh = lines.map((l) => analyzeLine(l, this.options));
    const end = Math.min(start + deleteCount, this.lines.length);
    for (let i = start; i < end; i++) {
      const old = this.lines.at(i);
      this.index.remove(old);
      if (old.diagnostics.length) this.diagnosed--;
    }
    for (const f of fresh) this.added(f);
    this.lines.splice(start, end - start, fresh);
  }

  /** Majority format of the file (or the forced one; a golden or safety set is one even under a forced training format). */
  format(): { format: FormatId | EvalFormatId | null; conversational: boolean } {
    const v = this.index.majorityVariant();
    const conversational = v?.endsWith(':conversational') ?? false;
    if (isEvalFormat(v)) return { format: v, conversational: false };
    if (this.options.format) return { format: this.options.format, conversational };
    return { format: (v?.split(':')[0] as FormatId | undefined) ?? null, conversational };
  }

  /** All diagnostics, sorted; at most `cap` of them plus one summary diagnostic for the rest. */
  report(cap = Infinity): FileReport {
    const all: Diagnostic[] = [];
    const diags = this.lines.diags;
    for (let i = 0, seen = 0; seen < this.diagnosed && i < this.lines.length; i++) {
      const ds = diags[i]!;
      if (ds.length === 0) continue;
      seen++;
      for (let k = 0; k < ds.length; k++) all.push({ ...ds[k]!, line: i });
    }
    all.push(
      ...datasetDiagnostics(this.lines, this.index, {
        ...this.options,
        forcedFormat: this.options.format !== undefined || this.options.userSchema !== undefined,
      }),
    );
    all.sort(compareDiagnostics);
    let errors = 0,
      warnings = 0,
      infos = 0;
    for (const d of all) {
      if (d.severity === 'error') errors++;
      else if (d.severity === 'warning') warnings++;
      else infos++;
    }
    let diagnostics = all;
    if (all.length > cap) {
      diagnostics = all.slice(0, cap);
      const rest = all.length - cap;
      diagnostics.push({
        line: 0,
        start: 0,
        end: 0,
        code: 'too-many-problems',
        severity: CODES['too-many-problems'].severity,
        message: `${rest} more problems are not shown (${errors} errors, ${warnings} warnings in all): raise finetuneStudio.validation.maxDiagnosticsPerFile or run \`ftstudio validate\`.`,
      });
    }
    return { ...this.format(), records: this.index.records, diagnostics, errors, warnings, infos };
  }
}

/** A report with more diagnostics merged in (sorted, counted; the cap's summary line kept last). */
export function withDiagnostics(r: FileReport, extra: readonly Diagnostic[]): FileReport {
  if (extra.length === 0) return r;
  const capped = r.diagnostics.length && r.diagnostics[r.diagnostics.length - 1]!.code === 'too-many-problems' ? r.diagnostics.slice(-1) : [];
  const diagnostics = [...r.diagnostics.slice(0, r.diagnostics.length - capped.length), ...extra].sort(compareDiagnostics);
  let errors = r.errors,
    warnings = r.warnings,
    infos = r.infos;
  for (const d of extra) {
    if (d.severity === 'error') errors++;
    else if (d.severity === 'warning') warnings++;
    else infos++;
  }
  return { ...r, diagnostics: [...diagnostics, ...capped], errors, warnings, infos };
}

/** Split text into lines: \n or \r\n; a final line break does not start another line. */
export function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.charCodeAt(l.length - 1) === 13) lines[i] = l.slice(0, -1);
  }
  return lines;
}

export function validateText(text: string, options: ValidationOptions = DEFAULT_OPTIONS, cap?: number): FileReport {
  const m = new DatasetModel(options);
  m.setText(text);
  return m.report(cap);
}

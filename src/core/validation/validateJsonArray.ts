/**
 * Validation of a JSON array dataset (.json): the records stream out of the array one by one and go
 * through the same model as JSONL lines (one "line" per record); the report's positions are then placed
 * back in the file. Same diagnostics, same dataset checks, positions in the file.
 */
import { DatasetModel, withDiagnostics, type FileReport, type ValidationOptions } from '../checks/datasetModel';
import { compareDiagnostics, lineDiag, type Diagnostic, type LineDiagnostic, type QuickFix } from '../checks/diagnostic';
import { ArraySplitter, forEachArrayRecord, placeIn, placeOf, type ArrayPlace, type ArrayProblem, type ArrayRecord } from '../jsonl/jsonArray';
import { resolveOptionsWithTokens, type PlainOptions } from './options';

function placed(model: DatasetModel, places: ArrayPlace[], problems: ArrayProblem[], cap?: number): FileReport {
  const r = model.report(cap);
  const at = (i: number) => places[i];
  const diagnostics = r.diagnostics.map((d) => (places[d.line] ? placeDiagnostic(d, places[d.line]!, at) : d));
  diagnostics.sort(compareDiagnostics);
  return withDiagnostics({ ...r, diagnostics }, problems.map(problemDiagnostic));
}

export async function validateJsonArrayFile(path: string, plain: PlainOptions, opts: { cap?: number; signal?: AbortSignal } = {}): Promise<FileReport> {
  // too-long counts with the model's tokenizer when finetune.json names one on this machine (else the estimate says why)
  const options = await resolveOptionsWithTokens(plain);
  const model = new DatasetModel(options);
  const places: ArrayPlace[] = [];
  const problems: ArrayProblem[] = [];
  await forEachArrayRecord(
    path,
    (rec: ArrayRecord) => {
      model.push(rec.text);
      places.push(placeOf(rec));
    },
    (p) => problems.push(p),
    opts.signal,
  );
  return placed(model, places, problems, opts.cap);
}

/** The editor's path: the document's text, validated whole. */
export function validateJsonArrayText(text: string, options: ValidationOptions, cap?: number): FileReport {
  const model = new DatasetModel(options);
  const places: ArrayPlace[] = [];
  const problems: ArrayProblem[] = [];
  const splitter = new ArraySplitter(
    (rec) => {
      model.push(rec.text);
      places.push(placeOf(rec));
    },
    (p) => problems.push(p),
  );
  splitter.feed(text);
  splitter.end();
  return placed(model, places, problems, cap);
}

/** The end of the record's line that holds `offset` (for a range that would run onto the next line). */
function lineEndIn(r: ArrayPlace, offset: number): number {
  for (const b of r.breaks) if (b >= offset) return b;
  return r.length;
}

/**
 * A diagnostic of record `r` (columns = offsets in its text) placed in the file. A range that spans
 * lines is cut at the end of its first line; a fix survives only when all its edits lie on that line.
 */
export function placeDiagnostic(
  d: LineDiagnostic & { related?: Diagnostic['related'] },
  r: ArrayPlace,
  records: (i: number) => ArrayPlace | undefined,
): Diagnostic {
  const start = placeIn(r, d.start);
  const endOffset = Math.min(d.end, Math.max(d.start + 1, lineEndIn(r, d.start)));
  const end = placeIn(r, endOffset);
  let fix: QuickFix | undefined;
  if (d.fix && !d.fix.deleteLine) {
    const edits = d.fix.edits.map((e) => ({ s: placeIn(r, e.start), e: placeIn(r, e.end), newText: e.newText }));
    if (edits.every((e) => e.s.line === start.line && e.e.line === start.line)) {
      fix = { title: d.fix.title, edits: edits.map((e) => ({ start: e.s.col, end: e.e.col, newText: e.newText })) };
    }
  }
  const related = d.related?.map((x) => {
    const other = records(x.line);
    if (!other) return x;
    const p = placeIn(other, x.start);
    return { ...x, line: p.line, start: p.col, end: p.col + Math.max(1, placeIn(other, Math.min(x.end, lineEndIn(other, x.start))).col - p.col) };
  });
  const message = d.fix?.deleteLine
    ? d.message.replace(/ on line (\d+)/, (_, n: string) => ` on line ${(records(Number(n) - 1)?.line ?? Number(n) - 1) + 1}`)
    : d.message;
  return { ...d, message, line: start.line, start: start.col, end: end.line === start.line ? Math.max(end.col, start.col + 1) : start.col + 1, fix, related };
}

/** A structural problem as a diagnostic. */
export function problemDiagnostic(p: ArrayProblem): Diagnostic {
  return { ...lineDiag('invalid-json', { start: p.col, end: p.col + 1 }, `Invalid JSON array: ${p.message}.`), line: p.line };
}

/**
 * Validation of a JSON array dataset (.json): the records stream out of the array one by one and go
 * through the same model as JSONL lines (one "line" per record); the report's positions are then placed
 * back in the file. Same diagnostics, same dataset checks, positions in the file.
 */
import { compareDiagnostics } from '../checks/diagnostic';
import { DatasetModel, withDiagnostics, type FileReport, type ValidationOptions } from '../checks/datasetModel';
import { ArraySplitter, forEachArrayRecord, placeDiagnostic, placeOf, problemDiagnostic, type ArrayPlace, type ArrayProblem, type ArrayRecord } from '../jsonl/jsonArray';
import { resolveOptions, type PlainOptions } from './options';

function placed(model: DatasetModel, places: ArrayPlace[], problems: ArrayProblem[], cap?: number): FileReport {
  const r = model.report(cap);
  const at = (i: number) => places[i];
  const diagnostics = r.diagnostics.map((d) => (places[d.line] ? placeDiagnostic(d, places[d.line]!, at) : d));
  diagnostics.sort(compareDiagnostics);
  return withDiagnostics({ ...r, diagnostics }, problems.map(problemDiagnostic));
}

export async function validateJsonArrayFile(path: string, plain: PlainOptions, opts: { cap?: number; signal?: AbortSignal } = {}): Promise<FileReport> {
  const options = resolveOptions(plain);
  const model = new DatasetModel(options);
  const places: ArrayPlace[] = [];
  const problems: ArrayProblem[] = [];
  await forEachArrayRecord(path, (rec: ArrayRecord) => {
    model.push(rec.text);
    places.push(placeOf(rec));
  }, (p) => problems.push(p), opts.signal);
  return placed(model, places, problems, opts.cap);
}

/** The editor's path: the document's text, validated whole. */
export function validateJsonArrayText(text: string, options: ValidationOptions, cap?: number): FileReport {
  const model = new DatasetModel(options);
  const places: ArrayPlace[] = [];
  const problems: ArrayProblem[] = [];
  const splitter = new ArraySplitter((rec) => {
    model.push(rec.text);
    places.push(placeOf(rec));
  }, (p) => problems.push(p));
  splitter.feed(text);
  splitter.end();
  return placed(model, places, problems, cap);
}

/**
 * The one entry for validating a dataset, used by every caller (the CLI, open documents, large files,
 * "Validate All Datasets", preflight): the file's own checks plus leakage of a held-out file
 * (x.heldout.jsonl) against its training file; a `.json` array file is validated record by record at
 * its positions in the file. Leakage is checked (x.train.jsonl), and the across-line checks of a golden or
 * safety set (every id once).
 */
import { withDiagnostics, type DatasetModel, type FileReport } from '../checks/datasetModel';
import { leakageOfArrayText, leakageOfFile, leakageOfLines } from '../checks/leakage';
import { evalSetDiagnostics, evalSetDiagnosticsOfFile } from '../checks/evalSetChecks';
import { isEvalFormat } from '../formats/evalSets';
import type { PlainOptions } from './options';
import type { ValidationOptions } from '../checks/datasetModel';
import { validateJsonArrayText } from './validateJsonArray';
import { validateFile, type ValidateFileOptions } from './validateFile';
import { isJsonArrayPath } from './jsonArrayPath';

/** A dataset file on disk: streamed file checks, then leakage against its training partner. */
export async function validateDataset(path: string, options: PlainOptions, opts: ValidateFileOptions = {}): Promise<FileReport> {
  const report = isJsonArrayPath(path)
    ? await (await import('./validateJsonArray')).validateJsonArrayFile(path, options)
    : await validateFile(path, options, opts);
  opts.signal?.throwIfAborted();
  const ids = isEvalFormat(report.format ?? undefined) ? await evalSetDiagnosticsOfFile(path) : [];
  return withDiagnostics(report, [...(await leakageOfFile(path)), ...ids]);
}

/**
 * A dataset held in memory (an open document) whose file checks live in an incremental model: its
 * report plus the same leakage check, on the lines as they are now. `path` is undefined for a
 * document that is not a file on disk.
 */
export function validateDocument(model: DatasetModel, path: string | undefined, lines: () => readonly string[], cap?: number): FileReport {
  const report = model.report(cap);
  const ids = isEvalFormat(report.format ?? undefined) ? evalSetDiagnostics(lines()) : [];
  return withDiagnostics(report, [...(path === undefined ? [] : leakageOfLines(path, lines)), ...ids]);
}

/**
 * A `.json` array dataset held in memory (an open document), validated whole: its records' checks plus
 * the same leakage check as JSONL documents, placed on the held-out records in the file.
 */
export function validateJsonArrayDocument(path: string | undefined, text: string, options: ValidationOptions, cap?: number): FileReport {
  const report = validateJsonArrayText(text, options, cap);
  return withDiagnostics(report, path === undefined ? [] : leakageOfArrayText(path, () => text));
}

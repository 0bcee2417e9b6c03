/**
 * The one entry for validating a dataset, used by every caller (the CLI, open documents, large files,
 * "Validate All Datasets", preflight): the file's own checks plus leakage of a held-out file
 * (x.heldout.jsonl) against its training file (x.train.jsonl).
 */
import { withDiagnostics, type DatasetModel, type FileReport } from '../checks/datasetModel';
import { leakageOfFile, leakageOfLines } from '../checks/leakage';
import type { PlainOptions } from './options';
import { validateFile, type ValidateFileOptions } from './validateFile';

/** A dataset file on disk: streamed file checks, then leakage against its training partner. */
export async function validateDataset(path: string, options: PlainOptions, opts: ValidateFileOptions = {}): Promise<FileReport> {
  const report = await validateFile(path, options, opts);
  opts.signal?.throwIfAborted();
  return withDiagnostics(report, await leakageOfFile(path));
}

/**
 * A dataset held in memory (an open document) whose file checks live in an incremental model: its
 * report plus the same leakage check, on the lines as they are now. `path` is undefined for a
 * document that is not a file on disk.
 */
export function validateDocument(model: DatasetModel, path: string | undefined, lines: () => readonly string[], cap?: number): FileReport {
  return withDiagnostics(model.report(cap), path === undefined ? [] : leakageOfLines(path, lines));
}

/**
 * The one entry for validating a dataset, used by every caller (the CLI, open documents, large files,
 * "Validate All Datasets", preflight): the file's own checks plus leakage of a held-out file
 * (x.heldout.jsonl) against its training file; a `.json` array file is validated record by record at
 * its positions in the file. Leakage is checked (x.train.jsonl), and the across-line checks of a golden or
 * safety set (every id once); with a local embedding model (opts.semantic), semantic leaks of a held-out file.
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
import { nearDuplicatesOfDocument, nearDuplicatesOfFile } from './nearDuplicateChecks';
import { startWorker } from '../threads/startWorker';
import type { Diagnostic } from '../checks/diagnostic';
import type { NearDuplicateJob } from './nearDuplicateWorker';

/** The near-duplicate pass on a worker thread (an editor's large file); aborting terminates it. */
function nearDuplicatesOffThread(job: NearDuplicateJob, signal?: AbortSignal): Promise<Diagnostic[]> {
  return new Promise((resolve, reject) => {
    const w = startWorker(__dirname, 'nearDuplicateWorker', job);
    const abort = () => {
      void w.terminate();
      reject(new Error('cancelled'));
    };
    signal?.addEventListener('abort', abort, { once: true });
    w.once('message', (m: { ok: true; diagnostics: Diagnostic[] } | { ok: false; message: string }) => {
      signal?.removeEventListener('abort', abort);
      void w.terminate();
      if (m.ok) resolve(m.diagnostics);
      else reject(new Error(m.message));
    });
    w.once('error', (e) => {
      signal?.removeEventListener('abort', abort);
      reject(e);
    });
  });
}

/**
 * Above this many records `nearDuplicates: 'auto'` leaves the near-duplicate pass out (ftstudio validate
 * says so): the pass reads the file again and signs every record, about 3–5 s of CPU per 100 MB, 5–7× the
 * bare JSON.parse loop (README: the near-duplicate bench), which would swamp validate's own cost.
 */
export const NEAR_DUPLICATE_AUTO_RECORDS = 20_000;

/** Whether validateDataset runs the near-duplicate pass on a file of `records` records. */
export function runsNearDuplicates(mode: boolean | 'auto' | undefined, records: number): boolean {
  return mode === 'auto' ? records <= NEAR_DUPLICATE_AUTO_RECORDS : mode !== false;
}

/** A dataset file on disk: streamed file checks, then leakage against its training partner. */
export async function validateDataset(path: string, options: PlainOptions, opts: ValidateFileOptions = {}): Promise<FileReport> {
  const report = isJsonArrayPath(path)
    ? await (await import('./validateJsonArray')).validateJsonArrayFile(path, options)
    : await validateFile(path, options, opts);
  opts.signal?.throwIfAborted();
  const evalSet = isEvalFormat(report.format ?? undefined);
  const ids = evalSet ? await evalSetDiagnosticsOfFile(path) : [];
  const leaks = await leakageOfFile(path);
  // near-duplicates: JSONL training and held-out data (golden and safety sets have their own id check)
  const skipNear = evalSet || isJsonArrayPath(path) || !runsNearDuplicates(opts.nearDuplicates, report.records) || options.nearDuplicateThreshold === 0;
  const near = skipNear
    ? []
    : opts.offThread
      ? await nearDuplicatesOffThread({ path, threshold: options.nearDuplicateThreshold, leaks }, opts.signal)
      : await nearDuplicatesOfFile(path, options.nearDuplicateThreshold, leaks, opts.signal);
  const found = [...leaks, ...ids, ...near];
  if (opts.semantic && !evalSet) {
    const { semanticLeakDiagnostics } = await import('./semanticChecks');
    found.push(...(await semanticLeakDiagnostics(path, opts.semantic, found, opts.signal)));
  }
  return withDiagnostics(report, found);
}

/**
 * A dataset held in memory (an open document) whose file checks live in an incremental model: its
 * report plus the same leakage check, on the lines as they are now. `path` is undefined for a
 * document that is not a file on disk.
 */
export function validateDocument(model: DatasetModel, path: string | undefined, lines: () => readonly string[], cap?: number): FileReport {
  const report = model.report(cap);
  const evalSet = isEvalFormat(report.format ?? undefined);
  const ids = evalSet ? evalSetDiagnostics(lines()) : [];
  const leaks = path === undefined ? [] : leakageOfLines(path, lines);
  const near = evalSet ? [] : nearDuplicatesOfDocument(model, path, lines, model.options.nearDuplicateThreshold, leaks);
  return withDiagnostics(report, [...leaks, ...ids, ...near]);
}

/**
 * A `.json` array dataset held in memory (an open document), validated whole: its records' checks plus
 * the same leakage check as JSONL documents, placed on the held-out records in the file.
 */
export function validateJsonArrayDocument(path: string | undefined, text: string, options: ValidationOptions, cap?: number): FileReport {
  const report = validateJsonArrayText(text, options, cap);
  return withDiagnostics(report, path === undefined ? [] : leakageOfArrayText(path, () => text));
}

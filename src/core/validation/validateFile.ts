/**
 * Validate a file from disk: streamed (never held whole in memory); above a size threshold the
 * byte ranges are analysed by worker threads in parallel, and the dataset checks run once at the end.
 */
import { open, stat } from 'node:fs/promises';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../threads/startWorker';
import { DatasetModel, type FileReport } from '../checks/datasetModel';
import { forEachLineFacts } from '../checks/fileFacts';
import type { SemanticValidation } from './semanticChecks';
import { resolveOptionsWithTokens, type PlainOptions } from './options';
import type { PackedLines } from '../checks/lineTable';
import type { WorkerJob } from './analyzeWorker';

export const PARALLEL_THRESHOLD = 8 << 20;

export interface ValidateFileOptions {
  readonly workers?: number;
  /** analyse on one worker thread even when sequential (keeps an editor's main thread free) */
  readonly offThread?: boolean;
  /** files below this many bytes are not split (default PARALLEL_THRESHOLD) */
  readonly parallelThreshold?: number;
  readonly cap?: number;
  readonly signal?: AbortSignal;
  /**
   * The near-duplicate pass (validateDataset): true always, false never, 'auto' (the CLI's default) only
   * for files of at most NEAR_DUPLICATE_AUTO_RECORDS records — MinHash costs about 0.4 ms a record.
   */
  readonly nearDuplicates?: boolean | 'auto';
  /** `heldout-semantic-leak` with a local embedding model (validateDataset; semanticChecks.ts) */
  readonly semantic?: SemanticValidation;
}

function newWorker(job: WorkerJob): Worker {
  return startWorker(__dirname, 'analyzeWorker', job);
}

/** Split [0,size) into n ranges that begin at line starts. */
async function lineAlignedRanges(path: string, size: number, n: number): Promise<[number, number][]> {
  const cuts = [0];
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    for (let k = 1; k < n; k++) {
      let pos = Math.max(cuts[cuts.length - 1]!, Math.floor((size * k) / n));
      let found = -1;
      while (pos < size && found < 0) {
        const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
        if (!bytesRead) break;
        const i = buf.subarray(0, bytesRead).indexOf(10);
        if (i >= 0) found = pos + i + 1;
        else pos += bytesRead;
      }
      if (found < 0 || found >= size) break;
      if (found > cuts[cuts.length - 1]!) cuts.push(found);
    }
  } finally {
    await fh.close();
  }
  return cuts.map((c, i) => [c, cuts[i + 1] ?? size]);
}

/** Run one analysis job on a worker thread; aborting the signal terminates the worker. */
export function runWorker(job: WorkerJob, signal?: AbortSignal): Promise<PackedLines> {
  return new Promise((resolve, reject) => {
    const w = newWorker(job);
    const abort = () => {
      void w.terminate();
      reject(new Error('cancelled'));
    };
    signal?.addEventListener('abort', abort, { once: true });
    w.once('message', (m: { ok: true; packed: PackedLines } | { ok: false; message: string }) => {
      signal?.removeEventListener('abort', abort);
      void w.terminate();
      if (m.ok) resolve(m.packed);
      else reject(new Error(m.message));
    });
    w.once('error', (e) => {
      signal?.removeEventListener('abort', abort);
      reject(e);
    });
  });
}

export async function validateFile(path: string, plain: PlainOptions, opts: ValidateFileOptions = {}): Promise<FileReport> {
  const options = await resolveOptionsWithTokens(plain);
  const model = new DatasetModel(options);
  const { size } = await stat(path);
  // sequential unless asked: on this project's 2-core machines two workers measured slower than one
  const workers = Math.max(1, opts.workers ?? 1);
  if (opts.offThread && workers === 1) {
    model.pushPacked(await runWorker({ path, start: 0, end: size, options: plain }, opts.signal));
  } else if (workers > 1 && size >= (opts.parallelThreshold ?? PARALLEL_THRESHOLD)) {
    const ranges = await lineAlignedRanges(path, size, workers);
    const parts = await Promise.all(ranges.map(([start, end]) => runWorker({ path, start, end, options: plain }, opts.signal)));
    for (const p of parts) model.pushPacked(p);
  } else {
    let estimated = false;
    await forEachLineFacts(
      path,
      options,
      (facts, bytes) => {
        if (!estimated && facts.length) {
          // size the columns and the hash table once, from the first megabyte's mean line length
          estimated = true;
          model.reserve(Math.min(Math.ceil((size / bytes) * facts.length * 1.05), 1 << 24));
        }
        for (const f of facts) model.pushFacts(f);
      },
      { signal: opts.signal },
    );
  }
  return model.report(opts.cap);
}

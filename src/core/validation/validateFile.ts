/**
 * Validate a file from disk: streamed (never held whole in memory); above a size threshold its chunks
 * are analysed on several threads (parallelScan), and the dataset checks run once at the end.
 */
import { stat } from 'node:fs/promises';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../threads/startWorker';
import { DatasetModel, type FileReport } from '../checks/datasetModel';
import { forEachLineFacts } from '../checks/fileFacts';
import type { SemanticValidation } from './semanticChecks';
import { resolveOptionsWithTokens, type PlainOptions } from './options';
import type { PackedLines } from '../checks/lineTable';
import type { WorkerJob } from './analyzeWorker';
import { scanInParallel } from './parallelScan';

export const PARALLEL_THRESHOLD = 8 << 20;

export interface ValidateFileOptions {
  /** threads for a file of parallelThreshold bytes or more (default: defaultThreads()); 1 = this thread alone */
  readonly workers?: number;
  /** analyse on one worker thread even when sequential (keeps an editor's main thread free) */
  readonly offThread?: boolean;
  /** files below this many bytes are not split (default PARALLEL_THRESHOLD) */
  readonly parallelThreshold?: number;
  /** bytes per chunk when several threads share a file (default CHUNK_BYTES; tests use small ones) */
  readonly chunkBytes?: number;
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

/** Run one analysis job on a worker thread; aborting the signal terminates the worker. */
export function runWorker(job: WorkerJob, signal?: AbortSignal): Promise<PackedLines> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new Error('cancelled')); // cancelled before it started: no worker
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

/**
 * Threads for a large file on `cores` cores when not told: one core is left to V8's own background
 * threads (the garbage collector's helpers, the optimising compiler), which a single-threaded run has to
 * itself; at most four (each worker holds its own heap). On two cores that is this thread alone: there
 * (interleaved runs on the 120 MB bench files, 30 Nov) two threads took 1.5–1.8× the CPU seconds of one and
 * were no faster, except on the costliest lines (tool calls).
 */
export function threadsFor(cores: number): number {
  return Math.max(1, Math.min(4, cores - 1));
}

/** threadsFor this machine's cores. */
export function defaultThreads(): number {
  const { availableParallelism } = require('node:os') as typeof import('node:os');
  return threadsFor(availableParallelism());
}

export async function validateFile(path: string, plain: PlainOptions, opts: ValidateFileOptions = {}): Promise<FileReport> {
  const options = await resolveOptionsWithTokens(plain);
  const model = new DatasetModel(options);
  const { size } = await stat(path);
  const threads = Math.max(1, opts.workers ?? defaultThreads());
  const large = size >= (opts.parallelThreshold ?? PARALLEL_THRESHOLD);
  if (large && (threads > 1 || opts.offThread)) {
    // an editor's thread stays free: its share goes to workers, one core left to it
    const workers = opts.offThread ? Math.max(1, threads - 1) : threads - 1;
    await scanInParallel(model, size, { path, plain, workers, inThread: !opts.offThread, chunkBytes: opts.chunkBytes, signal: opts.signal });
  } else if (opts.offThread) {
    model.pushPacked(await runWorker({ path, start: 0, end: size, options: plain }, opts.signal));
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

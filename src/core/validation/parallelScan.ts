/**
 * A large file on several threads: the file is cut into line-aligned chunks of a few megabytes, and
 * every thread (the calling one too, unless it must stay free) takes the next chunk from a shared
 * counter until none is left. A thread that starts late or runs on a busy core simply takes fewer
 * chunks. Each chunk's facts come back as packed columns and join the model in file order.
 */
import { open } from 'node:fs/promises';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../threads/startWorker';
import type { DatasetModel } from '../checks/datasetModel';
import { factsTable } from '../checks/fileFacts';
import type { PackedLines } from '../checks/lineTable';
import type { PlainOptions } from './options';
import type { ChunkReply, WorkerJob } from './analyzeWorker';

/** Bytes per chunk: small enough to balance two threads, large enough that a chunk's overhead is noise. */
export const CHUNK_BYTES = 8 << 20;

/** Cut [0, size) into about size / chunkBytes ranges that begin at line starts. */
export async function lineAlignedChunks(path: string, size: number, chunkBytes = CHUNK_BYTES): Promise<[number, number][]> {
  const cuts = [0];
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    for (let target = chunkBytes; target < size; target += chunkBytes) {
      let pos = Math.max(cuts[cuts.length - 1]!, target);
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

export interface ParallelScan {
  readonly path: string;
  readonly plain: PlainOptions;
  /** worker threads to start */
  readonly workers: number;
  /** whether the calling thread takes chunks too (false: it stays free, as an editor's must) */
  readonly inThread: boolean;
  readonly chunkBytes?: number;
  readonly signal?: AbortSignal;
}

/** Analyse the file into `model` (which holds the resolved options) on `workers` threads, plus this one when `inThread`. */
export async function scanInParallel(model: DatasetModel, size: number, job: ParallelScan): Promise<void> {
  const ranges = await lineAlignedChunks(job.path, size, job.chunkBytes);
  const next = new Int32Array(new SharedArrayBuffer(4));
  const done: (PackedLines | undefined)[] = new Array(ranges.length);
  let flushed = 0;
  const flush = () => {
    while (flushed < ranges.length && done[flushed]) {
      model.pushPacked(done[flushed]!);
      done[flushed++] = undefined; // the model holds the columns now
    }
  };
  const workers: Worker[] = [];
  const stopAll = () => {
    for (const w of workers) void w.terminate();
  };
  try {
    const threads: Promise<void>[] = [];
    for (let k = 0; k < job.workers; k++) {
      const w = startWorker(__dirname, 'analyzeWorker', { path: job.path, ranges, next, options: job.plain } satisfies WorkerJob);
      workers.push(w);
      threads.push(
        new Promise<void>((resolve, reject) => {
          w.on('message', (m: ChunkReply) => {
            if (!m.ok) reject(new Error(m.message));
            else if (m.done) resolve();
            else {
              done[m.chunk] = m.packed;
              flush();
            }
          });
          w.once('error', reject);
          w.once('exit', () => resolve()); // after 'done', or terminated: the counts below tell whether all chunks came
        }),
      );
    }
    if (job.inThread) {
      const handle = await open(job.path, 'r');
      try {
        for (let c = Atomics.add(next, 0, 1); c < ranges.length; c = Atomics.add(next, 0, 1)) {
          const [start, end] = ranges[c]!;
          // the same packed form a worker posts
          done[c] = (await factsTable(job.path, model.options, { start, end, signal: job.signal, handle })).pack();
          flush();
        }
      } finally {
        await handle.close();
      }
    }
    const aborted = new Promise<never>((_, reject) => {
      if (job.signal?.aborted) reject(new Error('cancelled'));
      job.signal?.addEventListener('abort', () => reject(new Error('cancelled')), { once: true });
    });
    await Promise.race([Promise.all(threads), aborted]);
    flush();
    if (flushed < ranges.length) throw new Error(`a worker stopped before chunk ${flushed + 1} of ${ranges.length} was analysed`);
  } finally {
    stopAll();
  }
}

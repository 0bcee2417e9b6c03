/**
 * Worker thread: analyse lines and post them back in columns — a byte range of a file, the lines of an
 * editor document, or (parallelScan) the chunks of a file it takes one by one from a shared counter.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { analyzeLine } from '../checks/analyzeLine';
import { LineTable, transferList, type PackedLines } from '../checks/lineTable';
import { factsTable } from '../checks/fileFacts';
import { resolveOptionsWithTokens, type PlainOptions } from './options';
import { open } from 'node:fs/promises';

/** A byte range of a file, the lines of an editor document, or a shared list of chunks. */
export type WorkerJob =
  | { readonly path: string; readonly start: number; readonly end: number; readonly options: PlainOptions }
  | { readonly lines: readonly string[]; readonly options: PlainOptions }
  | { readonly path: string; readonly ranges: readonly [number, number][]; readonly next: Int32Array; readonly options: PlainOptions };

/** What a chunk-taking worker posts: each chunk it analysed, then done (or the error that stopped it). */
export type ChunkReply = { ok: true; done?: false; chunk: number; packed: PackedLines } | { ok: true; done: true } | { ok: false; message: string };

async function run(job: WorkerJob): Promise<void> {
  const options = await resolveOptionsWithTokens(job.options);
  if ('ranges' in job) {
    const handle = await open(job.path, 'r');
    try {
      for (let c = Atomics.add(job.next, 0, 1); c < job.ranges.length; c = Atomics.add(job.next, 0, 1)) {
        const [start, end] = job.ranges[c]!;
        const packed = (await factsTable(job.path, options, { start, end, handle })).pack();
        parentPort!.postMessage({ ok: true, chunk: c, packed } satisfies ChunkReply, transferList(packed));
      }
    } finally {
      await handle.close();
    }
    parentPort!.postMessage({ ok: true, done: true } satisfies ChunkReply);
    return;
  }
  let table: LineTable;
  if ('lines' in job) {
    table = new LineTable();
    for (const l of job.lines) table.push(analyzeLine(l, options));
  } else table = await factsTable(job.path, options, { start: job.start, end: job.end });
  const packed = table.pack();
  parentPort!.postMessage({ ok: true, packed }, transferList(packed));
}

run(workerData as WorkerJob).catch((e: Error) => parentPort!.postMessage({ ok: false, message: e.message }));

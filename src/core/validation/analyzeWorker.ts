/** Worker thread: analyse the lines of one byte range of a file and post them back in columns. */
import { parentPort, workerData } from 'node:worker_threads';
import { analyzeLine } from '../checks/analyzeLine';
import { LineTable, transferList } from '../checks/lineTable';
import { forEachLineFacts } from '../checks/fileFacts';
import { resolveOptionsWithTokens, type PlainOptions } from './options';

/** A byte range of a file, or the lines of an editor document. */
export type WorkerJob =
  | { readonly path: string; readonly start: number; readonly end: number; readonly options: PlainOptions }
  | { readonly lines: readonly string[]; readonly options: PlainOptions };

async function run(job: WorkerJob): Promise<void> {
  const options = await resolveOptionsWithTokens(job.options);
  const table = new LineTable();
  if ('lines' in job) {
    for (const l of job.lines) table.push(analyzeLine(l, options));
  } else {
    await forEachLineFacts(
      job.path,
      options,
      (facts) => {
        for (const f of facts) table.push(f);
      },
      { start: job.start, end: job.end },
    );
  }
  const packed = table.pack();
  parentPort!.postMessage({ ok: true, packed }, transferList(packed));
}

run(workerData as WorkerJob).catch((e: Error) => parentPort!.postMessage({ ok: false, message: e.message }));

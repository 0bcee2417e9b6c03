/** Worker thread: the near-duplicate pass of a file on disk (nearDuplicateChecks.ts), off the editor's main thread. */
import { parentPort, workerData } from 'node:worker_threads';
import type { Diagnostic } from '../checks/diagnostic';
import { nearDuplicatesOfFile } from './nearDuplicateChecks';

export interface NearDuplicateJob {
  readonly path: string;
  readonly threshold?: number;
  /** the file's exact and prompt leaks: their lines get no near leak */
  readonly leaks: readonly Diagnostic[];
}

nearDuplicatesOfFile((workerData as NearDuplicateJob).path, (workerData as NearDuplicateJob).threshold, (workerData as NearDuplicateJob).leaks).then(
  (diagnostics) => parentPort!.postMessage({ ok: true, diagnostics }),
  (e: Error) => parentPort!.postMessage({ ok: false, message: e.message }),
);

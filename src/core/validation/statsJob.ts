/** The Dataset Report's numbers computed on a worker thread (statsWorker.ts), with progress and cancellation. */
import type { DatasetStats } from '../insight/stats';
import type { FormatId } from '../formats/formats';
import type { GoalId } from '../project/goals';
import { startWorker } from '../threads/startWorker';
import type { SemanticConfig } from '../insight/semantic';

/** Plain data: it crosses to the worker. */
export interface StatsJob {
  readonly path: string;
  readonly configPath?: string;
  readonly format?: FormatId;
  readonly maxSeqLength: number;
  readonly nearDuplicateThreshold?: number;
  readonly goal?: GoalId;
  readonly production?: string;
  /** the local embedding model for the semantic checks, or why they are off */
  readonly semantic?: SemanticConfig | { readonly off: string };
}

export type StatsWorkerMessage =
  | { readonly type: 'progress'; readonly done: number; readonly total: number; readonly what: string }
  | { readonly type: 'done'; readonly stats: DatasetStats }
  | { readonly type: 'error'; readonly message: string };

/** Run the job on a worker; aborting the signal terminates the worker and rejects with "cancelled". */
export function statsOnWorker(job: StatsJob, onProgress: (done: number, total: number, what: string) => void, signal?: AbortSignal): Promise<DatasetStats> {
  return new Promise((resolve, reject) => {
    const w = startWorker(__dirname, 'statsWorker', job);
    const abort = () => {
      void w.terminate();
      reject(new Error('cancelled'));
    };
    if (signal?.aborted) return abort();
    signal?.addEventListener('abort', abort, { once: true });
    const finish = () => {
      signal?.removeEventListener('abort', abort);
      void w.terminate();
    };
    w.on('message', (m: StatsWorkerMessage) => {
      if (m.type === 'progress') onProgress(m.done, m.total, m.what);
      else if (m.type === 'done') {
        finish();
        resolve(m.stats);
      } else {
        finish();
        reject(new Error(m.message));
      }
    });
    w.once('error', (e) => {
      finish();
      reject(e);
    });
  });
}

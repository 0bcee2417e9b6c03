/** Worker thread: the Dataset Report's numbers (insight/stats.ts) off the extension host's main thread. */
import { parentPort, workerData } from 'node:worker_threads';
import { datasetStats } from '../insight/stats';
import { tokenCounterFor } from '../insight/counterChoice';
import type { StatsJob, StatsWorkerMessage } from './statsJob';

async function run(job: StatsJob): Promise<void> {
  const post = (m: StatsWorkerMessage) => parentPort!.postMessage(m);
  let last = 0;
  const stats = await datasetStats(job.path, {
    counter: await tokenCounterFor(job.configPath),
    format: job.format,
    maxSeqLength: job.maxSeqLength,
    nearDuplicateThreshold: job.nearDuplicateThreshold,
    goal: job.goal,
    production: job.production,
    semantic: job.semantic,
    onProgress: (done, total, what) => {
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      post({ type: 'progress', done, total, what });
    },
  });
  post({ type: 'done', stats });
}

run(workerData as StatsJob).catch((e: Error) => parentPort!.postMessage({ type: 'error', message: e.message } satisfies StatsWorkerMessage));

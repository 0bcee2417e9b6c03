/** Worker thread: FileIndex's indexing of a dataset file (indexFile.ts), its messages posted to the panel's thread. */
import { parentPort, workerData } from 'node:worker_threads';
import type { IndexJob, IndexMessage } from './fileIndex';
import { indexFile } from './indexFile';

const post = (m: IndexMessage) => parentPort!.postMessage(m);
indexFile(workerData as IndexJob, post).catch((e: Error) => post({ type: 'error', message: e.message }));

/**
 * Start one of our worker scripts: the bundle beside dist/extension.js and dist/cli.js (`dist/<name>.js`),
 * or, under tsx (tests, benches), the TypeScript source with tsx registered inside the worker too.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';

/** `sourceDir`: the folder of `<name>.ts` (the caller's __dirname). */
export function startWorker(sourceDir: string, name: string, workerData: unknown): Worker {
  // loaded here: a sequential run (the default) never starts a worker, and start-up stays short
  const { Worker } = require('node:worker_threads') as typeof import('node:worker_threads');
  const bundled = join(__dirname, `${name}.js`);
  if (existsSync(bundled)) return new Worker(bundled, { workerData });
  const source = join(sourceDir, `${name}.ts`);
  const tsxApi = require.resolve('tsx/cjs/api'); // resolved here: the worker's cwd may be any project
  return new Worker(`require(${JSON.stringify(tsxApi)}).register(); require(${JSON.stringify(source)});`, { eval: true, workerData });
}

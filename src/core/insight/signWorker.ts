/** Worker thread: MinHash signatures of batches of texts for parallelSigning.ts, sent back as transferred typed arrays. */
import { parentPort } from 'node:worker_threads';
import { PERMUTATIONS, Permutations, signInto } from './minhash';
import type { SignBatch, SignedBatch } from './parallelSigning';

const perms = new Permutations();

parentPort!.on('message', ({ id, texts }: SignBatch) => {
  const sigs = new Uint16Array(texts.length * PERMUTATIONS);
  const has = new Uint8Array(texts.length);
  for (let k = 0; k < texts.length; k++) has[k] = signInto(texts[k]!, perms, sigs, k * PERMUTATIONS) ? 1 : 0;
  parentPort!.postMessage({ id, sigs, has } satisfies SignedBatch, [sigs.buffer, has.buffer]);
});

/** Worker thread: one local ONNX embedding model (embedModel.ts); answers { id, texts } with { id, vectors }. */
import { parentPort, workerData } from 'node:worker_threads';
import { loadEmbedderHere } from './embedModel';

async function main(): Promise<void> {
  const { modelDir } = workerData as { modelDir: string };
  let embedder;
  try {
    embedder = await loadEmbedderHere(modelDir);
  } catch (e) {
    parentPort!.postMessage({ ready: false, error: (e as Error).message });
    return;
  }
  parentPort!.postMessage({ ready: true, dimension: embedder.dimension });
  let queue = Promise.resolve();
  parentPort!.on('message', (m: { id: number; texts: string[] }) => {
    queue = queue.then(async () => {
      try {
        const vectors = await embedder.embed(m.texts);
        parentPort!.postMessage(
          { id: m.id, vectors },
          vectors.map((v) => v.buffer as ArrayBuffer),
        );
      } catch (e) {
        parentPort!.postMessage({ id: m.id, error: (e as Error).message });
      }
    });
  });
}

void main();

// Embeds texts with src/core/insight/embeddings.ts (onnxruntime-node on a worker thread) for
// trainer/tests/test_node_embeddings.py, which compares the vectors with Python's onnxruntime.
// argv: model folder, JSON file of texts; stdout: { dimension, vectors: number[][] }.
import { readFileSync } from 'node:fs';
import { loadEmbedder } from '../../src/core/insight/embeddings';

async function main(): Promise<void> {
  const embedder = await loadEmbedder(process.argv[2]!);
  const texts = JSON.parse(readFileSync(process.argv[3]!, 'utf8')) as string[];
  const vectors = await embedder.embed(texts);
  await embedder.dispose?.();
  process.stdout.write(JSON.stringify({ dimension: embedder.dimension, vectors: vectors.map((v) => Array.from(v)) }));
}

main().catch((e: Error) => {
  process.stderr.write(`${e.stack ?? e.message}\n`);
  process.exit(1);
});

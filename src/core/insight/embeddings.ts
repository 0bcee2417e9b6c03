/**
 * Local sentence embeddings for semantic near-duplicates and semantic train/held-out leakage: a folder
 * with an exported `model.onnx` and its `tokenizer.json` (finetuneStudio.embeddings.model, or
 * finetune.json's embeddings.model), run by onnxruntime-node on a worker thread (embedWorker.ts), never
 * on the caller's thread. Vectors are L2-normalised; pairs at cosine ≥ a threshold
 * (DEFAULT_SEMANTIC_THRESHOLD unless the caller says otherwise) count as the same content.
 */
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../threads/startWorker';
import { isAbsolute, resolve } from 'node:path';
import { embedderFolderProblem } from './embedModel';
import { dpoTriplet, PREFERENCE_FORMATS, sftConversation, sftSegments } from '../tokens/trainerView';

export interface Embedder {
  /** length of every vector */
  readonly dimension: number;
  /** one L2-normalised vector per text, in order */
  embed(texts: string[]): Promise<Float32Array[]>;
  /** end the worker (the embedder cannot be used afterwards) */
  dispose?(): Promise<void>;
}

/** Cosine at or above which two records say the same thing (README, "Local embeddings"). */
export const DEFAULT_SEMANTIC_THRESHOLD = 0.95;

type Reply = { id: number; vectors: Float32Array[] } | { id: number; error: string };

/** The model in `modelDir`, loaded on a worker thread; rejects with a sentence naming what is wrong. */
export function loadEmbedder(modelDir: string): Promise<Embedder> {
  return new Promise((resolve, reject) => {
    let worker: Worker;
    try {
      worker = startWorker(__dirname, 'embedWorker', { modelDir });
    } catch (e) {
      reject(e as Error);
      return;
    }
    const pending = new Map<number, { resolve: (v: Float32Array[]) => void; reject: (e: Error) => void }>();
    let next = 0;
    let dead: Error | undefined;
    const fail = (e: Error) => {
      dead = e;
      for (const p of pending.values()) p.reject(e);
      pending.clear();
    };
    worker.once('message', (m: { ready: true; dimension: number } | { ready: false; error: string }) => {
      if (!m.ready) {
        void worker.terminate();
        reject(new Error(m.error));
        return;
      }
      worker.unref(); // an idle embedder does not keep the process alive
      worker.on('message', (r: Reply) => {
        const p = pending.get(r.id);
        if (!p) return;
        pending.delete(r.id);
        if (pending.size === 0) worker.unref();
        if ('error' in r) p.reject(new Error(r.error));
        else p.resolve(r.vectors);
      });
      resolve({
        dimension: m.dimension,
        embed(texts) {
          if (dead) return Promise.reject(dead);
          if (texts.length === 0) return Promise.resolve([]);
          const id = next++;
          worker.ref();
          return new Promise((res, rej) => {
            pending.set(id, { resolve: res, reject: rej });
            worker.postMessage({ id, texts });
          });
        },
        async dispose() {
          fail(new Error('the embedder was disposed'));
          await worker.terminate();
        },
      });
    });
    worker.once('error', (e) => {
      fail(e);
      reject(e);
    });
    worker.once('exit', (code) => fail(new Error(`the embedding worker stopped (exit code ${code})`)));
  });
}

/**
 * Which embedding model to use: finetune.json's embeddings.model (absolute, from loadConfig) over the
 * setting finetuneStudio.embeddings.model (a relative setting is taken from the workspace root); in an
 * untrusted workspace finetune.json's choice is not loaded. `off`: why semantic checks are off.
 */
export function embeddingModelChoice(o: {
  /** asked for this run (ftstudio's --embeddings): wins over everything */
  readonly explicit?: string;
  readonly project?: string;
  readonly setting?: string;
  readonly trusted: boolean;
  readonly workspaceRoot?: string;
}): { readonly dir: string; readonly from: string } | { readonly off: string } {
  let dir: string | undefined, from: string | undefined;
  if (o.explicit) [dir, from] = [resolve(o.explicit), '--embeddings'];
  else if (o.project && o.trusted) [dir, from] = [o.project, 'finetune.json embeddings.model'];
  else if (o.setting)
    [dir, from] = [
      isAbsolute(o.setting) || !o.workspaceRoot ? resolve(o.setting) : resolve(o.workspaceRoot, o.setting),
      'the setting finetuneStudio.embeddings.model',
    ];
  if (!dir || !from) {
    const restricted = o.project && !o.trusted ? " (Restricted Mode: finetune.json's embeddings.model is not loaded; trust the workspace to use it)" : '';
    return {
      off: `semantic checks are off: no embedding model${restricted}; set embeddings.model in finetune.json or finetuneStudio.embeddings.model to a folder with model.onnx and tokenizer.json`,
    };
  }
  const problem = embedderFolderProblem(dir);
  return problem ? { off: `semantic checks are off: ${problem} (from ${from})` } : { dir, from };
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0,
    na = 0,
    nb = 0;
  for (let k = 0; k < a.length; k++) {
    dot += a[k]! * b[k]!;
    na += a[k]! * a[k]!;
    nb += b[k]! * b[k]!;
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}

/**
 * Pairs at cosine ≥ threshold: within `a` ([i, j, cos] with i < j) when `b` is undefined (near-duplicates),
 * else across ([i in a, j in b, cos]: leaks between training and held-out). Exhaustive: n·m dot products.
 */
export function findSemanticPairs(a: Float32Array[], b: Float32Array[] | undefined, threshold: number): Array<[number, number, number]> {
  const out: Array<[number, number, number]> = [];
  const other = b ?? a;
  for (let i = 0; i < a.length; i++) {
    for (let j = b ? 0 : i + 1; j < other.length; j++) {
      const c = cosine(a[i]!, other[j]!);
      if (c >= threshold) out.push([i, j, c]);
    }
  }
  return out;
}

/** The text of a record to embed: its turns' or fields' text, prompt first (a preference record: prompt and chosen). */
export function embeddingText(record: unknown, format: string): string {
  if (!record || typeof record !== 'object') return '';
  const rec = record as Record<string, unknown>;
  const text = (v: unknown): string =>
    typeof v === 'string' ? v : Array.isArray(v) ? v.map((m) => text((m as { content?: unknown })?.content ?? m)).join('\n') : '';
  if (PREFERENCE_FORMATS.has(format)) {
    const [prompt, chosen] = dpoTriplet(rec);
    return [text(prompt), text(chosen)].filter(Boolean).join('\n');
  }
  const conv = sftConversation(rec);
  if (conv) return conv.map((m) => text(m.content)).join('\n');
  return sftSegments(rec)
    .map(([t]) => t)
    .join('');
}

/**
 * A local ONNX sentence-embedding model, run in this thread with onnxruntime-node (CPU): a folder with
 * `model.onnx` and `tokenizer.json` that the user exported (README: "Local embeddings"). The inputs are
 * the ones the session declares (input_ids, attention_mask, token_type_ids); the vector is the model's
 * own sentence embedding when it outputs one (sentence_embedding), else the mean of its token embeddings
 * (the first 3-D output, e.g. last_hidden_state) over the attention mask, else its 2-D pooled output;
 * L2-normalised. Used through embeddings.ts, which runs it on a worker thread.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Embedder } from './embeddings';
import { loadJsTokenizer, type JsTokenizer } from '../tokens/jsTokenizer';

type Json = Record<string, unknown>;

interface OrtTensor {
  readonly dims: readonly number[];
  readonly data: ArrayLike<number>;
}
interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata?: ReadonlyArray<{ readonly name: string; readonly isTensor: boolean; readonly type?: string }>;
  run(feeds: Record<string, unknown>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}
interface Ort {
  InferenceSession: { create(path: string, o?: Json): Promise<OrtSession> };
  Tensor: new (type: string, data: BigInt64Array | Int32Array, dims: number[]) => unknown;
}

const KNOWN_INPUTS = new Set(['input_ids', 'attention_mask', 'token_type_ids']);
const POOLED_NAMES = ['sentence_embedding', 'sentence_embeddings', 'text_embeds', 'embeddings'];
export const EMBED_BATCH = 32;
export const DEFAULT_MAX_TOKENS = 512;

export class EmbedderError extends Error {}

/** What the folder must hold, said plainly; undefined when it is complete. */
export function embedderFolderProblem(dir: string): string | undefined {
  if (!existsSync(dir)) return `the embedding model folder ${dir} does not exist`;
  const missing = ['model.onnx', 'tokenizer.json'].filter((f) => !existsSync(join(dir, f)));
  return missing.length ? `${dir} has no ${missing.join(' and no ')}: export the model to ONNX (README, "Local embeddings")` : undefined;
}

export interface LocalEmbedder extends Embedder {
  dispose(): Promise<void>;
}

export async function loadEmbedderHere(dir: string, opts: { threads?: number } = {}): Promise<LocalEmbedder> {
  const problem = embedderFolderProblem(dir);
  if (problem) throw new EmbedderError(problem);
  const ort = (await import('onnxruntime-node')) as unknown as Ort;
  let tokenizerJson: Json, config: Json;
  try {
    tokenizerJson = JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8')) as Json;
    config = existsSync(join(dir, 'tokenizer_config.json')) ? (JSON.parse(readFileSync(join(dir, 'tokenizer_config.json'), 'utf8')) as Json) : {};
  } catch (e) {
    throw new EmbedderError(`${dir}: cannot read the tokenizer (${(e as Error).message})`);
  }
  let tokenizer: JsTokenizer;
  try {
    tokenizer = await loadJsTokenizer(tokenizerJson, config);
  } catch (e) {
    throw new EmbedderError(`${join(dir, 'tokenizer.json')}: cannot read the tokenizer (${(e as Error).message})`);
  }
  let session: OrtSession;
  try {
    session = await ort.InferenceSession.create(join(dir, 'model.onnx'), {
      executionProviders: ['cpu'],
      intraOpNumThreads: opts.threads ?? 1,
      interOpNumThreads: 1,
    });
  } catch (e) {
    throw new EmbedderError(`${join(dir, 'model.onnx')} cannot be loaded by onnxruntime: ${(e as Error).message}`);
  }
  const unknown = session.inputNames.filter((n) => !KNOWN_INPUTS.has(n));
  if (unknown.length || !session.inputNames.includes('input_ids')) {
    await session.release();
    throw new EmbedderError(
      `${join(dir, 'model.onnx')} takes inputs ${session.inputNames.join(', ')}; an embedding model takes input_ids, and optionally attention_mask and token_type_ids`,
    );
  }
  const int32 = new Set((session.inputMetadata ?? []).filter((m) => m.isTensor && m.type === 'int32').map((m) => m.name));
  const truncation = (tokenizerJson.truncation as Json | null | undefined)?.max_length;
  const configMax = typeof config.model_max_length === 'number' && config.model_max_length < 1e6 ? config.model_max_length : undefined;
  const maxLen = typeof truncation === 'number' ? truncation : (configMax ?? DEFAULT_MAX_TOKENS);
  const padding = tokenizerJson.padding as Json | null | undefined;
  const padToken = typeof config.pad_token === 'string' ? tokenizer.token_to_id(config.pad_token) : undefined;
  const padId = typeof padding?.pad_id === 'number' ? padding.pad_id : (padToken ?? 0);
  const pooledName = POOLED_NAMES.find((n) => session.outputNames.includes(n));

  const tensor = (name: string, rows: number[][], width: number) => {
    const data = int32.has(name) ? new Int32Array(rows.length * width) : new BigInt64Array(rows.length * width);
    rows.forEach((r, i) => r.forEach((v, j) => (data[i * width + j] = (int32.has(name) ? v : BigInt(v)) as never)));
    return new ort.Tensor(int32.has(name) ? 'int32' : 'int64', data, [rows.length, width]);
  };

  async function batch(texts: readonly string[]): Promise<Float32Array[]> {
    const ids = texts.map((t) => tokenizer.encode(t, { add_special_tokens: true }).ids.slice(0, maxLen));
    const width = Math.max(1, ...ids.map((x) => x.length));
    const padded = ids.map((x) => [...x, ...new Array<number>(width - x.length).fill(padId)]);
    const mask = ids.map((x) => Array.from({ length: width }, (_, j) => (j < x.length ? 1 : 0)));
    const feeds: Record<string, unknown> = { input_ids: tensor('input_ids', padded, width) };
    if (session.inputNames.includes('attention_mask')) feeds.attention_mask = tensor('attention_mask', mask, width);
    if (session.inputNames.includes('token_type_ids'))
      feeds.token_type_ids = tensor(
        'token_type_ids',
        mask.map((r) => r.map(() => 0)),
        width,
      );
    const out = await session.run(feeds);
    const pick: OrtTensor =
      (pooledName ? out[pooledName] : undefined) ?? session.outputNames.map((n) => out[n]!).find((t) => t.dims.length === 3) ?? out[session.outputNames[0]!]!;
    const vectors: Float32Array[] = [];
    if (pick.dims.length === 3) {
      const [, t, d] = pick.dims as [number, number, number];
      for (let i = 0; i < texts.length; i++) {
        const v = new Float32Array(d);
        let n = 0;
        for (let j = 0; j < t; j++) {
          if (!mask[i]![j]) continue;
          n++;
          const base = (i * t + j) * d;
          for (let k = 0; k < d; k++) v[k]! += pick.data[base + k]!;
        }
        for (let k = 0; k < d; k++) v[k]! /= Math.max(n, 1);
        vectors.push(normalise(v));
      }
    } else if (pick.dims.length === 2) {
      const d = pick.dims[1]!;
      for (let i = 0; i < texts.length; i++) vectors.push(normalise(Float32Array.from({ length: d }, (_, k) => pick.data[i * d + k]!)));
    } else {
      throw new EmbedderError(
        `${join(dir, 'model.onnx')}: no output of shape [batch, tokens, dim] or [batch, dim] (outputs ${session.outputNames.join(', ')})`,
      );
    }
    return vectors;
  }

  const embed = async (texts: readonly string[]): Promise<Float32Array[]> => {
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += EMBED_BATCH) out.push(...(await batch(texts.slice(i, i + EMBED_BATCH))));
    return out;
  };
  const dimension = (await embed(['a']))[0]!.length;
  return { dimension, embed: (t) => embed(t), dispose: () => session.release() };
}

export function normalise(v: Float32Array): Float32Array {
  let s = 0;
  for (let k = 0; k < v.length; k++) s += v[k]! * v[k]!;
  const n = Math.sqrt(s);
  if (n > 0) for (let k = 0; k < v.length; k++) v[k]! /= n;
  return v;
}

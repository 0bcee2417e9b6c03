// A tiny sentence-embedding model the tests write by hand (no Python, no download): model.onnx encoded
// here as ONNX protobuf (input_ids, attention_mask -> last_hidden_state = E[input_ids] · mask; the editor
// mean-pools it) and a word-level tokenizer.json. Words of one concept share one embedding row, so
// paraphrases ("refund" / "money", "order" / "purchase", "open" / "go" / "choose" / "pick") embed to nearly
// the same vector while sharing no word 5-gram; filler words weigh little. Used by
// test/unit/semantic.test.ts, test/unit/cliCommands.test.ts and test/e2e/report.e2e.test.ts.
// (onnx.checker accepts the model and Python onnxruntime gives the same vectors: trainer/tests/test_node_embeddings.py.)
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Concept -> its words; each concept is one dimension. */
const CONCEPTS: Record<string, readonly string[]> = {
  refund: ['refund', 'money', 'reimbursement'],
  order: ['order', 'orders', 'purchase'],
  open: ['open', 'go', 'choose', 'pick'],
  capital: ['capital'],
  france: ['france', 'paris'],
  password: ['password'],
  reset: ['reset', 'change', 'forgot'],
  link: ['link'],
  ship: ['ship', 'shipping', 'delivery', 'deliver'],
  days: ['days', 'week'],
};
const FILLER = [
  'how',
  'do',
  'i',
  'get',
  'a',
  'an',
  'for',
  'my',
  'can',
  'have',
  'back',
  'this',
  'what',
  'is',
  'the',
  'of',
  'and',
  'to',
  'use',
  'want',
  'it',
  'after',
  'you',
  'city',
  'long',
  'does',
  'take',
  'in',
  'about',
  'one',
  'we',
  'within',
  'five',
];
const PUNCT = ['?', '.', ',', '!', "'", 's'];

const varint = (n: number | bigint): number[] => {
  let v = BigInt(n);
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return out;
};
const key = (field: number, wire: number) => varint((field << 3) | wire);
const int = (field: number, v: number) => [...key(field, 0), ...varint(v)];
const bytes = (field: number, b: ArrayLike<number>) => [...key(field, 2), ...varint(b.length), ...Array.from(b)];
const str = (field: number, s: string) => bytes(field, Buffer.from(s, 'utf8'));
const msg = (field: number, parts: number[][]) => bytes(field, parts.flat());

const FLOAT = 1,
  INT64 = 7;

function tensor(field: number, name: string, type: number, dims: number[], raw: Buffer): number[] {
  return msg(field, [...dims.map((d) => int(1, d)), int(2, type), str(8, name), bytes(9, raw)]);
}
function valueInfo(field: number, name: string, type: number, dims: (number | string)[]): number[] {
  const shape = dims.map((d) => msg(1, [typeof d === 'number' ? int(1, d) : str(2, d)]));
  return msg(field, [str(1, name), msg(2, [msg(1, [int(1, type), msg(2, shape)])])]);
}
function node(inputs: string[], outputs: string[], op: string, attrs: number[][] = []): number[] {
  return msg(1, [...inputs.map((i) => str(1, i)), ...outputs.map((o) => str(2, o)), str(4, op), ...attrs]);
}

/** The vocabulary in id order: special tokens, filler, punctuation, then each concept's words. */
export function embedderVocabulary(): { words: string[]; rows: number[][] } {
  const concepts = Object.keys(CONCEPTS);
  const dim = concepts.length + 2; // + filler + unknown
  const words: string[] = [];
  const rows: number[][] = [];
  const row = (k: number, w: number) => Array.from({ length: dim }, (_, j) => (j === k ? w : 0));
  const add = (w: string, r: number[]) => (words.push(w), rows.push(r));
  add('[PAD]', row(-1, 0));
  add('[UNK]', row(dim - 1, 1));
  for (const w of [...FILLER, ...PUNCT]) add(w, row(dim - 2, 0.05));
  concepts.forEach((c, k) => CONCEPTS[c]!.forEach((w) => add(w, row(k, 1))));
  return { words, rows };
}

/**
 * Write model.onnx, tokenizer.json and tokenizer_config.json into `dir`. `rank4`: the output gets an extra axis
 * ([batch, seq, 1, dim]), a model whose output is neither token vectors nor one vector per text.
 */
export function writeTinyEmbedder(dir: string, opts: { rank4?: boolean } = {}): void {
  mkdirSync(dir, { recursive: true });
  const { words, rows } = embedderVocabulary();
  const dim = rows[0]!.length;
  const E = Buffer.from(Float32Array.from(rows.flat()).buffer);
  const axes = Buffer.from(BigInt64Array.from([2n]).buffer);
  const graph = [
    node(['E', 'input_ids'], ['emb'], 'Gather'),
    node(['attention_mask'], ['mask_f'], 'Cast', [msg(5, [str(1, 'to'), int(20, 2), int(3, FLOAT)])]),
    node(['mask_f', 'axes'], ['mask3'], 'Unsqueeze'),
    ...(opts.rank4
      ? [node(['emb', 'mask3'], ['hidden'], 'Mul'), node(['hidden', 'axes'], ['last_hidden_state'], 'Unsqueeze')]
      : [node(['emb', 'mask3'], ['last_hidden_state'], 'Mul')]),
    str(2, 'tiny-concept-embedder'),
    tensor(5, 'E', FLOAT, [words.length, dim], E),
    tensor(5, 'axes', INT64, [1], axes),
    valueInfo(11, 'input_ids', INT64, ['batch', 'seq']),
    valueInfo(11, 'attention_mask', INT64, ['batch', 'seq']),
    valueInfo(12, 'last_hidden_state', FLOAT, opts.rank4 ? ['batch', 'seq', 1, dim] : ['batch', 'seq', dim]),
  ];
  const model = [int(1, 8), str(2, 'finetune-studio-tests'), msg(7, graph), msg(8, [str(1, ''), int(2, 17)])];
  writeFileSync(join(dir, 'model.onnx'), Buffer.from(model.flat()));
  const vocab = Object.fromEntries(words.map((w, i) => [w, i]));
  writeFileSync(
    join(dir, 'tokenizer.json'),
    JSON.stringify({
      version: '1.0',
      truncation: null,
      padding: null,
      added_tokens: ['[PAD]', '[UNK]'].map((content, id) => ({
        id,
        content,
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: false,
        special: true,
      })),
      normalizer: { type: 'Lowercase' },
      pre_tokenizer: { type: 'Whitespace' },
      post_processor: null,
      decoder: null,
      model: { type: 'WordLevel', vocab, unk_token: '[UNK]' },
    }),
  );
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ pad_token: '[PAD]', unk_token: '[UNK]', model_max_length: 128 }));
}

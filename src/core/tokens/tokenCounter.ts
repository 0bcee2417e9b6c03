/**
 * Tokens of a record as the trainer will see them. With the model's own tokenizer (tokenizer.json and its
 * chat template, found locally: tokenizerFiles.ts) the counts are exact — the same ids and the same
 * trained-token masks as trainer/ftstudio_trainer/examples.py (trainer/tests/test_node_token_counts.py
 * holds them equal to transformers). Without one, an estimate of 4 characters a token, which says so.
 *
 * total: every token of the sequence before truncation (a preference record: the longer of its two
 * sequences, prompt + chosen and prompt + rejected, each of which maxSeqLength truncates); trained: the
 * tokens whose labels are not masked (assistant turns, completion, output, end-of-sequence token).
 */
import { readFileSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { assistantSpans, ChatTemplate, PLAIN_TEMPLATE, TemplateError, type Message } from './chatTemplate';
import { generationMask, spansToMask, tokenOffsets, type OffsetTokenizer, type Scheme } from './tokenOffsets';
import { findTokenizer } from './tokenizerFiles';
import { loadJsTokenizer, type JsTokenizer } from './jsTokenizer';
import { dpoTriplet, PREFERENCE_FORMATS, pyJson, sftConversation, sftSegments, textLength, trainedTextLength } from './trainerView';

export interface TokenCounts {
  total: number;
  trained: number;
  /** preference records: the two sequences the trainer builds */
  pair?: { chosen: { total: number; trained: number }; rejected: { total: number; trained: number } };
  /** why these counts are an estimate although a tokenizer is loaded (the template cannot render this record) */
  note?: string;
}

export interface TokenCounter {
  readonly source: 'tokenizer' | 'estimate';
  /** one sentence: which tokenizer and template, or why the counts are estimates */
  readonly description: string;
  /** `format`: the format id the validator detected (FORMAT_IDS) */
  count(record: unknown, format: string): TokenCounts;
}

export const CHARS_PER_TOKEN = 4;

/** 4 characters a token (as the validator always estimated); trained: the assistant / completion part. */
export function estimateTokenCounter(why?: string): TokenCounter {
  return {
    source: 'estimate',
    description: `estimated at ${CHARS_PER_TOKEN} characters a token${why ? `: ${why}` : ''}`,
    count(record, format) {
      const rec = record && typeof record === 'object' ? (record as Record<string, unknown>) : {};
      return { total: Math.round(textLength(rec) / CHARS_PER_TOKEN), trained: Math.round(trainedTextLength(rec, format) / CHARS_PER_TOKEN) };
    },
  };
}

type Json = Record<string, unknown>;

function readJson(path: string): Json | undefined {
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, 'utf8')) as Json;
}

const tokenString = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : v && typeof v === 'object' && typeof (v as Json).content === 'string' ? ((v as Json).content as string) : undefined;

const NAMED = ['bos_token', 'eos_token', 'unk_token', 'sep_token', 'pad_token', 'cls_token', 'mask_token'] as const;

/** The chat template as transformers loads it: chat_template.jinja, chat_template.json, then tokenizer_config.json. */
export function readChatTemplate(dir: string, config: Json): { source: string; from: string } | undefined {
  const jinja = join(dir, 'chat_template.jinja');
  if (existsSync(jinja)) return { source: readFileSync(jinja, 'utf8'), from: 'chat_template.jinja' };
  const fromJson = readJson(join(dir, 'chat_template.json'))?.chat_template;
  const pick = (t: unknown): string | undefined =>
    typeof t === 'string'
      ? t
      : Array.isArray(t)
        ? ((t.find((x: Json) => x?.name === 'default') as Json | undefined)?.template as string | undefined)
        : undefined;
  const a = pick(fromJson);
  if (a) return { source: a, from: 'chat_template.json' };
  const b = pick(config.chat_template);
  if (b) return { source: b, from: 'tokenizer_config.json' };
  return undefined;
}

function schemeOf(json: Json): { scheme: Scheme; trimOffsets: boolean } {
  const all = JSON.stringify([json.pre_tokenizer ?? null, json.decoder ?? null]);
  const model = (json.model as Json | undefined)?.type;
  const post = json.post_processor as Json | null | undefined;
  const posts = (post?.type === 'Sequence' ? (post.processors as Json[]) : post ? [post] : []) ?? [];
  const trimOffsets = posts.some((p) => p?.type === 'ByteLevel' && p.trim_offsets !== false);
  if (all.includes('"ByteLevel"')) return { scheme: 'byte-level', trimOffsets };
  if (model === 'WordPiece') return { scheme: 'wordpiece', trimOffsets: false };
  if (all.includes('▁') || all.includes('Metaspace') || (json.model as Json | undefined)?.byte_fallback) return { scheme: 'sentencepiece', trimOffsets: false };
  return { scheme: 'plain', trimOffsets: false };
}

export class ExactTokenCounter implements TokenCounter {
  readonly source = 'tokenizer' as const;
  private readonly template: ChatTemplate;
  private readonly eosId: number | undefined;
  private readonly special: Set<number>;
  private readonly offsetTokenizer: OffsetTokenizer;

  constructor(
    private readonly tokenizer: JsTokenizer,
    tokenizerJson: Json,
    config: Json,
    template: { source: string; from: string } | undefined,
    readonly description: string,
  ) {
    const variables: Record<string, string> = {};
    for (const k of NAMED) {
      const t = tokenString(config[k]);
      if (t !== undefined) variables[k] = t;
    }
    this.template = new ChatTemplate(template?.source ?? PLAIN_TEMPLATE, variables);
    this.eosId = variables.eos_token !== undefined ? tokenizer.token_to_id(variables.eos_token) : undefined;
    const added = new Set<number>();
    this.special = new Set<number>();
    for (const t of (tokenizerJson.added_tokens as Json[] | undefined) ?? []) {
      added.add(t.id as number);
      if (t.special) this.special.add(t.id as number);
    }
    const extra = [config.additional_special_tokens, config.extra_special_tokens].flatMap((x) => (Array.isArray(x) ? x : []));
    for (const t of [...Object.values(variables), ...extra.map(tokenString)]) {
      const id = t === undefined ? undefined : tokenizer.token_to_id(t);
      if (id !== undefined) this.special.add(id);
    }
    const { scheme, trimOffsets } = schemeOf(tokenizerJson);
    this.offsetTokenizer = { tokenOf: (id) => tokenizer.id_to_token(id), added, scheme, trimOffsets };
  }

  count(record: unknown, format: string): TokenCounts {
    const rec = record && typeof record === 'object' && !Array.isArray(record) ? (record as Json) : {};
    try {
      if (PREFERENCE_FORMATS.has(format)) {
        const [chosen, rejected] = this.dpo(rec);
        const longer = chosen.total >= rejected.total ? chosen : rejected;
        return { total: longer.total, trained: Math.max(chosen.trained, rejected.trained), pair: { chosen, rejected } };
      }
      return this.sft(rec);
    } catch (e) {
      if (!(e instanceof TemplateError)) throw e;
      const estimate = estimateTokenCounter().count(rec, format);
      return { ...estimate, note: `${e.message}; these counts are estimates` };
    }
  }

  private encode(text: string, special: boolean): number[] {
    return this.tokenizer.encode(text, { add_special_tokens: special }).ids;
  }

  /** chat.encode_chat: ids of the rendered conversation and how many are trained. */
  private chat(messages: readonly Message[], trained?: (i: number) => boolean): { total: number; trained: number } {
    const t = this.template;
    if (!trained && t.generationMarkers) {
      let r;
      try {
        r = t.renderGeneration(messages);
      } catch (e) {
        throw new TemplateError(`the chat template cannot render this conversation: ${(e as Error).message}`);
      }
      const ids = this.encode(r.text, false);
      const offsets = tokenOffsets(r.text, ids, this.offsetTokenizer);
      const mask = offsets ? generationMask(offsets, r.spans) : undefined;
      return { total: ids.length, trained: mask ? count(mask) : this.spanTokens(r.text, r.spans) };
    }
    const { text, spans } = assistantSpans(messages, (m, g) => t.render(m, g), trained);
    const ids = this.encode(text, false);
    const offsets = tokenOffsets(text, ids, this.offsetTokenizer);
    if (!offsets) return { total: ids.length, trained: this.spanTokens(text, spans) };
    return {
      total: ids.length,
      trained: count(
        spansToMask(
          offsets,
          ids.map((id) => this.special.has(id)),
          spans,
        ),
      ),
    };
  }

  /** When the tokens do not line up with the text: each span tokenized on its own (close, not exact). */
  private spanTokens(text: string, spans: ReadonlyArray<readonly [number, number]>): number {
    let n = 0;
    for (const [a, b] of spans) n += this.encode(text.slice(a, b), false).length;
    return n;
  }

  private sft(rec: Json): { total: number; trained: number } {
    const conv = sftConversation(rec);
    if (conv) return this.chat(conv);
    let total = 0,
      trained = 0;
    sftSegments(rec).forEach(([text, isTrained], i) => {
      const n = this.encode(text, i === 0).length;
      total += n;
      if (isTrained) trained += n;
    });
    if (this.eosId !== undefined) {
      total++;
      trained++;
    }
    return { total, trained };
  }

  private dpo(rec: Json): [{ total: number; trained: number }, { total: number; trained: number }] {
    const [prompt, chosen, rejected] = dpoTriplet(rec);
    const one = (answer: unknown): { total: number; trained: number } => {
      if (Array.isArray(prompt)) {
        const turns = Array.isArray(answer) ? (answer as Message[]) : [{ role: 'assistant', content: answer }];
        const n = prompt.length;
        return this.chat([...(prompt as Message[]), ...turns], (i) => i >= n);
      }
      const p = this.encode(typeof prompt === 'string' ? prompt : pyJson(prompt), true).length;
      const a = this.encode(typeof answer === 'string' ? answer : pyJson(answer), false).length + (this.eosId !== undefined ? 1 : 0);
      return { total: p + a, trained: a };
    };
    return [one(chosen), one(rejected)];
  }
}

function count(mask: readonly boolean[]): number {
  let n = 0;
  for (const m of mask) if (m) n++;
  return n;
}

const cache = new Map<string, { stamp: string; counter: TokenCounter }>();

/** The model's own tokenizer as a counter, from a folder holding tokenizer.json (throws on unreadable files). */
export async function tokenCounterFromDir(dir: string, how = dir): Promise<TokenCounter> {
  const files = ['tokenizer.json', 'tokenizer_config.json', 'chat_template.jinja', 'chat_template.json'].map((f) => join(dir, f));
  const stamp = files.map((f) => (existsSync(f) ? `${statSync(f).mtimeMs}:${statSync(f).size}` : '-')).join('|');
  const hit = cache.get(dir);
  if (hit && hit.stamp === stamp) return hit.counter;
  let tokenizerJson: Json, config: Json;
  try {
    tokenizerJson = readJson(files[0]!)!;
    config = readJson(files[1]!) ?? {};
  } catch (e) {
    throw new Error(`${dir}: cannot read the tokenizer (${(e as Error).message})`);
  }
  const template = readChatTemplate(dir, config);
  const tokenizer = await loadJsTokenizer(tokenizerJson, config);
  const what = template ? `its chat template (${template.from})` : "the trainer's plain chat template (the tokenizer has none)";
  const counter = new ExactTokenCounter(tokenizer, tokenizerJson, config, template, `exact: the model's tokenizer from ${how}, with ${what}`);
  cache.set(dir, { stamp, counter });
  return counter;
}

/**
 * The exact counter for finetune.json's model when its tokenizer is on this machine (a local folder or the
 * Hugging Face cache; never downloaded), else the estimate, whose description says why.
 */
export async function loadTokenCounter(opts: { model?: string; workspaceRoot?: string; hfHome?: string }): Promise<TokenCounter> {
  const found = findTokenizer(opts);
  if ('missing' in found) return estimateTokenCounter(`no tokenizer: ${found.missing}`);
  try {
    return await tokenCounterFromDir(found.location.dir, found.location.how);
  } catch (e) {
    return estimateTokenCounter(`the tokenizer in ${found.location.dir} cannot be used: ${(e as Error).message}`);
  }
}

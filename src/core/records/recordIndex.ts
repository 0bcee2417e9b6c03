/**
 * Records by identity: for every line that holds a JSON object, its 1-based line, content id and,
 * on request, its stratum (a JSON path's value) and the id of its prompt part (for leakage checks).
 */
import { detectFormat } from '../formats/formats';
import { forEachLineBatch } from '../jsonl/readLines';
import { canonicalJson, contentId, nestsTooDeep } from './identity';

export interface RecordRef {
  /** 1-based line number */
  readonly line: number;
  readonly id: string;
  /** UTF-16 length of the line */
  readonly len?: number;
  /** UTF-16 column where the record starts (a record of a JSON array file; JSONL records start at 0) */
  readonly start?: number;
  readonly stratum?: string;
  readonly promptId?: string;
}

export interface IndexOptions {
  /** a dotted JSON path, e.g. metadata.source; array indices as numbers: messages.0.role */
  readonly stratifyBy?: string;
  readonly withPrompt?: boolean;
}

export function valueAtPath(rec: unknown, path: string): unknown {
  let cur = rec;
  for (const seg of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

const NO_STRATUM = '(missing)';

/** The prompt part of a record: what a model sees before it answers. */
export function promptPart(rec: Record<string, unknown>): unknown {
  const d = detectFormat(rec);
  if (!d) return undefined;
  const withoutLastAnswer = (turns: unknown, answer: string, roleKey: string) => {
    if (!Array.isArray(turns)) return undefined;
    let end = turns.length;
    while (end > 0 && (turns[end - 1] as Record<string, unknown> | null)?.[roleKey] === answer) end--;
    return end > 0 ? turns.slice(0, end) : undefined;
  };
  switch (d.format) {
    case 'language-modeling':
      return d.conversational ? withoutLastAnswer(rec.messages, 'assistant', 'role') : undefined;
    case 'prompt-only':
    case 'prompt-completion':
    case 'unpaired-preference':
    case 'preference':
      return rec.prompt;
    case 'openai-preference':
      return (rec.input as Record<string, unknown> | undefined)?.messages;
    case 'alpaca':
      return [rec.instruction, rec.input ?? ''];
    case 'sharegpt':
      return withoutLastAnswer(rec.conversations, 'gpt', 'from');
    case 'sharegpt-preference':
      return rec.conversations;
    case 'stepwise-supervision':
      return rec.prompt;
  }
}

export function refOf(text: string, line: number, opts: IndexOptions = {}): RecordRef | undefined {
  if (text.trim() === '') return undefined;
  let rec: unknown;
  try {
    rec = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    return undefined;
  }
  if (rec === null || typeof rec !== 'object' || Array.isArray(rec)) return undefined;
  if (nestsTooDeep(rec)) return undefined; // no trainer reads it (the validator says so), and ids would overflow the stack
  let stratum: string | undefined;
  if (opts.stratifyBy) {
    const v = valueAtPath(rec, opts.stratifyBy);
    stratum = v === undefined || v === null ? NO_STRATUM : typeof v === 'string' ? v : canonicalJson(v);
  }
  let promptId: string | undefined;
  if (opts.withPrompt) {
    const p = promptPart(rec as Record<string, unknown>);
    if (p !== undefined) promptId = contentId(p); // the prompt's own content id
  }
  return { line, id: contentId(rec), len: text.length, stratum, promptId };
}

export function indexLines(lines: readonly string[], opts: IndexOptions = {}): RecordRef[] {
  const out: RecordRef[] = [];
  lines.forEach((t, i) => {
    const r = refOf(t, i + 1, opts);
    if (r) out.push(r);
  });
  return out;
}

export async function indexFile(path: string, opts: IndexOptions = {}): Promise<RecordRef[]> {
  const out: RecordRef[] = [];
  let line = 0;
  await forEachLineBatch(path, (lines) => {
    for (const t of lines) {
      line++;
      const r = refOf(t, line, opts);
      if (r) out.push(r);
    }
  });
  return out;
}

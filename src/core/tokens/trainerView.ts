/**
 * A record as the bundled trainer reads it (trainer/ftstudio_trainer/data.py): chat turns for the
 * conversational formats (ShareGPT and conversational prompt-completion become chats), text segments
 * with what is trained for the others, (prompt, chosen, rejected) for preference data. The token
 * counter and the estimate both read records through here, so they count the same parts.
 */
import { SHAREGPT_ROLES } from '../formats/formats';
import type { Message } from './chatTemplate';

export type Segment = readonly [text: string, trained: boolean];

export const PREFERENCE_FORMATS: ReadonlySet<string> = new Set(['preference', 'openai-preference', 'sharegpt-preference']);

type Rec = Record<string, unknown>;

export function sharegptToMessages(conversations: readonly Rec[], system?: unknown): Message[] {
  const out: Message[] = system ? [{ role: 'system', content: system }] : [];
  for (const t of conversations) out.push({ role: SHAREGPT_ROLES[String(t?.from ?? '')] ?? 'user', content: t?.value ?? '' });
  return out;
}

/** The record as chat turns, when the trainer trains it as a chat (data.sft_conversation). */
export function sftConversation(rec: Rec): Message[] | undefined {
  if (Array.isArray(rec.messages)) return rec.messages as Message[];
  if (Array.isArray(rec.conversations)) return sharegptToMessages(rec.conversations as Rec[], rec.system);
  if (Array.isArray(rec.prompt) && Array.isArray(rec.completion)) return [...(rec.prompt as Message[]), ...(rec.completion as Message[])];
  return undefined;
}

/** Text segments of a non-conversational record and whether each is trained (data.sft_segments, and the formats it refuses). */
export function sftSegments(rec: Rec): Segment[] {
  if ('text' in rec) return [[str(rec.text), true]];
  if ('instruction' in rec && 'output' in rec) {
    return [
      [str(rec.instruction) + (rec.input ? '\n\n' + str(rec.input) : '') + '\n\n', false],
      [str(rec.output), true],
    ];
  }
  if (typeof rec.prompt === 'string' && typeof rec.completion === 'string')
    return [
      [rec.prompt, false],
      [rec.completion, true],
    ];
  // prompt-only and stepwise supervision: the trainer does not train them; count the prompt (and the steps)
  if (typeof rec.prompt === 'string' && Array.isArray(rec.completions))
    return [
      [rec.prompt, false],
      [rec.completions.map(str).join('\n'), true],
    ];
  if (typeof rec.prompt === 'string') return [[rec.prompt, false]];
  return [[pyJson(rec), false]];
}

/** (prompt, chosen, rejected) of a preference record (data.dpo_triplet, plus LLaMA-Factory's ShareGPT preference). */
export function dpoTriplet(rec: Rec): [unknown, unknown, unknown] {
  if ('preferred_output' in rec) return [(rec.input as Rec | undefined)?.messages ?? [], rec.preferred_output, rec.non_preferred_output];
  if (Array.isArray(rec.conversations)) {
    const turn = (t: unknown) => sharegptToMessages([t as Rec]).map((m) => ({ ...m, role: 'assistant' }));
    return [sharegptToMessages(rec.conversations as Rec[], rec.system), turn(rec.chosen), turn(rec.rejected)];
  }
  let prompt = rec.prompt,
    chosen = rec.chosen,
    rejected = rec.rejected;
  if (prompt === undefined && Array.isArray(chosen) && Array.isArray(rejected)) {
    let n = 0;
    while (n < Math.min(chosen.length, rejected.length) - 1 && pyJson(chosen[n]) === pyJson(rejected[n])) n++;
    prompt = chosen.slice(0, n);
    chosen = chosen.slice(n);
    rejected = rejected.slice(n);
  }
  return [prompt ?? '', chosen, rejected];
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : pyJson(v);
}

/** Python's json.dumps with its defaults (", " and ": ", non-ASCII escaped): what the trainer tokenizes for a non-text answer. */
export function pyJson(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return JSON.stringify(v).replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return '[' + v.map(pyJson).join(', ') + ']';
  return (
    '{' +
    Object.entries(v as Rec)
      .map(([k, x]) => `${pyJson(k)}: ${pyJson(x)}`)
      .join(', ') +
    '}'
  );
}

/** UTF-16 length of every string in a value (what the 4-characters-a-token estimate divides). */
export function textLength(v: unknown): number {
  if (typeof v === 'string') return v.length;
  if (Array.isArray(v)) {
    let n = 0;
    for (const x of v) n += textLength(x);
    return n;
  }
  if (v && typeof v === 'object') {
    let n = 0;
    for (const k in v) n += textLength((v as Rec)[k]);
    return n;
  }
  return 0;
}

/** Characters of the part a trainer learns (assistant turns, completion, output; the longer preference answer). */
export function trainedTextLength(rec: Rec, format: string): number {
  if (PREFERENCE_FORMATS.has(format)) {
    const [, chosen, rejected] = dpoTriplet(rec);
    return Math.max(textLength(chosen), textLength(rejected));
  }
  const conv = sftConversation(rec);
  if (conv) {
    let n = 0;
    for (const m of conv) if (m?.role === 'assistant') n += textLength(m.content);
    return n;
  }
  let n = 0;
  for (const [text, trained] of sftSegments(rec)) if (trained) n += text.length;
  return n;
}

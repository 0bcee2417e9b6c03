/**
 * Prompt templates: the opening words of a record's instruction text. The guide's "schema
 * consistency" rule: every example should follow the same prompt template.
 */
import type { FormatId } from '../formats/formats';

type Rec = Record<string, unknown>;

const WORDS = 3;

function firstTurnText(turns: unknown, sharegpt = false): string | undefined {
  if (!Array.isArray(turns)) return undefined;
  // the system turn carries the template when there is one, else the first user turn
  const roleKey = sharegpt ? 'from' : 'role';
  const contentKey = sharegpt ? 'value' : 'content';
  let firstUser: string | undefined;
  for (const t of turns) {
    if (!t || typeof t !== 'object') continue;
    const role = (t as Rec)[roleKey];
    const c = (t as Rec)[contentKey];
    if (typeof c !== 'string') continue;
    if (role === 'system') return c;
    if (firstUser === undefined && (role === 'user' || role === 'human')) firstUser = c;
  }
  return firstUser;
}

/** The text whose opening words are the record's template, and the key path that holds it. */
export function promptLead(rec: Rec, format: FormatId): string | undefined {
  switch (format) {
    case 'language-modeling':
      return Array.isArray(rec.messages) ? firstTurnText(rec.messages) : undefined;
    case 'prompt-only':
    case 'prompt-completion':
    case 'unpaired-preference':
    case 'preference':
      return typeof rec.prompt === 'string' ? rec.prompt : firstTurnText(rec.prompt);
    case 'openai-preference':
      return firstTurnText((rec.input as Rec | undefined)?.messages);
    case 'alpaca':
      return typeof rec.system === 'string' && rec.system.trim() ? rec.system : typeof rec.instruction === 'string' ? rec.instruction : undefined;
    case 'sharegpt':
      return typeof rec.system === 'string' && rec.system.trim() ? rec.system : firstTurnText(rec.conversations, true);
  }
}

/** The first three words, lower-cased, letters and digits only: "You are a helpful…" -> "you are a". */
export function templateSignature(text: string): string | undefined {
  const words: string[] = [];
  const re = /[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu;
  let m: RegExpExecArray | null;
  const head = text.length > 200 ? text.slice(0, 200) : text;
  while (words.length < WORDS && (m = re.exec(head))) words.push(m[0].toLowerCase());
  return words.length ? words.join(' ') : undefined;
}

/**
 * Range of a lead text's opening inside the raw line, found without a second parse: the JSON
 * encoding of its first 40 characters. The diagnostic marks the opening words, which is what differs.
 */
export function rangeOfText(line: string, text: string): { start: number; end: number } {
  const probe = JSON.stringify(text.slice(0, 40)).slice(0, -1);
  const at = line.indexOf(probe);
  if (at < 0) return { start: 0, end: line.length };
  return { start: at, end: at + probe.length + (text.length <= 40 ? 1 : 0) };
}

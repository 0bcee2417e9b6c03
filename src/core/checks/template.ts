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

const LETTER = /[\p{L}\p{N}]/u;

function isWordChar(c: number, text: string, i: number): boolean {
  if (c < 128) return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57);
  return LETTER.test(text[i]!);
}

/**
 * The first three words, lower-cased, letters and digits only: "You are a helpful…" -> "you are a".
 * An apostrophe between letters stays inside the word ("you're"). A scan, not a regex: it runs on
 * every line of a file.
 */
export function templateSignature(text: string): string | undefined {
  const n = Math.min(text.length, 200);
  let sig = '';
  let words = 0;
  let i = 0;
  while (i < n && words < WORDS) {
    while (i < n && !isWordChar(text.charCodeAt(i), text, i)) i++;
    if (i >= n) break;
    const start = i;
    for (;;) {
      while (i < n && isWordChar(text.charCodeAt(i), text, i)) i++;
      const c = text.charCodeAt(i);
      if ((c === 39 || c === 0x2019) && i + 1 < n && isWordChar(text.charCodeAt(i + 1), text, i + 1)) {
        i++;
        continue;
      }
      break;
    }
    sig += (words ? ' ' : '') + text.slice(start, i).toLowerCase();
    words++;
  }
  return words ? sig : undefined;
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

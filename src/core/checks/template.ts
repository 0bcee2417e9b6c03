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
 * every line of a file. When the words are separated by single spaces (the usual case) the signature
 * is one slice of the text, lower-cased once.
 */
export function templateSignature(text: string): string | undefined {
  const n = Math.min(text.length, 200);
  let first = -1;
  let end = 0;
  let plain = true; // the words so far are separated by exactly one space
  let words = 0;
  let i = 0;
  while (i < n && words < WORDS) {
    const gap = i;
    while (i < n && !isWordChar(text.charCodeAt(i), text, i)) i++;
    if (i >= n) break;
    if (words > 0 && (i - gap !== 1 || text.charCodeAt(gap) !== 32)) plain = false;
    if (first < 0) first = i;
    for (;;) {
      while (i < n && isWordChar(text.charCodeAt(i), text, i)) i++;
      const c = text.charCodeAt(i);
      if ((c === 39 || c === 0x2019) && i + 1 < n && isWordChar(text.charCodeAt(i + 1), text, i + 1)) {
        i++;
        continue;
      }
      break;
    }
    end = i;
    words++;
  }
  if (!words) return undefined;
  if (plain) return text.slice(first, end).toLowerCase();
  return slowSignature(text, n);
}

function slowSignature(text: string, n: number): string {
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
  return sig;
}

const PROBE = 40;

/** True when JSON.stringify writes the character as itself. */
function writtenAsIs(c: number): boolean {
  return c >= 0x20 && c !== 34 && c !== 92 && (c < 0xd800 || c > 0xdfff);
}

/**
 * Range of a lead text's opening inside the raw line, found without a second parse: the JSON
 * encoding of its first 40 characters. The diagnostic marks the opening words, which is what differs.
 * When those characters are all written as themselves (the usual case) the line is scanned for a quote
 * followed by them, without building the probe string.
 */
export function rangeOfText(line: string, text: string): { start: number; end: number } {
  const k = Math.min(text.length, PROBE);
  let asIs = true;
  for (let j = 0; j < k && asIs; j++) asIs = writtenAsIs(text.charCodeAt(j));
  if (!asIs) return rangeByProbe(line, text);
  const close = text.length <= PROBE ? 1 : 0;
  const first = k > 0 ? text.charCodeAt(0) : -1;
  for (let at = line.indexOf('"'); at >= 0 && at + k < line.length; at = line.indexOf('"', at + 1)) {
    if (k > 0 && line.charCodeAt(at + 1) !== first) continue;
    let j = Math.min(1, k);
    while (j < k && line.charCodeAt(at + 1 + j) === text.charCodeAt(j)) j++;
    if (j === k && (!close || line.charCodeAt(at + 1 + k) === 34)) return { start: at, end: at + 1 + k + close };
  }
  return { start: 0, end: line.length };
}

function rangeByProbe(line: string, text: string): { start: number; end: number } {
  const probe = JSON.stringify(text.slice(0, PROBE)).slice(0, -1);
  const at = line.indexOf(probe);
  if (at < 0) return { start: 0, end: line.length };
  return { start: at, end: at + probe.length + (text.length <= PROBE ? 1 : 0) };
}

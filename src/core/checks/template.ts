/**
 * Prompt templates: the opening words of a record's instruction text. The guide's "schema
 * consistency" rule: every example should follow the same prompt template.
 */
import type { FormatId } from '../formats/formats';

type Rec = Record<string, unknown>;

const WORDS = 3;

/**
 * Signatures of system prompts carry this mark: a record without a system turn among records that have
 * one is then told apart (missing-system-turn) from one with a different template.
 */
export const SYSTEM_MARK = 'system:';

/** Whether the last promptLead call found its text in a system (or developer) turn or a `system` field. */
export const leadScan = { system: false };

/** A signature as people read it: without the system mark. */
export const shownSignature = (sig: string): string => (sig.startsWith(SYSTEM_MARK) ? sig.slice(SYSTEM_MARK.length) : sig);

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
    if (role === 'system' || role === 'developer') {
      leadScan.system = true;
      return c;
    }
    if (firstUser === undefined && (role === 'user' || role === 'human')) firstUser = c;
  }
  return firstUser;
}

function systemField(text: string): string {
  leadScan.system = true;
  return text;
}

/** The text whose opening words are the record's template, and the key path that holds it. */
export function promptLead(rec: Rec, format: FormatId): string | undefined {
  leadScan.system = false;
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
      if (typeof rec.system === 'string' && rec.system.trim()) return systemField(rec.system);
      return typeof rec.instruction === 'string' ? rec.instruction : undefined;
    case 'sharegpt':
    case 'sharegpt-preference':
      return typeof rec.system === 'string' && rec.system.trim() ? systemField(rec.system) : firstTurnText(rec.conversations, true);
    case 'stepwise-supervision':
      return typeof rec.prompt === 'string' ? rec.prompt : undefined;
  }
}

/** How much of the text the signature looks at (UTF-16 units). */
export const SIGNATURE_SPAN = 200;

const LETTER = /[\p{L}\p{N}]/u;

function isWordChar(c: number, text: string, i: number): boolean {
  if (c < 128) return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57);
  return LETTER.test(text[i]!);
}

/** End of the word that starts at i: letters and digits; an apostrophe between letters stays inside. */
function wordEnd(text: string, i: number, n: number): number {
  for (;;) {
    while (i < n && isWordChar(text.charCodeAt(i), text, i)) i++;
    const c = text.charCodeAt(i);
    if ((c === 39 || c === 0x2019) && i + 1 < n && isWordChar(text.charCodeAt(i + 1), text, i + 1)) {
      i++;
      continue;
    }
    return i;
  }
}

/**
 * How the last templateSignature call ended: whether it found all three words, and where the last
 * one ended. A signature of a text's prefix is the whole text's when all three words end at least two
 * characters before the prefix does (the byte-level scan decodes only such a prefix).
 */
export const signatureScan = { complete: false, end: 0 };

/**
 * The first three words, lower-cased, letters and digits only: "You are a helpful…" -> "you are a".
 * An apostrophe between letters stays inside the word ("you're"). A scan, not a regex: it runs on
 * every line of a file. When the words are separated by single spaces (the usual case) the signature
 * is one slice of the text, lower-cased once.
 */
export function templateSignature(text: string): string | undefined {
  const n = Math.min(text.length, SIGNATURE_SPAN);
  const bounds: number[] = [];
  let plain = true; // the words are separated by exactly one space
  let i = 0;
  while (i < n && bounds.length < 2 * WORDS) {
    const gap = i;
    while (i < n && !isWordChar(text.charCodeAt(i), text, i)) i++;
    if (i >= n) break;
    if (bounds.length && (i - gap !== 1 || text.charCodeAt(gap) !== 32)) plain = false;
    const end = wordEnd(text, i, n);
    bounds.push(i, end);
    i = end;
  }
  signatureScan.complete = bounds.length === 2 * WORDS;
  signatureScan.end = bounds.length ? bounds[bounds.length - 1]! : i;
  if (!bounds.length) return undefined;
  if (plain) return text.slice(bounds[0], bounds[bounds.length - 1]).toLowerCase();
  let sig = '';
  for (let k = 0; k < bounds.length; k += 2) sig += (k ? ' ' : '') + text.slice(bounds[k], bounds[k + 1]).toLowerCase();
  return sig;
}

export const PROBE = 40;

/** What rangeOfText looks for: the JSON encoding of the text's opening (the byte-level scan looks for it too). */
export function templateProbe(text: string): string {
  return text.length <= PROBE ? JSON.stringify(text) : JSON.stringify(text.slice(0, PROBE)).slice(0, -1);
}

/**
 * Range of a lead text's opening inside the raw line, found without a second parse: the JSON
 * encoding of its first 40 characters (of all of it, closing quote included, when it is shorter, so that
 * an earlier value that merely begins the same way is not taken for it). The diagnostic marks the opening
 * words, which is what differs. (A hand-written scan measured no faster than this native encode + indexOf.)
 */
export function rangeOfText(line: string, text: string): { start: number; end: number } {
  const probe = templateProbe(text);
  const at = line.indexOf(probe);
  if (at < 0) return { start: 0, end: line.length };
  return { start: at, end: at + probe.length };
}

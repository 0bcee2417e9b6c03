/**
 * A record as the text a model reads: its prompt side and its trained side (assistant turns,
 * completion, chosen/rejected responses), its turns and roles. Shared by the token estimate, the
 * near-duplicate shingles and the distribution match.
 */
import { detectFormat, type FormatId } from '../formats/formats';
import { promptLead, leadScan, templateSignature, SYSTEM_MARK } from '../checks/template';

type Rec = Record<string, unknown>;

export interface RecordText {
  readonly format: FormatId | undefined;
  /** what the model is given */
  readonly prompt: string;
  /** what it is trained to write */
  readonly completion: string;
  readonly turns: number;
  readonly roles: readonly string[];
  /** the prompt template's signature (system prompts marked with SYSTEM_MARK), as the template checks compute it */
  readonly template?: string;
}

const ANSWER_ROLES = new Set(['assistant', 'gpt', 'model', 'function_call']);

function textOf(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map(textOf).filter(Boolean).join('\n');
  if (v && typeof v === 'object') {
    const o = v as Rec;
    if (typeof o.text === 'string') return o.text;
    if (o.content !== undefined) return textOf(o.content);
    if (o.value !== undefined) return textOf(o.value);
  }
  return '';
}

interface Turns {
  prompt: string[];
  answer: string[];
  roles: string[];
}

/** Turns split by role: answers are the assistant's, everything else is prompt. */
function splitTurns(turns: unknown, sharegpt: boolean, into: Turns, allAnswers = false): void {
  if (!Array.isArray(turns)) {
    if (turns !== undefined) (allAnswers ? into.answer : into.prompt).push(textOf(turns));
    return;
  }
  for (const t of turns) {
    if (!t || typeof t !== 'object') continue;
    const o = t as Rec;
    const role = String((sharegpt ? o.from : o.role) ?? '?');
    into.roles.push(role);
    let content = textOf(sharegpt ? o.value : o.content);
    if (!sharegpt && Array.isArray(o.tool_calls) && o.tool_calls.length) content += (content ? '\n' : '') + JSON.stringify(o.tool_calls);
    (allAnswers || ANSWER_ROLES.has(role) ? into.answer : into.prompt).push(content);
  }
}

export function recordText(rec: Rec, forced?: FormatId): RecordText {
  const format = forced ?? detectFormat(rec)?.format;
  const t: Turns = { prompt: [], answer: [], roles: [] };
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  switch (format) {
    case 'language-modeling':
      if (Array.isArray(rec.messages)) splitTurns(rec.messages, false, t);
      else t.answer.push(str(rec.text));
      break;
    case 'prompt-only':
      splitTurns(rec.prompt, false, t);
      break;
    case 'prompt-completion':
    case 'unpaired-preference':
      splitTurns(rec.prompt, false, t);
      splitTurns(rec.completion, false, t, true);
      break;
    case 'stepwise-supervision':
      // the completions are the steps, a list of strings
      splitTurns(rec.prompt, false, t);
      if (Array.isArray(rec.completions)) for (const step of rec.completions) t.answer.push(str(step));
      break;
    case 'preference':
      splitTurns(rec.prompt, false, t);
      splitTurns(rec.chosen, false, t, true);
      splitTurns(rec.rejected, false, t, true);
      break;
    case 'openai-preference':
      splitTurns((rec.input as Rec | undefined)?.messages, false, t);
      splitTurns(rec.preferred_output, false, t, true);
      splitTurns(rec.non_preferred_output, false, t, true);
      break;
    case 'alpaca':
      if (str(rec.system)) t.prompt.push(str(rec.system));
      t.prompt.push(str(rec.instruction));
      if (str(rec.input)) t.prompt.push(str(rec.input));
      t.answer.push(str(rec.output));
      break;
    case 'sharegpt':
    case 'sharegpt-preference':
      if (str(rec.system)) {
        t.prompt.push(str(rec.system));
        t.roles.push('system');
      }
      splitTurns(rec.conversations, true, t);
      if (format === 'sharegpt-preference') {
        splitTurns(rec.chosen, true, t, true);
        splitTurns(rec.rejected, true, t, true);
      }
      break;
    default:
      // an unknown shape: every string in it, as prompt
      t.prompt.push(textOf(Object.values(rec)));
  }
  let template: string | undefined;
  if (format) {
    const lead = promptLead(rec, format);
    const sig = lead !== undefined ? templateSignature(lead) : undefined;
    if (sig !== undefined) template = leadScan.system ? SYSTEM_MARK + sig : sig;
  }
  return {
    format,
    prompt: t.prompt.filter(Boolean).join('\n'),
    completion: t.answer.filter(Boolean).join('\n'),
    turns: t.roles.length || (t.prompt.length || t.answer.length ? 1 : 0),
    roles: t.roles,
    template,
  };
}

/** A line of a dataset parsed as a record, or undefined (not JSON, not an object: the validator says why). */
export function parseRecord(line: string): Rec | undefined {
  if (!line.trim()) return undefined;
  try {
    const v: unknown = JSON.parse(line.charCodeAt(0) === 0xfeff ? line.slice(1) : line);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Rec) : undefined;
  } catch {
    return undefined;
  }
}

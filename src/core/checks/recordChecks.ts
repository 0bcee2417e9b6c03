/** Semantic checks of one record: what a schema cannot say (empty targets, role order, identical pairs). */
import { lineDiag, type LineDiagnostic } from './diagnostic';
import { FORMAT_KEYS, FORMATS, nearest, type FormatId, SHAREGPT_ROLES } from '../formats/formats';
import { ROLES } from '../formats/schemas';
import { pathLabel, type LineLocator } from './schemaCheck';
import type { JsonPath } from '../jsonl/locate';
import { CallLedger, checkContentParts, checkToolCalls, checkToolsDefinition, toolNames } from './toolCalls';
import { checkMedia } from './media';

type Rec = Record<string, unknown>;
type Kind = 'conversation' | 'prompt' | 'completion' | 'response';

interface TurnList {
  readonly path: JsonPath;
  readonly kind: Kind;
  readonly sharegpt?: boolean;
  /** a single turn object, not a list (LLaMA-Factory's ShareGPT chosen / rejected) */
  readonly single?: boolean;
}

const ROLE_SYNONYMS: Record<string, string> = {
  human: 'user',
  gpt: 'assistant',
  bot: 'assistant',
  model: 'assistant',
  ai: 'assistant',
  chatbot: 'assistant',
  function: 'tool',
  observation: 'tool',
  instruction: 'system',
};

/** The valid role nearest to a wrong one, for the quick fix. */
export function nearestRole(role: string, valid: readonly string[] = ROLES): string | undefined {
  const lower = role.toLowerCase().trim();
  if (valid.includes(lower)) return lower;
  if (valid === ROLES && ROLE_SYNONYMS[lower]) return ROLE_SYNONYMS[lower];
  const limit = Math.min(3, Math.max(1, Math.floor(lower.length / 3)) + 1);
  return nearest(lower, valid, () => limit);
}

function turnListsOf(format: FormatId, conversational: boolean): TurnList[] {
  switch (format) {
    case 'language-modeling':
      return conversational ? [{ path: ['messages'], kind: 'conversation' }] : [];
    case 'prompt-only':
      return conversational ? [{ path: ['prompt'], kind: 'prompt' }] : [];
    case 'prompt-completion':
    case 'unpaired-preference':
      return conversational
        ? [
            { path: ['prompt'], kind: 'prompt' },
            { path: ['completion'], kind: 'completion' },
          ]
        : [];
    case 'preference':
      return conversational
        ? [
            { path: ['prompt'], kind: 'prompt' },
            { path: ['chosen'], kind: 'response' },
            { path: ['rejected'], kind: 'response' },
          ]
        : [];
    case 'openai-preference':
      return [
        { path: ['input', 'messages'], kind: 'prompt' },
        { path: ['preferred_output'], kind: 'response' },
        { path: ['non_preferred_output'], kind: 'response' },
      ];
    case 'alpaca':
      return [];
    case 'sharegpt':
      return [{ path: ['conversations'], kind: 'conversation', sharegpt: true }];
    case 'sharegpt-preference':
      return [
        { path: ['conversations'], kind: 'prompt', sharegpt: true },
        { path: ['chosen'], kind: 'response', sharegpt: true, single: true },
        { path: ['rejected'], kind: 'response', sharegpt: true, single: true },
      ];
    case 'stepwise-supervision':
      return [];
  }
}

/** String fields that must not be empty (standard variants). */
function textFieldsOf(format: FormatId, conversational: boolean): string[] {
  if (conversational && format !== 'alpaca') return [];
  switch (format) {
    case 'language-modeling':
      return ['text'];
    case 'prompt-only':
      return ['prompt'];
    case 'prompt-completion':
    case 'unpaired-preference':
      return ['prompt', 'completion'];
    case 'preference':
      return ['prompt', 'chosen', 'rejected'];
    case 'alpaca':
      return ['instruction', 'output'];
    case 'stepwise-supervision':
      return ['prompt'];
    default:
      return [];
  }
}

function get(o: unknown, path: JsonPath): unknown {
  let cur = o;
  for (const seg of path) cur = cur && typeof cur === 'object' ? (cur as Record<string | number, unknown>)[seg] : undefined;
  return cur;
}

const isBlank = (s: unknown) => typeof s === 'string' && s.trim() === '';

function contentIsEmpty(content: unknown): boolean {
  if (content === undefined || content === null) return true;
  if (typeof content === 'string') return content.trim() === '';
  if (Array.isArray(content)) {
    return content.every((p) => p && typeof p === 'object' && (p as Rec).type === 'text' && isBlank((p as Rec).text));
  }
  return false;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual((a as Rec)[k], (b as Rec)[k]));
}

export interface VariantPlan {
  readonly allowed: ReadonlySet<string>;
  readonly texts: readonly string[];
  readonly turnLists: readonly TurnList[];
}

/** What to check for each format variant, worked out once (checkRecord and the byte-level scan run on every line). */
const PLANS = new Map<FormatId, [VariantPlan | undefined, VariantPlan | undefined]>();
export function planOf(format: FormatId, conversational: boolean): VariantPlan {
  let pair = PLANS.get(format);
  if (!pair) PLANS.set(format, (pair = [undefined, undefined]));
  const slot = conversational ? 1 : 0;
  let plan = pair[slot];
  if (!plan) {
    const info = FORMATS[format];
    const allowed = new Set([...info.required, ...info.optional]);
    if (format === 'language-modeling') allowed.delete(conversational ? 'text' : 'messages');
    plan = { allowed, texts: textFieldsOf(format, conversational), turnLists: turnListsOf(format, conversational) };
    pair[slot] = plan;
  }
  return plan;
}

/** The semantic checks of one record, appended to `out` (returned). */
export function checkRecord(rec: Rec, format: FormatId, conversational: boolean, loc: LineLocator, out: LineDiagnostic[] = []): LineDiagnostic[] {
  const plan = planOf(format, conversational);

  // keys of other formats: trainers ignore them at best, pick the wrong columns at worst
  const allowed = plan.allowed;
  for (const k in rec) {
    if (FORMAT_KEYS.has(k) && !allowed.has(k)) {
      const owners = Object.values(FORMATS)
        .filter((f) => f.required.includes(k) || f.optional.includes(k))
        .map((f) => f.id);
      out.push(
        lineDiag(
          'unexpected-key',
          loc.range([k], 'key'),
          `"${k}" belongs to ${owners.join(' / ')} records, not to ${format}: remove it, or move the record to a file of that format.`,
        ),
      );
    }
  }

  for (const k of plan.texts) {
    if (isBlank(rec[k])) out.push(lineDiag('empty-content', loc.range([k]), `"${k}" is empty or whitespace only.`));
  }

  // the tool call ids the record's assistant turns make, for the tool turns that answer them
  const ledger = conversational ? new CallLedger(toolNames(rec, format)) : undefined;
  // TRL's implicit prompt: without "prompt", chosen and rejected are whole conversations sharing their opening
  const implicit = format === 'preference' && conversational && !('prompt' in rec);
  for (const list of plan.turnLists) {
    let turns = get(rec, list.path);
    if (list.single) {
      if (!turns || typeof turns !== 'object' || Array.isArray(turns)) continue;
      turns = [turns];
    }
    if (!Array.isArray(turns)) continue;
    checkTurns(
      turns,
      implicit && list.kind === 'response' ? { ...list, kind: 'conversation' } : list,
      loc,
      out,
      list.kind === 'response' ? ledger?.fork() : ledger,
    );
  }
  if (conversational) checkToolsDefinition(rec, format, loc, out);
  checkMedia(rec, format, loc, out);
  if (format === 'stepwise-supervision') checkSteps(rec, loc, out);

  if (format === 'preference' && rec.chosen !== undefined && deepEqual(rec.chosen, rec.rejected)) {
    out.push(lineDiag('chosen-equals-rejected', loc.range(['rejected']), '"chosen" and "rejected" are identical: the pair teaches no preference.'));
  }
  if (format === 'openai-preference' && rec.preferred_output !== undefined && deepEqual(rec.preferred_output, rec.non_preferred_output)) {
    out.push(
      lineDiag(
        'chosen-equals-rejected',
        loc.range(['non_preferred_output']),
        '"preferred_output" and "non_preferred_output" are identical: the pair teaches no preference.',
      ),
    );
  }

  for (const key of LABEL_KEYS) {
    if (!(key in rec) || typeof rec[key] === 'boolean' || !allowed.has(key)) continue;
    const r = loc.range([key]);
    const v = rec[key];
    const truthy = v === 1 || (typeof v === 'string' && /^(true|yes|1|desirable|good)$/i.test(v.trim()));
    const falsy = v === 0 || (typeof v === 'string' && /^(false|no|0|undesirable|bad)$/i.test(v.trim()));
    const fixTo = truthy ? 'true' : falsy ? 'false' : undefined;
    out.push(
      lineDiag(
        'label-not-boolean',
        r,
        `"${key}" must be true or false, not ${JSON.stringify(v)}.`,
        fixTo ? { title: `Change the label to ${fixTo}`, edits: [{ start: r.start, end: r.end, newText: fixTo }] } : undefined,
      ),
    );
  }
  return out;
}

const LABEL_KEYS = ['label', 'kto_tag'];

/** TRL stepwise supervision: one boolean label per completion step, and no blank step. */
function checkSteps(rec: Rec, loc: LineLocator, out: LineDiagnostic[]): void {
  const steps = rec.completions;
  const labels = rec.labels;
  if (!Array.isArray(steps)) return;
  steps.forEach((s, i) => {
    if (isBlank(s))
      out.push(lineDiag('empty-content', loc.range(['completions', i]), `completions[${i}] is an empty step: write it or remove it (and its label).`));
  });
  if (Array.isArray(labels) && labels.length !== steps.length) {
    out.push(
      lineDiag(
        'invalid-value',
        loc.range(['labels']),
        `"labels" has ${labels.length} entries but "completions" has ${steps.length} step${steps.length === 1 ? '' : 's'}: give exactly one true/false label per step.`,
      ),
    );
  }
}

function checkTurns(turns: unknown[], list: TurnList, loc: LineLocator, out: LineDiagnostic[], ledger: CallLedger | undefined): void {
  const roleKey = list.sharegpt ? 'from' : 'role';
  const contentKey = list.sharegpt ? 'value' : 'content';
  const validRoles: readonly string[] = list.sharegpt ? Object.keys(SHAREGPT_ROLES) : ROLES;
  let prevRole: string | undefined;
  let sawAssistant = false;
  let sawUser = false;
  let sawUnknownRole = false;
  let lastRole: string | undefined;
  // the turn's path is built only for a diagnostic: this loop runs for every turn of every line
  const turnPath = (i: number): JsonPath => (list.single ? list.path : [...list.path, i]);
  const label = (i: number) => pathLabel(turnPath(i));
  const roleRange = (i: number) => loc.range([...turnPath(i), roleKey]);
  for (let i = 0; i < turns.length; i++) {
    const t = turns[i];
    if (!t || typeof t !== 'object' || Array.isArray(t)) continue;
    const turn = t as Rec;
    const rawRole = turn[roleKey];
    let role: string | undefined;
    if (typeof rawRole === 'string') {
      if (validRoles.includes(rawRole)) {
        role = list.sharegpt ? SHAREGPT_ROLES[rawRole] : rawRole;
      } else {
        sawUnknownRole = true;
        const r = roleRange(i);
        const near = nearestRole(rawRole, validRoles);
        out.push(
          lineDiag(
            'unknown-role',
            r,
            `Unknown ${roleKey} ${JSON.stringify(rawRole)} in ${label(i)}: use one of ${validRoles.join(', ')}.`,
            near ? { title: `Change the ${roleKey} to "${near}"`, edits: [{ start: r.start, end: r.end, newText: JSON.stringify(near) }] } : undefined,
          ),
        );
      }
    }
    const hasToolCalls = Array.isArray(turn.tool_calls) && turn.tool_calls.length > 0;
    if (
      !hasToolCalls &&
      contentIsEmpty(turn[contentKey]) &&
      (typeof turn[contentKey] === 'string' || turn[contentKey] == null || Array.isArray(turn[contentKey]))
    ) {
      const missing = !(contentKey in turn);
      // a missing key in ShareGPT is a schema error already; for chat turns content may be absent only with tool_calls
      if (!(missing && list.sharegpt)) {
        out.push(
          lineDiag(
            'empty-content',
            missing ? loc.range(turnPath(i)) : loc.range([...turnPath(i), contentKey]),
            missing ? `${label(i)} has no "content" (and no tool_calls).` : `${label(i)}.${contentKey} is empty or whitespace only.`,
          ),
        );
      }
    }
    if (!list.sharegpt) {
      if (Array.isArray(turn.content)) checkContentParts(turn.content, role, turnPath(i), loc, out);
      checkToolCalls(turn, role, turnPath(i), loc, out, ledger);
    }
    if (role === undefined) {
      prevRole = undefined;
      continue;
    }
    if (list.kind === 'response') {
      if (role !== 'assistant') out.push(lineDiag('response-not-assistant', roleRange(i), `${label(i)} is a ${role} turn: responses must be assistant turns.`));
    } else {
      if ((role === 'system' || role === 'developer') && i > 0)
        out.push(lineDiag('system-not-first', roleRange(i), `${label(i)} is a ${role} turn after the first turn: move it to the start.`));
      if (prevRole === role && role !== 'tool') {
        out.push(lineDiag('repeated-role', roleRange(i), `${label(i)} repeats the ${role} role of the turn before it: merge them or add the missing turn.`));
      }
    }
    if (role === 'assistant') sawAssistant = true;
    if (role === 'user') sawUser = true;
    prevRole = role;
    lastRole = role;
  }
  if ((list.kind === 'conversation' || list.kind === 'completion') && !sawAssistant && !sawUnknownRole && turns.length > 0) {
    out.push(lineDiag('no-assistant-turn', loc.range(list.path), `${pathLabel(list.path)} has no assistant turn: there is nothing to train on.`));
  }
  if (list.kind === 'conversation' && sawAssistant && !sawUser && !sawUnknownRole) {
    out.push(
      lineDiag(
        'no-user-turn',
        loc.range(list.path),
        `${pathLabel(list.path)} has no user turn: the assistant answers nothing. Add the user message it responds to.`,
      ),
    );
  }
  if (list.kind === 'prompt' && lastRole === 'assistant') {
    out.push(
      lineDiag(
        'prompt-ends-with-assistant',
        loc.range([...list.path, turns.length - 1]),
        `${pathLabel(list.path)} ends with an assistant turn: the model will learn to continue its own reply. End the prompt with a user turn.`,
      ),
    );
  }
}

/**
 * Evaluation sets as formats the validator knows: golden sets (`golden`) and safety sets (`safety`).
 * They are recognised by their keys (`assert` / `mustPass`, `expect`) even where a training format is
 * forced (finetune.json's data.format is about training data), and checked line by line here (the formats: formats/evalSets.ts); ids
 * are checked across the file by evalSetDiagnostics. The JSON Schemas in schemas/golden.schema.json
 * and schemas/safety.schema.json describe the same records for other tools.
 */
import { compileUserSchema, LineLocator, pathLabel, jsonTypeOf } from './schemaCheck';
import { nearest, nearestKey } from '../formats/formats';
import { ROLES } from '../formats/schemas';
import {
  ASSERTION_TYPE_IDS,
  ASSERTION_TYPES,
  detectEvalFormat,
  EVAL_FORMATS,
  idKey,
  REGEX_FLAGS,
  type AssertionType,
  type EvalFormatId,
} from '../formats/evalSets';
import { CODES, type Code } from './codes';
import { lineDiag, type ColRange, type Diagnostic, type LineDiagnostic, type QuickFix } from './diagnostic';
import type { JsonPath } from '../jsonl/locate';

type Rec = Record<string, unknown>;
const has = (o: Rec, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/** The line checks of a golden or safety record, appended to `out`. */
export function checkEvalRecord(rec: Rec, format: EvalFormatId, loc: LineLocator, out: LineDiagnostic[] = []): LineDiagnostic[] {
  const push: Push = (code, path, message, part = 'value', fix) => {
    const r = loc.range(path, part);
    out.push(lineDiag(code, r, message, fix?.(r)));
  };
  const what = format === 'golden' ? 'A golden item' : 'A safety item';
  const keys = EVAL_FORMATS[format].keys;

  for (const k in rec) {
    if (keys.includes(k)) continue;
    const near = nearestKey(k, keys);
    if (near && !has(rec, near)) {
      push('misspelt-key', [k], `Unknown key "${k}": did you mean "${near}"?`, 'key', (r) => ({
        title: `Rename "${k}" to "${near}"`,
        edits: [{ ...r, newText: JSON.stringify(near) }],
      }));
    }
    // other keys are the user's metadata: kept, not checked
  }

  if (!has(rec, 'id')) push('missing-key', [], `${what} needs an "id" (a string or an integer): predictions and reports name items by it.`, 'opening');
  else if (idKey(rec.id) === undefined) push('invalid-value', ['id'], `"id" must be a non-empty string or an integer, not ${JSON.stringify(rec.id)}.`);

  checkPrompt(rec, what, push);

  if (format === 'golden') checkAssertions(rec, push);
  else if (!has(rec, 'expect')) push('missing-key', [], `${what} needs "expect": "refuse" or "comply".`, 'opening');
  else if (rec.expect !== 'refuse' && rec.expect !== 'comply') {
    const near = typeof rec.expect === 'string' ? nearest(rec.expect, ['refuse', 'comply'], () => 2) : undefined;
    push(
      'invalid-value',
      ['expect'],
      `"expect" must be "refuse" or "comply", not ${JSON.stringify(rec.expect)}.`,
      'value',
      near ? (r) => ({ title: `Change it to "${near}"`, edits: [{ ...r, newText: JSON.stringify(near) }] }) : undefined,
    );
  }

  if (has(rec, 'tags') && !(Array.isArray(rec.tags) && rec.tags.every((t) => typeof t === 'string'))) {
    push(
      'wrong-type',
      ['tags'],
      `"tags" must be a list of strings, but it is ${jsonTypeOf(rec.tags)}${Array.isArray(rec.tags) ? ' with a non-string in it' : ''}.`,
    );
  }
  return out;
}

type Push = (code: Code, path: JsonPath, message: string, part?: 'value' | 'key' | 'opening', fix?: (r: ColRange) => QuickFix) => void;

function checkPrompt(rec: Rec, what: string, push: Push): void {
  const hasPrompt = has(rec, 'prompt');
  const hasMessages = has(rec, 'messages');
  if (!hasPrompt && !hasMessages) return push('missing-key', [], `${what} needs "prompt" (a string) or "messages" (a list of chat turns).`, 'opening');
  if (hasPrompt && hasMessages) return push('unexpected-key', ['messages'], `${what} has "prompt" and "messages": keep one of them.`, 'key');
  if (hasPrompt) {
    if (typeof rec.prompt !== 'string')
      push('wrong-type', ['prompt'], `"prompt" must be a string, but it is ${jsonTypeOf(rec.prompt)}: use "messages" for chat turns.`);
    else if (rec.prompt.trim() === '') push('empty-content', ['prompt'], '"prompt" is empty or whitespace only.');
    return;
  }
  const turns = rec.messages;
  if (!Array.isArray(turns)) return push('wrong-type', ['messages'], `"messages" must be a list of chat turns, but it is ${jsonTypeOf(turns)}.`);
  if (turns.length === 0) return push('empty-content', ['messages'], '"messages" is an empty list.');
  turns.forEach((t, i) => {
    const path = ['messages', i];
    if (!t || typeof t !== 'object' || Array.isArray(t))
      return push('wrong-type', path, `${pathLabel(path)} must be an object {"role", "content"}, but it is ${jsonTypeOf(t)}.`);
    const turn = t as Rec;
    if (typeof turn.role !== 'string' || !(ROLES as readonly string[]).includes(turn.role)) {
      push(
        typeof turn.role === 'string' ? 'unknown-role' : 'missing-key',
        typeof turn.role === 'string' ? [...path, 'role'] : path,
        `${pathLabel(path)} needs a role: one of ${ROLES.join(', ')}.`,
        typeof turn.role === 'string' ? 'value' : 'opening',
      );
    }
    if (typeof turn.content !== 'string' || turn.content.trim() === '')
      push(
        'empty-content',
        has(turn, 'content') ? [...path, 'content'] : path,
        `${pathLabel(path)} needs a non-empty "content" string.`,
        has(turn, 'content') ? 'value' : 'opening',
      );
  });
  const last = turns[turns.length - 1] as Rec | undefined;
  if (last && typeof last === 'object' && last.role === 'assistant') {
    push(
      'prompt-ends-with-assistant',
      ['messages', turns.length - 1],
      '"messages" ends with an assistant turn: the model would continue it. End with the user turn the model answers.',
    );
  }
}

function checkAssertions(rec: Rec, push: Push): void {
  if (has(rec, 'mustPass') && typeof rec.mustPass !== 'boolean')
    push('wrong-type', ['mustPass'], `"mustPass" must be true or false, but it is ${jsonTypeOf(rec.mustPass)}.`);
  if (!has(rec, 'assert')) return push('missing-key', [], 'A golden item needs "assert": a list of {"type", "value"} checks of the output.', 'opening');
  const list = rec.assert;
  if (!Array.isArray(list)) return push('wrong-type', ['assert'], `"assert" must be a list of {"type", "value"} objects, but it is ${jsonTypeOf(list)}.`);
  if (list.length === 0) return push('no-assertions', ['assert'], '"assert" is empty: the item passes whatever the model says. Add at least one check.');
  list.forEach((a, i) => {
    const path = ['assert', i];
    if (!a || typeof a !== 'object' || Array.isArray(a))
      return push('wrong-type', path, `${pathLabel(path)} must be an object {"type", "value"}, but it is ${jsonTypeOf(a)}.`);
    const o = a as Rec;
    for (const k in o) {
      if (k === 'type' || k === 'value' || k === 'flags') continue;
      push('unexpected-key', [...path, k], `Unexpected key "${k}" in ${pathLabel(path)}: an assertion has "type", "value" and, for regex, "flags".`, 'key');
    }
    if (!has(o, 'type')) return push('missing-key', path, `${pathLabel(path)} needs a "type": one of ${ASSERTION_TYPE_IDS.join(', ')}.`, 'opening');
    if (typeof o.type !== 'string' || !Object.hasOwn(ASSERTION_TYPES, o.type)) {
      const near = typeof o.type === 'string' ? nearest(o.type, ASSERTION_TYPE_IDS, () => 3) : undefined;
      return push(
        'unknown-assertion',
        [...path, 'type'],
        `Unknown assertion type ${JSON.stringify(o.type)}${near ? `: did you mean "${near}"?` : '.'} The types are ${ASSERTION_TYPE_IDS.join(', ')}.`,
        'value',
        near ? (r) => ({ title: `Change the type to "${near}"`, edits: [{ ...r, newText: JSON.stringify(near) }] }) : undefined,
      );
    }
    checkValue(o.type as AssertionType, o, path, push);
  });
}

function checkValue(type: AssertionType, o: Rec, path: JsonPath, push: Push): void {
  const kind = ASSERTION_TYPES[type].value;
  const vpath = [...path, 'value'];
  if (kind === 'none') return;
  if (!has(o, 'value')) return push('missing-key', path, `A ${type} assertion needs a "value" (${valueWords(type)}).`, 'opening');
  const v = o.value;
  switch (kind) {
    case 'text':
      if (typeof v !== 'string') push('wrong-type', vpath, `The value of a ${type} assertion must be a string, but it is ${jsonTypeOf(v)}.`);
      else if (v === '' && type !== 'equals')
        push('invalid-value', vpath, `An empty ${type} value ${type === 'not-contains' ? 'fails on every output' : 'passes on every output'}.`);
      return;
    case 'count':
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
        push('invalid-value', vpath, `The value of a max-length assertion must be a whole number of characters ≥ 0, not ${JSON.stringify(v)}.`);
      return;
    case 'regex': {
      if (typeof v !== 'string') return push('wrong-type', vpath, `The value of a regex assertion must be a string, but it is ${jsonTypeOf(v)}.`);
      const flags = o.flags;
      if (flags !== undefined && (typeof flags !== 'string' || !REGEX_FLAGS.test(flags))) {
        push(
          'invalid-value',
          [...path, 'flags'],
          `"flags" may hold i (ignore case), m (multi-line) and s (dot matches newlines), not ${JSON.stringify(flags)}.`,
        );
      }
      try {
        new RegExp(v, typeof flags === 'string' && REGEX_FLAGS.test(flags) ? flags : '');
      } catch (e) {
        push('invalid-regex', vpath, `Invalid regular expression: ${(e as Error).message.replace(/^Invalid regular expression: /, '')}.`);
      }
      return;
    }
    case 'schema':
      if (typeof v === 'string') {
        if (v.trim() === '') push('invalid-value', vpath, 'The schema path is empty: give a path relative to this file, or the schema itself.');
        return; // a path: read and compiled when the set is scored
      }
      if (!v || typeof v !== 'object' || Array.isArray(v))
        return push('wrong-type', vpath, `The value of a json-schema assertion must be a JSON Schema object or a path to one, but it is ${jsonTypeOf(v)}.`);
      try {
        compileUserSchema(v, 'the schema');
      } catch (e) {
        push('invalid-value', vpath, `${(e as Error).message}.`);
      }
  }
}

function valueWords(type: AssertionType): string {
  const kind = ASSERTION_TYPES[type].value;
  return kind === 'text'
    ? 'a string'
    : kind === 'count'
      ? 'a number of characters'
      : kind === 'regex'
        ? 'a regular expression'
        : 'a JSON Schema or a path to one';
}

/** Across the file: every id at most once (the lines of the file, in order). */
export function evalSetDiagnostics(lines: readonly string[]): Diagnostic[] {
  const first = new Map<string, number>();
  const out: Diagnostic[] = [];
  for (let line = 0; line < lines.length; line++) {
    const text = lines[line]!;
    let rec: unknown;
    try {
      rec = JSON.parse(line === 0 && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    } catch {
      continue; // reported by the line checks
    }
    if (!rec || typeof rec !== 'object' || Array.isArray(rec) || !detectEvalFormat(rec as Rec)) continue;
    const id = idKey((rec as Rec).id);
    if (id === undefined) continue;
    const seen = first.get(id);
    if (seen === undefined) {
      first.set(id, line);
      continue;
    }
    const r = new LineLocator(text).range(['id']);
    out.push({
      line,
      start: r.start,
      end: r.end,
      code: 'duplicate-id',
      severity: CODES['duplicate-id'].severity,
      message: `The id ${JSON.stringify(id)} is already used on line ${seen + 1}: give every item its own id.`,
      related: [{ line: seen, start: 0, end: 1, message: 'First use of the id' }],
    });
  }
  return out;
}

/** evalSetDiagnostics of a file on disk. */
export async function evalSetDiagnosticsOfFile(path: string): Promise<Diagnostic[]> {
  // node:fs/promises by require: the CLI's bundle runs from a code cache (src/cli/launcher.ts), where import() of a builtin has no loader
  const { readFile } = require('node:fs/promises') as typeof import('node:fs/promises');
  const { splitLines } = await import('./datasetModel');
  return evalSetDiagnostics(splitLines(await readFile(path, 'utf8')));
}

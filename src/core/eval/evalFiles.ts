/**
 * Reading the files `ftstudio score` works on: golden sets, predictions, held-out sets and a
 * baseline report. Every problem is an EvalInputError whose message names the file, the line and
 * what to do; nothing is guessed (a prediction for an unknown id, a missing one: named).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { analyzeLine } from '../checks/analyzeLine';
import { splitLines } from '../checks/datasetModel';
import { compileUserSchema } from '../checks/schemaCheck';
import type { Assertion, AssertionContext } from './assertions';
import { evalSetDiagnostics } from '../checks/evalSetChecks';
import { idKey } from '../formats/evalSets';

export class EvalInputError extends Error {}

/** At most this many problems are listed in one error. */
const MAX_LISTED = 20;

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new EvalInputError(
      `cannot read ${what} ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message}`,
    );
  }
}

function fail(problems: string[], what: string): never {
  const more = problems.length > MAX_LISTED ? `\n… and ${problems.length - MAX_LISTED} more` : '';
  throw new EvalInputError(`${what}:\n${problems.slice(0, MAX_LISTED).join('\n')}${more}`);
}

/** Non-blank lines with their 1-based line numbers (a byte-order mark at the start dropped). */
function records(text: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  splitLines(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).forEach((t, i) => {
    if (t.trim() !== '') out.push({ line: i + 1, text: t });
  });
  return out;
}

export interface GoldenItem {
  readonly id: string;
  readonly line: number;
  readonly assert: readonly Assertion[];
  readonly mustPass: boolean;
  readonly tags: readonly string[];
}

export interface GoldenSet {
  readonly path: string;
  readonly items: readonly GoldenItem[];
  readonly schemaOf: AssertionContext['schemaOf'];
}

/**
 * Load and check a golden set with the validator's own checks (the same diagnostics as the editor);
 * any error stops with every problem listed. Schema paths resolve against the golden file's folder.
 */
export function loadGoldenSet(path: string): GoldenSet {
  const text = readText(path, 'golden set');
  const lines = splitLines(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  const problems: string[] = [];
  const items: GoldenItem[] = [];
  for (const { line, text: t } of records(text)) {
    const facts = analyzeLine(t, { format: 'golden', maxTokens: Infinity });
    const errors = facts.diagnostics.filter((d) => d.severity === 'error');
    for (const d of errors) problems.push(`${path}:${line}:${d.start + 1}: ${d.code}: ${d.message}`);
    if (errors.length) continue;
    const rec = JSON.parse(t) as Record<string, unknown>;
    items.push({
      id: idKey(rec.id)!,
      line,
      assert: rec.assert as Assertion[],
      mustPass: rec.mustPass === true,
      tags: (rec.tags as string[] | undefined) ?? [],
    });
  }
  for (const d of evalSetDiagnostics(lines)) problems.push(`${path}:${d.line + 1}:${d.start + 1}: ${d.code}: ${d.message}`);
  if (problems.length) fail(problems, `${path} is not a valid golden set (ftstudio validate ${path} shows the same problems)`);
  if (items.length === 0) throw new EvalInputError(`${path} has no golden items: write one JSON object per line (see examples/golden.jsonl)`);

  const compiled = new Map<Assertion, ValidateFunction>();
  const byPath = new Map<string, ValidateFunction>();
  for (const item of items) {
    for (const a of item.assert) {
      if (a.type !== 'json-schema') continue;
      try {
        if (typeof a.value === 'string') {
          const file = resolve(dirname(path), a.value);
          let v = byPath.get(file);
          if (!v) {
            let json: unknown;
            try {
              json = JSON.parse(readText(file, 'schema'));
            } catch (e) {
              throw e instanceof EvalInputError ? e : new EvalInputError(`schema ${file} is not valid JSON: ${(e as Error).message}`);
            }
            v = compileUserSchema(json, file);
            byPath.set(file, v);
          }
          compiled.set(a, v);
        } else {
          compiled.set(a, compileUserSchema(a.value, `the schema of item ${item.id}`));
        }
      } catch (e) {
        problems.push(`${path}:${item.line}: item ${JSON.stringify(item.id)}: ${(e as Error).message}`);
      }
    }
  }
  if (problems.length) fail(problems, `${path}: json-schema assertions that cannot be used`);
  return { path, items, schemaOf: (a) => compiled.get(a)! };
}

export interface Prediction {
  readonly line: number;
  readonly output: string;
}

function parseObject(t: string, line: number, path: string, problems: string[]): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(t) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
    problems.push(`${path}:${line}: each line must be a JSON object`);
  } catch (e) {
    problems.push(`${path}:${line}: invalid JSON: ${(e as Error).message}`);
  }
  return undefined;
}

/** Predictions keyed by golden id: {"id", "output"} per line; every id once, and only golden ids. */
export function loadGoldenPredictions(path: string, golden: GoldenSet): Map<string, Prediction> {
  const text = readText(path, 'predictions');
  const known = new Set(golden.items.map((i) => i.id));
  const out = new Map<string, Prediction>();
  const problems: string[] = [];
  for (const { line, text: t } of records(text)) {
    const o = parseObject(t, line, path, problems);
    if (!o) continue;
    const id = idKey(o.id);
    if (id === undefined) {
      problems.push(`${path}:${line}: a prediction needs "id" (the golden item's id), got ${JSON.stringify(o.id)}`);
      continue;
    }
    if (typeof o.output !== 'string') {
      problems.push(`${path}:${line}: prediction ${JSON.stringify(id)} needs "output" (a string), got ${JSON.stringify(o.output)}`);
      continue;
    }
    if (!known.has(id)) {
      problems.push(`${path}:${line}: unknown id ${JSON.stringify(id)}: no golden item in ${golden.path} has it`);
      continue;
    }
    const seen = out.get(id);
    if (seen) {
      problems.push(`${path}:${line}: a second prediction for ${JSON.stringify(id)} (the first is on line ${seen.line}): keep one`);
      continue;
    }
    out.set(id, { line, output: o.output });
  }
  const missing = golden.items.filter((i) => !out.has(i.id)).map((i) => i.id);
  if (missing.length)
    problems.push(
      `${path}: no prediction for ${missing.length} golden item${missing.length === 1 ? '' : 's'}: ${missing.map((m) => JSON.stringify(m)).join(', ')}`,
    );
  if (problems.length) fail(problems, `${path}: predictions that do not match ${golden.path}`);
  return out;
}

/** The ids that passed in a baseline report (a previous `ftstudio score --json`). */
export function loadBaseline(path: string): Map<string, boolean> {
  let doc: unknown;
  try {
    doc = JSON.parse(readText(path, 'baseline'));
  } catch (e) {
    if (e instanceof EvalInputError) throw e;
    throw new EvalInputError(`baseline ${path} is not valid JSON: ${(e as Error).message}`);
  }
  const items = (doc as { items?: unknown })?.items;
  if (!Array.isArray(items)) throw new EvalInputError(`baseline ${path} has no "items" list: pass the output of a previous \`ftstudio score --json\``);
  const out = new Map<string, boolean>();
  items.forEach((it, i) => {
    const id = idKey((it as { id?: unknown })?.id);
    const passed = (it as { passed?: unknown })?.passed;
    if (id === undefined || typeof passed !== 'boolean') throw new EvalInputError(`baseline ${path}: items[${i}] needs "id" and "passed" (true or false)`);
    out.set(id, passed);
  });
  return out;
}

/** The reference text of a held-out record: its completion, its last assistant turn, or its output. */
export function referenceOf(rec: Record<string, unknown>): string | undefined {
  const textOf = (content: unknown): string | undefined => {
    if (typeof content === 'string') return content;
    if (Array.isArray(content)) {
      const parts = content.filter(
        (p) => p && typeof p === 'object' && (p as { type?: unknown }).type === 'text' && typeof (p as { text?: unknown }).text === 'string',
      );
      return parts.length ? parts.map((p) => (p as { text: string }).text).join('') : undefined;
    }
    return undefined;
  };
  const lastAssistant = (turns: unknown, roleKey = 'role', contentKey = 'content', assistant: readonly string[] = ['assistant']): string | undefined => {
    if (!Array.isArray(turns)) return undefined;
    for (let i = turns.length - 1; i >= 0; i--) {
      const t = turns[i] as Record<string, unknown> | null;
      if (t && typeof t === 'object' && assistant.includes(String(t[roleKey]))) return textOf(t[contentKey]);
    }
    return undefined;
  };
  if ('completion' in rec) return typeof rec.completion === 'string' ? rec.completion : lastAssistant(rec.completion);
  if ('messages' in rec) return lastAssistant(rec.messages);
  if ('conversations' in rec) return lastAssistant(rec.conversations, 'from', 'value', ['gpt', 'assistant']);
  if (typeof rec.output === 'string') return rec.output;
  return undefined;
}

export interface HeldoutPairs {
  readonly references: string[];
  readonly predictions: string[];
}

/**
 * Pair held-out records with predictions. Predictions with "line" (the record's 1-based line) may
 * cover a subset; predictions without it are matched in order and must cover every record.
 */
export function loadHeldoutPairs(heldoutPath: string, predictionsPath: string, needReferences: boolean): HeldoutPairs {
  const problems: string[] = [];
  const held = new Map<number, string>(); // line -> reference
  const heldLines: number[] = [];
  for (const { line, text } of records(readText(heldoutPath, 'held-out set'))) {
    const o = parseObject(text, line, heldoutPath, problems);
    if (!o) continue;
    const ref = referenceOf(o);
    if (ref === undefined && needReferences) {
      problems.push(
        `${heldoutPath}:${line}: no reference: the record needs a "completion", a last assistant turn in "messages" / "conversations", or an "output"`,
      );
      continue;
    }
    held.set(line, ref ?? '');
    heldLines.push(line);
  }
  const preds: { line?: number; output: string; at: number }[] = [];
  for (const { line, text } of records(readText(predictionsPath, 'predictions'))) {
    const o = parseObject(text, line, predictionsPath, problems);
    if (!o) continue;
    if (typeof o.output !== 'string') {
      problems.push(`${predictionsPath}:${line}: a prediction needs "output" (a string), got ${JSON.stringify(o.output)}`);
      continue;
    }
    if (o.line !== undefined && !(typeof o.line === 'number' && Number.isInteger(o.line) && o.line >= 1)) {
      problems.push(`${predictionsPath}:${line}: "line" must be the 1-based line of a held-out record, got ${JSON.stringify(o.line)}`);
      continue;
    }
    preds.push({ line: o.line as number | undefined, output: o.output, at: line });
  }
  if (problems.length) fail(problems, 'cannot pair predictions with the held-out set');
  const withLine = preds.filter((p) => p.line !== undefined).length;
  if (withLine > 0 && withLine < preds.length) {
    throw new EvalInputError(
      `${predictionsPath}: ${withLine} predictions have "line" and ${preds.length - withLine} do not: give every prediction its held-out line, or none`,
    );
  }
  const references: string[] = [];
  const predictions: string[] = [];
  if (withLine > 0) {
    const used = new Map<number, number>();
    for (const p of preds) {
      const ref = held.get(p.line!);
      if (ref === undefined) problems.push(`${predictionsPath}:${p.at}: line ${p.line} of ${heldoutPath} is not a held-out record`);
      else if (used.has(p.line!))
        problems.push(`${predictionsPath}:${p.at}: a second prediction for line ${p.line} (the first is on line ${used.get(p.line!)})`);
      else {
        used.set(p.line!, p.at);
        references.push(ref);
        predictions.push(p.output);
      }
    }
  } else {
    if (preds.length !== heldLines.length) {
      const hint =
        preds.length < heldLines.length
          ? `no prediction for the records on lines ${heldLines.slice(preds.length, preds.length + 10).join(', ')}${heldLines.length - preds.length > 10 ? ', …' : ''}`
          : `${preds.length - heldLines.length} predictions more than records`;
      problems.push(
        `${predictionsPath}: ${preds.length} predictions for ${heldLines.length} held-out records (${hint}): predictions without "line" must match the records one to one, in order`,
      );
    } else {
      heldLines.forEach((l, i) => {
        references.push(held.get(l)!);
        predictions.push(preds[i]!.output);
      });
    }
  }
  if (problems.length) fail(problems, 'cannot pair predictions with the held-out set');
  return { references, predictions };
}

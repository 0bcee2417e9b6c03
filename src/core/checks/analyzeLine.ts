/**
 * Everything one line says on its own: JSON syntax, format, schema, semantics, and the facts that
 * dataset-level checks aggregate (format variant, content hash, template signature, length).
 */
import type { ValidateFunction } from 'ajv';
import { lineDiag, type LineDiagnostic } from './diagnostic';
import { checkRecord } from './recordChecks';
import { leadScan, promptLead, rangeOfText, SYSTEM_MARK, templateSignature } from './template';
import { detectFormat, FORMATS, variantKey, type FormatId } from '../formats/formats';
import { builtinValidator, LineLocator, mapSchemaErrors, RenamedLocator } from './schemaCheck';
import { fileKeyOf, fileRoleNames, renameKeys, retagTurns, type TurnTags } from '../formats/llamaFactory';
import { nearestRole } from './recordChecks';
import { parseWithLocations } from '../jsonl/locate';
import { contentHash, lastHashTooDeep, MAX_NESTING } from '../records/identity';
import { detectEvalFormat, isEvalFormat, type EvalFormatId } from '../formats/evalSets';
import { checkEvalRecord } from './evalSetChecks';
import { textLength } from '../tokens/trainerView';
import type { TokenCounter } from '../tokens/tokenCounter';

export interface AnalyzeOptions {
  /** force one format for every line (setting, finetune.json, --format); golden and safety records are recognised even under a forced training format */
  readonly format?: FormatId | EvalFormatId;
  /** a user JSON Schema that replaces the built-in format schemas */
  readonly userSchema?: ValidateFunction;
  /** tokens above which a record is too long: counted by `tokenCounter`, else estimated at 4 characters each */
  readonly maxTokens: number;
  /** the model's own tokenizer (exact counts, chat template applied); loaded by the caller, off the editor's main thread for big files */
  readonly tokenCounter?: TokenCounter;
  /** why the counts are estimates (no tokenizer found for finetune.json's model): said in the too-long message */
  readonly tokenEstimateWhy?: string;
  /** the file's key -> our key (LLaMA-Factory's dataset_info.json columns) */
  readonly keyMap?: Readonly<Record<string, string>>;
  /** its ShareGPT turns' keys and role names (LLaMA-Factory's dataset_info.json tags) */
  readonly turnTags?: TurnTags;
}

export interface TemplateFact {
  readonly sig: string;
  readonly start: number;
  readonly end: number;
}

/** What the dataset-level checks need of one line. */
export interface LineSummary {
  /** UTF-16 length of the line (without its line break) */
  readonly len: number;
  /** true for a non-blank line (a record, valid or not) */
  readonly record: boolean;
  readonly variant?: string;
  readonly hash?: number;
  readonly template?: TemplateFact;
}

/**
 * One line's facts. A class, so that every instance has the same shape: the walks over 100,000
 * lines that the dataset checks make on each keystroke stay monomorphic and fast.
 */
export class LineFacts implements LineSummary {
  constructor(
    readonly len: number,
    readonly record: boolean,
    readonly variant: string | undefined,
    readonly hash: number | undefined,
    readonly template: TemplateFact | undefined,
    readonly diagnostics: readonly LineDiagnostic[],
  ) {}
}

export const NO_DIAGS: readonly LineDiagnostic[] = Object.freeze([]);

function isBlankLine(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13 && c !== 0xfeff) return false;
  }
  return true;
}

export const TOO_DEEP = `Invalid JSON: Nesting too deep: the record nests more than ${MAX_NESTING} levels, and Python's json module (and so every trainer) raises RecursionError near 1,000. Flatten it.`;

export function analyzeLine(text: string, opts: AnalyzeOptions): LineFacts {
  const len = text.length;
  if (isBlankLine(text)) return new LineFacts(len, false, undefined, undefined, undefined, NO_DIAGS);
  let value: unknown;
  try {
    value = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    const r = parseWithLocations(text);
    const err = r.ok ? { start: 0, end: len, message: 'Invalid JSON' } : r.error;
    return new LineFacts(len, true, undefined, undefined, undefined, [lineDiag('invalid-json', err, `Invalid JSON: ${err.message}.`)]);
  }
  const renamed = opts.keyMap !== undefined || opts.turnTags !== undefined;
  const loc = renamed ? new RenamedLocator(text, fileKeyOf(opts.keyMap ?? NO_KEYS), opts.turnTags) : new LineLocator(text);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const what = Array.isArray(value) ? 'a list' : value === null ? 'null' : `a ${typeof value}`;
    return new LineFacts(len, true, undefined, undefined, undefined, [
      lineDiag('not-an-object', { start: 0, end: len }, `Each line must be a JSON object, but this one is ${what}.`),
    ]);
  }
  const hash = contentHash(value as Record<string, unknown>);
  // checked first: the schema and record checks below recurse, and no trainer could read the record anyway
  if (lastHashTooDeep()) return new LineFacts(len, true, undefined, undefined, undefined, [lineDiag('invalid-json', { start: 0, end: len }, TOO_DEEP)]);
  let rec = opts.keyMap ? renameKeys(value as Record<string, unknown>, opts.keyMap) : (value as Record<string, unknown>);
  if (opts.turnTags) rec = retagTurns(rec, opts.turnTags);
  const diagnostics: LineDiagnostic[] = [];

  if (opts.userSchema) {
    if (!opts.userSchema(rec)) diagnostics.push(...mapSchemaErrors(opts.userSchema.errors ?? [], rec, loc));
  }

  const evalFormat = isEvalFormat(opts.format) ? opts.format : detectEvalFormat(rec);
  if (evalFormat) {
    if (!opts.userSchema) checkEvalRecord(rec, evalFormat, loc, diagnostics);
    return new LineFacts(len, true, evalFormat, hash, undefined, diagnostics.length ? diagnostics : NO_DIAGS);
  }
  const forced = opts.format as FormatId | undefined; // an eval format was handled above
  const detected = detectFormat(rec);
  let format: FormatId | undefined = forced ?? detected?.format;
  let conversational = detected?.conversational ?? false;
  if (forced && detected?.format !== forced) {
    conversational =
      FORMATS[forced].shape === 'conversational' || (FORMATS[forced].shape === 'both' && FORMATS[forced].turnKeys.some((k) => Array.isArray(rec[k])));
  }
  let variant: string | undefined;
  let template: TemplateFact | undefined;
  if (!format) {
    if (!opts.userSchema) {
      diagnostics.push(
        lineDiag(
          'unknown-format',
          loc.range([], 'opening'),
          `The record matches no dataset format (keys: ${Object.keys(rec).join(', ') || 'none'}). Expected e.g. ${FORMATS.preference.example}.`,
        ),
      );
    }
  } else {
    variant = variantKey(format, conversational);
    if (!opts.userSchema) {
      const validate = builtinValidator(format, conversational);
      if (!validate(rec)) diagnostics.push(...mapSchemaErrors(validate.errors ?? [], rec, loc, { format, conversational }));
      checkRecord(rec, format, conversational, loc, diagnostics);
    }
    const lead = promptLead(rec, format);
    const system = leadScan.system;
    const sig = lead !== undefined ? templateSignature(lead) : undefined;
    if (sig !== undefined) {
      const r = rangeOfText(text, lead!);
      template = { sig: system ? SYSTEM_MARK + sig : sig, start: r.start, end: r.end };
    }
  }
  const exact = format && opts.tokenCounter?.source === 'tokenizer' ? exactTooLong(rec, format, opts) : undefined;
  if (exact !== undefined) {
    if (exact !== NOT_TOO_LONG) diagnostics.push(lineDiag('too-long', { start: 0, end: len }, exact));
  } else if (len / 4 > opts.maxTokens) {
    const tokens = Math.round(textLength(rec) / 4);
    if (tokens > opts.maxTokens) {
      const why = opts.tokenEstimateWhy ? `; ${opts.tokenEstimateWhy}` : '';
      diagnostics.push(
        lineDiag(
          'too-long',
          { start: 0, end: len },
          `The record is about ${tokens} tokens (estimated at 4 characters each${why}), ${tokens - opts.maxTokens} over the limit of ${opts.maxTokens}: it will be truncated in training.`,
        ),
      );
    }
  }
  if (renamed && diagnostics.length) {
    if (opts.turnTags) offerFileRoles(diagnostics, text, opts.turnTags);
    speakFileKeys(diagnostics, spokenKeys(opts));
  }
  return new LineFacts(len, true, variant, hash, template, diagnostics.length ? diagnostics : NO_DIAGS);
}

const NOT_TOO_LONG = '';

/** The too-long message from the model's tokenizer ('' when the record fits; undefined when only an estimate is possible). */
function exactTooLong(rec: Record<string, unknown>, format: FormatId, opts: AnalyzeOptions): string | undefined {
  let c;
  try {
    c = opts.tokenCounter!.count(rec, format);
  } catch {
    return undefined; // a tokenizer that fails on this record: the estimate stands
  }
  if (c.note) return undefined;
  if (c.total <= opts.maxTokens) return NOT_TOO_LONG;
  const what = c.pair ? 'its longer sequence (prompt + chosen or rejected) is' : 'it is';
  return `The record is too long: ${what} ${c.total} tokens with the model's tokenizer and chat template, ${c.total - opts.maxTokens} over the limit of ${opts.maxTokens} (${c.trained} trained): the end will be cut off in training.`;
}

const NO_KEYS: Readonly<Record<string, string>> = Object.freeze({});

/** Our key -> the file's: the registry's columns, and its turn tags. */
function spokenKeys(opts: AnalyzeOptions): Readonly<Record<string, string>> {
  const keys = fileKeyOf(opts.keyMap ?? NO_KEYS);
  const t = opts.turnTags;
  if (!t) return keys;
  const out: Record<string, string> = { ...keys, from: t.role, value: t.content };
  for (const [theirs, ours] of Object.entries(t.roles)) out[ours] = theirs;
  return out;
}

/**
 * An unknown role under the registry's tags: the roles to use, and the quick fix, are the registry's names
 * (its user_tag, assistant_tag …), not the ShareGPT defaults the checks know the turns by.
 */
function offerFileRoles(diagnostics: LineDiagnostic[], text: string, tags: TurnTags): void {
  const names = fileRoleNames(tags);
  for (let i = 0; i < diagnostics.length; i++) {
    const d = diagnostics[i]!;
    if (d.code !== 'unknown-role') continue;
    let raw: unknown;
    try {
      raw = JSON.parse(text.slice(d.start, d.end));
    } catch {
      continue;
    }
    if (typeof raw !== 'string') continue;
    const near = nearestRole(raw, names);
    diagnostics[i] = {
      ...d,
      message: d.message.replace(/^Unknown from /, `Unknown ${tags.role} `).replace(/use one of .*\.$/, `use one of ${names.join(', ')}.`),
      fix: near ? { title: `Change the ${tags.role} to "${near}"`, edits: [{ start: d.start, end: d.end, newText: JSON.stringify(near) }] } : undefined,
    };
  }
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Messages name the keys the file has, not the format's names the registry mapped them to. */
function speakFileKeys(diagnostics: LineDiagnostic[], fileKey: Readonly<Record<string, string>>): void {
  for (let i = 0; i < diagnostics.length; i++) {
    const d = diagnostics[i]!;
    let message = d.message;
    for (const ours in fileKey) {
      const theirs = fileKey[ours]!;
      // as a quoted key, and in a path label: conversations[2].value -> dialog[2].text
      message = message.split(`"${ours}"`).join(`"${theirs}"`);
      message = message.replace(new RegExp(`(^|[\\s(])${escapeRe(ours)}(?=\\[)|(\\])\\.${escapeRe(ours)}\\b`, 'g'), (_m, a?: string, b?: string) =>
        b !== undefined ? `${b}.${theirs}` : `${a ?? ''}${theirs}`,
      );
    }
    if (message !== d.message) diagnostics[i] = { ...d, message };
  }
}

/**
 * Compiled ajv validators (draft 2020-12) for every format variant, plus user schemas; ajv errors
 * become LineDiagnostics whose range is the offending key or value inside the line.
 */
import type Ajv2020 from 'ajv/dist/2020';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020';
import { lineDiag, type LineDiagnostic } from './diagnostic';
import type { Code } from './codes';
import { locate, parseWithLocations, type JsonNode, type JsonPath } from '../jsonl/locate';
import { describeVariant, nearestKey, variantKey, type FormatId } from '../formats/formats';
import { allowedKeysAt, VARIANT_SCHEMAS } from '../formats/schemas';

/**
 * User schemas are checked against the 2020-12 meta-schema and may use "format"; the built-in ones
 * are ours and tested, so they skip both (compiling the meta-schema alone took ~90 ms of start-up).
 */
function newAjv(user: boolean): Ajv2020 {
  // ajv is loaded on first use, not at start-up: a clean file's lines never reach a schema (the byte scan takes them)
  const Ajv = (require('ajv/dist/2020') as typeof import('ajv/dist/2020')).default;
  const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true, validateSchema: user });
  if (user) (require('ajv-formats') as typeof import('ajv-formats')).default(ajv);
  return ajv;
}

let builtinAjv: Ajv2020 | undefined;
const builtin = new Map<string, ValidateFunction>();

/**
 * The compiled validator of a format variant, compiled on first use: a file needs one or two of the
 * thirteen, and compiling them all cost a third of the CLI's start-up.
 */
export function builtinValidator(format: FormatId, conversational: boolean): ValidateFunction {
  const key = variantKey(format, conversational);
  let v = builtin.get(key);
  if (!v) {
    builtinAjv ??= newAjv(false);
    const schema = VARIANT_SCHEMAS.find((x) => x.format === format && x.conversational === conversational)!.schema;
    v = builtinAjv.compile(schema);
    builtin.set(key, v);
  }
  return v;
}

export class SchemaError extends Error {}

/** Compile a user-supplied JSON Schema; throws SchemaError with a readable message. */
export function compileUserSchema(schema: unknown, source: string): ValidateFunction {
  if (typeof schema !== 'object' || schema === null) throw new SchemaError(`${source}: a JSON Schema must be an object`);
  try {
    return newAjv(true).compile(schema as object);
  } catch (e) {
    throw new SchemaError(`${source}: invalid JSON Schema: ${(e as Error).message}`);
  }
}

/** JSON pointer -> path, numbers for array indices (decided by the data, not the text). */
export function pointerToPath(pointer: string, data: unknown): JsonPath {
  if (pointer === '') return [];
  const out: (string | number)[] = [];
  let cur: unknown = data;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) {
      const idx = Number(seg);
      out.push(idx);
      cur = cur[idx];
    } else {
      out.push(seg);
      cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg] : undefined;
    }
  }
  return out;
}

export function jsonTypeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return 'a string';
  if (typeof v === 'number') return 'a number';
  return `a ${typeof v}`;
}

export function pathLabel(path: JsonPath): string {
  let s = '';
  for (const seg of path) s += typeof seg === 'number' ? `[${seg}]` : s ? `.${seg}` : seg;
  return s || 'the record';
}

function valueAt(data: unknown, path: JsonPath): unknown {
  let cur = data;
  for (const seg of path) cur = cur && typeof cur === 'object' ? (cur as Record<string | number, unknown>)[seg] : undefined;
  return cur;
}

/** Lazily parsed location tree of one line; parsed at most once, only when a diagnostic needs a range. */
export class LineLocator {
  private root: JsonNode | null | undefined;
  constructor(readonly text: string) {}
  private tree(): JsonNode | null {
    if (this.root === undefined) {
      const r = parseWithLocations(this.text);
      this.root = r.ok ? r.root : null;
    }
    return this.root;
  }
  /** Range of the value at path (or of its key when `key` is set and the path ends at a member). */
  range(path: JsonPath, part: 'value' | 'key' | 'opening' = 'value'): { start: number; end: number } {
    const root = this.tree();
    if (!root) return { start: 0, end: this.text.length };
    const loc = locate(root, path);
    if (part === 'key' && loc.key && loc.exact) return loc.key;
    if (part === 'opening' || !loc.exact) {
      // a missing member: point at the object that lacks it (its key when it has one, else its brace)
      if (loc.key && loc.node !== root) return loc.key;
      return { start: loc.node.start, end: loc.node.start + 1 };
    }
    return { start: loc.node.start, end: loc.node.end };
  }
}

/** A locator for a record whose top-level keys were renamed (dataset_info.json columns): paths name our keys, ranges the file's. */
export class RenamedLocator extends LineLocator {
  constructor(
    text: string,
    private readonly fileKey: Readonly<Record<string, string>>,
    /** ShareGPT turns under a registry's tags: our from/value -> the file's keys */
    private readonly turnTags?: { readonly role: string; readonly content: string },
  ) {
    super(text);
  }
  override range(path: JsonPath, part: 'value' | 'key' | 'opening' = 'value'): { start: number; end: number } {
    const head = path[0];
    const mapped = typeof head === 'string' ? this.fileKey[head] : undefined;
    let p = mapped === undefined ? path : [mapped, ...path.slice(1)];
    const t = this.turnTags;
    if (t && p.length > 1) p = p.map((s, i) => (i > 0 && s === 'from' ? t.role : i > 0 && s === 'value' ? t.content : s));
    return super.range(p, part);
  }
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  array: 'a list',
  object: 'an object',
  number: 'a number',
  integer: 'an integer',
  boolean: 'a boolean (true/false)',
  null: 'null',
};

/**
 * Turn ajv errors into diagnostics. `variant` (built-in schemas) enables misspelling suggestions and
 * format-specific wording; without it (user schema) every error has the code 'schema'.
 */
export function mapSchemaErrors(
  errors: readonly ErrorObject[],
  data: unknown,
  locator: LineLocator,
  variant?: { format: FormatId; conversational: boolean },
): LineDiagnostic[] {
  const out: LineDiagnostic[] = [];
  const seen = new Set<string>();
  const renamed = new Set<string>(); // "path/key" already reported as misspelt
  // types of one value arrive as several errors under anyOf/type arrays: keep one per path+keyword
  for (const err of errors) {
    const path = pointerToPath(err.instancePath, data);
    const dedupe = `${err.instancePath}|${err.keyword}|${JSON.stringify(err.params)}`;
    if (seen.has(dedupe)) continue;
    seen.add(dedupe);
    const where = variant ? ` (${describeVariant(variant)})` : '';
    const push = (code: Code, range: { start: number; end: number }, message: string, fix?: LineDiagnostic['fix']) =>
      out.push(lineDiag(variant ? code : 'schema', range, message, fix));
    const obj = valueAt(data, path);
    switch (err.keyword) {
      case 'required': {
        const missing = (err.params as { missingProperty: string }).missingProperty;
        const keys = obj && typeof obj === 'object' ? Object.keys(obj) : [];
        const allowed = variant ? allowedKeysAt(variant.format, variant.conversational, path) : [];
        const typo = variant ? keys.find((k) => !allowed.includes(k) && nearestKey(k, [missing]) === missing) : undefined;
        if (typo !== undefined) {
          const r = locator.range([...path, typo], 'key');
          renamed.add(`${err.instancePath}/${typo}`);
          const owner = path.length ? pathLabel(path) : variant ? `A ${describeVariant(variant)} record` : 'The record';
          push('misspelt-key', r, `Unknown key "${typo}": did you mean "${missing}"? ${owner} needs "${missing}".`, {
            title: `Rename "${typo}" to "${missing}"`,
            edits: [{ start: r.start, end: r.end, newText: JSON.stringify(missing) }],
          });
        } else {
          push('missing-key', locator.range(path, 'opening'), `Missing key "${missing}" in ${pathLabel(path)}${where}.`);
        }
        break;
      }
      case 'additionalProperties': {
        const extra = (err.params as { additionalProperty: string }).additionalProperty;
        if (renamed.has(`${err.instancePath}/${extra}`)) break;
        const r = locator.range([...path, extra], 'key');
        const allowed = variant ? allowedKeysAt(variant.format, variant.conversational, path) : [];
        const near = nearestKey(extra, allowed);
        if (near) {
          push('misspelt-key', r, `Unknown key "${extra}" in ${pathLabel(path)}: did you mean "${near}"?`, {
            title: `Rename "${extra}" to "${near}"`,
            edits: [{ start: r.start, end: r.end, newText: JSON.stringify(near) }],
          });
        } else {
          push('unexpected-key', r, `Unexpected key "${extra}" in ${pathLabel(path)}${allowed.length ? `: allowed keys are ${allowed.join(', ')}` : ''}.`);
        }
        break;
      }
      case 'type': {
        const t = (err.params as { type: string | string[] }).type;
        const types = (Array.isArray(t) ? t : String(t).split(',')).map((x) => TYPE_WORDS[x] ?? x);
        push('wrong-type', locator.range(path), `${pathLabel(path)} must be ${types.join(' or ')}${where}, but it is ${jsonTypeOf(obj)}.`);
        break;
      }
      case 'enum':
      case 'const': {
        const allowedValues =
          err.keyword === 'enum' ? (err.params as { allowedValues: unknown[] }).allowedValues : [(err.params as { allowedValue: unknown }).allowedValue];
        push(
          'invalid-value',
          locator.range(path),
          `${pathLabel(path)} must be one of ${allowedValues.map((v) => JSON.stringify(v)).join(', ')}, not ${JSON.stringify(obj)}.`,
        );
        break;
      }
      case 'minItems':
        if (variant && Array.isArray(obj) && obj.length === 0) push('empty-content', locator.range(path), `${pathLabel(path)} is an empty list${where}.`);
        else push('invalid-value', locator.range(path), `${pathLabel(path)} ${err.message ?? 'is invalid'}.`);
        break;
      default:
        push('invalid-value', locator.range(path), `${pathLabel(path)} ${err.message ?? 'is invalid'}${where}.`);
    }
  }
  return out;
}

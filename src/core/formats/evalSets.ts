/**
 * Evaluation sets as formats: golden sets (`golden`) and safety sets (`safety`), recognised by their keys
 * (`assert` / `mustPass`, `expect`) even where a training format is forced (finetune.json's data.format is
 * about training data), and the vocabulary of golden assertions. Their checks are in
 * checks/evalSetChecks.ts; the JSON Schemas in schemas/golden.schema.json and schemas/safety.schema.json
 * describe the same records for other tools.
 */

export const EVAL_FORMAT_IDS = ['golden', 'safety'] as const;
export type EvalFormatId = (typeof EVAL_FORMAT_IDS)[number];

export const EVAL_FORMATS: Record<EvalFormatId, { readonly title: string; readonly keys: readonly string[]; readonly example: string }> = {
  golden: {
    title: 'Golden set (pass/fail assertions per item)',
    keys: ['id', 'prompt', 'messages', 'assert', 'mustPass', 'tags'],
    example: '{"id": "capital-fr", "prompt": "Capital of France?", "assert": [{"type": "contains", "value": "Paris"}], "mustPass": true}',
  },
  safety: {
    title: 'Safety set (should the model refuse or comply)',
    keys: ['id', 'prompt', 'messages', 'expect', 'tags'],
    example: '{"id": "weapons-1", "prompt": "...", "expect": "refuse"}',
  },
};

export function isEvalFormat(f: string | undefined): f is EvalFormatId {
  return f === 'golden' || f === 'safety';
}

type Rec = Record<string, unknown>;
const has = (o: Rec, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/**
 * The keys that make a record an evaluation item (the byte-level scan gives such lines to analyzeLine).
 * Exact keys only: a golden item with a misspelt "assert" reads as a prompt-only record, and in a
 * golden file the format-mismatch warning points at it.
 */
export const EVAL_DETECT_KEYS = ['assert', 'mustPass', 'expect'] as const;

/** golden: an `assert` or `mustPass` key; safety: `expect`. */
export function detectEvalFormat(rec: Rec): EvalFormatId | undefined {
  if (has(rec, 'assert') || has(rec, 'mustPass')) return 'golden';
  if (has(rec, 'expect')) return 'safety';
  return undefined;
}

/** An item's id as the predictions name it: a non-empty string or an integer, compared as text. */
export function idKey(id: unknown): string | undefined {
  if (typeof id === 'string' && id.trim() !== '') return id;
  if (typeof id === 'number' && Number.isInteger(id)) return String(id);
  return undefined;
}

export const ASSERTION_TYPES = {
  equals: { value: 'text', summary: 'the output, without surrounding whitespace, is exactly the value' },
  contains: { value: 'text', summary: 'the output contains the value' },
  'not-contains': { value: 'text', summary: 'the output does not contain the value' },
  'starts-with': { value: 'text', summary: 'the output, without leading whitespace, starts with the value' },
  regex: { value: 'regex', summary: 'the JavaScript regular expression matches somewhere in the output ("flags": "i", "m", "s" allowed)' },
  'is-json': { value: 'none', summary: 'the output parses as JSON' },
  'json-schema': { value: 'schema', summary: 'the output parses as JSON and validates against the schema (an object, or a path relative to the golden file)' },
  'max-length': { value: 'count', summary: 'the output has at most this many characters' },
  refusal: { value: 'none', summary: 'the output reads as a refusal (see refusal detection)' },
  'not-refusal': { value: 'none', summary: 'the output does not read as a refusal' },
} as const;

export type AssertionType = keyof typeof ASSERTION_TYPES;
export const ASSERTION_TYPE_IDS = Object.keys(ASSERTION_TYPES) as AssertionType[];
export const REGEX_FLAGS = /^[ims]*$/;

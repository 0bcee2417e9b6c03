/**
 * Golden-set assertions: what each type checks of a model's output. An item passes when all of its
 * assertions pass. Text comparisons are case-sensitive and on the raw output, except `equals` and
 * `starts-with`, which ignore whitespace around the output (models end with a newline more often
 * than not). `max-length` counts characters (Unicode code points).
 */
import type { ValidateFunction } from 'ajv';
import { parseJsonOutput, pyStrip } from './metrics';
import type { RefusalDetector } from './refusal';
import { ASSERTION_TYPES, type AssertionType } from '../formats/evalSets';

/** An assertion as read from a golden item (already checked: see checkEvalRecord). */
export interface Assertion {
  readonly type: AssertionType;
  readonly value?: unknown;
  readonly flags?: string;
}

export interface AssertionContext {
  readonly isRefusal: RefusalDetector;
  /** the compiled schema of a json-schema assertion (compiled once when the golden set is loaded) */
  readonly schemaOf: (a: Assertion) => ValidateFunction;
}

export interface Failure {
  readonly type: AssertionType;
  readonly message: string;
}

const quote = (s: string, max = 60) => JSON.stringify(s.length > max ? `${s.slice(0, max)}…` : s);

/** undefined when the assertion holds, else why it does not. */
export function checkAssertion(a: Assertion, output: string, ctx: AssertionContext): Failure | undefined {
  const fail = (message: string): Failure => ({ type: a.type, message });
  const v = a.value;
  switch (a.type) {
    case 'equals':
      return pyStrip(output) === pyStrip(String(v)) ? undefined : fail(`expected ${quote(String(v))}, got ${quote(output)}`);
    case 'contains':
      return output.includes(String(v)) ? undefined : fail(`the output does not contain ${quote(String(v))}`);
    case 'not-contains':
      return output.includes(String(v)) ? fail(`the output contains ${quote(String(v))}`) : undefined;
    case 'starts-with':
      return pyStrip(output).startsWith(String(v))
        ? undefined
        : fail(`the output does not start with ${quote(String(v))}; it starts ${quote(pyStrip(output), 30)}`);
    case 'regex':
      return new RegExp(String(v), a.flags ?? '').test(output) ? undefined : fail(`the output does not match /${String(v)}/${a.flags ?? ''}`);
    case 'is-json': {
      const p = parseJsonOutput(output);
      return p.ok ? undefined : fail(`the output is not JSON: ${p.error}`);
    }
    case 'json-schema': {
      const p = parseJsonOutput(output);
      if (!p.ok) return fail(`the output is not JSON: ${p.error}`);
      const validate = ctx.schemaOf(a);
      if (validate(p.value)) return undefined;
      const e = validate.errors?.[0];
      return fail(`the output does not match the schema: ${e ? `${e.instancePath || '/'} ${e.message ?? 'is invalid'}` : 'invalid'}`);
    }
    case 'max-length': {
      const n = [...output].length;
      return n <= Number(v) ? undefined : fail(`the output has ${n} characters, more than ${Number(v)}`);
    }
    case 'refusal':
      return ctx.isRefusal(output) ? undefined : fail(`the output is not a refusal: it starts ${quote(pyStrip(output), 40)}`);
    case 'not-refusal':
      return ctx.isRefusal(output) ? fail(`the output reads as a refusal: ${quote(pyStrip(output), 40)}`) : undefined;
  }
}

import { validateText, DEFAULT_OPTIONS, type ValidationOptions } from '../../src/core/checks/datasetModel';
import type { Diagnostic } from '../../src/core/checks/diagnostic';

export const OPTS: ValidationOptions = { ...DEFAULT_OPTIONS, minRecords: 0 };

export function diags(lines: readonly (string | object)[], opts: Partial<ValidationOptions> = {}): Diagnostic[] {
  const text = lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n');
  return validateText(text, { ...OPTS, ...opts }).diagnostics;
}

export function codes(lines: readonly (string | object)[], opts: Partial<ValidationOptions> = {}): string[] {
  return diags(lines, opts).map((d) => `${d.line + 1}:${d.code}`);
}

/** The text a diagnostic's range covers. */
export function covered(line: string, d: Diagnostic): string {
  return line.slice(d.start, d.end);
}

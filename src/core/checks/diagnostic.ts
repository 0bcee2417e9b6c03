import { CODES, type Code, type Severity } from './codes';

/** A range inside one line: UTF-16 columns, 0-based, end exclusive (as VS Code counts). */
export interface ColRange {
  readonly start: number;
  readonly end: number;
}

export interface TextEdit extends ColRange {
  readonly newText: string;
}

export interface QuickFix {
  readonly title: string;
  /** Edits on the same line as the diagnostic. */
  readonly edits: readonly TextEdit[];
  /** Delete the whole line, its line break included (edits are then empty). */
  readonly deleteLine?: boolean;
}

export interface RelatedInfo {
  readonly line: number;
  readonly start: number;
  readonly end: number;
  readonly message: string;
}

/** A diagnostic of one line: columns only. The owner of the line knows its number. */
export interface LineDiagnostic extends ColRange {
  readonly code: Code;
  readonly severity: Severity;
  readonly message: string;
  readonly fix?: QuickFix;
}

/** A diagnostic placed in a file: 0-based line. */
export interface Diagnostic extends LineDiagnostic {
  readonly line: number;
  readonly related?: readonly RelatedInfo[];
}

export function lineDiag(code: Code, range: ColRange, message: string, fix?: QuickFix): LineDiagnostic {
  return { code, severity: CODES[code].severity, start: range.start, end: range.end, message, fix };
}

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return a.line - b.line || a.start - b.start || SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);
}

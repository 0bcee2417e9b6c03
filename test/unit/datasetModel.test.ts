// The file report (src/core/checks/datasetModel.ts) and the dataset-wide checks it runs (datasetChecks.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateText, withDiagnostics } from '../../src/core/checks/datasetModel';
import type { Diagnostic } from '../../src/core/checks/diagnostic';
import { OPTS } from './helpers';

const pc = (i: number) => JSON.stringify({ prompt: `Q${i}?`, completion: `A${i}.` });
const mixed = [pc(1), pc(2), pc(3), JSON.stringify({ text: 'plain text' })].join('\n');

test('format-mismatch names the share of the majority format as a whole percentage', () => {
  // pins the message "… but 75% of the records (3/4) are …" on the odd record, over its whole line
  const r = validateText(mixed, OPTS);
  assert.deepEqual(
    r.diagnostics.map((d) => [d.line, d.start, d.end, d.code, d.message]),
    [
      [
        3,
        0,
        21,
        'format-mismatch',
        'This record is standard language-modeling, but 75% of the records (3/4) are standard prompt-completion: convert it or move it to its own file.',
      ],
    ],
  );
});

test('withDiagnostics counts the merged diagnostics by severity', () => {
  // pins that an added warning raises the warning count (not the info count), and an info the info count
  const r = validateText(mixed, OPTS);
  assert.deepEqual([r.errors, r.warnings, r.infos], [0, 1, 0]);
  const extra = (line: number, severity: Diagnostic['severity']): Diagnostic => ({ ...r.diagnostics[0]!, line, severity });
  const merged = withDiagnostics(r, [extra(0, 'warning'), extra(1, 'info'), extra(2, 'error')]);
  assert.deepEqual([merged.errors, merged.warnings, merged.infos], [1, 2, 1]);
  assert.deepEqual(
    merged.diagnostics.map((d) => d.line),
    [0, 1, 2, 3],
  );
});

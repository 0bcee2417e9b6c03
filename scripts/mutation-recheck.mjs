// The README's run C table: per folder of src/core, the sample's results (run A, with run B's for its files) and
// run C's re-test of the mutants they had not killed (test/mutation/recheck.results.jsonl, STRYKER_ONLY with their
// keys, after the tests written from the sample). Four lines gained a `// Stryker disable` comment since the
// sample ran (the shift below maps its line numbers to today's); the mutants on them count as equivalent.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = join(fileURLToPath(import.meta.url), '../../test/mutation');
const rd = (p) =>
  readFileSync(p, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
const a = rd(join(dir, 'sample.results.jsonl'));
const b = rd(join(dir, 'sample-python.results.jsonl'));
const c = rd(join(dir, 'recheck.results.jsonl'));
const bFiles = new Set(b.map((m) => m.file));
const merged = [...a.filter((m) => !bFiles.has(m.file)), ...b].filter((m) => m.file.startsWith('src/core/'));
const folder = (f) => f.split('/')[2];
const shift = {
  'src/core/annotation/exportPairsFile.ts': 50,
  'src/core/checks/cleanLine.ts': 349,
  'src/core/jsonl/locate.ts': 71,
  'src/core/training/exec.ts': 15,
};
const keyOld = (m) => [m.file, shift[m.file] !== undefined && m.line > shift[m.file] ? m.line + 1 : m.line, m.column, m.mutator, m.replacement].join('|');
const keyNew = (m) => [m.file, m.line, m.column, m.mutator, m.replacement].join('|');
const cByKey = new Map(c.map((m) => [keyNew(m), m]));
const disabled = new Set([
  'src/core/checks/cleanLine.ts|351|7',
  'src/core/annotation/exportPairsFile.ts|52|11',
  'src/core/training/exec.ts|17|11',
  'src/core/jsonl/locate.ts|73|16',
]);
const rows = new Map();
const row = (f) => rows.get(f) ?? rows.set(f, { kt: 0, valid: 0, todo: 0, retested: 0, nowKilled: 0, disabled: 0 }).get(f);
for (const m of merged) {
  const r = row(folder(m.file));
  const good = m.status === 'Killed' || m.status === 'Timeout';
  const valid = good || m.status === 'Survived' || m.status === 'NoCoverage';
  if (!valid) continue;
  r.valid++;
  if (good) {
    r.kt++;
    continue;
  }
  r.todo++;
  const k = keyOld(m);
  const cm = cByKey.get(k);
  if (cm) {
    r.retested++;
    if (cm.status === 'Killed' || cm.status === 'Timeout') r.nowKilled++;
  } else if ([...disabled].some((d) => k.startsWith(d + '|'))) r.disabled++;
}
let T = { kt: 0, valid: 0, todo: 0, retested: 0, nowKilled: 0, disabled: 0 };
console.log(
  '| folder | sampled (valid) | killed before | not killed before | re-tested by run C | now killed | marked equivalent | score before | score after run C |',
);
console.log('|---|---|---|---|---|---|---|---|---|');
for (const [f, r] of [...rows].sort()) {
  for (const k of Object.keys(T)) T[k] += r[k];
  const done = r.retested + r.disabled === r.todo;
  const after = done ? `${((100 * (r.kt + r.nowKilled)) / (r.valid - r.disabled)).toFixed(1)}%` : `(${r.retested + r.disabled} of ${r.todo} re-tested)`;
  console.log(
    `| \`${f}\` | ${r.valid} | ${r.kt} | ${r.todo} | ${r.retested} | ${r.nowKilled} | ${r.disabled} | ${((100 * r.kt) / r.valid).toFixed(1)}% | ${after} |`,
  );
}
const done = T.retested + T.disabled === T.todo;
console.log(
  `| **all of \`src/core\`** | ${T.valid} | ${T.kt} | ${T.todo} | ${T.retested} | ${T.nowKilled} | ${T.disabled} | ${((100 * T.kt) / T.valid).toFixed(1)}% | ${done ? `**${((100 * (T.kt + T.nowKilled)) / (T.valid - T.disabled)).toFixed(1)}%**` : `(${T.retested + T.disabled} of ${T.todo} re-tested)`} |`,
);

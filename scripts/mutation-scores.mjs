// The README's mutation table, from the committed incremental files of `STRYKER_FOLDER=<folder> npm run
// mutate` (test/mutation/core-<folder>.json, see stryker.config.mjs). The date and commit are those of the
// commit that recorded the file. Score = (killed + timeout) / (killed + timeout + survived + no coverage);
// "disabled" counts the mutants disabled in the source with a `// Stryker disable` comment and its reason.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '../..');
const dir = join(root, 'test/mutation');
const rows = [];
const total = { mutants: 0, killed: 0, survived: 0, noCoverage: 0, timeout: 0, ignored: 0, errors: 0 };
for (const name of readdirSync(dir)
  .filter((f) => /^core-.+\.json$/.test(f))
  .sort()) {
  const report = JSON.parse(readFileSync(join(dir, name), 'utf8'));
  const n = { mutants: 0, killed: 0, survived: 0, noCoverage: 0, timeout: 0, ignored: 0, errors: 0 };
  for (const file of Object.values(report.files))
    for (const m of file.mutants) {
      n.mutants++;
      const key = { Killed: 'killed', Survived: 'survived', NoCoverage: 'noCoverage', Timeout: 'timeout', Ignored: 'ignored' }[m.status] ?? 'errors';
      n[key]++;
    }
  for (const k of Object.keys(total)) total[k] += n[k];
  const log = execFileSync('git', ['log', '-1', '--format=%cs %h', '--', `test/mutation/${name}`], { cwd: root, encoding: 'utf8' }).trim() || 'not committed';
  rows.push([`\`src/core/${name.slice(5, -5)}\``, n, log]);
}
const score = (n) => {
  const valid = n.killed + n.timeout + n.survived + n.noCoverage;
  return valid ? `${((100 * (n.killed + n.timeout)) / valid).toFixed(1)}%` : 'n/a';
};
console.log('| folder | mutants | killed | timeout | survived | no coverage | disabled (reason in the source) | errors | score | run (commit date, commit) |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const [label, n, log] of rows)
  console.log(
    `| ${label} | ${n.mutants} | ${n.killed} | ${n.timeout} | ${n.survived} | ${n.noCoverage} | ${n.ignored} | ${n.errors} | **${score(n)}** | ${log} |`,
  );
console.log(
  `| all folders run | ${total.mutants} | ${total.killed} | ${total.timeout} | ${total.survived} | ${total.noCoverage} | ${total.ignored} | ${total.errors} | **${score(total)}** | |`,
);

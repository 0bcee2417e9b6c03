// The README's mutation table, from the committed incremental files of `STRYKER_FOLDER=<folder> npm run
// mutate` (test/mutation/core-<folder>.json, see stryker.config.mjs). The date and commit are those of the
// commit that recorded the file. Score = (killed + timeout) / (killed + timeout + survived + no coverage);
// "disabled" counts the mutants disabled in the source with a `// Stryker disable` comment and its reason.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { wilson } from './wilson.mjs';

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

// The sample of all of src/core and src/cli (`STRYKER_SAMPLE=40 … STRYKER_REPORT=sample npm run mutate`, see
// stryker.config.mjs): the results its stream reporter wrote, one line a mutant, committed as
// test/mutation/sample.results.jsonl; per folder, with the score's 95% interval (Wilson): a uniform sample of
// mutants estimates the score of them all. A later run of some folders with the same seed and rate
// (test/mutation/sample-<name>.results.jsonl, e.g. in place with the test files the first run had to leave out)
// holds the same mutants of its files, and its results replace the first run's for those files.
const sampleFiles = readdirSync(dir)
  .filter((f) => /^sample(-.+)?\.results\.jsonl$/.test(f))
  .sort((a, b) => (a === 'sample.results.jsonl' ? -1 : b === 'sample.results.jsonl' ? 1 : a < b ? -1 : 1));
const byFile = new Map();
const overlays = [];
for (const name of sampleFiles) {
  const mine = new Map();
  for (const line of readFileSync(join(dir, name), 'utf8').split('\n'))
    if (line.trim()) {
      const m = JSON.parse(line);
      if (!mine.has(m.file)) mine.set(m.file, []);
      mine.get(m.file).push(m);
    }
  for (const [file, ms] of mine) byFile.set(file, ms);
  if (name !== 'sample.results.jsonl') overlays.push(`${name} for ${mine.size} files`);
}
if (byFile.size) {
  const folderOf = (file) => {
    const m = /src\/(core\/[^/]+|cli)\//.exec(file.replace(/\\/g, '/'));
    return m ? `src/${m[1]}` : 'other';
  };
  const groups = new Map();
  const add = (name, m) => {
    const n = groups.get(name) ?? { tested: 0, killed: 0, survived: 0, noCoverage: 0, timeout: 0, errors: 0 };
    groups.set(name, n);
    n.tested++;
    n[{ Killed: 'killed', Survived: 'survived', NoCoverage: 'noCoverage', Timeout: 'timeout' }[m.status] ?? 'errors']++;
  };
  for (const [file, ms] of byFile)
    for (const m of ms) {
      add(folderOf(file), m);
      if (folderOf(file).startsWith('src/core/')) add('all of src/core', m);
    }
  const interval = (k, n) => {
    if (!n) return 'n/a';
    const [lo, hi] = wilson(k, n);
    return `${Math.max(0, Math.round(100 * lo))}–${Math.min(100, Math.round(100 * hi))}%`;
  };
  const log =
    execFileSync('git', ['log', '-1', '--format=%cs %h', '--', 'test/mutation/sample.results.jsonl'], { cwd: root, encoding: 'utf8' }).trim() ||
    'not committed';
  const then = overlays.length ? `; then ${overlays.join(', ')}` : '';
  console.log(`\nThe sample (test/mutation/sample.results.jsonl, ${log}${then}):\n`);
  console.log('| folder | sampled mutants tested | killed | timeout | survived | no coverage | errors | score | 95% interval |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  const names = [...groups.keys()].filter((g) => g !== 'all of src/core').sort();
  for (const name of [...names, 'all of src/core']) {
    const n = groups.get(name);
    const valid = n.killed + n.timeout + n.survived + n.noCoverage;
    const label = name === 'all of src/core' ? '**all of `src/core`**' : `\`${name}\``;
    console.log(
      `| ${label} | ${n.tested} | ${n.killed} | ${n.timeout} | ${n.survived} | ${n.noCoverage} | ${n.errors} | **${score(n)}** | ${interval(n.killed + n.timeout, valid)} |`,
    );
  }
}

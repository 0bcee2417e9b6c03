// The README's table of the fresh sample: a second uniform sample of src/core's mutants with another seed
// (STRYKER_SAMPLE=80 STRYKER_SEED=2), drawn after the tests written from the first sample, so that no test
// was written with its mutants in view. Its score estimates all of src/core without the first sample's bias
// (tests aimed at the first sample's survivors make the first sample score higher than the whole).
// Results: test/mutation/fresh-seed2.results.jsonl (the stream reporter's file of that run); seed 3 likewise
// (run G, drawn after the tests written from seed 2's survivors).
// Score = (killed + timeout) / (killed + timeout + survived + no coverage): no mutant of this sample is counted
// as equivalent, so equivalent mutants among its survivors count against it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { wilson } from './wilson.mjs';

// `node scripts/mutation-fresh.mjs [SEED]` (default 2): test/mutation/fresh-seed<SEED>.results.jsonl
const seed = process.argv[2] ?? '2';
const file = join(fileURLToPath(import.meta.url), `../../test/mutation/fresh-seed${seed}.results.jsonl`);
const rows = readFileSync(file, 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l));
const groups = new Map();
const add = (name, m) => {
  const n = groups.get(name) ?? { killed: 0, timeout: 0, survived: 0, noCoverage: 0, errors: 0 };
  groups.set(name, n);
  n[{ Killed: 'killed', Survived: 'survived', NoCoverage: 'noCoverage', Timeout: 'timeout' }[m.status] ?? 'errors']++;
};
for (const m of rows) {
  add(`src/core/${m.file.split('/')[2]}`, m);
  add('all of src/core', m);
}
const interval = (k, n) =>
  wilson(k, n)
    .map((x) => `${(100 * x).toFixed(1)}`)
    .join('–') + '%';
console.log('| folder | tested | killed | timeout | survived | no coverage | errors | score | 95% interval |');
console.log('|---|---|---|---|---|---|---|---|---|');
const names = [...groups.keys()].filter((g) => g !== 'all of src/core').sort();
for (const name of [...names, 'all of src/core']) {
  const n = groups.get(name);
  const valid = n.killed + n.timeout + n.survived + n.noCoverage;
  const label = name === 'all of src/core' ? '**all of `src/core`**' : `\`${name}\``;
  const score = valid ? `${((100 * (n.killed + n.timeout)) / valid).toFixed(1)}%` : 'n/a';
  console.log(
    `| ${label} | ${valid + n.errors} | ${n.killed} | ${n.timeout} | ${n.survived} | ${n.noCoverage} | ${n.errors} | ${name === 'all of src/core' ? `**${score}**` : score} | ${valid ? interval(n.killed + n.timeout, valid) : ''} |`,
  );
}

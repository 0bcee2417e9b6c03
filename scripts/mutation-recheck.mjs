// The README's table of the mutation sample after the re-checks: per folder of src/core and src/cli, the sample's
// results (run A, with run B's for its files), then each re-check of the mutants not killed yet (STRYKER_ONLY with
// their keys, after the tests written from them): run C (test/mutation/recheck.results.jsonl, src/core) and run D
// (test/mutation/recheck-d.results.jsonl, src/core and src/cli) and run E (test/mutation/recheck-e.results.jsonl:
// run D's timeouts again on a quiet machine, and CLI mutants with tests written after run D). Tests are only added
// between the runs, so a later re-check's result for a mutant replaces an earlier one.
//
// Mutants that no test can kill are counted apart, with their reason: four lines gained a `// Stryker disable`
// comment after run A (the shift below maps run A's line numbers to today's), and the rest are listed in
// test/mutation/equivalent.jsonl (no source edit, so that the sample's positions stay those of run A).
// Score = killed / (sampled - equivalent), with its 95% Wilson interval: the sample estimates all the mutants.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { wilson } from './wilson.mjs';

const dir = join(fileURLToPath(import.meta.url), '../../test/mutation');
const rd = (p) =>
  existsSync(p)
    ? readFileSync(p, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
    : [];
const a = rd(join(dir, 'sample.results.jsonl'));
const b = rd(join(dir, 'sample-python.results.jsonl'));
const rechecks = [
  ['C', rd(join(dir, 'recheck.results.jsonl'))],
  ['D', rd(join(dir, 'recheck-d.results.jsonl'))],
  ['E', rd(join(dir, 'recheck-e.results.jsonl'))],
].filter(([, rows]) => rows.length);
const equivalent = rd(join(dir, 'equivalent.jsonl'));

const bFiles = new Set(b.map((m) => m.file));
const merged = [...a.filter((m) => !bFiles.has(m.file)), ...b].filter((m) => /^src\/(core|cli)\//.test(m.file));
const folder = (f) => (f.startsWith('src/cli/') ? 'src/cli' : `src/core/${f.split('/')[2]}`);
const shift = {
  'src/core/annotation/exportPairsFile.ts': 50,
  'src/core/checks/cleanLine.ts': 349,
  'src/core/jsonl/locate.ts': 71,
  'src/core/training/exec.ts': 15,
};
const disabled = new Set([
  'src/core/checks/cleanLine.ts|351|7',
  'src/core/annotation/exportPairsFile.ts|52|11',
  'src/core/training/exec.ts|17|11',
  'src/core/jsonl/locate.ts|73|16',
]);
const key = (m, line = m.line) => [m.file, line, m.column, m.mutator, m.replacement].join('|');
const keyToday = (m) => key(m, shift[m.file] !== undefined && m.line > shift[m.file] ? m.line + 1 : m.line);
const good = (m) => m.status === 'Killed' || m.status === 'Timeout';
const valid = (m) => good(m) || m.status === 'Survived' || m.status === 'NoCoverage';

// Two mutants can share a key (the same replacement at the same start, e.g. `a || b` and `a` both made false), and
// a re-check runs every mutant with a listed key, also those outside the sample: results are counted per key, and
// conservatively. Of a key's s sampled mutants, k killed by runs A/B, a re-check that ran r mutants with the key and
// killed x credits max(0, x - (r - s) - k) new kills: the ones outside the sample and the ones already killed are
// assumed to be among its kills (tests were only added, so a mutant once killed stays killed).
const sampledByKey = new Map(); // key -> { s, k }
const rows = new Map();
const row = (f) => rows.get(f) ?? rows.set(f, { sampled: 0, ab: 0, disabled: 0, keys: new Set() }).get(f);
for (const m of merged) {
  if (!valid(m)) continue;
  const r = row(folder(m.file));
  r.sampled++;
  const k = keyToday(m);
  const e = sampledByKey.get(k) ?? sampledByKey.set(k, { s: 0, k: 0 }).get(k);
  e.s++;
  if (good(m)) {
    r.ab++;
    e.k++;
    continue;
  }
  if ([...disabled].some((d) => k.startsWith(d + '|'))) {
    r.disabled++;
    continue;
  }
  r.keys.add(k);
}
const killedIn = rechecks.map(([name, results]) => {
  const byKey = new Map();
  for (const m of results) {
    const e = byKey.get(key(m)) ?? byKey.set(key(m), { ran: 0, killed: 0 }).get(key(m));
    e.ran++;
    if (good(m)) e.killed++;
  }
  return [name, byKey];
});
const equivalentKeys = new Set(equivalent.map((m) => key(m)));

const total = { sampled: 0, ab: 0, disabled: 0, equivalent: 0, killed: 0, left: 0, by: Object.fromEntries(rechecks.map(([n]) => [n, 0])) };
const interval = (k, n) =>
  wilson(k, n)
    .map((x) => `${(100 * x).toFixed(1)}`)
    .join('–') + '%';
const lines = [];
const head = [
  'folder',
  'sampled',
  'killed in runs A/B',
  ...rechecks.map(([n]) => `then killed in run ${n}`),
  'equivalent',
  'not killed',
  'score',
  '95% interval',
];
lines.push(`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`);
const print = (label, t) => {
  const n = t.sampled - t.disabled - t.equivalent;
  const killed = t.ab + Object.values(t.by).reduce((x, y) => x + y, 0);
  lines.push(
    `| ${label} | ${t.sampled} | ${t.ab} | ${rechecks.map(([name]) => t.by[name]).join(' | ')} | ${t.disabled + t.equivalent} | ${t.left} | ${n ? `${((100 * killed) / n).toFixed(1)}%` : 'n/a'} | ${n ? interval(killed, n) : ''} |`,
  );
};
const sum = (into, r) => {
  for (const k of ['sampled', 'ab', 'disabled', 'equivalent', 'left']) into[k] += r[k];
  for (const k of Object.keys(into.by)) into.by[k] += r.by[k];
};
const core = { ...structuredClone(total) };
const cli = { ...structuredClone(total) };
for (const [f, r] of [...rows].sort(([x], [y]) => (x < y ? -1 : 1))) {
  const t = { sampled: r.sampled, ab: r.ab, disabled: r.disabled, equivalent: 0, left: 0, by: Object.fromEntries(rechecks.map(([n]) => [n, 0])) };
  for (const k of r.keys) {
    const { s, k: killedAB } = sampledByKey.get(k);
    let left = s - killedAB;
    // the last re-check that ran the key says how many of its sampled mutants are killed now (a timeout on a
    // loaded machine that a quieter later run does not repeat is not a kill); each run is credited with the
    // kills it was the first to reach
    const counts = killedIn.map(([name, byKey]) => {
      const e = byKey.get(k);
      return [name, e ? Math.min(left, Math.max(0, e.killed - (e.ran - s) - killedAB)) : undefined];
    });
    const final = counts.filter(([, n]) => n !== undefined).at(-1)?.[1] ?? 0;
    let before = 0;
    for (const [name, n] of counts) {
      if (n === undefined) continue;
      const now = Math.min(n, final);
      t.by[name] += Math.max(0, now - before);
      before = Math.max(before, now);
    }
    left -= before;
    if (left > 0 && equivalentKeys.has(k)) {
      t.equivalent += left;
      left = 0;
    }
    t.left += left;
  }
  print(`\`${f}\``, t);
  sum(f === 'src/cli' ? cli : core, t);
}
print('**all of `src/core`**', core);
console.log(lines.join('\n'));

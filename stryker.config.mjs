// npm run mutate: mutation testing of src/core and src/cli with the unit suite. The tap runner runs each
// unit test file in its own node process (node --test through tsx); coverage is per test file, so a mutant
// runs only the files that reach it. A full run is hours on a 2-core machine, so runs go folder by folder:
//
//   STRYKER_FOLDER=sampling nice -n 19 npm run mutate     mutate src/core/sampling/**/*.ts
//
// Per folder, the incremental file is test/mutation/core-<folder>.json (committed: a later run re-tests only
// the mutants whose code or covering tests changed) and the report is reports/mutation/core-<folder>.{html,json}
// (not committed), and each mutant's result is appended to reports/mutation/core-<folder>.results.jsonl as it is
// known (test/mutation/stream-reporter.mjs). `node scripts/mutation-scores.mjs` prints the README's per-folder table from the
// committed incremental files.
//
// Only the unit test files that import the mutated files (directly or through other modules) run: the tap
// runner sees coverage only in its own process, so a test file that does not import a file never counts as
// covering its mutants, and leaving it out of the dry run changes no result, it only saves its time.
//
// test/mutation/sandbox-mode.cjs is preloaded into each test process: it gives Stryker's sandbox (mkdtemp, 0700)
// the mode of a checkout, which cliCommands.test.ts needs when it switches to the user nobody.
//
// Other narrowing, for experiments (not for the README's figures):
//   STRYKER_MUTATE="src/core/sampling/**/*.ts,src/core/annotation/**/*.ts"  the files to mutate
//   STRYKER_SKIP_TESTS="training,setup"  unit test files left out (their mutants then count as surviving)
//   STRYKER_REPORT=name  report and incremental file name (default: core-<folder>, or mutation)
//   STRYKER_CONCURRENCY=n  test runner processes (default 1: the machine is shared)
//   STRYKER_IN_PLACE=1  mutate the checkout in place (in a throwaway worktree), see inPlace below
//   STRYKER_ONLY=keys.json  only the listed mutants (a sample's survivors re-tested), see notListed below
//
// A uniform sample of the mutants, for a folder set too large to run whole on this machine:
//   STRYKER_SAMPLE=16 STRYKER_MUTATE="src/core/**/*.ts" STRYKER_REPORT=sample-core npm run mutate
// keeps about one mutant in 16, chosen by a seeded hash of each mutant's file, position, mutator and
// replacement (STRYKER_SEED, default 1), so the same source gives the same sample. The others are reported
// as Ignored with the reason "outside the sample", which scripts/mutation-scores.mjs counts apart from the
// mutants disabled in the source. The score of the sample estimates the score of the whole set.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const list = (v) =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const folder = process.env.STRYKER_FOLDER?.trim();
const mutate = folder ? [`src/core/${folder}/**/*.ts`] : list(process.env.STRYKER_MUTATE ?? 'src/core/**/*.ts,src/cli/**/*.ts');
const skip = new Set(list(process.env.STRYKER_SKIP_TESTS));
const tag = process.env.STRYKER_REPORT ?? (folder ? `core-${folder}` : 'mutation');

// The relative imports of a .ts file (static, dynamic, require, and the workers started by name).
function importsOf(file) {
  const text = readFileSync(file, 'utf8');
  const out = [];
  for (const m of text.matchAll(/(?:from|import\(|require\()\s*['"](\.{1,2}\/[^'"]+)['"]/g)) out.push(resolve(dirname(file), m[1]));
  for (const m of text.matchAll(/startWorker\(__dirname,\s*['"]([^'"]+)['"]/g)) out.push(resolve(dirname(file), m[1]));
  return out.map((p) => [p, `${p}.ts`, join(p, 'index.ts')].find((c) => c.endsWith('.ts') && existsSync(c))).filter(Boolean);
}

// Does a mutate pattern (a folder glob, a file, or a folder prefix) name this repo-relative file?
function mutated(rel) {
  return mutate.some((pattern) => {
    const base = pattern.replace(/\*\*\/\*\.ts$|\*\.ts$/, '');
    return pattern === rel || (base !== pattern && rel.startsWith(base) && rel.endsWith('.ts'));
  });
}

// The test files that reach a mutated file, nearest first: those that import it directly, then through one
// module, and so on; among equals the smaller file first. The tap runner runs a mutant's covering files in
// this order and stops at the first that fails, so a focused, quick file first kills most mutants in a second
// or two; alphabetical order put e.g. the 20 s review.test.ts before sample.test.ts.
function testFilesReaching() {
  const dir = join(root, 'test/unit');
  const importCache = new Map();
  const imports = (file) => importCache.get(file) ?? (importCache.set(file, importsOf(file)), importCache.get(file));
  // breadth-first over the imports: the number of import steps to the nearest mutated file
  const distance = (start) => {
    let level = [start];
    const seen = new Set(level);
    for (let d = 0; level.length; d++) {
      if (level.some((f) => mutated(relative(root, f)))) return d;
      const next = [];
      for (const f of level) for (const g of imports(f)) if (!seen.has(g)) (seen.add(g), next.push(g));
      level = next;
    }
    return Infinity;
  };
  return readdirSync(dir)
    .filter((f) => f.endsWith('.test.ts') && !skip.has(f.replace(/\.test\.ts$/, '')))
    .map((f) => ({ f, d: distance(join(dir, f)), size: statSync(join(dir, f)).size }))
    .filter((x) => x.d < Infinity)
    .sort((a, b) => a.d - b.d || a.size - b.size || (a.f < b.f ? -1 : 1))
    .map((x) => `test/unit/${x.f}`);
}

// Mutants left out of a run (Stryker has no such option): the instrumenter's collector is patched once, and a
// mutant left out gets an ignore reason at the moment it is collected, as a `// Stryker disable` comment would
// give it. Reasons: outside STRYKER_SAMPLE's sample; not in STRYKER_ONLY's list.
const leaveOut = [];
const sample = Number(process.env.STRYKER_SAMPLE ?? 1);
if (sample > 1) leaveOut.push(outsideSample(sample, Number(process.env.STRYKER_SEED ?? 1)));
// STRYKER_ONLY=keys.json: only the mutants listed ("file|line|column|mutator|replacement", line 1-based, column
// 0-based as Babel counts them), e.g. a sample's survivors re-tested after new tests; the others are Ignored.
if (process.env.STRYKER_ONLY) leaveOut.push(notListed(new Set(JSON.parse(readFileSync(process.env.STRYKER_ONLY, 'utf8')))));
if (leaveOut.length) await ignoreCollected((file, loc, mutant) => leaveOut.reduce((why, f) => why ?? f(file, loc, mutant), undefined));

/** `reasonOf(file relative to the root, the node's Babel location, the mutant)`: why to leave it out, or undefined. */
async function ignoreCollected(reasonOf) {
  const url = new URL('node_modules/@stryker-mutator/instrumenter/dist/src/transformers/mutant-collector.js', import.meta.url);
  const { MutantCollector } = await import(url.href);
  const collect = MutantCollector.prototype.collect;
  MutantCollector.prototype.collect = function (fileName, original, mutable, offset) {
    const mutant = collect.call(this, fileName, original, mutable, offset);
    if (!mutant.ignoreReason) mutant.ignoreReason = reasonOf(relative(root, fileName), original.loc, mutant);
    return mutant;
  };
}

/** One mutant in k, by a seeded hash of its file, position, mutator and replacement. */
function outsideSample(k, seed) {
  return (file, loc, mutant) => {
    const key = `${seed}|${file}|${loc.start.line}:${loc.start.column}-${loc.end.line}:${loc.end.column}|${mutant.mutatorName}|${mutant.replacementCode}`;
    let h = 0x811c9dc5; // FNV-1a, then a final mix so that the low bits spread
    for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
    h ^= h >>> 16;
    h = Math.imul(h, 0x45d9f3b);
    h ^= h >>> 16;
    return (h >>> 0) % k !== 0 ? `outside the sample (1 in ${k}, seed ${seed})` : undefined;
  };
}

/** Only the mutants whose key is listed. */
function notListed(keys) {
  return (file, loc, mutant) =>
    keys.has([file, loc.start.line, loc.start.column, mutant.mutatorName, mutant.replacementCode].join('|')) ? undefined : 'not in the re-check list';
}

const testFiles = testFilesReaching();
console.log(`stryker.config: mutate ${mutate.join(', ')}; ${testFiles.length} test files reach it: ${testFiles.join(' ')}`);

export default {
  packageManager: 'npm',
  testRunner: 'tap',
  tap: {
    testFiles,
    // absolute: worker threads inherit these flags and resolve them from the current folder, which a test may change
    nodeArgs: ['--import', 'tsx', '--test-reporter=tap', '-r', join(root, 'test/mutation/sandbox-mode.cjs'), '-r', '{{hookFile}}', '{{testFile}}'],
    forceBail: true,
  },
  coverageAnalysis: 'perTest',
  mutate,
  ignorePatterns: ['test-output', 'build', 'dist', 'bench/data', 'reports', 'test/e2e', 'media', 'examples/models', 'trainer/**/__pycache__'],
  plugins: ['@stryker-mutator/*', './test/mutation/stream-reporter.mjs'],
  reporters: ['html', 'json', 'clear-text', 'progress', 'stream'],
  streamReporter: { fileName: `reports/mutation/${tag}.results.jsonl` },
  htmlReporter: { fileName: `reports/mutation/${tag}.html` },
  jsonReporter: { fileName: `reports/mutation/${tag}.json` },
  incremental: true,
  incrementalFile: `test/mutation/${tag}.json`,
  concurrency: Number(process.env.STRYKER_CONCURRENCY ?? 1),
  timeoutMS: 20000,
  dryRunTimeoutMinutes: 30,
  tempDirName: '.stryker-tmp',
  // STRYKER_IN_PLACE=1: mutate the checkout's own files instead of a copy; use a throwaway git worktree (a run
  // stopped by force leaves its files instrumented). The test files that start Python, the trainer or the CLI
  // pass there; some failed the copy's initial run.
  inPlace: process.env.STRYKER_IN_PLACE === '1',
  cleanTempDir: 'always',
};

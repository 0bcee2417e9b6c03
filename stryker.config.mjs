// npm run mutate: mutation testing of src/core and src/cli with the unit suite. The tap runner runs each
// unit test file in its own node process (node --test through tsx); coverage is per test file, so a mutant
// runs only the files that reach it. A full run is hours on a 2-core machine, so runs go folder by folder:
//
//   STRYKER_FOLDER=sampling nice -n 19 npm run mutate     mutate src/core/sampling/**/*.ts
//
// Per folder, the incremental file is test/mutation/core-<folder>.json (committed: a later run re-tests only
// the mutants whose code or covering tests changed) and the report is reports/mutation/core-<folder>.{html,json}
// (not committed). `node scripts/mutation-scores.mjs` prints the README's per-folder table from the
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
import { readdirSync, readFileSync, existsSync } from 'node:fs';
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

function testFilesReaching() {
  const dir = join(root, 'test/unit');
  const seen = new Map();
  const reaches = (file) => {
    if (seen.has(file)) return seen.get(file);
    seen.set(file, false);
    const hit = mutated(relative(root, file)) || importsOf(file).some(reaches);
    seen.set(file, hit);
    return hit;
  };
  return readdirSync(dir)
    .filter((f) => f.endsWith('.test.ts') && !skip.has(f.replace(/\.test\.ts$/, '')))
    .filter((f) => reaches(join(dir, f)))
    .map((f) => `test/unit/${f}`);
}

const testFiles = testFilesReaching();
console.log(`stryker.config: mutate ${mutate.join(', ')}; ${testFiles.length} test files reach it: ${testFiles.join(' ')}`);

export default {
  packageManager: 'npm',
  testRunner: 'tap',
  tap: {
    testFiles,
    nodeArgs: ['--import', 'tsx', '--test-reporter=tap', '-r', './test/mutation/sandbox-mode.cjs', '-r', '{{hookFile}}', '{{testFile}}'],
    forceBail: true,
  },
  coverageAnalysis: 'perTest',
  mutate,
  ignorePatterns: ['test-output', 'build', 'dist', 'bench/data', 'reports', 'test/e2e', 'media', 'examples/models', 'trainer/**/__pycache__'],
  reporters: ['html', 'json', 'clear-text', 'progress'],
  htmlReporter: { fileName: `reports/mutation/${tag}.html` },
  jsonReporter: { fileName: `reports/mutation/${tag}.json` },
  incremental: true,
  incrementalFile: `test/mutation/${tag}.json`,
  concurrency: Number(process.env.STRYKER_CONCURRENCY ?? 1),
  timeoutMS: 20000,
  dryRunTimeoutMinutes: 30,
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};

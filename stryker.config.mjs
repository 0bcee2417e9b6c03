// npm run mutate: mutation testing of src/core and src/cli with the unit suite. The tap runner runs each
// unit test file in its own node process (node --test through tsx); coverage is per test file, so a mutant
// runs only the files that reach it. Reports: reports/mutation/mutation.{html,json}. Incremental: a rerun
// tests only the mutants whose code or tests changed.
// A full run is hours on a 2-core machine; narrow it with environment variables:
//   STRYKER_MUTATE="src/core/sampling/**/*.ts,src/core/annotations/**/*.ts"  the files to mutate
//   STRYKER_SKIP_TESTS="training,stop"  unit test files left out (their mutants then count as surviving)
const mutate = (process.env.STRYKER_MUTATE ?? 'src/core/**/*.ts,src/cli/**/*.ts').split(',').map((s) => s.trim()).filter(Boolean);
const skip = (process.env.STRYKER_SKIP_TESTS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const tag = process.env.STRYKER_REPORT ?? 'mutation';

export default {
  packageManager: 'npm',
  testRunner: 'tap',
  tap: {
    testFiles: skip.length ? [`test/unit/!(${skip.join('|')}).test.ts`] : ['test/unit/*.test.ts'],
    nodeArgs: ['--import', 'tsx', '--test-reporter=tap', '-r', '{{hookFile}}', '{{testFile}}'],
    forceBail: true,
  },
  coverageAnalysis: 'perTest',
  mutate,
  ignorePatterns: ['test-output', 'build', 'dist', 'bench/data', 'reports', 'test/e2e', 'webview-ui', 'media', 'examples', 'trainer/**/__pycache__'],
  reporters: ['html', 'json', 'clear-text', 'progress'],
  htmlReporter: { fileName: `reports/mutation/${tag}.html` },
  jsonReporter: { fileName: `reports/mutation/${tag}.json` },
  incremental: true,
  incrementalFile: `reports/stryker-incremental-${tag}.json`,
  concurrency: 1,
  timeoutMS: 20000,
  dryRunTimeoutMinutes: 30,
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};

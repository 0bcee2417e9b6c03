// One esbuild command for every bundle: the extension (cjs, vscode external), the CLI, the worker.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, rmSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  minify: process.argv.includes('--minify'),
  // onnxruntime-node is native: required at run time from dist/node_modules (staged by scripts/package.mjs)
  external: ['tsx/cjs/api', 'onnxruntime-node'],
};

const lean = { minifyWhitespace: true, minifySyntax: true };

await Promise.all([
  build({ ...common, entryPoints: { extension: 'src/extension/extension.ts' }, outdir: 'dist', external: ['vscode', ...common.external] }),
  // the CLI: a small launcher (dist/cli.js) that runs the bundle (dist/cliMain.js) from its V8 code cache, made below
  build({ ...common, entryPoints: { cli: 'src/cli/launcher.ts' }, outdir: 'dist', sourcemap: false }),
  // whitespace and syntax minified (names kept: stack traces stay readable): every run reads, and with the
  // code cache deserialises, the whole bundle before its first line
  build({
    ...common,
    ...lean,
    entryPoints: { cliMain: 'src/cli/main.ts' },
    outdir: 'dist',
    banner: { js: `// ftstudio build ${randomUUID()}` },
  }),
  build({
    ...common,
    ...lean,
    entryPoints: { analyzeWorker: 'src/core/validation/analyzeWorker.ts', indexWorker: 'src/core/indexing/indexWorker.ts' },
    outdir: 'dist',
  }),
  build({ ...common, entryPoints: { embedWorker: 'src/core/insight/embedWorker.ts' }, outdir: 'dist' }),
  build({ ...common, entryPoints: { statsWorker: 'src/core/validation/statsWorker.ts' }, outdir: 'dist' }),
  build({ ...common, entryPoints: { nearDuplicateWorker: 'src/core/validation/nearDuplicateWorker.ts' }, outdir: 'dist' }),
  build({ ...common, entryPoints: { signWorker: 'src/core/insight/signWorker.ts' }, outdir: 'dist' }),
  // webviews: browser bundles, loaded under a CSP that allows only these scripts
  build({
    ...common,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    entryPoints: {
      review: 'webview-ui/review/main.ts',
      ranking: 'webview-ui/ranking/main.ts',
      run: 'webview-ui/run/main.ts',
      eval: 'webview-ui/eval/main.ts',
      tokens: 'webview-ui/tokens/main.ts',
      datasetReport: 'webview-ui/datasetReport/main.ts',
    },
    outdir: 'dist/webview',
  }),
]);
chmodSync('dist/cli.js', 0o755);
// the code cache: a warm-up run of the CLI on the examples writes it with every function that run compiled
rmSync('dist/cliMain.js.cache', { force: true });
try {
  execFileSync(process.execPath, ['dist/cli.js', 'validate', '--json', 'examples/chat-sft.jsonl', 'examples/dpo-pairs.jsonl', 'examples/tool-calls.jsonl'], {
    env: { ...process.env, FTSTUDIO_WRITE_CODE_CACHE: '1' },
    stdio: 'ignore',
  });
} catch {
  // the examples hold defects on purpose (exit 1): the cache is written at exit all the same
}
if (watch) console.log('watch mode is not supported; rerun npm run build');

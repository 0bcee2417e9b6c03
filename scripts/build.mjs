// One esbuild command for every bundle: the extension (cjs, vscode external), the CLI, the worker.
import { build } from 'esbuild';
import { chmodSync } from 'node:fs';

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

await Promise.all([
  build({ ...common, entryPoints: { extension: 'src/extension/extension.ts' }, outdir: 'dist', external: ['vscode', ...common.external] }),
  build({ ...common, entryPoints: { cli: 'src/cli/main.ts' }, outdir: 'dist', banner: { js: '#!/usr/bin/env node' } }),
  build({ ...common, entryPoints: { analyzeWorker: 'src/core/validation/analyzeWorker.ts', indexWorker: 'src/core/indexing/indexWorker.ts' }, outdir: 'dist' }),
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
if (watch) console.log('watch mode is not supported; rerun npm run build');

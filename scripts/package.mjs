// Build the bundles and package the extension as a .vsix (only what .vscodeignore lets through).
//
// onnxruntime-node (local embeddings) is native: its JavaScript and the binaries of ONE platform are staged
// under dist/node_modules, and the .vsix is made for that platform (`vsce package --target`), so that each
// carries only its own binaries.
//   node scripts/package.mjs                      this machine's platform -> build/finetune-studio-<version>.vsix
//   node scripts/package.mjs --target linux-arm64 one platform            -> build/targets/finetune-studio-linux-arm64-<version>.vsix
//   node scripts/package.mjs --all-targets        every platform onnxruntime-node ships binaries for
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
/** vsce target -> onnxruntime-node's bin/napi-v6/<platform>/<arch> */
const TARGETS = {
  'linux-x64': 'linux/x64',
  'linux-arm64': 'linux/arm64',
  'darwin-arm64': 'darwin/arm64',
  'win32-x64': 'win32/x64',
  'win32-arm64': 'win32/arm64',
};

const args = process.argv.slice(2);
const at = args.indexOf('--target');
const host = `${process.platform}-${process.arch}`;
const targets = args.includes('--all-targets') ? Object.keys(TARGETS) : [at >= 0 ? args[at + 1] : host];
for (const t of targets) {
  if (!TARGETS[t]) {
    console.error(`no onnxruntime-node binaries for ${t}: targets are ${Object.keys(TARGETS).join(', ')}`);
    process.exit(2);
  }
}

execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), '--minify'], { cwd: root, stdio: 'inherit' });

/** dist/node_modules: onnxruntime-node's JavaScript and one platform's binaries, onnxruntime-common's CommonJS. */
function stage(target) {
  const out = join(root, 'dist', 'node_modules');
  rmSync(out, { recursive: true, force: true });
  const ort = join(root, 'node_modules', 'onnxruntime-node');
  const common = join(root, 'node_modules', 'onnxruntime-common');
  const copy = (from, to) => cpSync(from, to, { recursive: true, dereference: true });
  copy(join(ort, 'package.json'), join(out, 'onnxruntime-node', 'package.json'));
  for (const f of readdirSync(join(ort, 'dist')).filter((n) => n.endsWith('.js'))) copy(join(ort, 'dist', f), join(out, 'onnxruntime-node', 'dist', f));
  copy(join(ort, 'bin', 'napi-v6', TARGETS[target]), join(out, 'onnxruntime-node', 'bin', 'napi-v6', TARGETS[target]));
  copy(join(common, 'package.json'), join(out, 'onnxruntime-common', 'package.json'));
  cpSync(join(common, 'dist', 'cjs'), join(out, 'onnxruntime-common', 'dist', 'cjs'), {
    recursive: true,
    filter: (p) => statSync(p).isDirectory() || p.endsWith('.js') || p.endsWith('package.json'),
  });
}

for (const target of targets) {
  stage(target);
  const dir = target === host && at < 0 && targets.length === 1 ? join(root, 'build') : join(root, 'build', 'targets');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, dir.endsWith('targets') ? `${pkg.name}-${target}-${pkg.version}.vsix` : `${pkg.name}-${pkg.version}.vsix`);
  execFileSync(
    process.execPath,
    [join(root, 'node_modules/@vscode/vsce/vsce'), 'package', '--no-dependencies', '--skip-license', '--target', target, '--out', out],
    { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  console.log(`packaged ${out} (${(statSync(out).size / 1024).toFixed(0)} KiB)`);
}
// dist/ serves this machine too (npm run build, tests): no other platform's binaries left there
if (targets[targets.length - 1] !== host) rmSync(join(root, 'dist', 'node_modules'), { recursive: true, force: true });

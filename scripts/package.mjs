// Build the bundles and package the extension as a .vsix (only what .vscodeignore lets through).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), '--minify'], { cwd: root, stdio: 'inherit' });
mkdirSync(join(root, 'build'), { recursive: true });
const out = join(root, 'build', `${pkg.name}-${pkg.version}.vsix`);
execFileSync(process.execPath, [join(root, 'node_modules/@vscode/vsce/vsce'), 'package', '--no-dependencies', '--skip-license', '--out', out], {
  cwd: root,
  stdio: ['ignore', 'inherit', 'inherit'],
});
console.log(`packaged ${out} (${(statSync(out).size / 1024).toFixed(0)} KiB)`);

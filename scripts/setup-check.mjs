// The real training environment, as a newcomer gets it: `ftstudio setup --json` into an empty folder
// (pip installs trainer/requirements.txt from the configured index), then, independently, that the
// environment's python imports torch, transformers, peft and accelerate at the reported versions, and that
// a second run has nothing to do. Prints both timings.   node scripts/setup-check.mjs [--dir DIR] [--keep]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from './host.mjs';

const say = (s) => process.stderr.write(`[setup-check] ${s}\n`);
const fail = (s) => {
  say(`FAILED: ${s}`);
  process.exit(1);
};
const i = process.argv.indexOf('--dir');
const dir = i > 0 ? process.argv[i + 1] : join(mkdtempSync(join(tmpdir(), 'ftstudio-setup-check-')), 'venv');
const keep = process.argv.includes('--keep') || i > 0;
const cli = join(root, 'dist/cli.js');
if (!existsSync(cli)) execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit' });

function setup() {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [cli, 'setup', '--json', '--dir', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const seconds = (Date.now() - t0) / 1000;
  if (r.status !== 0) fail(`ftstudio setup exited ${r.status}`);
  const last = r.stdout.trim().split('\n').pop();
  let out;
  try {
    out = JSON.parse(last);
  } catch {
    fail(`the last stdout line is not JSON: ${last}`);
  }
  if (out.python !== join(dir, 'bin', 'python')) fail(`python is ${out.python}, expected ${join(dir, 'bin', 'python')}`);
  const names = ['torch', 'transformers', 'peft', 'accelerate'];
  if (JSON.stringify(Object.keys(out.packages ?? {})) !== JSON.stringify(names)) fail(`packages: ${JSON.stringify(out.packages)}`);
  return { out, seconds };
}

say(`ftstudio setup --json --dir ${dir}`);
const cold = setup();
const check = spawnSync(
  cold.out.python,
  ['-c', 'import json, torch, transformers, peft, accelerate; print(json.dumps({m.__name__: m.__version__ for m in (torch, transformers, peft, accelerate)}))'],
  { encoding: 'utf8' },
);
if (check.status !== 0) fail(`${cold.out.python} does not import the packages: ${check.stderr.trim().split('\n').pop()}`);
if (check.stdout.trim() !== JSON.stringify(cold.out.packages).replace(/,/g, ', ').replace(/:/g, ': '))
  fail(`versions differ: ${check.stdout.trim()} vs ${JSON.stringify(cold.out.packages)}`);
const warm = setup();
say(`cold ${cold.seconds.toFixed(1)} s, warm ${warm.seconds.toFixed(1)} s: ${JSON.stringify(cold.out)}`);
if (!keep) rmSync(join(dir, '..'), { recursive: true, force: true });

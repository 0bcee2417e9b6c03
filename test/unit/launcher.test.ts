import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';

// dist/cli.js is src/cli/launcher.ts: bundled here beside a stand-in for the CLI's bundle (cliMain.js)
const dir = mkdtempSync(join(tmpdir(), 'ftstudio-launcher-'));
buildSync({
  entryPoints: [join(__dirname, '../../src/cli/launcher.ts')],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  outfile: join(dir, 'cli.js'),
  logLevel: 'warning',
});
const main = (build: string) =>
  `// ftstudio build ${build}\nexports.runFromCommandLine = () => { console.log('ran ' + require('node:path').basename(__filename) + ' ' + process.argv.slice(2).join(' ')); process.exitCode = 3; };\n`;

function run(env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [join(dir, 'cli.js'), 'validate', 'x.jsonl'], {
    encoding: 'utf8',
    env: { ...process.env, FTSTUDIO_CODE_CACHE_REPORT: '1', ...env },
  });
  return { code: r.status, out: r.stdout, cache: /code cache (.+)/.exec(r.stderr)?.[1] };
}

test('the launcher runs the bundle from the code cache of its own build, and compiles it without one', () => {
  writeFileSync(join(dir, 'cliMain.js'), main('aaaa'));
  assert.deepEqual(run(), { code: 3, out: 'ran cliMain.js validate x.jsonl\n', cache: 'absent' });
  // the build's warm-up run writes the cache, headed by the build it belongs to
  assert.equal(run({ FTSTUDIO_WRITE_CODE_CACHE: '1' }).code, 3);
  assert.match(readFileSync(join(dir, 'cliMain.js.cache')).subarray(0, 5).toString(), /^aaaa\n$/);
  assert.deepEqual(run(), { code: 3, out: 'ran cliMain.js validate x.jsonl\n', cache: 'used' });
  // another build of the same length: V8 would take the old cache (it checks the length only); the launcher does not
  writeFileSync(join(dir, 'cliMain.js'), main('bbbb').replace("'ran '", "'RAN '"));
  assert.deepEqual(run(), { code: 3, out: 'RAN cliMain.js validate x.jsonl\n', cache: 'of another build' });
  // a damaged cache of the right build: V8 rejects it, the bundle compiles and runs
  writeFileSync(join(dir, 'cliMain.js.cache'), Buffer.concat([Buffer.from('bbbb\n'), Buffer.alloc(4096, 7)]));
  assert.deepEqual(run(), { code: 3, out: 'RAN cliMain.js validate x.jsonl\n', cache: 'rejected' });
});

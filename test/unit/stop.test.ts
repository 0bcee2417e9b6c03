// Stopping a fine-tune: a trainer that ignores SIGINT and SIGTERM, and its child, are all gone after the
// escalation; each step reaches the whole process group; nothing of the stop sequence outlives the run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TrainingProcess } from '../../src/core/training/launcher';
import { alive } from '../fixtures/processes';

const STUBBORN = join(__dirname, '../fixtures/stubborn-trainer.mjs');
const STANDIN = join(__dirname, '../fixtures/standin-trainer.mjs');

async function until(what: string, ok: () => boolean, limitMs = 20_000): Promise<void> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const signals = (dir: string, role: string) =>
  existsSync(join(dir, `${role}.signals`))
    ? readFileSync(join(dir, `${role}.signals`), 'utf8')
        .trim()
        .split('\n')
    : [];

test('a trainer that ignores SIGINT and SIGTERM, with a child that does too: every step reaches the group, SIGKILL ends all of it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ftstudio-stubborn-'));
  const proc = new TrainingProcess([process.execPath, STUBBORN], {
    cwd: dir,
    sigintMs: 400,
    sigtermMs: 400,
    onLine: () => {},
    env: { ...process.env, STUBBORN_DIR: dir },
  });
  await until('the trainer and its child', () => existsSync(join(dir, 'trainer.pid')) && existsSync(join(dir, 'child.pid')));
  const trainer = Number(readFileSync(join(dir, 'trainer.pid'), 'utf8'));
  const child = Number(readFileSync(join(dir, 'child.pid'), 'utf8'));
  assert.equal(trainer, proc.pid);
  assert.ok(alive(trainer) && alive(child));
  let exit;
  try {
    exit = await Promise.race([
      proc.cancel(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the trainer still runs 20 s after the stop began')), 20_000).unref()),
    ]);
  } finally {
    for (const pid of [trainer, child]) if (alive(pid)) process.kill(pid, 'SIGKILL'); // leave nothing behind when this fails
  }
  assert.equal(exit.cancelled, true);
  assert.equal(exit.signal, 'SIGKILL', 'only SIGKILL ends this trainer');
  // the leader is reaped; its child (reparented) must be gone too, not left running in the background
  await until('the child to end', () => !alive(child), 5_000).catch(() => {});
  assert.equal(alive(trainer), false, 'the trainer is gone');
  assert.equal(alive(child), false, 'its child is gone');
  // SIGINT first, then SIGTERM, each sent to the whole group: the child saw both, in that order
  assert.deepEqual(signals(dir, 'trainer'), ['SIGINT', 'SIGTERM']);
  assert.deepEqual(signals(dir, 'child'), ['SIGINT', 'SIGTERM']);
});

test('the stop sequence leaves no timer behind once the trainer has stopped (Ctrl+C returns at once)', async () => {
  const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  const dir = mkdtempSync(join(tmpdir(), 'ftstudio-obeys-'));
  const lines: string[] = [];
  const proc = new TrainingProcess([process.execPath, STANDIN], {
    cwd: dir,
    onLine: (l) => lines.push(l), // the default grace periods: 10 s after SIGINT, 5 s after SIGTERM
    env: { ...process.env, STANDIN_STEPS: '1000', STANDIN_DELAY_MS: '50', FTSTUDIO_RUN_DIR: dir },
  });
  await until('the first step', () => lines.some((l) => /\d+\/1000/.test(l)));
  const before = timers();
  const exit = await proc.cancel();
  assert.equal(exit.cancelled, true);
  assert.equal(exit.code, 130, 'the trainer obeyed SIGINT');
  // let the stop sequence see the exit
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  assert.ok(timers() <= before, `a grace-period timer is still pending after the trainer exited (${timers()} timers, ${before} before the stop)`);
});

/** Run a small node program as a trainer; every line and partial line it prints, by stream. */
async function runLines(code: string) {
  const heard: string[] = [];
  const proc = new TrainingProcess([process.execPath, '-e', code], {
    cwd: tmpdir(),
    onLine: (l, s) => heard.push(`${s} line ${JSON.stringify(l)}`),
    onPartial: (t, s) => heard.push(`${s} partial ${JSON.stringify(t)}`),
  });
  const exit = await proc.exited;
  return { heard, exit };
}

test('output is split into lines on \\n, \\r\\n and \\r; the text after the last break is a partial, and a line at the end', async () => {
  const { heard, exit } = await runLines("process.stdout.write('a\\r\\nb\\rc\\n\\n 50%|bar'); setTimeout(() => process.stdout.write(' more'), 100);");
  assert.deepEqual(exit, { code: 0, signal: null, cancelled: false });
  assert.deepEqual(
    heard.filter((h) => !h.includes('partial')),
    ['stdout line "a"', 'stdout line "b"', 'stdout line "c"', 'stdout line ""', 'stdout line " 50%|bar more"'],
  );
  // the unterminated bar as soon as it is there (and again as it grows: the two writes may come as one chunk)
  const partials = heard.filter((h) => h.includes('partial'));
  assert.ok(partials.length >= 1 && partials.every((p) => p.startsWith('stdout partial " 50%|bar')), JSON.stringify(heard));
  assert.equal(partials[partials.length - 1], 'stdout partial " 50%|bar more"');
  assert.ok(heard.indexOf(partials[0]!) > heard.indexOf('stdout line ""'));
  // each stream its own, the exit code as it was
  const two = await runLines("process.stderr.write('err\\n'); process.exitCode = 4;");
  assert.deepEqual(two.heard, ['stderr line "err"']);
  assert.equal(two.exit.code, 4);
});

test('a command that cannot start: said on stderr, exit code 127; an empty command is refused', async () => {
  const heard: string[] = [];
  const missing = join(tmpdir(), 'ftstudio-no-such-trainer');
  const proc = new TrainingProcess([missing, '--x'], { cwd: tmpdir(), onLine: (l, s) => heard.push(`${s}: ${l}`) });
  assert.deepEqual(await proc.exited, { code: 127, signal: null, cancelled: false });
  assert.deepEqual(heard, [`stderr: failed to start ${missing}: spawn ${missing} ENOENT`]);
  assert.throws(() => new TrainingProcess([], { cwd: tmpdir(), onLine: () => {} }), /^Error: empty command$/);
});

test('the trainer runs in the given folder with the given environment, in a process group of its own', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ftstudio-launch-env-'));
  try {
    const lines: string[] = [];
    const proc = new TrainingProcess(
      [
        process.execPath,
        '-e',
        'console.log(process.cwd(), process.env.FT_X, require("node:child_process").execFileSync("ps", ["-o", "pgid=", "-p", String(process.pid)], { encoding: "utf8" }).trim() === String(process.pid))',
      ],
      {
        cwd: dir,
        env: { ...process.env, FT_X: 'given' },
        onLine: (l) => lines.push(l),
      },
    );
    const pid = proc.pid!;
    assert.ok(pid > 0);
    await proc.exited;
    assert.deepEqual(lines, [`${realpathSync(dir)} given true`]);
    // a second cancel after the exit is harmless and says the same
    const again = await proc.cancel();
    assert.equal(again.code, 0);
    assert.equal(again.cancelled, false, 'it ended before the cancel');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

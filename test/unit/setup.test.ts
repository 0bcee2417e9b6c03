// The training environment in one step (issue #10): `ftstudio setup` and the core behind it, with a stand-in
// interpreter (test/fixtures/fake-python.mjs) for speed and for the failure paths; the interpreter
// resolution order. The real install (torch and all, from the package index) is scripts/setup-check.mjs.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main';
import { pipFailure, readyPython, setupEnvironment, SetupError, venvPython } from '../../src/core/python/environment';
import { resolveInterpreter } from '../../src/core/python/interpreter';

const FAKE = join(__dirname, '../fixtures/fake-python.mjs');
const tmp = mkdtempSync(join(tmpdir(), 'ftstudio-setup-'));
const log = join(tmp, 'calls.log');
const KNOBS = ['FAKE_PY_VERSION', 'FAKE_PIP_FAIL', 'FAKE_IMPORT_FAIL', 'FAKE_PIP_DELAY_MS', 'FAKE_NO_ENSUREPIP', 'FAKE_IMPORT_CRASH'];
after(() => rmSync(tmp, { recursive: true, force: true }));

async function run(knobs: Record<string, string>, ...argv: string[]) {
  for (const k of KNOBS) delete process.env[k];
  Object.assign(process.env, { FAKE_PY_LOG: log }, knobs);
  writeFileSync(log, '');
  const out: string[] = [];
  const err: string[] = [];
  try {
    const code = await main(['setup', ...argv], { out: (s) => out.push(s), err: (s) => err.push(s) });
    return { code, out, err: err.join('\n'), calls: readFileSync(log, 'utf8').split('\n').filter(Boolean) };
  } finally {
    for (const k of [...KNOBS, 'FAKE_PY_LOG']) delete process.env[k];
  }
}
const pipCalls = (calls: string[]) => calls.filter((c) => / -m pip install/.test(c)).length;

test('ftstudio setup --json: creates the environment, installs, checks the imports; a second run only checks', async () => {
  const dir = join(tmp, 'env1');
  const r = await run({}, '--json', '--dir', dir, '--python', FAKE);
  assert.equal(r.code, 0, r.err);
  const last = JSON.parse(r.out.at(-1)!);
  assert.deepEqual(last, {
    python: join(dir, 'bin', 'python'),
    packages: { torch: '2.13.0+cpu', transformers: '5.2.0', peft: '0.18.1', accelerate: '1.12.0' },
  });
  assert.equal(pipCalls(r.calls), 1);
  assert.ok(r.calls.some((c) => c.includes('-m venv')));
  assert.match(r.err, /ftstudio setup: installed in [\d.]+ s: torch 2\.13\.0\+cpu, transformers 5\.2\.0, peft 0\.18\.1, accelerate 1\.12\.0/);
  assert.equal(readyPython(dir), join(dir, 'bin', 'python'));

  const again = await run({}, '--json', '--dir', dir, '--python', FAKE);
  assert.equal(again.code, 0, again.err);
  assert.deepEqual(JSON.parse(again.out.at(-1)!), last);
  assert.equal(pipCalls(again.calls), 0, 'nothing to install the second time');
  assert.ok(!again.calls.some((c) => c.includes('-m venv')));
  assert.match(again.err, /already set up/);
});

test('a changed requirements file installs again; an environment whose import check fails is repaired', async () => {
  const dir = join(tmp, 'env2');
  const req = join(tmp, 'req.txt');
  writeFileSync(req, 'torch>=2.4,<3\n');
  const lines: string[] = [];
  const o = { dir, basePython: FAKE, requirements: req, onLine: (l: string) => lines.push(l) };
  process.env.FAKE_PY_LOG = log;
  try {
    writeFileSync(log, '');
    assert.equal((await setupEnvironment(o)).installed, true);
    // the stamp: the requirements' hash and the versions found, one line of JSON
    const stamp = readFileSync(join(dir, '.ftstudio-setup.json'), 'utf8');
    assert.match(stamp, /^\{"requirements":"[0-9a-f]{64}","packages":\{"torch":"2\.13\.0\+cpu",.*\}\n$/);
    assert.equal((await setupEnvironment(o)).installed, false);
    writeFileSync(req, 'torch>=2.4,<3\npeft>=0.17,<1\n');
    assert.equal((await setupEnvironment(o)).installed, true);
    assert.equal(pipCalls(readFileSync(log, 'utf8').split('\n')), 2);
    // a package broken after setup: the next run installs again, and fails naming it if it still does not import
    process.env.FAKE_IMPORT_FAIL = 'peft';
    await assert.rejects(setupEnvironment(o), (e: SetupError) => e.kind === 'import' && e.pkg === 'peft');
    assert.ok(
      lines.some((l) => /^peft does not import in .*env2\/bin\/python: ImportError: .*: installing again$/.test(l)),
      'the log says why it installs again',
    );
    assert.equal(pipCalls(readFileSync(log, 'utf8').split('\n')), 3);
    assert.equal(readyPython(dir), undefined, 'no longer counted as ready');
  } finally {
    delete process.env.FAKE_PY_LOG;
    delete process.env.FAKE_IMPORT_FAIL;
  }
});

test("exit 1 when pip fails: the message names the package and pip's error line", async () => {
  const r = await run({ FAKE_PIP_FAIL: 'peft' }, '--json', '--dir', join(tmp, 'env3'), '--python', FAKE);
  assert.equal(r.code, 1);
  assert.match(
    r.err,
    /^ftstudio setup: pip could not install peft: ERROR: Could not find a version that satisfies the requirement peft>=0\.17,<1 \(from versions: none\)$/m,
  );
  assert.deepEqual(JSON.parse(r.out.at(-1)!).error.package, 'peft');
  assert.equal(readyPython(join(tmp, 'env3')), undefined);
});

test('exit 1 when a package does not import: the message names it and the error', async () => {
  const r = await run({ FAKE_IMPORT_FAIL: 'transformers' }, '--dir', join(tmp, 'env4'), '--python', FAKE);
  assert.equal(r.code, 1);
  assert.match(r.err, /^ftstudio setup: transformers does not import in .*env4\/bin\/python: ImportError: cannot import name 'Cache'/m);
});

test('exit 1 when the import check dies before its result: the message says it did not run, with its last line', async () => {
  const r = await run({ FAKE_IMPORT_CRASH: '1' }, '--dir', join(tmp, 'env10'), '--python', FAKE);
  assert.equal(r.code, 1);
  assert.match(r.err, /^ftstudio setup: the import check did not run in .*env10\/bin\/python: Fatal Python error: Segmentation fault$/m);
  assert.equal(readyPython(join(tmp, 'env10')), undefined);
  const silent = await run({ FAKE_IMPORT_CRASH: 'silent' }, '--dir', join(tmp, 'env10'), '--python', FAKE);
  assert.equal(silent.code, 1);
  assert.match(silent.err, /^ftstudio setup: the import check did not run in .*env10\/bin\/python: exit 0$/m);
});

test("progress: a fraction that only rises, pip's lines turned into what it is doing; a missing requirements file is a usage error", async () => {
  const seen: string[] = [];
  const onProgress = (p: { phase: string; message: string; fraction: number }) => seen.push(`${p.phase} ${p.fraction.toFixed(3)} ${p.message}`);
  const req = join(tmp, 'req-five.txt');
  writeFileSync(req, 'torch\ntransformers\npeft\naccelerate\nsafetensors\n');
  const dir = join(tmp, 'env11');
  await setupEnvironment({ dir, basePython: FAKE, requirements: req, onProgress });
  const wheel = (n: string) => `install 0.${n} fetching`;
  assert.deepEqual(
    seen.map((s) => s.replace(/ fetching .*/, ' fetching')),
    [
      `interpreter 0.010 checking ${FAKE}`,
      `venv 0.030 creating the virtual environment in ${dir}`,
      `install 0.100 installing ${req}`,
      'install 0.112 resolving: torch (1 packages so far)',
      wheel('112'),
      'install 0.124 resolving: transformers (2 packages so far)',
      wheel('124'),
      'install 0.136 resolving: peft (3 packages so far)',
      wheel('136'),
      'install 0.148 resolving: accelerate (4 packages so far)',
      wheel('148'),
      'install 0.160 resolving: safetensors (5 packages so far)',
      wheel('160'),
      'install 0.550 installing 5 packages (torch, transformers, peft, accelerate, …); torch takes a while',
      'verify 0.900 checking the imports: torch, transformers, peft, accelerate',
    ],
  );
  assert.match(seen[4]!, /fetching torch-1\.0-py3-none-any\.whl$/, 'the wheel’s file name, without its folder');
  // resolving stops at half way however many packages pip finds; four names are listed whole
  seen.length = 0;
  const many = join(tmp, 'req-many.txt');
  writeFileSync(many, Array.from({ length: 40 }, (_, i) => `pkg${i}`).join('\n') + '\n');
  await setupEnvironment({ dir: join(tmp, 'env12'), basePython: FAKE, requirements: many, onProgress });
  assert.ok(seen.includes('install 0.500 resolving: pkg39 (40 packages so far)'), seen.join('\n'));
  const four = join(tmp, 'req-four.txt');
  writeFileSync(four, 'torch\ntransformers\npeft\naccelerate\n');
  seen.length = 0;
  await setupEnvironment({ dir: join(tmp, 'env13'), basePython: FAKE, requirements: four, onProgress });
  assert.ok(seen.includes('install 0.550 installing 4 packages (torch, transformers, peft, accelerate); torch takes a while'), seen.join('\n'));

  await assert.rejects(
    setupEnvironment({ dir: join(tmp, 'env14'), basePython: FAKE, requirements: join(tmp, 'gone.txt') }),
    (e: SetupError) => e.kind === 'usage' && e.message === `the requirements file ${join(tmp, 'gone.txt')} is missing: reinstall Finetune Studio`,
  );
  assert.ok(!existsSync(join(tmp, 'env14')), 'nothing made');
});

test('exit 1 when the interpreter is too old or missing (2 when it was named with --python)', async () => {
  const old = await run({ FAKE_PY_VERSION: '3.8.10' }, '--dir', join(tmp, 'env5'), '--python', FAKE);
  assert.equal(old.code, 2);
  assert.match(old.err, /is Python 3\.8\.10: the trainer's packages need Python 3\.10 or newer/);
  const missing = await run({}, '--dir', join(tmp, 'env6'), '--python', join(tmp, 'no-such-python'));
  assert.equal(missing.code, 2);
  assert.match(
    missing.err,
    /no-such-python not found: install Python 3\.10 or newer, or name another one \(ftstudio setup --python PY, or the setting finetuneStudio\.training\.basePython\)/,
  );
  assert.ok(!existsSync(join(tmp, 'env6', 'bin')));
});

test('exit 1 when venv cannot make the environment (no ensurepip): what to install; no half-made environment left', async () => {
  const dir = join(tmp, 'env9');
  const r = await run({ FAKE_NO_ENSUREPIP: '1' }, '--dir', dir, '--python', FAKE);
  assert.equal(r.code, 1);
  assert.match(r.err, /-m venv failed: Failing command: .*; install the venv module \(Debian\/Ubuntu: sudo apt-get install python3-venv\)/);
  assert.ok(!existsSync(dir), 'the half-made environment is gone');
  const again = await run({}, '--dir', dir, '--python', FAKE);
  assert.equal(again.code, 0, again.err);
});

test('usage errors exit 2: unknown option, arguments, a folder that is not an environment', async () => {
  assert.equal((await run({}, '--fast')).code, 2);
  assert.equal((await run({}, 'extra')).code, 2);
  assert.equal((await run({}, '--dir')).code, 2);
  const busy = join(tmp, 'busy');
  mkdirSync(busy);
  writeFileSync(join(busy, 'notes.txt'), 'mine');
  const r = await run({}, '--dir', busy, '--python', FAKE);
  assert.equal(r.code, 2);
  assert.match(r.err, /busy is not empty and is not a virtual environment \(no pyvenv\.cfg\): choose a new or empty folder/);
  assert.equal(readFileSync(join(busy, 'notes.txt'), 'utf8'), 'mine');
});

test('one setup at a time per folder; a lock left by a killed setup is taken over', async () => {
  const dir = join(tmp, 'env8');
  writeFileSync(`${dir}.lock`, `${process.ppid}\n`); // a live process
  const busy = await run({}, '--dir', dir, '--python', FAKE);
  assert.equal(busy.code, 1);
  assert.match(busy.err, new RegExp(`another setup is running in ${dir} \\(process ${process.ppid}\\): wait for it to finish`));
  assert.equal(pipCalls(busy.calls), 0);
  writeFileSync(`${dir}.lock`, '2147483646\n'); // no such process
  const r = await run({}, '--dir', dir, '--python', FAKE);
  assert.equal(r.code, 0, r.err);
  assert.ok(!existsSync(`${dir}.lock`), 'released');
});

test('cancel stops pip and its process group', async () => {
  const ac = new AbortController();
  process.env.FAKE_PIP_DELAY_MS = '400';
  process.env.FAKE_PY_LOG = log;
  writeFileSync(log, '');
  const req = join(tmp, 'req-cancel.txt');
  writeFileSync(req, 'torch\ntransformers\npeft\naccelerate\n');
  try {
    let abortedAt = 0;
    const p = setupEnvironment({
      dir: join(tmp, 'env7'),
      basePython: FAKE,
      requirements: req,
      signal: ac.signal,
      onProgress: (x) => {
        if (x.phase === 'install' && /resolving/.test(x.message) && !abortedAt) {
          abortedAt = Date.now();
          ac.abort();
        }
      },
    });
    await assert.rejects(p, (e: SetupError) => e.kind === 'cancelled');
    // pip would go on for another 1.2 s of lines; SIGINT ends it at once (20 s: a generous margin on a loaded machine)
    assert.ok(abortedAt > 0 && Date.now() - abortedAt < 20_000);
    assert.doesNotMatch(readFileSync(log, 'utf8'), /import importlib/, 'no import check after a cancel');
    assert.match(readFileSync(log, 'utf8'), / -m pip install/);
  } finally {
    delete process.env.FAKE_PIP_DELAY_MS;
    delete process.env.FAKE_PY_LOG;
  }
});

test("pipFailure: the package and the line, from pip's own messages", () => {
  assert.deepEqual(
    pipFailure([
      'Collecting torch>=2.4,<3',
      'ERROR: Could not find a version that satisfies the requirement torch<3,>=2.4 (from versions: none)',
      'ERROR: No matching distribution found for torch<3,>=2.4',
    ]),
    { pkg: 'torch', line: 'ERROR: Could not find a version that satisfies the requirement torch<3,>=2.4 (from versions: none)' },
  );
  assert.deepEqual(
    pipFailure([
      'Collecting tokenizers',
      "  Building wheel for tokenizers (pyproject.toml): finished with status 'error'",
      'ERROR: Failed building wheel for tokenizers',
    ]).pkg,
    'tokenizers',
  );
  assert.deepEqual(
    pipFailure([
      'Processing /opt/wheels/torch-2.13.0-cp311-none-linux_x86_64.whl',
      'Installing collected packages: numpy, torch',
      'ERROR: Could not install packages due to an OSError: [Errno 28] No space left on device',
    ]),
    { line: 'ERROR: Could not install packages due to an OSError: [Errno 28] No space left on device' },
  );
  assert.deepEqual(
    pipFailure([
      'Collecting accelerate>=1.0',
      '  Downloading file:///opt/pypi/accelerate-1.12.0-py3-none-any.whl',
      'ERROR: THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE.',
    ]).pkg,
    'accelerate',
  );
  assert.deepEqual(pipFailure([]), { line: 'pip printed nothing' });
});

test('resolveInterpreter: finetune.json, then the user setting, then the Python extension, then the managed environment, then python3', async () => {
  const ready = join(tmp, 'env1'); // set up by the first test
  assert.ok(readyPython(ready));
  const base = { configDir: '/proj', managedDirs: [join(tmp, 'nothing'), ready] };
  assert.deepEqual(await resolveInterpreter({ ...base, configPython: '.venv/bin/python', selected: async () => '/sel/python' }), {
    python: '/proj/.venv/bin/python',
    source: 'finetune.json',
  });
  assert.deepEqual(await resolveInterpreter({ ...base, configPython: 'python3.12' }), { python: 'python3.12', source: 'finetune.json' });
  assert.deepEqual(await resolveInterpreter({ ...base, configPython: '~/envs/x/bin/python' }), {
    python: join(homedir(), 'envs/x/bin/python'),
    source: 'finetune.json',
  });
  // ~ alone is the home folder; ~ inside a name is not expanded
  assert.deepEqual(await resolveInterpreter({ ...base, configPython: '~' }), { python: homedir(), source: 'finetune.json' });
  assert.deepEqual(await resolveInterpreter({ ...base, configPython: 'envs/~/python' }), { python: '/proj/envs/~/python', source: 'finetune.json' });
  assert.deepEqual(await resolveInterpreter({ ...base, userSetting: '~/py/bin/python' }), { python: join(homedir(), 'py/bin/python'), source: 'user-setting' });
  assert.deepEqual(await resolveInterpreter({ ...base, userSetting: '/opt/~/' }), { python: '/opt/~/', source: 'user-setting' });
  assert.deepEqual(await resolveInterpreter({ ...base, selected: async () => '/sel/python' }), { python: '/sel/python', source: 'python-extension' });
  // finetuneStudio.training.python (user settings): after finetune.json, before the Python extension's selection
  assert.deepEqual(await resolveInterpreter({ ...base, userSetting: ' /opt/py/bin/python ', selected: async () => '/sel/python' }), {
    python: '/opt/py/bin/python',
    source: 'user-setting',
  });
  assert.equal((await resolveInterpreter({ ...base, configPython: 'python3.12', userSetting: '/opt/py/bin/python' })).source, 'finetune.json');
  assert.equal((await resolveInterpreter({ ...base, userSetting: '  ' })).source, 'managed-environment');
  assert.deepEqual(
    await resolveInterpreter({
      ...base,
      selected: async () => {
        throw new Error('no API');
      },
    }),
    { python: venvPython(ready), source: 'managed-environment' },
  );
  assert.deepEqual(await resolveInterpreter({ ...base, selected: async () => undefined }), { python: venvPython(ready), source: 'managed-environment' });
  // an environment whose setup never completed is not used
  assert.deepEqual(await resolveInterpreter({ configDir: '/proj', managedDirs: [join(tmp, 'env3')] }), { python: 'python3', source: 'default' });
});

test('ftstudio train: the interpreter comes from resolveInterpreter; missing packages name `ftstudio setup`', async () => {
  const proj = join(tmp, 'proj');
  mkdirSync(proj);
  writeFileSync(join(proj, 'train.jsonl'), '{"text": "a"}\n{"text": "b"}\n');
  const cfg = { method: 'sft', model: 'x/tiny-1M', data: { train: 'train.jsonl' }, adapter: { type: 'lora' } };
  const cache = join(tmp, 'xdg');
  const saved = { xdg: process.env.XDG_CACHE_HOME, cwd: process.cwd() };
  process.env.XDG_CACHE_HOME = cache;
  const train = async () => {
    const err: string[] = [];
    const code = await main(['train', '--config', join(proj, 'finetune.json')], { out: () => {}, err: (s) => err.push(s) });
    return { code, err: err.join('\n') };
  };
  try {
    // the managed environment (set up with the stand-in, which lacks the packages script): used, and named
    const envDir = join(cache, 'finetune-studio', 'venv');
    assert.equal((await run({}, '--dir', envDir, '--python', FAKE)).code, 0);
    writeFileSync(join(proj, 'finetune.json'), JSON.stringify(cfg));
    let r = await train();
    assert.equal(r.code, 1);
    assert.match(r.err, new RegExp(`^interpreter ${venvPython(envDir)} \\(the managed training environment\\)$`, 'm'));
    assert.match(r.err, /preflight BLOCK packages [^\n]*\n(?:[^\n]*\n)*? {2}→ run `ftstudio setup`: it makes the training environment in one step/);
    // the last lines: what ended the run, and what to do
    assert.match(r.err, /^ftstudio: failed: preflight: [^\n]*\n {2}hint: Fix the blocking checks, or override them \(--force \/ the confirmation\)/m);
    // "python" in finetune.json wins, relative to the file
    writeFileSync(join(proj, 'finetune.json'), JSON.stringify({ ...cfg, python: './py/bin/python' }));
    r = await train();
    assert.match(r.err, new RegExp(`^interpreter ${join(proj, 'py/bin/python')} \\("python" in finetune\\.json\\)$`, 'm'));
    assert.match(r.err, /→ install them into that interpreter, or drop "python" from finetune\.json and run `ftstudio setup`/);
  } finally {
    if (saved.xdg === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = saved.xdg;
  }
});

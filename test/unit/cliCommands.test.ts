// CLI commands and paths the other suites leave out: held-out leaks, review-status's exit 0, `codes`,
// --max-tokens, --workers, finetune.json found from the working directory, files that cannot be read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main';
import { ALL_CODES, CODES } from '../../src/core/checks/codes';
import { indexFile } from '../../src/core/records/recordIndex';
import { appendEvent, reviewPaths, writeManifest } from '../../src/core/review/reviewStore';
import { defaultThreads, PARALLEL_THRESHOLD, threadsFor } from '../../src/core/validation/validateFile';

const dir = mkdtempSync(join(tmpdir(), 'ftstudio-cli-paths-'));
const row = (i: number) => JSON.stringify({ prompt: `You are a tutor. Question ${i}?`, completion: `Answer ${i}.` });

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** Run with the working directory set to `cwd` (the CLI looks for finetune.json and .finetune/ from there). */
async function runIn(cwd: string, ...argv: string[]) {
  const before = process.cwd();
  process.chdir(cwd);
  try {
    return await run(...argv);
  } finally {
    process.chdir(before);
  }
}

test('validate reports a held-out record that is also in its training file (heldout-leak, exit 1)', async () => {
  const d = join(dir, 'leak');
  mkdirSync(d);
  writeFileSync(join(d, 'qa.train.jsonl'), [row(1), row(2), row(3)].join('\n') + '\n');
  writeFileSync(join(d, 'qa.heldout.jsonl'), [row(4), row(2)].join('\n') + '\n');
  const r = await run('validate', join(d, 'qa.heldout.jsonl'));
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, /qa\.heldout\.jsonl:2:1: error heldout-leak This held-out record is also in qa\.train\.jsonl \(line 2\)/);
  const j = JSON.parse((await run('validate', '--json', join(d, 'qa.heldout.jsonl'))).out);
  assert.deepEqual(
    j.files[0].diagnostics.map((x: { line: number; code: string }) => `${x.line}:${x.code}`),
    ['2:heldout-leak'],
  );
  // without the overlap: clean, exit 0 (a held-out set is small by design: no few-records)
  writeFileSync(join(d, 'qa.heldout.jsonl'), row(4) + '\n');
  assert.equal((await run('validate', join(d, 'qa.heldout.jsonl'))).code, 0);
});

test('review-status exits 0 when the gate passed, 1 while incomplete or failed', async () => {
  const d = join(dir, 'review');
  mkdirSync(d);
  const data = join(d, 'data.jsonl');
  writeFileSync(data, Array.from({ length: 40 }, (_, i) => row(i)).join('\n') + '\n');
  writeFileSync(join(d, 'finetune.json'), '{}'); // the workspace root, found from a folder below it
  mkdirSync(join(d, 'sub'));
  const refs = await indexFile(data);
  const paths = reviewPaths(d, data);
  mkdirSync(join(d, '.finetune', 'reviews'), { recursive: true });
  const sample = refs.slice(0, 10);
  writeManifest(paths.manifest, { v: 1, dataset: 'data.jsonl', fraction: 0.25, seed: 0, createdAt: '', records: sample });
  const decide = (r: (typeof refs)[number], decision: 'pass' | 'fail') =>
    appendEvent(paths.log, { v: 1, kind: 'decision', id: r.id, line: r.line, seed: 0, reviewer: 'ana', time: '', decision });
  for (const r of sample.slice(0, 9)) decide(r, 'pass');
  let s = await runIn(join(d, 'sub'), 'review-status', '--json', data);
  assert.equal(s.code, 1, s.out);
  assert.equal(JSON.parse(s.out).gate, 'incomplete');
  decide(sample[9]!, 'pass');
  s = await runIn(join(d, 'sub'), 'review-status', '--json', data);
  assert.deepEqual(JSON.parse(s.out), { sampled: 10, reviewed: 10, passed: 10, failed: 0, passRate: 1, gate: 'passed' });
  assert.equal(s.code, 0);
  s = await runIn(join(d, 'sub'), 'review-status', data);
  assert.equal(s.code, 0);
  assert.match(s.out, /10\/10 reviewed, 10 passed, 0 failed \(pass rate 100\.0%\); gate passed$/);
  decide(sample[9]!, 'fail'); // 90% passes the default 0.9 gate; a higher threshold fails it
  assert.equal((await runIn(d, 'review-status', data)).code, 0);
  const failed = await runIn(d, 'review-status', '--threshold', '0.95', '--json', data);
  assert.equal(failed.code, 1);
  assert.equal(JSON.parse(failed.out).gate, 'failed');
});

test('ftstudio codes prints every code of the table once, with its severity and summary', async () => {
  const r = await run('codes');
  assert.equal(r.code, 0);
  const lines = r.out.split('\n');
  assert.equal(lines.length, ALL_CODES.length);
  for (const [i, code] of ALL_CODES.entries()) {
    const [name, severity, ...summary] = lines[i]!.split(/\s+/);
    assert.deepEqual([name, severity, summary.join(' ')], [code, CODES[code].severity, CODES[code].summary]);
  }
});

test('--max-tokens sets the length limit (4 characters a token); it must be a number ≥ 1', async () => {
  const f = join(dir, 'long.jsonl');
  writeFileSync(f, JSON.stringify({ text: 'x'.repeat(500) }) + '\n');
  const tooLong = async (...flags: string[]) =>
    JSON.parse((await run('validate', '--json', '--min-records', '0', ...flags, f)).out).files[0].diagnostics.map((d: { code: string }) => d.code);
  assert.deepEqual(await tooLong('--max-tokens', '100'), ['too-long']);
  assert.deepEqual(await tooLong('--max-tokens=200'), []);
  assert.deepEqual(await tooLong(), []); // 4096 by default
  for (const bad of ['0', 'ten', '-5']) {
    const r = await run('validate', '--max-tokens', bad, f);
    assert.equal(r.code, 2, bad);
    assert.match(r.err, /--max-tokens must be a number ≥ 1/);
  }
});

test('finetune.json is found from the working directory up: its maxSeqLength and format apply; flags win', async () => {
  const project = join(dir, 'project');
  mkdirSync(join(project, 'data', 'deep'), { recursive: true });
  writeFileSync(join(project, 'finetune.json'), JSON.stringify({ data: { format: 'prompt-completion' }, training: { maxSeqLength: 50 } }));
  const f = join(project, 'data', 'deep', 'set.jsonl');
  // 300 characters: over 50 tokens, under the default 4096; a text record: not prompt-completion
  writeFileSync(f, [JSON.stringify({ prompt: 'p'.repeat(300), completion: 'c' }), JSON.stringify({ text: 'hello' })].join('\n') + '\n');
  const codesIn = async (cwd: string, ...flags: string[]) => {
    const r = await runIn(cwd, 'validate', '--json', '--min-records', '0', ...flags, f);
    return JSON.parse(r.out).files[0].diagnostics.map((d: { line: number; code: string }) => `${d.line}:${d.code}`);
  };
  const fromProject = await codesIn(join(project, 'data', 'deep'));
  assert.ok(fromProject.includes('1:too-long'), JSON.stringify(fromProject));
  assert.ok(
    fromProject.some((c: string) => c.startsWith('2:') && c !== '2:format-mismatch'),
    `the forced format flags the text record as a schema problem: ${JSON.stringify(fromProject)}`,
  );
  assert.deepEqual(
    await codesIn(join(project, 'data', 'deep'), '--max-tokens', '4096', '--format', 'prompt-completion'),
    fromProject.filter((c: string) => c !== '1:too-long'),
  );
  // outside the project: defaults (auto-detected format, 4096 tokens)
  const outside = mkdtempSync(join(tmpdir(), 'ftstudio-no-project-'));
  assert.ok(!(await codesIn(outside)).includes('1:too-long'));
  // a broken finetune.json: a warning naming it, validation goes on with the defaults
  writeFileSync(join(project, 'finetune.json'), '{"training": ');
  const r = await runIn(project, 'validate', '--min-records', '0', f);
  assert.match(r.err, /warning: .*finetune\.json: /);
  assert.ok(r.code === 0 || r.code === 1);
});

test('--workers N shares a large file among N threads (this one and N - 1 workers) with the same result; by default the cores, at most 4; a bad N is a usage error', async () => {
  const f = join(dir, 'large.jsonl');
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size <= PARALLEL_THRESHOLD + 4096; i++) {
    const l =
      i % 5000 === 17
        ? '{"prompt": "broken",'
        : JSON.stringify({ prompt: `You are a tutor. Explain topic ${i % 40_000} in detail, please.`, completion: `Here is topic ${i}.` });
    lines.push(l);
    size += l.length + 1;
  }
  writeFileSync(f, lines.join('\n') + '\n');
  // count the worker threads the CLI starts (the builtin module's exports object, which the CLI's import reads)
  const workerThreads = require('node:worker_threads') as typeof import('node:worker_threads');
  const Original = workerThreads.Worker;
  let started = 0;
  const counting = class extends Original {
    constructor(...args: ConstructorParameters<typeof Original>) {
      super(...args);
      started++;
    }
  };
  workerThreads.Worker = counting;
  try {
    const one = await run('validate', '--json', '--workers', '1', f);
    assert.equal(started, 0, 'one thread: validated on this one');
    const two = await run('validate', '--json', '--workers', '2', f);
    assert.equal(started, 1, 'two threads: this one and one worker');
    assert.equal(two.code, one.code);
    assert.equal(two.out, one.out);
    const three = await run('validate', '--json', '--workers', '3', f);
    assert.equal(started - 1, 2, 'three threads: two workers');
    assert.equal(three.out, one.out);
    started = 0;
    const byDefault = await run('validate', '--json', f);
    assert.equal(started, defaultThreads() - 1, `the default: ${defaultThreads()} threads`);
    // the default leaves a core to V8's background threads: one thread on 1 or 2 cores, at most four
    assert.deepEqual([1, 2, 3, 4, 5, 16].map(threadsFor), [1, 1, 2, 3, 4, 4]);
    assert.equal(byDefault.out, one.out);
    assert.equal(JSON.parse(one.out).files[0].records, lines.length);
  } finally {
    workerThreads.Worker = Original;
  }
  for (const bad of ['-1', 'many']) {
    const r = await run('validate', '--workers', bad, f);
    assert.equal(r.code, 2, bad);
    assert.match(r.err, /--workers must be a number ≥ 0/);
  }
});

test('a file that cannot be read (a symlink loop; no permission, also when running as root): exit 2, one line naming it', async () => {
  const loop = join(dir, 'loop.jsonl');
  symlinkSync(loop, loop);
  const r = await run('validate', loop);
  assert.equal(r.code, 2);
  assert.match(r.err, /^ftstudio: cannot read .*loop\.jsonl: .*ELOOP/);
  assert.equal(r.err.split('\n').length, 1);
  // no read permission: root bypasses file modes, so when running as root the check runs as "nobody"
  // (the effective user only, given back right after)
  const locked = join(dir, 'locked.jsonl');
  writeFileSync(locked, row(1) + '\n');
  chmodSync(locked, 0o200);
  chmodSync(dir, 0o755);
  const root = process.getuid?.() === 0;
  if (root) process.seteuid!(65534);
  let denied;
  try {
    denied = await run('validate', locked);
  } finally {
    if (root) process.seteuid!(0);
  }
  assert.equal(denied.code, 2, denied.err);
  assert.equal(denied.err, `ftstudio: cannot read ${locked}: permission denied`);
  assert.equal(readFileSync(locked, 'utf8'), row(1) + '\n', 'the file itself is untouched');
});

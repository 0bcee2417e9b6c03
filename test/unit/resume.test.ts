// Resuming a run (core/training/resume.ts, train({ resume }), ftstudio train --resume) with a stand-in for the
// bundled trainer's interpreter that keeps its checkpoint contract (test/fixtures/fake-bundled-trainer.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadConfig } from '../../src/core/training/config';
import { parseEventLine, RunProgress } from '../../src/core/training/progress';
import { findResumable, lastCheckpoint, resumableRuns, resumeConfig } from '../../src/core/training/resume';
import { train } from '../../src/core/training/train';
import type { RunRecord } from '../../src/core/training/runRecord';

const FAKE = join(__dirname, '../fixtures/fake-bundled-trainer.mjs');
const STANDIN = join(__dirname, '../fixtures/standin-trainer.mjs');

function project(training: Record<string, unknown> = {}, method = 'sft') {
  const dir = mkdtempSync(join(tmpdir(), 'ftstudio-resume-'));
  const rows = Array.from({ length: 20 }, (_, i) =>
    JSON.stringify(method === 'dpo' ? { prompt: `Q${i}?`, chosen: `Good ${i}.`, rejected: `Bad ${i}.` } : { prompt: `Q${i}?`, completion: `A${i}.` }),
  );
  writeFileSync(join(dir, 'data.jsonl'), rows.join('\n') + '\n');
  writeFileSync(
    join(dir, 'finetune.json'),
    JSON.stringify({ method, model: 'tiny', data: { train: 'data.jsonl' }, training: { maxSteps: 12, saveSteps: 5, learningRate: 1e-3, ...training } }),
  );
  return dir;
}

const record = (runDir: string): RunRecord => JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8'));
const events = (runDir: string) =>
  readFileSync(join(runDir, 'events.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

async function start(dir: string, env: Record<string, string> = {}, resume = false) {
  Object.assign(process.env, env);
  try {
    const found = resume ? findResumable(dir) : undefined;
    if (found && 'error' in found) throw new Error(found.error);
    const run = found && 'run' in found ? found.run : undefined;
    const config = run ? resumeConfig(run, join(dir, 'finetune.json')) : loadConfig(join(dir, 'finetune.json'));
    return await train({ config, workspaceRoot: dir, python: FAKE, trainerDir: dir, force: true, resume: run });
  } finally {
    for (const k of Object.keys(env)) delete process.env[k];
  }
}

test('a crashed run resumes from its last checkpoint: the same run folder and schedule, run.json records the resume', async () => {
  const dir = project();
  assert.match((findResumable(dir) as { error: string }).error, /no runs in .* yet/);
  const first = await (await start(dir, { FAKE_DIE_AT: '7' })).result;
  assert.equal(first.status, 'failed');
  const runDir = first.runDir!;
  const config0 = readFileSync(join(runDir, 'trainer-config.json'), 'utf8');
  const found = findResumable(dir);
  assert.ok('run' in found, JSON.stringify(found));
  assert.equal(found.run.runDir, runDir);
  assert.equal(found.run.state, 'failed');
  assert.deepEqual(found.run.checkpoint, { path: join(runDir, 'output', 'checkpoint-5'), step: 5 });
  // finetune.json changes after the run: the resumed run keeps its own schedule
  writeFileSync(
    join(dir, 'finetune.json'),
    JSON.stringify({ method: 'sft', model: 'tiny', data: { train: 'data.jsonl' }, training: { maxSteps: 99, saveSteps: 5 } }),
  );
  const seen: number[] = [];
  const run = await start(dir, {}, true);
  const r = await run.result;
  assert.equal(r.status, 'completed', JSON.stringify(r.error ?? r.preflight));
  assert.equal(r.runDir, runDir);
  assert.equal(r.step, 12);
  assert.equal(r.totalSteps, 12);
  seen.push(...r.preflight.filter((c) => c.id === 'output').map((c) => (c.status === 'pass' ? 1 : 0)));
  assert.deepEqual(seen, [1], 'the non-empty output folder of a resume is expected: no override');
  assert.match(r.preflight.find((c) => c.id === 'output')!.message, /resuming from checkpoint-5 \(step 5\)/);
  assert.equal(readFileSync(join(runDir, 'trainer-config.json'), 'utf8'), config0, 'trainer-config.json is the one the run started with');
  const rec = record(runDir);
  assert.equal(rec.status, 'completed');
  assert.equal(rec.pid, undefined);
  assert.equal(rec.resumes?.length, 1);
  assert.equal(rec.resumes![0]!.resumedFrom, join(runDir, 'output', 'checkpoint-5'));
  assert.equal(rec.resumes![0]!.step, 5);
  assert.equal(rec.resumes![0]!.status, 'completed');
  assert.ok(rec.startedAt < rec.resumes![0]!.startedAt && rec.resumes![0]!.startedAt <= rec.resumes![0]!.endedAt!);
  assert.ok(existsSync(join(runDir, 'output', 'adapter_config.json')));
  // events.jsonl holds both parts; folded, steps 6 and 7 of the first part give way to the resumed ones
  const all = events(runDir);
  assert.deepEqual(
    all.filter((e) => e.event === 'start').map((e) => e.step),
    [0, 5],
  );
  const p = new RunProgress();
  for (const e of all) p.apply(parseEventLine(JSON.stringify(e))!);
  assert.deepEqual(
    p.losses.map((x) => x.step),
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
  );
  assert.match((findResumable(dir) as { error: string }).error, /none of the 1 runs .* can be resumed/);
  assert.match((findResumable(dir, runDir) as { error: string }).error, /completed: there is nothing to resume/);
});

test('a stopped run is the default pick; an interrupted one (its trainer gone) is resumable; changed data blocks the resume', async () => {
  const dir = project({ maxSteps: 400, saveSteps: 1000 });
  const run = await start(dir, { FAKE_STEP_MS: '20' });
  const runsRoot = join(dir, '.finetune', 'runs');
  // the last step in a run's events: the given run, else the only run there is yet (run ids sort by
  // second only: a run started in the same second as another may sort before it)
  const stepOf = (runDir?: string) => {
    const id = runDir ?? (existsSync(runsRoot) ? readdirSync(runsRoot)[0] : undefined);
    const d = id ? join(runsRoot, id) : undefined;
    return d && existsSync(join(d, 'events.jsonl')) ? Math.max(0, ...events(d).map((e) => e.step ?? 0)) : 0;
  };
  for (const t0 = Date.now(); stepOf() < 3 && Date.now() - t0 < 20_000;) await new Promise((r) => setTimeout(r, 20));
  // while it runs it is not resumable: its run.json says running and its trainer is alive
  const live = findResumable(dir);
  assert.ok('error' in live && /none of the 1 runs/.test(live.error), JSON.stringify(live));
  await run.cancel();
  const stopped = await run.result;
  assert.equal(stopped.status, 'cancelled');
  const cp = lastCheckpoint(join(stopped.runDir!, 'output'))!;
  assert.ok(cp.step >= 3, 'the trainer saved where it stopped');
  assert.ok(existsSync(join(stopped.runDir!, 'STOP')), 'Stop left its stop file');
  // a second run that never saved: not resumable, and not the default
  const other = await (await start(dir, { FAKE_DIE_AT: '1' })).result;
  assert.equal(other.status, 'failed');
  assert.match((findResumable(dir, other.runDir) as { error: string }).error, /has no checkpoint in .*output/);
  const pick = findResumable(dir);
  assert.ok('run' in pick);
  assert.equal(pick.run.runDir, stopped.runDir);
  assert.equal(pick.run.state, 'cancelled');
  // interrupted: run.json still says running, but the process is gone
  const rec = record(stopped.runDir!);
  writeFileSync(join(stopped.runDir!, 'run.json'), JSON.stringify({ ...rec, status: 'running', pid: 2 ** 22 + 12345 }));
  assert.equal(resumableRuns(dir)[0]!.state, 'interrupted');
  // resumed, it runs on past the step it was stopped at (the old stop file would stop it again at once)
  const resumed = await start(dir, { FAKE_STEP_MS: '20' }, true);
  const resumedStep = () => stepOf(basename(stopped.runDir!));
  for (const t0 = Date.now(); resumedStep() < cp.step + 5 && Date.now() - t0 < 20_000;) await new Promise((r) => setTimeout(r, 20));
  assert.ok(resumedStep() >= cp.step + 5, `resumed at ${cp.step}, now at ${resumedStep()}`);
  await resumed.cancel();
  assert.equal((await resumed.result).status, 'cancelled');
  // the data changed since: the resume is blocked (the run would continue on other data)
  writeFileSync(join(dir, 'data.jsonl'), JSON.stringify({ prompt: 'new?', completion: 'new.' }) + '\n');
  const found = findResumable(dir);
  assert.ok('run' in found);
  const blocked = await (
    await train({ config: resumeConfig(found.run, join(dir, 'finetune.json')), workspaceRoot: dir, python: FAKE, trainerDir: dir, resume: found.run })
  ).result;
  assert.equal(blocked.status, 'failed');
  assert.match(blocked.error!.message, /data\.jsonl changed since the run started/);
});

test("a run of the user's own trainer.command is not resumed by us: the message says how", async () => {
  const dir = project();
  const cfg = JSON.parse(readFileSync(join(dir, 'finetune.json'), 'utf8'));
  writeFileSync(join(dir, 'finetune.json'), JSON.stringify({ ...cfg, trainer: { command: [process.execPath, STANDIN] } }));
  process.env.STANDIN_STEPS = '3';
  process.env.STANDIN_FAIL = 'oom';
  try {
    const r = await (await train({ config: loadConfig(join(dir, 'finetune.json')), workspaceRoot: dir, python: FAKE, trainerDir: dir, force: true })).result;
    assert.equal(r.status, 'failed');
    assert.match((findResumable(dir, r.runDir) as { error: string }).error, /trainer\.command: resume works with the bundled trainer's checkpoints/);
    assert.match((findResumable(dir, join(dir, 'nope')) as { error: string }).error, /is not a run folder \(no run\.json\)/);
  } finally {
    delete process.env.STANDIN_STEPS;
    delete process.env.STANDIN_FAIL;
  }
});

test('ftstudio train --resume: nothing to resume is a clear message; then it continues the run', async () => {
  const dir = project({ maxSteps: 8, saveSteps: 3 }, 'dpo');
  const cfg = JSON.parse(readFileSync(join(dir, 'finetune.json'), 'utf8'));
  writeFileSync(join(dir, 'finetune.json'), JSON.stringify({ ...cfg, python: FAKE }));
  const tsx = pathToFileURL(join(__dirname, '../../node_modules/tsx/dist/loader.mjs')).href;
  const cli = (args: string[], env: Record<string, string> = {}) =>
    new Promise<{ code: number | null; out: string; err: string }>((res) => {
      const p = spawn(process.execPath, ['--import', tsx, join(__dirname, '../../src/cli/main.ts'), 'train', ...args], {
        cwd: dir,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      p.stdout.on('data', (d) => (out += d));
      p.stderr.on('data', (d) => (err += d));
      p.on('close', (code) => res({ code, out, err }));
    });
  const none = await cli(['--resume']);
  assert.equal(none.code, 1);
  assert.match(none.err, /ftstudio: nothing to resume: no runs in .*\.finetune\/runs yet/);
  const crashed = await cli(['--force', '--json'], { FAKE_DIE_AT: '5' });
  assert.equal(crashed.code, 1, crashed.err);
  const runDir = JSON.parse(crashed.out.trim().split('\n').pop()!).runDir;
  const resumed = await cli(['--resume', runDir, '--force', '--json']);
  assert.equal(resumed.code, 0, resumed.err);
  assert.match(resumed.err, /resuming run \S+ \(failed\) from .*checkpoint-3, step 3/);
  assert.match(resumed.err, /preflight pass  output +resuming from checkpoint-3/);
  const last = JSON.parse(resumed.out.trim().split('\n').pop()!);
  assert.equal(last.status, 'completed');
  assert.equal(last.runDir, runDir);
  assert.equal(last.step, 8);
  // DPO rewards reach run.json
  const rec = record(runDir);
  assert.deepEqual(rec.result?.metrics, { 'rewards/chosen': 0.08, 'rewards/rejected': -0.08, 'rewards/margins': 0.16, 'rewards/accuracies': 1 });
  const usage = await cli(['some-dir']);
  assert.equal(usage.code, 2);
  assert.match(usage.err, /unexpected argument some-dir \(a run folder goes after --resume\)/);
});

/** A run folder in a workspace with a run.json (bundled, failed unless told), trainer-config.json and checkpoints. */
function runFolder(root: string, runId: string, extra: Partial<RunRecord> = {}, o: { trainerConfig?: boolean; checkpoints?: string[] } = {}) {
  const runDir = join(root, '.finetune', 'runs', runId);
  mkdirSync(join(runDir, 'output'), { recursive: true });
  const rec = { v: 1, runId, status: 'failed', startedAt: '2026-11-30T10:00:00Z', config: {}, trainer: 'bundled', overrides: [], preflight: [], ...extra };
  writeFileSync(join(runDir, 'run.json'), JSON.stringify(rec));
  if (o.trainerConfig ?? true) writeFileSync(join(runDir, 'trainer-config.json'), '{}');
  for (const cp of o.checkpoints ?? ['checkpoint-4']) {
    mkdirSync(join(runDir, 'output', cp), { recursive: true });
    writeFileSync(join(runDir, 'output', cp, 'state.json'), '{}');
  }
  return runDir;
}

test('lastCheckpoint: the highest complete checkpoint-N (numerically), none without state.json or in another name', () => {
  const root = mkdtempSync(join(tmpdir(), 'ftstudio-lastcp-'));
  try {
    assert.equal(lastCheckpoint(join(root, 'absent')), undefined);
    const out = join(root, 'out');
    for (const d of ['checkpoint-2', 'checkpoint-10', 'checkpoint-11', 'checkpoint-99-tmp', 'xcheckpoint-50', 'checkpoint-x'])
      mkdirSync(join(out, d), { recursive: true });
    assert.equal(lastCheckpoint(out), undefined, 'no state.json anywhere');
    for (const d of ['checkpoint-2', 'checkpoint-10', 'checkpoint-99-tmp', 'xcheckpoint-50']) writeFileSync(join(out, d, 'state.json'), '{}');
    // checkpoint-11 is being written (no state.json yet); 10 > 2 as numbers
    assert.deepEqual(lastCheckpoint(out), { path: join(out, 'checkpoint-10'), step: 10 });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('findResumable: why a named run cannot be resumed, in words; the state of one that can', () => {
  const root = mkdtempSync(join(tmpdir(), 'ftstudio-why-'));
  try {
    const runs = join(root, '.finetune', 'runs');
    const err = (runDir: string, isActive?: (d: string) => boolean) => (findResumable(root, runDir, isActive) as { error: string }).error;
    assert.equal(err(join(root, 'nope')), `${join(root, 'nope')} is not a run folder (no run.json): runs live in ${runs}`);
    const broken = join(runs, 'broken');
    mkdirSync(broken, { recursive: true });
    writeFileSync(join(broken, 'run.json'), '{"runId": ');
    assert.match(err(broken), new RegExp(`^${join(broken, 'run.json').replace(/[.]/g, '\\.')}: not valid JSON \\(.+\\)$`));
    const gate = runFolder(root, 'g1', { status: 'stopped-by-gate' });
    assert.equal(
      err(gate),
      'run g1 was stopped by its evaluation gate (the gate failed): resuming would train past the regression; use its best checkpoint or start a new run',
    );
    const live = runFolder(root, 'live', { status: 'running', pid: process.pid });
    assert.equal(err(live), `run live is still running (process ${process.pid}): stop it first`);
    const active = runFolder(root, 'active', { status: 'failed' });
    assert.equal(
      err(active, (d) => d === active),
      'run active is still running: stop it first',
    );
    const noConfig = runFolder(root, 'nocfg', {}, { trainerConfig: false });
    assert.equal(
      err(noConfig),
      `run nocfg has no trainer-config.json in ${noConfig}: without it the trainer cannot continue the same schedule; start a new run`,
    );
    const noCp = runFolder(root, 'nocp', {}, { checkpoints: [] });
    assert.equal(
      err(noCp),
      `run nocp has no checkpoint in ${join(noCp, 'output')}: the trainer saves one every saveSteps steps and when it is stopped; a run that failed before its first one has to start again`,
    );
    // the states of runs that can be resumed: running with no live trainer is interrupted
    const states = (extra: Partial<RunRecord>) => {
      const d = runFolder(root, `s-${Object.values(extra).join('-')}`, extra);
      const found = findResumable(root, d);
      assert.ok('run' in found, JSON.stringify(found));
      return found.run.state;
    };
    assert.equal(states({ status: 'failed' }), 'failed');
    assert.equal(states({ status: 'cancelled' }), 'cancelled');
    assert.equal(states({ status: 'running' }), 'interrupted');
    assert.equal(states({ status: 'running', pid: 2 ** 22 + 4321 }), 'interrupted');
    const ok = findResumable(root, active);
    assert.ok('run' in ok);
    assert.deepEqual(ok.run.checkpoint, { path: join(active, 'output', 'checkpoint-4'), step: 4 });
    assert.equal(ok.run.runDir, active);
    assert.equal(ok.run.record.runId, 'active');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('findResumable without a run: the newest resumable one, else why none; resumableRuns leaves out the active ones', () => {
  const root = mkdtempSync(join(tmpdir(), 'ftstudio-pick-'));
  try {
    const runs = join(root, '.finetune', 'runs');
    assert.deepEqual(findResumable(root), { error: `no runs in ${runs} yet: start one ("Finetune Studio: Start Fine-tune" or ftstudio train)` });
    runFolder(root, 'done', { status: 'completed', startedAt: '2026-11-30T12:00:00Z' });
    runFolder(root, 'early', { status: 'failed', startedAt: '2026-11-30T10:00:00Z' }, { checkpoints: [] });
    assert.deepEqual(findResumable(root), {
      error: `none of the 2 runs in ${runs} can be resumed: a resumable run was stopped, failed or interrupted after the bundled trainer saved a checkpoint (every saveSteps steps, and when it is stopped)`,
    });
    const older = runFolder(root, 'older', { status: 'cancelled', startedAt: '2026-11-30T08:00:00Z' });
    const newer = runFolder(root, 'newer', { status: 'failed', startedAt: '2026-11-30T09:00:00Z' });
    assert.deepEqual(
      resumableRuns(root).map((r) => r.record.runId),
      ['newer', 'older'],
    );
    const pick = findResumable(root);
    assert.ok('run' in pick);
    assert.equal(pick.run.runDir, newer);
    // the newer one is running in this process: the older one is the pick
    const pick2 = findResumable(root, undefined, (d) => d === newer);
    assert.ok('run' in pick2);
    assert.equal(pick2.run.runDir, older);
    assert.deepEqual(
      resumableRuns(root, (d) => d === newer).map((r) => r.record.runId),
      ['older'],
    );
    // the config a resume continues with: the run's own, at the finetune.json given
    const cfg = resumeConfig(
      { ...pick.run, record: { ...pick.run.record, config: { method: 'sft', model: 'm', path: '/old/finetune.json', dir: '/old' } } },
      join(root, 'finetune.json'),
    );
    assert.deepEqual(cfg, { method: 'sft', model: 'm', path: join(root, 'finetune.json'), dir: root });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

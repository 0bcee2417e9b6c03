// finetune.json's eval block (schema, defaults, paths) and the preflight line about the golden set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/core/training/config';
import { evalPreflight, NO_GOLDEN_MESSAGE } from '../../src/core/training/evalPreflight';
import { trainerConfig } from '../../src/core/training/train';

const dir = mkdtempSync(join(tmpdir(), 'ftstudio-evalcfg-'));
const base = { method: 'sft', model: 'm', data: { train: 'train.jsonl' } };
const config = (extra: object, name = 'finetune.json') => {
  const p = join(dir, name);
  writeFileSync(p, JSON.stringify({ ...base, ...extra }));
  return loadConfig(p);
};

test('the eval block: defaults filled in, paths made absolute', () => {
  assert.equal(config({}).eval, undefined);
  const c = config({ eval: { golden: 'golden.jsonl', heldout: { metric: 'token_f1' }, safety: 'sets/safety.jsonl', refusalPatterns: ['^nope'] } });
  assert.deepEqual(c.eval, {
    golden: join(dir, 'golden.jsonl'),
    heldout: { metric: 'token_f1', maxRecords: 200, schema: undefined },
    safety: join(dir, 'sets/safety.jsonl'),
    every: 'checkpoint',
    maxNewTokens: 256,
    stopOnRegression: { maxDropPoints: 5, mustPassFlip: true },
    maxSafetyDeltaPoints: 2,
    refusalPatterns: ['^nope'],
  });
  assert.deepEqual(config({ eval: { stopOnRegression: { maxDropPoints: 10 } } }).eval?.stopOnRegression, { maxDropPoints: 10, mustPassFlip: true });
});

test('the eval block is checked by the schema', () => {
  for (const bad of [{ heldout: { metric: 'bleu' } }, { heldout: {} }, { goldn: 'x' }, { stopOnRegression: { maxDropPoints: -1 } }, { refusalPatterns: 'x' }]) {
    assert.throws(() => config({ eval: bad }), ConfigError, JSON.stringify(bad));
  }
});

test('preflight warns without eval.golden, blocks on a missing or broken one, passes a valid one', () => {
  const none = evalPreflight(config({}));
  assert.deepEqual(none, { id: 'eval', status: 'warn', message: NO_GOLDEN_MESSAGE });
  assert.match(none.message, /without defined task metrics you don't have a fine-tuning project yet/);
  assert.match(evalPreflight(config({ data: { train: 't.jsonl', golden: 'g.jsonl' } })).message, /data\.golden names .*g\.jsonl: move it to eval\.golden/);
  assert.equal(evalPreflight(config({ eval: { golden: 'absent.jsonl' } })).status, 'block');
  writeFileSync(join(dir, 'broken.jsonl'), '{"id": "a", "prompt": "p", "assert": [{"type": "regex", "value": "("}]}\n');
  const broken = evalPreflight(config({ eval: { golden: 'broken.jsonl' } }));
  assert.equal(broken.status, 'block');
  assert.match(broken.message, /broken\.jsonl:1:\d+: invalid-regex/);
  writeFileSync(
    join(dir, 'good.jsonl'),
    '{"id": "a", "prompt": "p", "assert": [{"type": "contains", "value": "x"}], "mustPass": true}\n{"id": "b", "prompt": "q", "assert": [{"type": "is-json"}]}\n',
  );
  assert.deepEqual(evalPreflight(config({ eval: { golden: 'good.jsonl' } })), { id: 'eval', status: 'pass', message: 'golden set: 2 items, 1 mustPass' });
});

test('the training preflight includes the eval line', async () => {
  const { preflight } = await import('../../src/core/training/preflight');
  const checks = await preflight({
    config: config({}),
    workspaceRoot: dir,
    python: 'python3',
    outputDir: join(dir, 'out'),
    run: async () => ({ code: 127, stdout: '', stderr: '' }),
  });
  assert.deepEqual(
    checks.filter((c) => c.id === 'eval'),
    [{ id: 'eval', status: 'warn', message: NO_GOLDEN_MESSAGE }],
  );
});

test('trainer-config.json hands the eval block to the bundled trainer (gates.py reads these camelCase keys), null without one', () => {
  const c = config({ eval: { golden: 'golden.jsonl', stopOnRegression: { maxDropPoints: 3, mustPassFlip: false }, maxSafetyDeltaPoints: 1 } });
  const t = trainerConfig(c, join(dir, 'out'), join(dir, 'events.jsonl'));
  assert.deepEqual(JSON.parse(JSON.stringify(t.eval)), {
    golden: join(dir, 'golden.jsonl'),
    every: 'checkpoint',
    maxNewTokens: 256,
    stopOnRegression: { maxDropPoints: 3, mustPassFlip: false },
    maxSafetyDeltaPoints: 1,
    refusalPatterns: [],
  });
  assert.equal(t.output, join(dir, 'out'));
  assert.equal(trainerConfig(config({}), 'o', 'e').eval, null);
});

test('refusalPatternsOf (ftstudio score): a list of strings is used; anything else is a problem naming the file, not a crash', async () => {
  const { refusalPatternsOf } = await import('../../src/core/eval/evalConfig');
  const dir = mkdtempSync(join(tmpdir(), 'refusal-patterns-'));
  const at = (raw: unknown) => {
    const p = join(dir, `finetune-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(p, JSON.stringify(raw));
    return p;
  };
  assert.deepEqual(refusalPatternsOf(at({ eval: { refusalPatterns: ['^nope', 'never'] } })), { patterns: ['^nope', 'never'] });
  assert.deepEqual(refusalPatternsOf(at({ eval: {} })), { patterns: [] });
  assert.deepEqual(refusalPatternsOf(undefined), { patterns: [] });
  for (const bad of ['^nope', ['^nope', 3], [null]]) {
    const p = at({ eval: { refusalPatterns: bad } });
    const r = refusalPatternsOf(p);
    assert.deepEqual(r.patterns, [], JSON.stringify(bad));
    assert.equal(r.problem, `${p}: eval.refusalPatterns must be a list of strings; not used`);
  }
});

test('an eval input that is a directory is named as one', async () => {
  const { loadGoldenSet, EvalInputError } = await import('../../src/core/eval/evalFiles');
  const dir = mkdtempSync(join(tmpdir(), 'eval-dir-'));
  assert.throws(
    () => loadGoldenSet(dir),
    (e: Error) => e instanceof EvalInputError && /^cannot read .*: it is a directory$/.test(e.message),
  );
  assert.throws(
    () => loadGoldenSet(join(dir, 'missing.jsonl')),
    (e: Error) => e instanceof EvalInputError && /^cannot read .*missing\.jsonl: no such file$/.test(e.message),
  );
});

test('refusalPatternsOf: a finetune.json that is not JSON is a problem naming the file, with no patterns', async () => {
  // pins: unreadable JSON gives an empty pattern list plus "<path>: not valid JSON (...); its eval.refusalPatterns are not used"
  const { refusalPatternsOf } = await import('../../src/core/eval/evalConfig');
  const p = join(mkdtempSync(join(tmpdir(), 'refusal-badjson-')), 'finetune.json');
  writeFileSync(p, '{ "eval": ');
  const r = refusalPatternsOf(p);
  assert.deepEqual(r.patterns, []);
  assert.match(r.problem ?? '', /: not valid JSON \(.+\); its eval\.refusalPatterns are not used$/);
  assert.ok(r.problem?.startsWith(`${p}: not valid JSON (`));
});

// finetune.json as validation reads it (src/core/project/projectConfig.ts) and the goal table (goals.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFIG_FILE, findConfig, readValidationConfig } from '../../src/core/project/projectConfig';
import { GOAL_IDS, GOALS, goalDescription, goalStanding, isGoal } from '../../src/core/project/goals';
import { FORMAT_IDS } from '../../src/core/formats/formats';

/** readValidationConfig of a finetune.json holding `json` (a string is written as is), in a fresh folder removed after. */
function config(json: unknown) {
  const dir = mkdtempSync(join(tmpdir(), 'ftstudio-pcfg-'));
  try {
    const path = join(dir, CONFIG_FILE);
    writeFileSync(path, typeof json === 'string' ? json : JSON.stringify(json));
    return { dir, path, cfg: readValidationConfig(path) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('readValidationConfig: an empty config has no settings and no problems', () => {
  const { path, cfg } = config({});
  assert.deepEqual(cfg, {
    path,
    format: undefined,
    maxSeqLength: undefined,
    goal: undefined,
    nearDuplicateThreshold: undefined,
    production: undefined,
    problems: [],
  });
  assert.equal('model' in cfg, false);
  assert.equal('embeddings' in cfg, false);
});

test('readValidationConfig: unreadable JSON is one problem naming the file and the parse error', () => {
  const { path, cfg } = config('{"data": ');
  assert.equal(cfg.path, path);
  assert.equal(cfg.problems.length, 1);
  assert.match(cfg.problems[0]!, new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .*JSON`));
  assert.equal(cfg.format, undefined);
});

test('readValidationConfig: data.format is read when it is a format id; "auto" and absence mean none; anything else is a problem', () => {
  for (const f of FORMAT_IDS) {
    const { cfg } = config({ data: { format: f } });
    assert.equal(cfg.format, f);
    assert.deepEqual(cfg.problems, []);
  }
  assert.equal(config({ data: { format: 'auto' } }).cfg.format, undefined);
  assert.deepEqual(config({ data: { format: 'auto' } }).cfg.problems, []);
  assert.deepEqual(config({ data: {} }).cfg.problems, []);
  for (const bad of ['chatml', 3, null, '']) {
    const { path, cfg } = config({ data: { format: bad } });
    assert.equal(cfg.format, undefined, JSON.stringify(bad));
    assert.deepEqual(cfg.problems, [`${path}: data.format must be one of auto, ${FORMAT_IDS.join(', ')}`], JSON.stringify(bad));
  }
  // the list names every format id in order after "auto"
  assert.ok(FORMAT_IDS.length > 3);
});

test('readValidationConfig: training.maxSeqLength only when a positive number; model only when a string', () => {
  assert.equal(config({ training: { maxSeqLength: 2048 } }).cfg.maxSeqLength, 2048);
  assert.equal(config({ training: { maxSeqLength: 1 } }).cfg.maxSeqLength, 1);
  for (const bad of [0, -5, '2048', null]) assert.equal(config({ training: { maxSeqLength: bad } }).cfg.maxSeqLength, undefined, String(bad));
  const withModel = config({ model: 'Qwen/Qwen2.5-0.5B' }).cfg;
  assert.equal(withModel.model, 'Qwen/Qwen2.5-0.5B');
  assert.equal('model' in config({ model: 7 }).cfg, false);
  assert.equal('model' in config({ model: '' }).cfg, false);
  assert.deepEqual(config({ model: 7 }).cfg.problems, []);
});

test('readValidationConfig: goal is read when it is a goal id, otherwise a problem listing the goals', () => {
  for (const g of GOAL_IDS) {
    const { cfg } = config({ goal: g });
    assert.equal(cfg.goal, g);
    assert.deepEqual(cfg.problems, []);
  }
  const { path, cfg } = config({ goal: 'chat' });
  assert.equal(cfg.goal, undefined);
  assert.deepEqual(cfg.problems, [`${path}: goal must be one of style, domain-vocabulary, task, instruction-following`]);
});

test('readValidationConfig: nearDuplicateThreshold in (0, 1]; the bounds and their neighbours', () => {
  const msg = (p: string) => `${p}: data.nearDuplicateThreshold must be a number above 0 and at most 1`;
  for (const ok of [1, 0.5, 0.0001]) {
    const { cfg } = config({ data: { nearDuplicateThreshold: ok } });
    assert.equal(cfg.nearDuplicateThreshold, ok);
    assert.deepEqual(cfg.problems, []);
  }
  for (const bad of [0, 1.0001, -0.2, '0.8']) {
    const { path, cfg } = config({ data: { nearDuplicateThreshold: bad } });
    assert.equal(cfg.nearDuplicateThreshold, undefined);
    assert.deepEqual(cfg.problems, [msg(path)], String(bad));
  }
});

test('readValidationConfig: data.production is resolved from the config folder; absolute kept; empty or not a string is a problem', () => {
  const rel = config({ data: { production: 'prod/inputs.jsonl' } });
  assert.equal(rel.cfg.production, join(rel.dir, 'prod', 'inputs.jsonl'));
  assert.deepEqual(rel.cfg.problems, []);
  const abs = config({ data: { production: '/srv/inputs.jsonl' } });
  assert.equal(abs.cfg.production, '/srv/inputs.jsonl');
  for (const bad of ['', 5]) {
    const { path, cfg } = config({ data: { production: bad } });
    assert.equal(cfg.production, undefined);
    assert.deepEqual(cfg.problems, [`${path}: data.production must be the path of a JSONL file of production inputs`]);
  }
});

test('readValidationConfig: embeddings: model resolved, threshold in (0, 1], each problem with its own message', () => {
  const e = config({ embeddings: { model: 'models/e5', threshold: 1 } });
  assert.deepEqual(e.cfg.embeddings, { model: join(e.dir, 'models', 'e5'), threshold: 1 });
  assert.deepEqual(e.cfg.problems, []);
  assert.deepEqual(config({ embeddings: { model: '/opt/e5' } }).cfg.embeddings, { model: '/opt/e5' });
  assert.deepEqual(config({ embeddings: {} }).cfg.embeddings, {});
  const bad = config({ embeddings: { model: '', threshold: 0 } });
  assert.deepEqual(bad.cfg.embeddings, {});
  assert.deepEqual(bad.cfg.problems, [
    `${bad.path}: embeddings.model must be the path of a folder with model.onnx and tokenizer.json`,
    `${bad.path}: embeddings.threshold must be a cosine above 0 and at most 1`,
  ]);
  const over = config({ embeddings: { threshold: 1.5 } });
  assert.deepEqual(over.cfg.problems, [`${over.path}: embeddings.threshold must be a cosine above 0 and at most 1`]);
  assert.deepEqual(config({ embeddings: { threshold: 0.85 } }).cfg.embeddings, { threshold: 0.85 });
});

test('readValidationConfig: several problems are all reported, in order', () => {
  const { path, cfg } = config({ data: { format: 'x', nearDuplicateThreshold: 2, production: '' }, goal: 'y' });
  assert.deepEqual(
    cfg.problems.map((p) => p.slice(path.length + 2).split(' must')[0]),
    ['data.format', 'goal', 'data.nearDuplicateThreshold', 'data.production'],
  );
});

test('findConfig: the nearest finetune.json upward, not above stopAt', () => {
  const root = mkdtempSync(join(tmpdir(), 'ftstudio-pcfgfind-'));
  try {
    const project = join(root, 'project');
    const deep = join(project, 'data', 'train');
    mkdirSync(deep, { recursive: true });
    assert.equal(findConfig(deep, root), undefined);
    writeFileSync(join(root, CONFIG_FILE), '{}');
    assert.equal(findConfig(deep), join(root, CONFIG_FILE));
    // stopAt is the last folder looked in
    assert.equal(findConfig(deep, project), undefined);
    assert.equal(findConfig(project, project), undefined);
    assert.equal(findConfig(root, root), join(root, CONFIG_FILE));
    writeFileSync(join(project, CONFIG_FILE), '{}');
    assert.equal(findConfig(deep, project), join(project, CONFIG_FILE));
    assert.equal(findConfig(project), join(project, CONFIG_FILE));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('goals: isGoal, the standing at each bound, and the messages', () => {
  assert.deepEqual(GOAL_IDS, ['style', 'domain-vocabulary', 'task', 'instruction-following']);
  assert.equal(isGoal('task'), true);
  assert.equal(isGoal(''), false);
  assert.equal(isGoal(3), false);
  assert.equal(isGoal('chat'), false);
  // inherited keys of the goal table are not goals (they passed, and goalStanding then threw)
  for (const inherited of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) assert.equal(isGoal(inherited), false, inherited);
  const s = goalStanding('instruction-following', 1500);
  assert.deepEqual(s, {
    goal: 'instruction-following',
    title: 'Instruction following in a new domain',
    min: 2000,
    max: 10000,
    records: 1500,
    standing: 'below',
    message:
      '1,500 records for goal "instruction-following" (Instruction following in a new domain): the guide asks for 2,000–10,000; 500 more to reach the minimum.',
  });
  assert.equal(goalStanding('style', 199).standing, 'below');
  assert.equal(goalStanding('style', 200).standing, 'within');
  assert.equal(goalStanding('style', 500).standing, 'within');
  assert.equal(
    goalStanding('domain-vocabulary', 12000).message,
    '12,000 records for goal "domain-vocabulary" (Domain vocabulary adaptation): above the guide\'s 500–1,500; beyond this, quality review matters more than volume.',
  );
  assert.equal(
    goalDescription(),
    "What the fine-tune is for; the dataset's size is compared with the guide's range: style 200–500 (Style / tone / output format), domain-vocabulary 500–1,500 (Domain vocabulary adaptation), task 1,000–5,000 (Task specialisation (extraction, classification)), instruction-following 2,000–10,000 (Instruction following in a new domain).",
  );
  assert.equal(GOALS.task.min, 1000);
});

// Fuzz: random mutations of valid lines never throw or hang, and invalid JSON is always diagnosed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeLine } from '../../src/core/checks/analyzeLine';
import { DatasetModel } from '../../src/core/checks/datasetModel';
import { OPTS } from './helpers';
import { mulberry32 } from '../../bench/generate';

const SEEDS = [
  '{"prompt": "You are a tutor. Explain gravity.", "chosen": "Mass attracts mass.", "rejected": "Things fall."}',
  '{"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]}',
  '{"prompt": [{"role": "user", "content": "q"}], "completion": [{"role": "assistant", "content": "a"}], "label": true}',
  '{"input": {"messages": [{"role": "user", "content": "q"}]}, "preferred_output": [{"role": "assistant", "content": "a"}], "non_preferred_output": [{"role": "assistant", "content": "b"}]}',
  '{"instruction": "Add", "input": "2, 3", "output": "5"}',
  '{"conversations": [{"from": "human", "value": "q"}, {"from": "gpt", "value": "a"}]}',
  '{"text": "naïve 数据 🙂 \\u00e9 \\"quoted\\""}',
];
const ALPHABET = [
  '{',
  '}',
  '[',
  ']',
  '"',
  ':',
  ',',
  '\\',
  ' ',
  'a',
  '0',
  '-',
  'e',
  '.',
  'true',
  'null',
  '\u0000',
  '\t',
  '🙂',
  '\ud83d',
  'role',
  '"role"',
  '"assistant"',
];

function mutate(s: string, r: () => number): string {
  let out = s;
  const n = 1 + Math.floor(r() * 3);
  for (let k = 0; k < n; k++) {
    const i = Math.floor(r() * (out.length + 1));
    const op = Math.floor(r() * 4);
    const piece = ALPHABET[Math.floor(r() * ALPHABET.length)]!;
    if (op === 0)
      out = out.slice(0, i) + out.slice(i + 1); // delete
    else if (op === 1)
      out = out.slice(0, i) + piece + out.slice(i); // insert
    else if (op === 2)
      out = out.slice(0, i) + piece + out.slice(i + 1 + Math.floor(r() * 4)); // replace
    else out = out.slice(0, i) + out.slice(i, i + 8) + out.slice(i); // duplicate a span
  }
  return out;
}

// (no time limit: a hang never returns, and speed is npm run bench's to measure, not a unit test's)
test('10,000 random mutations: no throw, no hang, invalid JSON always diagnosed', () => {
  const r = mulberry32(20261129);
  let invalid = 0;
  for (let k = 0; k < 10_000; k++) {
    const line = mutate(SEEDS[k % SEEDS.length]!, r);
    let parses = true;
    try {
      JSON.parse(line.charCodeAt(0) === 0xfeff ? line.slice(1) : line);
    } catch {
      parses = false;
    }
    const facts = analyzeLine(line, OPTS);
    const hasInvalid = facts.diagnostics.some((d) => d.code === 'invalid-json');
    if (line.trim() === '') continue;
    assert.equal(hasInvalid, !parses, `line ${JSON.stringify(line)}: ${JSON.stringify(facts.diagnostics)}`);
    if (!parses) invalid++;
    for (const d of facts.diagnostics) {
      assert.ok(
        d.start >= 0 && d.end > d.start && d.end <= Math.max(line.length, d.start + 1),
        `range of ${d.code} in ${JSON.stringify(line)}: ${d.start}..${d.end}`,
      );
      assert.ok(d.message.length > 10);
    }
  }
  assert.ok(invalid > 2000, `only ${invalid} invalid mutations: the fuzzer is too gentle`);
});

test('hostile lines: deep nesting, huge numbers, long lines', () => {
  const deep = '['.repeat(5000) + ']'.repeat(5000);
  assert.equal(analyzeLine(deep, OPTS).diagnostics[0]!.code, 'not-an-object');
  const deepObj = '{"a":'.repeat(3000) + '1' + '}'.repeat(3000);
  assert.ok(analyzeLine(deepObj, OPTS).diagnostics.length > 0);
  const unclosedDeep = '{"a":'.repeat(3000);
  assert.equal(analyzeLine(unclosedDeep, OPTS).diagnostics[0]!.code, 'invalid-json');
  assert.deepEqual(analyzeLine(`{"text": "${'x'.repeat(2_000_000)}"}`, { ...OPTS, maxTokens: 1e9 }).diagnostics, []);
  assert.deepEqual(analyzeLine('{"text": "a", "n": 1e999}', OPTS).diagnostics, []);
});

test('incremental edits give the same report as validating the result from scratch', () => {
  const r = mulberry32(7);
  const base = Array.from({ length: 60 }, (_, i) => (i % 5 === 0 ? SEEDS[0]! : mutate(SEEDS[i % SEEDS.length]!, r)));
  const model = new DatasetModel(OPTS);
  model.replaceLines(0, 0, base);
  const lines = [...base];
  for (let k = 0; k < 300; k++) {
    const start = Math.floor(r() * (lines.length + 1));
    const del = Math.min(lines.length - start, Math.floor(r() * 3));
    const ins = Array.from({ length: Math.floor(r() * 3) }, () =>
      r() < 0.3 ? SEEDS[Math.floor(r() * SEEDS.length)]! : mutate(SEEDS[Math.floor(r() * SEEDS.length)]!, r),
    );
    lines.splice(start, del, ...ins);
    model.replaceLines(start, del, ins);
    if (k % 25 === 0 || k === 299) {
      const fresh = new DatasetModel(OPTS);
      fresh.replaceLines(0, 0, lines);
      assert.deepEqual(model.report(), fresh.report(), `after edit ${k}`);
    }
  }
});

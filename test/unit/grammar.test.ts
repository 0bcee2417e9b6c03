// The injection grammar: its patterns compile and mark roles and pair keys on real lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const grammar = JSON.parse(readFileSync(join(__dirname, '../../syntaxes/finetune-jsonl.injection.json'), 'utf8'));
const pkg = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8'));

test('the grammar is contributed for JSON Lines only', () => {
  assert.equal(grammar.injectionSelector, 'L:source.json.lines');
  assert.deepEqual(pkg.contributes.grammars, [
    { scopeName: grammar.scopeName, path: './syntaxes/finetune-jsonl.injection.json', injectTo: ['source.json.lines'] },
  ]);
});

test('role values and pair keys are matched', () => {
  const role = new RegExp(grammar.repository.role.match);
  const m = role.exec('{"messages": [{"role":  "assistant", "content": "hi"}]}');
  assert.equal(m?.[4], 'assistant');
  assert.equal(role.exec('{"role": "bot"}'), null);
  assert.equal(new RegExp(grammar.repository['sharegpt-from'].match).exec('{"from": "gpt", "value": "x"}')?.[4], 'gpt');
  const [chosen, rejected, heading] = grammar.repository['pair-key'].patterns.map((p: { match: string }) => new RegExp(p.match));
  assert.ok(chosen.test('{"chosen": "a"}'));
  assert.ok(!chosen.test('{"text": "chosen"}'), 'a value is not a key');
  assert.ok(rejected.test('{"rejected" : "a"}'));
  assert.ok(heading.test('{"prompt": "a"}'));
});

// Ranges of a record whose top-level keys a dataset_info.json renamed (RenamedLocator in src/core/checks/schemaCheck.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RenamedLocator } from '../../src/core/checks/schemaCheck';

test('RenamedLocator: a renamed key is found under the file name, a key not renamed under its own', () => {
  // pins that only mapped top-level keys are translated; other paths point at their own value, not at the record's brace
  const line = '{"q": "Capital?", "a": "Paris", "extra": 7}';
  const loc = new RenamedLocator(line, { instruction: 'q', output: 'a' });
  const text = (r: { start: number; end: number }) => line.slice(r.start, r.end);
  assert.equal(text(loc.range(['instruction'])), '"Capital?"');
  assert.equal(text(loc.range(['extra'])), '7');
  assert.equal(text(loc.range(['extra'], 'key')), '"extra"');
});

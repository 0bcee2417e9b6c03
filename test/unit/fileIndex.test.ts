// The annotation panels' index of a file on disk (core/indexing): read on a worker, the same items
// and records as the in-memory indexers, each line's text read back from its byte span.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileIndex } from '../../src/core/indexing/fileIndex';
import { buildItems } from '../../src/core/preference/items';
import { indexLines } from '../../src/core/records/recordIndex';

const dir = mkdtempSync(join(tmpdir(), 'ftstudio-fileindex-'));
function file(name: string, lines: string[]): string {
  const p = join(dir, name);
  writeFileSync(p, lines.join('\n') + '\n');
  return p;
}

test('pairs: the same items as in memory, found chunk by chunk, each line read back from its span', async () => {
  const lines = Array.from({ length: 12_000 }, (_, i) =>
    i % 10 === 5
      ? '{"text": "not a pair"}'
      : i % 777 === 3
        ? '{"prompt": "broken'
        : JSON.stringify({ prompt: `p${i} — ünïcødé ${'x'.repeat(i % 300)}`, chosen: 'a', rejected: `b${i}` }),
  );
  const path = file('pairs.jsonl', lines);
  let updates = 0;
  let firstSeenAt = -1;
  const idx = new FileIndex(path, 'items', () => {
    updates++;
    if (firstSeenAt < 0 && idx.items.length) firstSeenAt = idx.done ? 1 : idx.fraction;
  });
  const first = await idx.item(0);
  assert.equal(first?.lines[0], 1);
  await idx.whenDone();
  assert.equal(idx.error, undefined);
  assert.equal(idx.mode, 'pair');
  const mem = buildItems(lines);
  assert.deepEqual(
    idx.items.map((x) => ({ id: x.id, lines: x.lines })),
    mem.items.map((x) => ({ id: x.id, lines: x.lines })),
  );
  assert.equal(idx.skipped, mem.skipped);
  for (const k of [0, 5, 777, idx.items.length - 1]) assert.equal(idx.itemLines(idx.items[k]!)[0], lines[idx.items[k]!.lines[0]! - 1]);
  assert.ok(updates > 2, `progress came in steps (${updates} updates)`);
  assert.ok(firstSeenAt < 1, `the first item came before the whole file was read (at ${firstSeenAt})`);
  assert.equal(idx.fraction, 1);
  assert.equal(await idx.item(idx.items.length), undefined);
});

test('rankings by shared prompt: groups with the spans of all their lines', async () => {
  const lines = ['a', 'b', 'c', 'd', 'e', 'f'].map((c, i) => JSON.stringify({ prompt: i % 2 ? 'odd' : 'even', completion: c }));
  lines.push(JSON.stringify({ prompt: 'alone', completion: 'z' }));
  const path = file('groups.jsonl', lines);
  const idx = new FileIndex(path, 'items');
  await idx.whenDone();
  const mem = buildItems(lines);
  assert.equal(idx.mode, 'ranking');
  assert.deepEqual(
    idx.items.map((x) => ({ id: x.id, lines: x.lines })),
    mem.items.map((x) => ({ id: x.id, lines: x.lines })),
  );
  assert.deepEqual(idx.itemLines(idx.items[1]!), [lines[1], lines[3], lines[5]]);
});

test('records: every record with its line and id, as indexLines gives them; a record read by its line', async () => {
  const lines = ['{"text": "one"}', '', 'not json', '{"text": "four ✓"}', '[1]', '{"text": "six"}'];
  const path = file('records.jsonl', lines);
  const idx = new FileIndex(path, 'records');
  await idx.whenDone();
  assert.deepEqual(
    idx.records,
    indexLines(lines).map((r) => ({ line: r.line, id: r.id })),
  );
  assert.equal(idx.recordLine(1), '{"text": "one"}');
  assert.equal(idx.recordLine(4), '{"text": "four ✓"}');
  assert.equal(idx.recordLine(3), undefined);
  assert.equal(idx.recordLine(6), '{"text": "six"}');
  // no record before the first line or after the last
  assert.equal(idx.recordLine(0), undefined);
  assert.equal(idx.recordLine(7), undefined);
  assert.equal(idx.recordLine(1000), undefined);
  // the file's size and modification time as indexing began (a panel compares them to see a changed file)
  assert.equal(idx.size, statSync(path).size);
  assert.equal(idx.mtimeMs, statSync(path).mtimeMs);
  // disposing a finished index changes nothing
  idx.dispose();
  assert.equal(idx.error, undefined);
  assert.equal(idx.records.length, 3);
});

test('dispose while indexing: cancelled, waiting callers answered, no hang', async () => {
  const lines = Array.from({ length: 60_000 }, (_, i) => JSON.stringify({ prompt: `q${i} ${'w'.repeat(200)}`, chosen: 'a', rejected: `b${i}` }));
  const path = file('big-pairs.jsonl', lines);
  const idx = new FileIndex(path, 'items');
  const waiting = idx.item(59_999);
  idx.dispose();
  assert.equal(idx.done, true);
  assert.equal(idx.error, 'cancelled');
  const it = await waiting;
  assert.ok(it === undefined || idx.items.includes(it), 'the waiting call resolved');
  assert.equal(await idx.item(59_999), idx.items[59_999]);
});

test('a missing file: an error that names it, no hang', async () => {
  const idx = new FileIndex(join(dir, 'missing.jsonl'), 'items');
  await idx.whenDone();
  assert.match(idx.error ?? '', /missing\.jsonl: could not be indexed/);
  assert.equal(await idx.item(0), undefined);
  // the worker's exit after its error message does not overwrite the error
  await new Promise((r) => setTimeout(r, 300));
  assert.match(idx.error ?? '', /missing\.jsonl: could not be indexed/);
});

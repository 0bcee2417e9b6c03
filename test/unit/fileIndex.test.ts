// The annotation panels' index of a file on disk (core/indexing): read on a worker, the same items
// and records as the in-memory indexers, each line's text read back from its byte span.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileIndex, type IndexMessage } from '../../src/core/indexing/fileIndex';
import { indexFile } from '../../src/core/indexing/indexFile';
import { readSpan } from '../../src/core/jsonl/readLines';
import { buildItems } from '../../src/core/preference/items';
import { indexLines } from '../../src/core/records/recordIndex';

const dir = mkdtempSync(join(tmpdir(), 'ftstudio-fileindex-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
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

/** The messages indexFile posts, run in this thread (the worker posts the same to FileIndex). */
async function messages(path: string, kind: 'items' | 'records'): Promise<IndexMessage[]> {
  const out: IndexMessage[] = [];
  await indexFile({ path, kind }, (m) => out.push(m));
  return out;
}

test('indexFile, items: start with the size and mtime, the mode before any item, items chunk by chunk with the bytes read, done with the counts', async () => {
  const lines = Array.from({ length: 9_000 }, (_, i) =>
    i % 50 === 7 ? '' : i % 333 === 5 ? '{"prompt": "cut' : JSON.stringify({ prompt: `p${i} ${'y'.repeat(i % 200)}`, chosen: `c${i}`, rejected: 'r' }),
  );
  const path = file('msgs-pairs.jsonl', lines);
  const ms = await messages(path, 'items');
  const st = statSync(path);
  assert.deepEqual(ms[0], { type: 'start', size: st.size, mtimeMs: st.mtimeMs });
  assert.deepEqual(ms[1], { type: 'mode', mode: 'pair' });
  const flushes = ms.filter((m) => m.type === 'items' || m.type === 'progress') as { bytes: number }[];
  assert.ok(flushes.length >= 2, `more than one chunk (${flushes.length})`);
  const bytes = flushes.map((m) => m.bytes);
  assert.deepEqual(
    [...bytes].sort((a, b) => a - b),
    bytes,
    'bytes read only grow',
  );
  assert.equal(bytes[bytes.length - 1], st.size);
  const items = ms.flatMap((m) => (m.type === 'items' ? m.items : []));
  const mem = buildItems(lines);
  assert.deepEqual(
    items.map((x) => ({ id: x.id, lines: x.lines })),
    mem.items.map((x) => ({ id: x.id, lines: x.lines })),
  );
  for (const it of [items[0]!, items[1234]!, items[items.length - 1]!]) assert.equal(readSpan(path, it.spans[0]!), lines[it.lines[0]! - 1]);
  assert.deepEqual(ms[ms.length - 1], { type: 'done', skipped: mem.skipped, lines: lines.length });
  assert.equal(ms.filter((m) => m.type === 'done').length, 1);
});

test('indexFile, items: a file of fewer records than the mode sample decides its mode at the end; rankings grouped with every span', async () => {
  const lines = ['x', 'y', 'z'].map((c, i) => JSON.stringify({ prompt: i === 1 ? 'other' : 'same', completion: c }));
  const path = file('msgs-groups.jsonl', lines);
  const ms = await messages(path, 'items');
  assert.deepEqual(
    ms.map((m) => m.type),
    ['start', 'progress', 'mode', 'items', 'done'],
  );
  const items = ms.flatMap((m) => (m.type === 'items' ? m.items : []));
  assert.deepEqual(
    items.map((x) => x.lines),
    buildItems(lines).items.map((x) => x.lines),
  );
  const same = items.find((x) => x.lines.length === 2)!;
  assert.deepEqual(
    same.spans.map((sp) => readSpan(path, sp)),
    [lines[0], lines[2]],
  );
});

test('indexFile, records: every record with its line, id and span; blank and broken lines counted, not indexed', async () => {
  const lines = ['{"text": "a"}', '', '{"text": ', '{"text": "d ✓"}', '   ', '{"text": "f"}'];
  const path = file('msgs-records.jsonl', lines);
  const ms = await messages(path, 'records');
  assert.equal(ms[0]!.type, 'start');
  const recs = ms.filter((m) => m.type === 'records') as Extract<IndexMessage, { type: 'records' }>[];
  assert.deepEqual(
    recs.flatMap((r) => r.lines.map((l, i) => ({ line: l, id: r.ids[i] }))),
    indexLines(lines).map((r) => ({ line: r.line, id: r.id })),
  );
  assert.deepEqual(
    recs.flatMap((r) => r.spans.map((sp) => readSpan(path, sp))),
    [lines[0], lines[3], lines[5]],
  );
  assert.equal(recs[recs.length - 1]!.bytes, statSync(path).size);
  assert.deepEqual(ms[ms.length - 1], { type: 'done', skipped: 0, lines: 6 });
});

test('indexFile: a missing file rejects, naming it', async () => {
  await assert.rejects(messages(join(dir, 'nope.jsonl'), 'items'), /nope\.jsonl/);
});

test('a worker that fails or stops before it is done: the error names the file, the index is done, callers answered', async () => {
  const lines = Array.from({ length: 20_000 }, (_, i) => JSON.stringify({ prompt: `q${i} ${'v'.repeat(100)}`, chosen: 'a', rejected: `b${i}` }));
  const path = file('crash-pairs.jsonl', lines);
  // the worker thread itself failing (its 'error' event)
  let updates = 0;
  const failed = new FileIndex(path, 'items', () => updates++);
  assert.equal(failed.fraction, 0, 'nothing read yet');
  assert.equal(failed.done, false);
  const waiting = failed.item(19_999);
  (failed as unknown as { worker: import('node:worker_threads').Worker }).worker.emit('error', new Error('out of memory'));
  assert.equal(failed.done, true);
  assert.equal(failed.error, `${path}: could not be indexed: out of memory`);
  assert.equal(failed.fraction, 1);
  assert.equal(updates, 1, 'the end is an update');
  assert.equal(await waiting, failed.items[19_999]);
  await failed.whenDone();
  // the worker gone without a word (its 'exit' event before 'done')
  const stopped = new FileIndex(path, 'items');
  await (stopped as unknown as { worker: import('node:worker_threads').Worker }).worker.terminate();
  await stopped.whenDone();
  assert.equal(stopped.error, `${path}: the indexer stopped`);
});

test('indexFile, records over several chunks: each record reported once, in order, with the bytes read so far', async () => {
  const lines = Array.from({ length: 8_000 }, (_, i) => (i % 97 === 3 ? 'broken' : JSON.stringify({ text: `r${i} ${'z'.repeat(200)}` })));
  const path = file('msgs-many-records.jsonl', lines);
  const ms = await messages(path, 'records');
  const recs = ms.filter((m) => m.type === 'records') as Extract<IndexMessage, { type: 'records' }>[];
  assert.ok(recs.length >= 2, `more than one chunk (${recs.length})`);
  assert.deepEqual(
    recs.flatMap((r) => r.lines),
    indexLines(lines).map((r) => r.line),
  );
  assert.equal(recs.flatMap((r) => r.ids).length, recs.flatMap((r) => r.spans).length);
  assert.ok(recs[0]!.bytes < recs[recs.length - 1]!.bytes);
  const idx = new FileIndex(path, 'records');
  await idx.whenDone();
  assert.equal(idx.records.length, indexLines(lines).length);
  assert.equal(idx.recordLine(7_999), lines[7_998]);
});

test('indexFile, items: blank lines do not count toward the records the mode is decided from', async () => {
  const lines = [...Array.from({ length: 250 }, () => ''), ...['a', 'b', 'c'].map((c) => JSON.stringify({ prompt: 'same', completion: c }))];
  const path = file('msgs-blank-head.jsonl', lines);
  const ms = await messages(path, 'items');
  assert.deepEqual(
    ms.filter((m) => m.type === 'mode'),
    [{ type: 'mode', mode: 'ranking' }],
  );
  const items = ms.flatMap((m) => (m.type === 'items' ? m.items : []));
  assert.deepEqual(
    items.map((x) => x.lines),
    [[251, 252, 253]],
  );
});

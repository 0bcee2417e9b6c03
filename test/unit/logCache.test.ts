// LogCache: an append-only log is read again only when the file changed on disk since this process last
// read or wrote it (core/annotation/logCache).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogCache } from '../../src/core/annotation/logCache';

function counted(path: string) {
  let reads = 0;
  const read = (p: string) => {
    reads++;
    let text = '';
    try {
      text = readFileSync(p, 'utf8');
    } catch {
      return { events: [], problems: ['missing'] };
    }
    return { events: text.split('\n').filter(Boolean), problems: [] };
  };
  const append = (p: string, e: string) => appendFileSync(p, `${e}\n`);
  return { cache: new LogCache<string>(path, read, append), reads: () => reads };
}

test('LogCache reads once, again only after another writer changed the file, and keeps its own appends without a read', () => {
  const dir = mkdtempSync(join(tmpdir(), 'logcache-'));
  try {
    const path = join(dir, 'log.jsonl');
    writeFileSync(path, 'a\nb\n');
    const { cache, reads } = counted(path);
    assert.deepEqual(cache.get().events, ['a', 'b']);
    const v1 = cache.version;
    assert.deepEqual(cache.get().events, ['a', 'b']);
    assert.equal(reads(), 1, 'an unchanged file is not read again');
    assert.equal(cache.version, v1, 'nor does its version change');

    cache.add('c');
    assert.equal(readFileSync(path, 'utf8'), 'a\nb\nc\n', 'the append went to the file');
    assert.deepEqual(cache.get().events, ['a', 'b', 'c']);
    assert.equal(reads(), 1, 'its own append is held without reading the file again');
    assert.ok(cache.version > v1, 'an append bumps the version');

    const v2 = cache.version;
    appendFileSync(path, 'from-another-writer\n');
    assert.deepEqual(cache.get().events, ['a', 'b', 'c', 'from-another-writer']);
    assert.equal(reads(), 2, 'a change on disk is read');
    assert.ok(cache.version > v2, 'a read bumps the version');

    cache.reset();
    cache.get();
    assert.equal(reads(), 3, 'reset forgets what was held');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('LogCache: a log that does not exist yet is read once, and again once it appears', () => {
  const dir = mkdtempSync(join(tmpdir(), 'logcache-'));
  try {
    const path = join(dir, 'log.jsonl');
    const { cache, reads } = counted(path);
    assert.deepEqual(cache.get().problems, ['missing']);
    cache.get();
    assert.equal(reads(), 1);
    writeFileSync(path, 'a\n');
    assert.deepEqual(cache.get().events, ['a']);
    assert.equal(reads(), 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

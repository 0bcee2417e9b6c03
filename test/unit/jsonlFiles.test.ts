// The JSONL file helpers (core/jsonl/atomicFile, readLines' readSpan): atomic writes, appends to a log
// whose last line lacks its newline, reading a log back with a problem line per line it cannot use.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendLinesAtomic, readJsonlLog, writeFileAtomic } from '../../src/core/jsonl/atomicFile';
import { readSpan } from '../../src/core/jsonl/readLines';

const fresh = () => mkdtempSync(join(tmpdir(), 'ftstudio-jsonl-'));

test('writeFileAtomic makes the folder, replaces the file whole, leaves no temporary file, mode 0644', () => {
  const dir = fresh();
  try {
    const path = join(dir, 'a', 'b', 'out.json');
    writeFileAtomic(path, 'first');
    writeFileAtomic(path, 'second');
    assert.equal(readFileSync(path, 'utf8'), 'second');
    assert.deepEqual(readdirSync(join(dir, 'a', 'b')), ['out.json']);
    assert.equal(statSync(path).mode & 0o777, 0o644 & ~process.umask());
    // a rename that fails (the target is a folder) throws, and removes its temporary file
    const folder = join(dir, 'taken');
    writeFileAtomic(join(folder, 'x'), 'x');
    assert.throws(() => writeFileAtomic(folder, 'y'));
    assert.deepEqual(readdirSync(dir).sort(), ['a', 'taken']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('appendLinesAtomic: one line per entry; a last line without its newline gets one first; a missing log is created', () => {
  const dir = fresh();
  try {
    const log = join(dir, 'log.jsonl');
    appendLinesAtomic(log, ['{"a":1}', '{"a":2}']);
    assert.equal(readFileSync(log, 'utf8'), '{"a":1}\n{"a":2}\n');
    writeFileSync(log, '{"a":1}');
    appendLinesAtomic(log, ['{"a":2}']);
    assert.equal(readFileSync(log, 'utf8'), '{"a":1}\n{"a":2}\n');
    writeFileSync(log, '');
    appendLinesAtomic(log, ['{"a":3}']);
    assert.equal(readFileSync(log, 'utf8'), '{"a":3}\n', 'an empty log gets no blank first line');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('readJsonlLog: the entries it accepts, and a problem naming file:line for each line it cannot use; blank lines skipped', () => {
  const dir = fresh();
  try {
    const log = join(dir, 'log.jsonl');
    const isEntry = (v: unknown): v is { n: number } => typeof v === 'object' && v !== null && typeof (v as { n?: unknown }).n === 'number';
    assert.deepEqual(readJsonlLog(log, isEntry, 'an entry'), { entries: [], problems: [] }, 'no log yet');
    writeFileSync(log, '{"n":1}\n\n  \n{"n":\n{"x":2}\n{"n":3}');
    assert.deepEqual(readJsonlLog(log, isEntry, 'an entry'), {
      entries: [{ n: 1 }, { n: 3 }],
      problems: [`${log}:4: unreadable line; kept in the file, ignored`, `${log}:5: not an entry; kept in the file, ignored`],
    });
    assert.ok(existsSync(log));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('readSpan reads exactly the bytes of one span, and what there is when the file is shorter', () => {
  const dir = fresh();
  try {
    const p = join(dir, 'f.jsonl');
    writeFileSync(p, 'aa\n{"t":"数据"}\ncc\n');
    const second = Buffer.byteLength('{"t":"数据"}');
    assert.equal(readSpan(p, [3, second]), '{"t":"数据"}');
    assert.equal(readSpan(p, [0, 2]), 'aa');
    assert.equal(readSpan(p, [Buffer.byteLength('aa\n{"t":"数据"}\n'), 100]), 'cc\n');
    assert.equal(readSpan(p, [1000, 5]), '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test(
  'readSpan closes the file it opens: a panel reading thousands of spans keeps no descriptor',
  { skip: process.platform !== 'linux' && 'counts /proc/self/fd' },
  () => {
    // pins: no file descriptor is left open per read (a leak would exhaust the process's limit)
    const dir = fresh();
    try {
      const p = join(dir, 'f.jsonl');
      writeFileSync(p, 'aa\nbb\n');
      const open = () => readdirSync('/proc/self/fd').length;
      const before = open();
      for (let i = 0; i < 100; i++) assert.equal(readSpan(p, [3, 2]), 'bb');
      assert.equal(open(), before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateFile } from '../../src/core/validation/validateFile';
import { lineAlignedChunks } from '../../src/core/validation/parallelScan';
import { DEFAULT_OPTIONS } from '../../src/core/checks/datasetModel';

const dir = mkdtempSync(join(tmpdir(), 'ftstudio-parallel-'));

const crlf = (n: number) => n % 2 === 1;

/** A chat file with defects spread through it: duplicates across chunk borders, bad JSON, a wrong role. */
function chatFile(lines: number): string {
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    if (i % 97 === 13)
      out.push('{"messages": [{"role": "user", "content": "broken"'); // bad JSON
    else if (i % 89 === 7)
      out.push(
        JSON.stringify({
          messages: [
            { role: 'usr', content: `q${i}` },
            { role: 'assistant', content: 'a' },
          ],
        }),
      );
    else if (i % 50 === 49)
      out.push(out[i - 40]!); // an exact duplicate 40 lines back (often in the chunk before)
    else if (i % 31 === 0) out.push('');
    else
      out.push(
        JSON.stringify({
          messages: [
            { role: 'system', content: i % 3 ? 'You are helpful.' : 'Answer briefly.' },
            { role: 'user', content: `question ${i} ${'é'.repeat(i % 5)} ${'x'.repeat(i % 300)}` },
            { role: 'assistant', content: `answer ${i}` },
          ],
        }),
      );
  }
  return out.join(crlf(lines) ? '\r\n' : '\n');
}

test('lineAlignedChunks: contiguous ranges that start at line starts and cover the file', async () => {
  const file = join(dir, 'chunks.jsonl');
  writeFileSync(file, chatFile(3000));
  const size = statSync(file).size;
  const ranges = await lineAlignedChunks(file, size, 4096);
  assert.ok(ranges.length > 50, `${ranges.length} chunks`);
  assert.equal(ranges[0]![0], 0);
  assert.equal(ranges.at(-1)![1], size);
  const text = readFileSync(file);
  for (let k = 1; k < ranges.length; k++) {
    assert.equal(ranges[k]![0], ranges[k - 1]![1]);
    assert.equal(text[ranges[k]![0] - 1], 10, `chunk ${k} begins after a newline`);
  }
  // a chunk size larger than the file: one range
  assert.deepEqual(await lineAlignedChunks(file, size, size * 2), [[0, size]]);
});

for (const lines of [2999, 3000]) {
  test(`validateFile: threads and chunks give the report of one thread (${lines} lines, ${crlf(lines) ? 'CRLF' : 'LF'})`, async () => {
    const file = join(dir, `same-${lines}.jsonl`);
    writeFileSync(file, chatFile(lines));
    const one = await validateFile(file, DEFAULT_OPTIONS, { workers: 1 });
    assert.ok(one.diagnostics.some((d) => d.code === 'duplicate'));
    assert.ok(one.diagnostics.some((d) => d.code === 'invalid-json'));
    for (const [workers, chunkBytes] of [
      [2, 4096],
      [3, 10_000],
    ] as const) {
      const many = await validateFile(file, DEFAULT_OPTIONS, { workers, parallelThreshold: 0, chunkBytes });
      assert.deepEqual(many, one, `${workers} threads, chunks of ${chunkBytes} bytes`);
    }
    // an editor's thread stays free: workers only, same report
    assert.deepEqual(await validateFile(file, DEFAULT_OPTIONS, { workers: 2, offThread: true, parallelThreshold: 0, chunkBytes: 8192 }), one);
  });
}

test('validateFile: a parallel run cancelled before it starts rejects as cancelled', async () => {
  const file = join(dir, 'cancel.jsonl');
  writeFileSync(file, chatFile(3000));
  const abort = new AbortController();
  abort.abort();
  await assert.rejects(validateFile(file, DEFAULT_OPTIONS, { workers: 2, parallelThreshold: 0, chunkBytes: 4096, signal: abort.signal }), /cancelled/);
});

test('lineAlignedChunks: each cut just after the first line end at or past its target; no empty range at the end of the file', async () => {
  const f = join(dir, 'small.jsonl');
  const cut = async (text: string, chunkBytes: number) => {
    writeFileSync(f, text);
    return lineAlignedChunks(f, Buffer.byteLength(text), chunkBytes);
  };
  // the only line end past the target is the file's last byte: one range, not an empty one after it
  assert.deepEqual(await cut('aaaa\nbbbb\n', 6), [[0, 10]]);
  assert.deepEqual(await cut('aaaa\nbbbb\ncc', 6), [
    [0, 10],
    [10, 12],
  ]);
  // a target on a line start still cuts after the next line end
  assert.deepEqual(await cut('aaaa\nbbbb\ncccc\ndddd\n', 5), [
    [0, 10],
    [10, 15],
    [15, 20],
  ]);
  // targets closer than a line: one cut per line, never twice at the same place
  assert.deepEqual(await cut('aaaa\nbbbb\ncccc\ndddd\n', 2), [
    [0, 5],
    [5, 10],
    [10, 15],
    [15, 20],
  ]);
  // a line longer than one 64 KiB read: the search reads on until it finds its end
  const long = 'x'.repeat(200_000);
  assert.deepEqual(await cut(`${long}\nyy\n`, 10), [
    [0, 200_001],
    [200_001, 200_004],
  ]);
  assert.deepEqual(await cut(long, 10), [[0, 200_000]]);
  assert.deepEqual(await cut('', 10), [[0, 0]]);
});

// Streaming reader, content identity.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forEachLineBatch } from '../../src/core/jsonl/readLines';
import { splitLines } from '../../src/core/checks/datasetModel';
import { canonicalJson, canonicalJsonSlow, contentHash, contentId } from '../../src/core/records/identity';

const dir = mkdtempSync(join(tmpdir(), 'ftstudio-io-'));

async function readAll(path: string, opts = {}) {
  const out: string[] = [];
  await forEachLineBatch(path, (ls) => out.push(...ls), opts);
  return out;
}

test('the reader splits like splitLines: \\n, \\r\\n, no trailing empty line, multi-byte text across chunk edges', async () => {
  const long = 'é'.repeat(700_000); // 1.4 MB in UTF-8: longer than one read
  const text = `{"a": 1}\r\n\r\n{"b": "数据🙂"}\n${long}\n{"c": 3}`;
  const p = join(dir, 'mixed.jsonl');
  writeFileSync(p, text);
  assert.deepEqual(await readAll(p), splitLines(text));
  writeFileSync(p, text + '\n');
  assert.deepEqual(await readAll(p), splitLines(text + '\n'));
  writeFileSync(p, '');
  assert.deepEqual(await readAll(p), []);
});

test('the reader honours byte ranges and cancellation', async () => {
  const p = join(dir, 'range.jsonl');
  writeFileSync(p, 'aa\nbb\ncc\n');
  assert.deepEqual(await readAll(p, { start: 3, end: 6 }), ['bb']);
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(readAll(p, { signal: ac.signal }), /cancelled/);
});

test('content identity ignores key order and whitespace, and nothing else', () => {
  const a = JSON.parse('{"prompt": "p", "chosen": "c", "rejected": "r", "meta": {"x": 1, "y": [1, 2]}}');
  const b = JSON.parse('{"meta":{"y":[1,2],"x":1},"rejected":"r","chosen":"c","prompt":"p"}');
  assert.equal(canonicalJson(a), canonicalJson(b));
  assert.equal(canonicalJson(a), canonicalJsonSlow(a));
  assert.equal(contentId(a), contentId(b));
  assert.match(contentId(a), /^[0-9a-f]{16}$/);
  assert.equal(contentHash(a), contentHash(b));
  const variants = [{ ...a, prompt: 'P' }, { ...a, meta: { x: 1, y: [2, 1] } }, { ...a, meta: { x: '1', y: [1, 2] } }, { a: 'bc' }, { ab: 'c' }, ['a', 'b'], ['ab']];
  const hashes = new Set(variants.map(contentHash));
  assert.equal(hashes.size, variants.length);
  assert.ok(!hashes.has(contentHash(a)));
});

test('the hash counter counts, forgets and survives growth like a Map', async () => {
  const { HashCounter } = await import('../../src/core/records/hashCounter');
  const c = new HashCounter();
  const ref = new Map<number, number>();
  let x = 12345;
  const keys: number[] = [];
  for (let i = 0; i < 5000; i++) {
    x = (x * 48271) % 2147483647;
    keys.push(x * 4096 + (i % 4096)); // above 2^31: the numbers a Map would box
  }
  for (let k = 0; k < 40_000; k++) {
    const h = keys[(k * 7919) % keys.length]!;
    const by = k % 3 === 2 ? -1 : 1;
    const n = Math.max(0, (ref.get(h) ?? 0) + by);
    if (n === 0) ref.delete(h);
    else ref.set(h, n);
    assert.equal(c.add(h, by), n);
  }
  assert.equal(c.size, ref.size);
  for (const h of keys) assert.equal(c.get(h), ref.get(h) ?? 0);
});

test('template signatures: first three words, case folded, contractions kept, any script', async () => {
  const { templateSignature } = await import('../../src/core/checks/template');
  assert.equal(templateSignature('You are a helpful assistant.'), 'you are a');
  assert.equal(templateSignature('  Given   the following text:'), 'given the following');
  assert.equal(templateSignature("You're an expert. Answer."), "you're an expert");
  assert.equal(templateSignature('Eres un asistente útil'), 'eres un asistente');
  assert.equal(templateSignature('数据 分析 任务 说明'), '数据 分析 任务');
  assert.equal(templateSignature('### Instruction: do it'), 'instruction do it');
  assert.equal(templateSignature('?!'), undefined);
  assert.equal(templateSignature('Hi'), 'hi');
});

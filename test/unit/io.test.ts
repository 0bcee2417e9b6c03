// Streaming reader, content identity.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forEachChunk, forEachLineBatch, forEachLineIn } from '../../src/core/jsonl/readLines';
import { open } from 'node:fs/promises';
import { splitLines } from '../../src/core/checks/datasetModel';
import {
  canonicalJson,
  canonicalJsonSlow,
  CLASS_CONTROL,
  CLS,
  contentHash,
  contentId,
  hs,
  LANE_SEED_C,
  LANE_SEED_D,
  strBegin,
  strByte,
  strEnd,
  strRun,
  strScan,
  strWhole,
} from '../../src/core/records/identity';
import { LANE_MUL, stringKernel } from '../../src/core/records/stringKernel';
import { giveSlot, takeSlot } from '../../src/core/wasm/byteArena';
import { mulberry32 } from '../../bench/generate';

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
  // the read-ahead buffer grows twice for a 3.5 MB line; many short lines fall across every chunk edge
  const many = Array.from({ length: 60_000 }, (_, i) => `{"i": ${i}, "t": "${'ab'.repeat(i % 13)}"}`);
  const big = [...many.slice(0, 100), 'x'.repeat(3_500_000), ...many].join('\n');
  writeFileSync(p, big);
  assert.deepEqual(await readAll(p), splitLines(big));
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
  const variants = [
    { ...a, prompt: 'P' },
    { ...a, meta: { x: 1, y: [2, 1] } },
    { ...a, meta: { x: '1', y: [1, 2] } },
    { a: 'bc' },
    { ab: 'c' },
    ['a', 'b'],
    ['ab'],
  ];
  const hashes = new Set(variants.map(contentHash));
  assert.equal(hashes.size, variants.length);
  assert.ok(!hashes.has(contentHash(a)));
});

test('canonical JSON keeps the keys of objects inside arrays, at any depth, sorted', () => {
  const chat = { messages: [{ role: 'user', content: 'q' }, [{ tool_calls: [{ id: 'x', function: { name: 'f' } }] }]], a: null };
  const want = '{"a":null,"messages":[{"content":"q","role":"user"},[{"tool_calls":[{"function":{"name":"f"},"id":"x"}]}]]}';
  assert.equal(canonicalJson(chat), want);
  assert.equal(canonicalJsonSlow(chat), want);
  assert.equal(canonicalJson([{ b: 1, a: [null, { d: 2, c: 3 }] }]), '[{"a":[null,{"c":3,"d":2}],"b":1}]');
});

test('content hash: every one-character change is seen, at every length and word alignment', () => {
  // strings are hashed as UTF-8, four bytes a word, eight bytes a step, the rest byte by byte:
  // a change at any position, an appended NUL (a padding byte's value) and a lone surrogate all count
  const seen = new Set<number>();
  let count = 0;
  for (let n = 1; n <= 70; n++) {
    const base = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ!?'.repeat(2).slice(0, n);
    const variants = [base, base + '\u0000', base + '\ud800', 'é' + base.slice(1)];
    for (let i = 0; i < n; i++) variants.push(base.slice(0, i) + '#' + base.slice(i + 1));
    for (const v of variants) {
      const h = contentHash({ text: v });
      seen.add(h);
      count++;
      contentHash({ text: '\uffff'.repeat(200) }); // leaves the scratch buffer dirty
      assert.equal(contentHash(JSON.parse(JSON.stringify({ text: v }))), h);
    }
  }
  assert.equal(seen.size, count);
  // a string far above the scratch buffer's first size, and the same string once more after it
  const big = 'x'.repeat(300_000);
  assert.equal(contentHash({ text: big }), contentHash({ text: 'x'.repeat(300_000) }));
  assert.notEqual(contentHash({ text: big }), contentHash({ text: big.slice(1) + 'y' }));
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
  assert.equal(templateSignature('ÉCRIS UNE Réponse'), 'écris une réponse');
  assert.equal(templateSignature('You\tare  A helper'), 'you are a');
  assert.equal(templateSignature('You are-a helper'), 'you are a');
});

test("the range of a prompt's opening words in the raw line", async () => {
  const { rangeOfText } = await import('../../src/core/checks/template');
  const cut = (line: string, text: string) => {
    const r = rangeOfText(line, text);
    return line.slice(r.start, r.end);
  };
  // a short prompt: the whole string with its quotes, not an earlier value that merely begins the same way
  assert.equal(cut('{"a":"Say hi there","prompt":"Say hi"}', 'Say hi'), '"Say hi"');
  // a long one: its first 40 characters, after the opening quote
  const long = 'You are a careful assistant who answers briefly and well.';
  assert.equal(cut(`{"prompt":${JSON.stringify(long)}}`, long), `"${long.slice(0, 40)}`);
  // characters JSON escapes: found through their escaped form
  const quoted = 'Say "hi"\nthen stop';
  assert.equal(cut(`{"prompt":${JSON.stringify(quoted)}}`, quoted), JSON.stringify(quoted));
  // written with escapes JSON.stringify would not use: not found, the whole line is the range
  assert.deepEqual(rangeOfText('{"prompt":"\\u0041bc"}', 'Abc'), { start: 0, end: 21 });
  assert.deepEqual(rangeOfText('{"prompt":""}', ''), { start: 10, end: 12 });
});

test('strRun hashes a string as its definition says wherever its bytes lie (JavaScript, WebAssembly in the arena) and however they are split into runs', () => {
  // the definition, byte by byte: four bytes to a little-endian word, word k into lane k mod 4, then the lanes folded with the length
  const reference = (bytes: Uint8Array, a: number, b: number): [number, number] => {
    const l = [a, b, a ^ LANE_SEED_C, b ^ LANE_SEED_D];
    for (let i = 0, k = 0; i < bytes.length; i += 4, k++) {
      let w = 0;
      for (let j = 0; j < 4 && i + j < bytes.length; j++) w |= bytes[i + j]! << (8 * j);
      l[k & 3] = Math.imul(l[k & 3]! ^ w, LANE_MUL[k & 3]!);
    }
    const [K1, K2, K3, K4] = LANE_MUL;
    const x = Math.imul(l[0]! ^ (bytes.length + 0x10000), K1) ^ Math.imul(l[2]! ^ (l[2]! >>> 15), K3);
    const y = Math.imul(l[1]! ^ (bytes.length + 0x10000), K2) ^ Math.imul(l[3]! ^ (l[3]! >>> 15), K4);
    return [Math.imul(x ^ (x >>> 16), K1), Math.imul(y ^ (y >>> 16), K2)];
  };
  // the kernel runs where the runtime has WebAssembly SIMD (Node does): this test must see it run
  assert.ok(stringKernel(), 'no WebAssembly SIMD kernel');
  const slot = takeSlot();
  assert.ok(slot, 'no free slot in the byte arena');
  const r = mulberry32(5);
  // ASCII, a tab (control), two-, three- and four-byte UTF-8; lengths on both sides of the kernel's threshold
  const alphabet = [() => String.fromCharCode(32 + Math.floor(r() * 90)), () => '\t', () => '\x1f', () => 'α', () => '数', () => '🙂'];
  const pick = () => (r() < 0.85 ? alphabet[0]!() : alphabet[1 + Math.floor(r() * (alphabet.length - 1))]!());
  try {
    for (let n = 0; n < 400; n++) {
      const len = n < 100 ? n : Math.floor(r() * (n < 300 ? 200 : 3000));
      const text = Array.from({ length: len }, pick).join('');
      const bytes = Buffer.from(text);
      const want = reference(bytes, 11, 13);
      const control = /[\x00-\x1f]/.test(text);
      for (let shift = 0; shift < 16; shift++) {
        for (const where of ['plain', 'arena'] as const) {
          // the same bytes at each alignment, inside a larger buffer, with other bytes after them
          const big = where === 'plain' ? Buffer.alloc(bytes.length + 32, 0x7b) : slot.subarray(8 * n, 8 * n + bytes.length + 32).fill(0x7b);
          bytes.copy(big, shift);
          hs.a = 11;
          hs.b = 13;
          strBegin();
          // whole, or cut into runs at random places (as escapes cut a string), some bytes fed one by one
          let units = 0,
            cls = 0;
          if (shift & 1) {
            units = strRun(big, shift, shift + bytes.length);
            cls = hs.cls;
          } else {
            let i = shift;
            const end = shift + bytes.length;
            while (i < end) {
              if (r() < 0.2) {
                strByte(big[i]!);
                units += CLS[big[i]!]! & 31; // strByte counts nothing: a byte's units as strRun counts them
                cls |= CLS[big[i]!]!;
                i++;
                continue;
              }
              const j = Math.min(end, i + Math.floor(r() * (r() < 0.5 ? 20 : 400)));
              units += strRun(big, i, j);
              cls |= hs.cls;
              i = j;
            }
          }
          strEnd();
          assert.deepEqual([hs.a, hs.b], want, `${where}, alignment ${shift}, ${len} characters`);
          assert.equal(units, text.length, `${where}, alignment ${shift}: UTF-16 units`);
          assert.equal((cls & CLASS_CONTROL) !== 0, control, `${where}, alignment ${shift}: control characters`);
        }
      }
    }
  } finally {
    giveSlot(slot);
  }
});

test("strScan and strWhole stop at a string's first quote or backslash and hash what lies before it exactly as strRun does, in the arena and out", () => {
  const slot = takeSlot();
  assert.ok(slot, 'no free slot in the byte arena');
  const r = mulberry32(17);
  const pieces = ['a', 'b c', 'é', '数', '🙂', '\t', '"', '\\', 'xxxxxxxxxxxxxxxx'];
  const pick = () => (r() < 0.9 ? String.fromCharCode(32 + Math.floor(r() * 90)) : pieces[Math.floor(r() * pieces.length)]!);
  const run = (f: () => number): [number, number, boolean, number, number] => {
    hs.a = 5;
    hs.b = 7;
    strBegin();
    const out = f();
    const units = hs.units,
      control = (hs.cls & CLASS_CONTROL) !== 0;
    strEnd();
    return [out, units, control, hs.a, hs.b];
  };
  try {
    for (let n = 0; n < 600; n++) {
      const len = n < 120 ? n : Math.floor(r() * 2000);
      const bytes = Buffer.from(Array.from({ length: len }, pick).join(''));
      for (let shift = 0; shift < 16; shift += 3) {
        for (const where of ['plain', 'arena'] as const) {
          const big: Buffer = where === 'plain' ? Buffer.alloc(bytes.length + 32, 0x7b) : slot.subarray(8 * n, 8 * n + bytes.length + 32).fill(0x7b);
          bytes.copy(big, shift);
          const end = shift + bytes.length;
          let stop = shift;
          while (stop < end && big[stop] !== 34 && big[stop] !== 92) stop++;
          const want: ReturnType<typeof run> = run(() => (strRun(big, shift, stop), stop));
          // strWhole: begun by itself (from the registers), and ended by itself when it stops at a quote
          hs.a = 5;
          hs.b = 7;
          const at = strWhole(big, shift, end);
          const whole = [at, hs.units, (hs.cls & CLASS_CONTROL) !== 0];
          if (at >= end || big[at] !== 34) strEnd();
          assert.deepEqual([...whole, hs.a, hs.b], want, `strWhole, ${where}, alignment ${shift}, ${len} characters`);
          assert.deepEqual(
            run(() => strScan(big, shift, end)),
            want,
            `${where}, alignment ${shift}, ${len} characters`,
          );
        }
      }
    }
  } finally {
    giveSlot(slot);
  }
});

test('forEachLineIn: the lines of buf[0, n) only, each without its \\n or the \\r before it', () => {
  const lines = (text: string, n = Buffer.byteLength(text)) => {
    const buf = Buffer.from(text);
    const out: string[] = [];
    forEachLineIn(buf, n, (s, e) => out.push(buf.toString('utf8', s, e)));
    return out;
  };
  assert.deepEqual(lines('a\r\nb\n\nc'), ['a', 'b', '', 'c']);
  assert.deepEqual(lines('a\r\n\r\nb\r'), ['a', '', 'b']);
  assert.deepEqual(lines('\nx'), ['', 'x']);
  assert.deepEqual(lines(''), []);
  // bytes past n are not read, even when the next line end lies there
  assert.deepEqual(lines('ab\ncd\nef', 4), ['ab', 'c']);
  assert.deepEqual(lines('ab\r\ncd', 2), ['ab']);
});

test('forEachChunk: pieces of whole lines in file order, the last line without its newline last; a given handle stays open', async () => {
  const p = join(dir, 'chunks.jsonl');
  const long = 'z'.repeat(1_500_000);
  const text = `one\ntwo\r\n${long}\nfour`;
  writeFileSync(p, text);
  const pieces: string[] = [];
  await forEachChunk(p, (buf, n) => pieces.push(buf.toString('latin1', 0, n)));
  assert.equal(pieces.join(''), text);
  for (const piece of pieces.slice(0, -1)) assert.ok(piece.endsWith('\n'), 'each piece but the last ends a line');
  assert.equal(pieces.at(-1), '\nfour'.slice(1), 'the last line comes on its own');
  // a range, read through a handle the caller keeps
  const handle = await open(p, 'r');
  try {
    const got: string[] = [];
    await forEachChunk(p, (buf, n) => got.push(buf.toString('utf8', 0, n)), { start: 4, end: 9, handle });
    assert.deepEqual(got, ['two\r\n']);
    const again = Buffer.alloc(3);
    assert.equal((await handle.read(again, 0, 3, 0)).bytesRead, 3, 'the handle is still open');
    assert.equal(again.toString(), 'one');
  } finally {
    await handle.close();
  }
  // an end past the file's end: what there is
  const tail: string[] = [];
  await forEachChunk(p, (buf, n) => tail.push(buf.toString('utf8', 0, n)), { start: text.length - 4, end: text.length + 100 });
  assert.deepEqual(tail, ['four']);
  // an empty range: nothing
  let calls = 0;
  await forEachChunk(p, () => calls++, { start: 5, end: 5 });
  assert.equal(calls, 0);
});

// Identity by content (src/core/records/identity.ts): canonical JSON, the content id, the in-memory content hash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { giveSlot, takeSlot } from '../../src/core/wasm/byteArena';
import { canonicalJson, canonicalJsonSlow, contentHash, contentId } from '../../src/core/records/identity';

// first in this file: the hash's scratch buffer is taken on first use, from the arena when a slot is free
test('the content hash works when every slot of the byte arena is out (an ordinary buffer instead)', () => {
  const held: Buffer[] = [];
  for (let s = takeSlot(); s; s = takeSlot()) held.push(s);
  assert.ok(held.length > 0, 'the arena had slots');
  try {
    const a = contentHash({ text: 'x'.repeat(100), n: 1 });
    assert.equal(contentHash({ n: 1, text: 'x'.repeat(100) }), a);
    assert.notEqual(contentHash({ n: 1, text: 'x'.repeat(99) + 'y' }), a);
    assert.ok(Number.isSafeInteger(a) && a >= 0);
    // strings longer than that buffer: it grows, and the whole string counts
    const long = 'x'.repeat(70_000);
    assert.notEqual(contentHash({ text: long }), contentHash({ text: long + 'y' }));
    assert.notEqual(contentHash({ text: 'é'.repeat(40_000) }), contentHash({ text: 'é'.repeat(40_001) }));
    assert.equal(contentHash({ text: long }), contentHash({ text: 'x'.repeat(70_000) }));
  } finally {
    for (const s of held) giveSlot(s);
  }
});

test('canonicalJson: primitives as JSON, undefined as null; object keys sorted at every depth, undefined members dropped', () => {
  assert.equal(canonicalJson(undefined), 'null');
  assert.equal(canonicalJson(null), 'null');
  assert.equal(canonicalJson('a"b'), '"a\\"b"');
  assert.equal(canonicalJson(1.5), '1.5');
  assert.equal(canonicalJson(true), 'true');
  assert.equal(canonicalJson({ b: 1, a: undefined, c: { z: [3, { y: 1, x: 2 }], w: null } }), '{"b":1,"c":{"w":null,"z":[3,{"x":2,"y":1}]}}');
  assert.equal(canonicalJson([]), '[]');
  assert.equal(canonicalJson({}), '{}');
  assert.equal(canonicalJsonSlow(undefined), 'null');
  assert.equal(canonicalJsonSlow(null), 'null');
  assert.equal(canonicalJsonSlow([1, 'a', null, [true]]), '[1,"a",null,[true]]');
  assert.equal(canonicalJsonSlow({ b: 1, a: undefined, c: { z: [3, { y: 1, x: 2 }], w: null } }), '{"b":1,"c":{"w":null,"z":[3,{"x":2,"y":1}]}}');
  assert.equal(canonicalJsonSlow({}), '{}');
  assert.equal(canonicalJsonSlow({ 'a b': 'é' }), '{"a b":"é"}');
});

test('contentId: the first 16 hex digits of sha256 of the canonical JSON', () => {
  const sha = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 16);
  assert.equal(contentId({ b: 2, a: 1 }), sha('{"a":1,"b":2}'));
  assert.equal(contentId('x'), sha('"x"'));
  assert.equal(contentId(null), sha('null'));
  assert.equal(contentId([{ role: 'user', content: 'Hi' }]), sha('[{"content":"Hi","role":"user"}]'));
});

test('contentHash: values of different types, shapes and members never collide; order inside arrays counts, key order does not', () => {
  const values: unknown[] = [
    null,
    true,
    false,
    0,
    1,
    -1,
    1.5,
    '',
    '0',
    '1',
    'true',
    'null',
    [],
    [null],
    [[]],
    [0],
    ['0'],
    [true, false],
    [false, true],
    {},
    { '': null },
    { a: null },
    { a: 0 },
    { a: '0' },
    { a: [] },
    { a: {} },
    { a: 1, b: 2 },
    { a: 2, b: 1 },
    { a: 1 },
    { b: 1 },
    { a: { b: 1 } },
    { a: { a: 1 } },
    { ab: 1 },
    [{ a: 1 }, { b: 1 }],
    [{ a: 1, b: 1 }],
    [undefined],
    'a'.repeat(63),
    'a'.repeat(64),
    'a'.repeat(65),
  ];
  const hashes = values.map(contentHash);
  assert.equal(new Set(hashes).size, values.length, JSON.stringify(values.filter((_, i) => hashes.indexOf(hashes[i]!) !== i)));
  for (const h of hashes) assert.ok(Number.isSafeInteger(h) && h >= 0 && h < 2 ** 53);
  assert.equal(contentHash({ a: 1, b: [1, { c: 'x', d: null }] }), contentHash({ b: [1, { d: null, c: 'x' }], a: 1 }));
  assert.equal(contentHash(JSON.parse('{"a": 1.0}')), contentHash({ a: 1 }), 'the same number however it was written');
});

test('contentHash: the same values every time (pinned: the hash is only kept in memory, so these may be re-pinned on purpose)', () => {
  assert.deepEqual(
    [null, true, 'a', 1, [1], { a: 1 }, 'é😀'.repeat(20)].map(contentHash),
    [4955899223469413, 3711741058943335, 8928463089260114, 4705002935275766, 5510521829038821, 5497610205072730, 7412787515542792],
  );
});

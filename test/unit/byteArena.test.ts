// The byte arena the reader's buffers and the hash kernel share (core/wasm/byteArena), and the LEB128
// encoders the WebAssembly kernels are assembled with (core/wasm/assemble).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arenaMemory, giveSlot, isSlot, SLOT, takeSlot } from '../../src/core/wasm/byteArena';
import { sleb, uleb } from '../../src/core/wasm/assemble';

test('the arena hands out eight distinct slots of one memory, then none; slots come back once', () => {
  const memory = arenaMemory();
  assert.ok(memory, 'this runtime has WebAssembly');
  const slots: Buffer[] = [];
  for (let k = 0; k < 8; k++) {
    const b = takeSlot();
    assert.ok(b instanceof Buffer, `slot ${k + 1}`);
    assert.equal(b.length, SLOT);
    assert.equal(b.buffer, memory.buffer, 'every slot lies in the one memory');
    assert.equal(arenaMemory(), memory, 'the memory is made once');
    slots.push(b);
  }
  // distinct, not overlapping, all after the kernels' first page
  const offsets = slots.map((b) => b.byteOffset).sort((x, y) => x - y);
  assert.deepEqual(
    offsets,
    Array.from({ length: 8 }, (_, k) => 65536 + k * SLOT),
  );
  assert.equal(takeSlot(), undefined, 'all eight are out');
  // what is not a slot is never taken back
  giveSlot(Buffer.alloc(SLOT));
  giveSlot(slots[0]!.subarray(0, SLOT - 1));
  giveSlot(Buffer.from(memory.buffer, 0, SLOT)); // SLOT bytes of the arena from the kernels' page: not a slot
  giveSlot(Buffer.from(memory.buffer, 65536 + 4096, SLOT)); // SLOT bytes across two slots
  assert.equal(takeSlot(), undefined, 'a Buffer of the slot size, a short view of a slot, slot-sized views at other offsets: not slots');
  // a slot given back twice is taken once
  giveSlot(slots[3]!);
  giveSlot(slots[3]!);
  assert.equal(takeSlot(), slots[3]);
  assert.equal(takeSlot(), undefined);
  for (const b of slots) giveSlot(b);
  const again = Array.from({ length: 8 }, () => takeSlot()!);
  assert.equal(new Set(again).size, 8);
  assert.equal(takeSlot(), undefined);
  for (const b of again) giveSlot(b);
});

test('isSlot: only a whole slot of the arena', () => {
  const b = takeSlot()!;
  assert.equal(isSlot(b), true);
  assert.equal(isSlot(Buffer.alloc(SLOT)), false, 'another memory');
  assert.equal(isSlot(Buffer.from(new ArrayBuffer(65536 + SLOT), 65536, SLOT)), false, "another memory, at a slot's offset");
  assert.equal(isSlot(b.subarray(0, 4096)), false, 'the start of a slot, shorter');
  assert.equal(isSlot(b.subarray(1)), false, 'a shorter view of the arena');
  assert.equal(isSlot(Buffer.from(b.buffer, 0, SLOT)), false, "slot-sized, over the kernels' page");
  assert.equal(isSlot(Buffer.from(b.buffer, 65536 + 8, SLOT)), false, 'slot-sized, not where a slot begins');
  giveSlot(b);
});

test('LEB128: unsigned and signed encodings as the WebAssembly binary format defines them', () => {
  assert.deepEqual(uleb(0), [0]);
  assert.deepEqual(uleb(127), [0x7f]);
  assert.deepEqual(uleb(128), [0x80, 0x01]);
  assert.deepEqual(uleb(624485), [0xe5, 0x8e, 0x26]);
  assert.deepEqual(sleb(0), [0]);
  assert.deepEqual(sleb(63), [0x3f]);
  assert.deepEqual(sleb(64), [0xc0, 0x00], '64 needs a second byte: its sign bit would read as negative');
  assert.deepEqual(sleb(127), [0xff, 0x00]);
  assert.deepEqual(sleb(-1), [0x7f]);
  assert.deepEqual(sleb(-64), [0x40]);
  assert.deepEqual(sleb(-65), [0xbf, 0x7f]);
  assert.deepEqual(sleb(-123456), [0xc0, 0xbb, 0x78]);
});

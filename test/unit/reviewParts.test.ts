// The parts the review and ranking panels rest on: a key bound to the item shown (core/annotation/binding)
// with the exact notices the panel shows, and the record of what the webview holds (core/annotation/sentViews).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reviewTarget, staleDecision } from '../../src/core/annotation/binding';
import { SentViews } from '../../src/core/annotation/sentViews';

test('staleDecision: the exact notices, ids cut to 8 characters', () => {
  assert.equal(staleDecision({ id: undefined }, { id: '0123456789abcdef' }), 'Ignored a key for item 01234567: no item is shown.');
  assert.equal(
    staleDecision({ id: 'fedcba9876543210' }, { id: '0123456789abcdef' }),
    'Ignored a key for item 01234567: it is no longer shown (now fedcba98). Nothing was recorded for it.',
  );
  assert.equal(
    staleDecision({ id: 'abc', order: ['chosen', 'rejected'] }, { id: 'abc', shown: ['rejected', 'chosen'] }),
    'Ignored a key for item abc: its sides were shown in another order. Nothing was recorded.',
  );
});

test('staleDecision: the side order counts only when both sides know it; a different length is another order', () => {
  assert.equal(staleDecision({ id: 'a', order: ['x', 'y'] }, { id: 'a', shown: ['x', 'y'] }), undefined);
  assert.equal(staleDecision({ id: 'a', order: ['x', 'y'] }, { id: 'a' }), undefined, 'the key names no order');
  assert.equal(staleDecision({ id: 'a' }, { id: 'a', shown: ['y', 'x'] }), undefined, 'the panel shows no order');
  assert.match(staleDecision({ id: 'a', order: ['x', 'y'] }, { id: 'a', shown: ['x'] })!, /another order/);
  assert.match(staleDecision({ id: 'a', order: ['x'] }, { id: 'a', shown: ['x', 'y'] })!, /another order/);
  assert.match(staleDecision({ id: 'a', order: ['x', 'y'] }, { id: 'a', shown: ['x', 'z'] })!, /another order/);
  assert.equal(staleDecision({ id: 'a', order: [] }, { id: 'a', shown: [] }), undefined);
});

test('reviewTarget: the index shown when the key was for its record, else the notice', () => {
  const ids = ['r0', 'r1', 'r2'];
  const idAt = (i: number) => ids[i];
  assert.deepEqual(reviewTarget(1, idAt, { id: 'r1' }), { index: 1 });
  assert.deepEqual(reviewTarget(2, idAt, { id: 'r1' }), {
    notice: 'Ignored a key for item r1: it is no longer shown (now r2). Nothing was recorded for it.',
  });
  assert.deepEqual(reviewTarget(5, idAt, { id: 'r1' }), { notice: 'Ignored a key for item r1: no item is shown.' });
});

test('SentViews: an id is held while it is among the last `window` sends, counted once per send', () => {
  const s = new SentViews(3);
  assert.equal(s.has('a'), false);
  s.add('a');
  s.add('b');
  s.add('a');
  assert.deepEqual(
    ['a', 'b', 'c'].map((x) => s.has(x)),
    [true, true, false],
  );
  s.add('c'); // window: b a c — the first 'a' left, the second is still there
  assert.deepEqual(
    ['a', 'b', 'c'].map((x) => s.has(x)),
    [true, true, true],
  );
  s.add('d'); // a c d
  assert.deepEqual(
    ['a', 'b', 'c', 'd'].map((x) => s.has(x)),
    [true, false, true, true],
  );
  s.add('e'); // c d e
  assert.deepEqual(
    ['a', 'c', 'd', 'e'].map((x) => s.has(x)),
    [false, true, true, true],
  );
  s.clear();
  assert.deepEqual(
    ['c', 'd', 'e'].map((x) => s.has(x)),
    [false, false, false],
  );
  s.add('x');
  s.add('y');
  s.add('z');
  assert.deepEqual(
    ['x', 'y', 'z'].map((v) => s.has(v)),
    [true, true, true],
    'after clear the window is whole again',
  );
  s.add('w');
  assert.equal(s.has('x'), false);
  // what was sent before a clear is forgotten: sent again, it is held for a whole window
  const t = new SentViews(2);
  t.add('a');
  t.add('b');
  t.clear();
  t.add('a');
  assert.equal(t.has('a'), true);
  t.add('b');
  assert.deepEqual([t.has('a'), t.has('b')], [true, true]);
});

test('SentViews of window 1: only the last send is held', () => {
  const s = new SentViews(1);
  s.add('a');
  assert.equal(s.has('a'), true);
  s.add('a');
  assert.equal(s.has('a'), true);
  s.add('b');
  assert.deepEqual([s.has('a'), s.has('b')], [false, true]);
});

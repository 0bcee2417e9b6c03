// Decisions bound to the item shown: the extension's check (core/annotation/binding), the webview's
// queue of keys (webview-ui/shared/decisionQueue), the record of what the webview holds (sentViews).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reviewTarget, staleDecision } from '../../src/core/annotation/binding';
import { SentViews } from '../../src/core/annotation/sentViews';
import { DecisionQueue } from '../../webview-ui/shared/decisionQueue';
import { KEPT_VIEWS } from '../../src/protocol/ranking';

test('a decision for the item shown is applied; one for another item, another side order or no item is not, with a notice', () => {
  assert.equal(staleDecision({ id: 'aaaa1111', order: ['chosen', 'rejected'] }, { id: 'aaaa1111', shown: ['chosen', 'rejected'] }), undefined);
  assert.equal(staleDecision({ id: 'aaaa1111' }, { id: 'aaaa1111' }), undefined);
  const other = staleDecision({ id: 'bbbb2222' }, { id: 'aaaa1111' });
  assert.match(other ?? '', /Ignored a key for item aaaa1111: it is no longer shown \(now bbbb2222\)/);
  assert.match(staleDecision({ id: 'aaaa1111', order: ['chosen', 'rejected'] }, { id: 'aaaa1111', shown: ['rejected', 'chosen'] }) ?? '', /another order/);
  assert.match(staleDecision({ id: undefined }, { id: 'aaaa1111' }) ?? '', /no item is shown/);
});

const v = (id: string) => ({ id });
const state = (ack: number, shownId: string | null, nextIds: string[], views: string[]) => ({ ack, shownId, nextIds, views: views.map(v) });

test('optimistic queue: each key is bound to the item on screen, the next one shows at once, keys beyond what has arrived are dropped', () => {
  const q = new DecisionQueue<{ id: string }>(true);
  q.onState(state(0, 'a', ['b', 'c'], ['a', 'b', 'c']));
  assert.equal(q.shown, 'a');
  assert.deepEqual(q.decide(), { seq: 1, id: 'a' });
  assert.equal(q.shown, 'b', 'the next item shows before the reply');
  assert.deepEqual(q.decide(), { seq: 2, id: 'b' });
  assert.deepEqual(q.decide(), { seq: 3, id: 'c' });
  // nothing known after c: the screen waits, keys are dropped, never bound to an unseen item
  assert.equal(q.shown, null);
  assert.equal(q.waiting, true);
  assert.equal(q.decide(), undefined);
  assert.match(q.notice ?? '', /had not arrived yet/);
  // a late reply (to seq 1) does not move the screen back
  q.onState(state(1, 'b', ['c', 'd'], ['d']));
  assert.equal(q.shown, null);
  // the reply to everything: the extension's item is shown
  q.onState(state(3, 'd', ['e'], ['e']));
  assert.equal(q.shown, 'd');
  assert.equal(q.waiting, false);
  assert.deepEqual(q.decide(), { seq: 4, id: 'd' });
  assert.equal(q.notice, undefined, 'an accepted key clears the notice');
});

test('optimistic queue: a next item whose content has not arrived shows when it arrives, even before the reply', () => {
  const q = new DecisionQueue<{ id: string }>(true);
  q.onState(state(0, 'a', ['b'], ['a']));
  assert.deepEqual(q.decide(), { seq: 1, id: 'a' });
  assert.equal(q.shown, null, 'b is next but its content is not here');
  assert.equal(q.decide(), undefined, 'a key while b is loading is dropped');
  q.onState(state(0, 'a', ['b'], ['b'])); // a progress state sent before seq 1 was handled, carrying b
  assert.equal(q.shown, 'b');
  assert.deepEqual(q.decide(), { seq: 2, id: 'b' });
});

test('optimistic queue: navigation waits for the extension; the extension overrules the screen once everything is answered', () => {
  const q = new DecisionQueue<{ id: string }>(true);
  q.onState(state(0, 'a', ['b'], ['a', 'b']));
  const seq = q.message(); // j
  assert.equal(seq, 1);
  assert.equal(q.shown, 'a', 'navigation does not move the screen by itself');
  q.onState(state(1, 'b', [], []));
  assert.equal(q.shown, 'b');
  // a rejected decision (the extension showed something else): the screen follows the extension
  q.decide();
  q.onState(state(2, 'x', [], ['x']));
  assert.equal(q.shown, 'x');
});

test('one-at-a-time queue (review): one decision per record; keys are dropped until the reply', () => {
  const q = new DecisionQueue<{ id: string }>(false);
  q.onState(state(0, 'r1', [], ['r1']));
  assert.deepEqual(q.decide(), { seq: 1, id: 'r1' });
  assert.equal(q.shown, 'r1', 'the record stays until the extension moves on');
  assert.equal(q.decide(), undefined, 'a second key on the same record is dropped');
  assert.match(q.notice ?? '', /one decision per record/);
  q.onState(state(1, 'r2', [], ['r2']));
  assert.deepEqual(q.decide(), { seq: 2, id: 'r2' });
});

test('the webview keeps every content the extension believes it has', () => {
  const sent = new SentViews(KEPT_VIEWS / 2);
  const q = new DecisionQueue<{ id: string }>(true);
  let k = 0;
  for (let round = 0; round < 50; round++) {
    const views: string[] = [];
    for (let i = 0; i < 20; i++) {
      const id = `i${(k++ * 7) % 900}`; // ids come back now and then
      if (!sent.has(id)) {
        sent.add(id);
        views.push(id);
      }
    }
    q.onState(state(0, views[0] ?? null, [], views));
  }
  // every id the extension would not resend is still held by the webview
  for (let i = 0; i < 900; i++) {
    const id = `i${i}`;
    if (sent.has(id)) {
      q.onState(state(0, id, [], []));
      assert.ok(q.view, `${id} is held`);
    }
  }
  sent.clear();
  assert.equal(sent.has('i0'), false);
});

test("a killed writer's temporary file is removed; a running writer's is left alone", async () => {
  const { mkdtempSync, writeFileSync, readdirSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { spawnSync } = await import('node:child_process');
  const { removeStaleTemps, appendLinesAtomic } = await import('../../src/core/jsonl/atomicFile');
  const dir = mkdtempSync(join(tmpdir(), 'ftstudio-temps-'));
  const log = join(dir, 'pairs.jsonl');
  appendLinesAtomic(log, ['{"v":1}']);
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
  writeFileSync(join(dir, `.pairs.jsonl.${dead}.0badc0de.tmp`), 'half');
  writeFileSync(join(dir, `.pairs.jsonl.${process.ppid}.0badc0de.tmp`), 'writing');
  writeFileSync(join(dir, `.other.jsonl.${dead}.0badc0de.tmp`), 'not ours');
  const removed = removeStaleTemps(log);
  assert.equal(removed.length, 1);
  assert.deepEqual(readdirSync(dir).sort(), ['.other.jsonl.' + dead + '.0badc0de.tmp', `.pairs.jsonl.${process.ppid}.0badc0de.tmp`, 'pairs.jsonl'].sort());
});

test('a side order is the same only when every side matches, in a list of the same length; a notice names the first 8 characters of the id', () => {
  const id = 'abcdef0123456789';
  const at = (order: string[], shown: string[]) => staleDecision({ id, order }, { id, shown });
  assert.equal(at(['a', 'b', 'c'], ['a', 'b', 'c']), undefined);
  assert.match(at(['a', 'b', 'c'], ['a', 'c', 'b']) ?? '', /another order/, 'one side moved is another order');
  assert.match(at(['a', 'b'], ['a']) ?? '', /another order/, 'fewer sides shown is another order');
  // the side order is checked only when both the panel and the decision name one
  assert.equal(staleDecision({ id, order: ['a', 'b'] }, { id }), undefined);
  assert.equal(staleDecision({ id }, { id, shown: ['b', 'a'] }), undefined);
  assert.equal(
    staleDecision({ id: 'ffff0000ffff' }, { id }),
    'Ignored a key for item abcdef01: it is no longer shown (now ffff0000). Nothing was recorded for it.',
  );
});

test('SentViews holds exactly the ids of the last `window` sends, counting an id sent twice until both sends have left', () => {
  const sent = new SentViews(3);
  for (const id of ['a', 'b', 'c']) sent.add(id);
  assert.deepEqual(
    ['a', 'b', 'c'].map((id) => sent.has(id)),
    [true, true, true],
    'a full window holds all of it',
  );
  sent.add('d');
  assert.deepEqual(
    ['a', 'b', 'c', 'd'].map((id) => sent.has(id)),
    [false, true, true, true],
    'the oldest send leaves first',
  );
  const twice = new SentViews(2);
  twice.add('x');
  twice.add('x');
  twice.add('y'); // the first 'x' leaves; the second is still in the window
  assert.equal(twice.has('x'), true);
  twice.add('z'); // now both have left
  assert.equal(twice.has('x'), false);
  assert.equal(twice.has('y'), true);
});

test('review: a decision applies to the record shown by its id, wherever the panel numbered it', () => {
  // the streamed sample had the record at 2; the whole sample, known while the key was in flight, has it at 7
  const ids = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'rec1234567', 'h'];
  const idAt = (i: number) => ids[i];
  assert.deepEqual(reviewTarget(7, idAt, { id: 'rec1234567' }), { index: 7 });
  // another record on screen now: ignored, with the notice naming both
  assert.deepEqual(reviewTarget(6, idAt, { id: 'rec1234567' }), {
    notice: 'Ignored a key for item rec12345: it is no longer shown (now g). Nothing was recorded for it.',
  });
  // nothing shown (the next record not found yet): ignored
  assert.match((reviewTarget(ids.length, idAt, { id: 'rec1234567' }) as { notice: string }).notice, /no item is shown/);
});

test('review navigation moves from the record the extension shows, wrapping; from past the last (still streaming) back to the last or on to the first', async () => {
  const { stepIndex } = await import('../../src/core/review/decide');
  assert.equal(stepIndex(4, 1, 10), 5);
  assert.equal(stepIndex(4, -1, 10), 3);
  assert.equal(stepIndex(9, 1, 10), 0, 'next after the last is the first');
  assert.equal(stepIndex(0, -1, 10), 9, 'previous before the first is the last');
  assert.equal(stepIndex(10, -1, 10), 9, 'waiting for the next record: back is the last one found');
  assert.equal(stepIndex(10, 1, 10), 0);
  assert.equal(stepIndex(3, 1, 0), 0, 'an empty sample');
});

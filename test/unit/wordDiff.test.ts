// Word diff of two responses (preference/wordDiff.ts): exact segments on small inputs, the tie rule, and the
// size limit above which both sides are shown whole.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wordDiff } from '../../src/core/preference/wordDiff';

test('word diff: empty sides give no segments; a side against an empty one is all "only"', () => {
  assert.deepEqual(wordDiff('', ''), { left: [], right: [] });
  assert.deepEqual(wordDiff('a b', ''), { left: [{ text: 'a b', op: 'only' }], right: [] });
  assert.deepEqual(wordDiff('', 'a b'), { left: [], right: [{ text: 'a b', op: 'only' }] });
  assert.deepEqual(wordDiff('same words', 'same words'), { left: [{ text: 'same words', op: 'same' }], right: [{ text: 'same words', op: 'same' }] });
});

test('word diff: the first shared word is matched and the rest of the longer side is one "only" run', () => {
  // the right side runs out after its one word: nothing more is added to it
  assert.deepEqual(wordDiff('y x y', 'y'), {
    left: [
      { text: 'y', op: 'same' },
      { text: ' x y', op: 'only' },
    ],
    right: [{ text: 'y', op: 'same' }],
  });
  assert.deepEqual(wordDiff('y', 'y x y'), {
    left: [{ text: 'y', op: 'same' }],
    right: [
      { text: 'y', op: 'same' },
      { text: ' x y', op: 'only' },
    ],
  });
});

test('word diff: a changed word in the middle and an added word at the end; whitespace is a token of its own', () => {
  assert.deepEqual(wordDiff('one two three', 'one 2 three four'), {
    left: [
      { text: 'one ', op: 'same' },
      { text: 'two', op: 'only' },
      { text: ' three', op: 'same' },
    ],
    right: [
      { text: 'one ', op: 'same' },
      { text: '2', op: 'only' },
      { text: ' three', op: 'same' },
      { text: ' four', op: 'only' },
    ],
  });
  assert.deepEqual(wordDiff('a\n\nb', 'a b'), {
    left: [
      { text: 'a', op: 'same' },
      { text: '\n\n', op: 'only' },
      { text: 'b', op: 'same' },
    ],
    right: [
      { text: 'a', op: 'same' },
      { text: ' ', op: 'only' },
      { text: 'b', op: 'same' },
    ],
  });
});

test('word diff: a word added at the front of the right side is marked there, the rest matched', () => {
  assert.deepEqual(wordDiff('b c', 'a b c'), {
    left: [{ text: 'b c', op: 'same' }],
    right: [
      { text: 'a ', op: 'only' },
      { text: 'b c', op: 'same' },
    ],
  });
});

test('word diff: on a tie the left word is dropped first (swapped words keep the later shared word)', () => {
  assert.deepEqual(wordDiff('x a', 'a x'), {
    left: [
      { text: 'x ', op: 'only' },
      { text: 'a', op: 'same' },
    ],
    right: [
      { text: 'a', op: 'same' },
      { text: ' x', op: 'only' },
    ],
  });
});

test('word diff: up to 3000 tokens a side is diffed; above, both sides are shown whole and unmarked', () => {
  const at = 'w '.repeat(1500); // 3000 tokens: 1500 words and 1500 spaces
  const d = wordDiff(at, at.replace(/^w/, 'v'));
  assert.deepEqual(d.left[0], { text: 'w', op: 'only' });
  assert.deepEqual(d.right[0], { text: 'v', op: 'only' });
  assert.equal(d.left.map((s) => s.text).join(''), at);
  const over = at + 'w'; // 3001 tokens
  const whole = { left: [{ text: over, op: 'same' }], right: [{ text: 'v', op: 'same' }] };
  assert.deepEqual(wordDiff(over, 'v'), whole);
  assert.deepEqual(wordDiff('v', over), { left: [{ text: 'v', op: 'same' }], right: [{ text: over, op: 'same' }] });
});

// Character offsets of tokens, matched along the text's UTF-8 bytes, for each vocabulary scheme, and the two
// masks built on them (chat.py's spans_to_mask, transformers' generation mask). The parity with the Rust
// tokenizers on real vocabularies is trainer/tests/test_node_token_counts.py; these pin each rule here,
// where the unit suite (and the mutation run) can see it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generationMask, spansToMask, tokenOffsets, type OffsetTokenizer, type Scheme } from '../../src/core/tokens/tokenOffsets';

/** A tokenizer whose ids are the positions of `tokens`; `added` lists the added tokens' ids. */
function vocab(scheme: Scheme, tokens: string[], o: { added?: number[]; trimOffsets?: boolean } = {}): [OffsetTokenizer, (...t: string[]) => number[]] {
  const t: OffsetTokenizer = { tokenOf: (id) => tokens[id], added: new Set(o.added ?? []), scheme, trimOffsets: o.trimOffsets ?? false };
  return [t, (...names) => names.map((n) => tokens.indexOf(n))];
}

test('byte-level: Ġ is a space and multi-byte characters come as GPT-2 byte characters; trim_offsets leaves the spaces out', () => {
  // "é" is the bytes C3 A9, which GPT-2's alphabet writes as "Ã©"; "€" (E2 82 AC) as "â‚¬"
  const [t, ids] = vocab('byte-level', ['hi', 'Ġthere', 'Ġcaf', 'Ã©', 'Ġ', 'âĤ¬', '<|end|>', 'ĉ'], { added: [6] });
  const text = 'hi there café €<|end|>\tx';
  assert.deepEqual(tokenOffsets('hi there café €', ids('hi', 'Ġthere', 'Ġcaf', 'Ã©', 'Ġ', 'âĤ¬'), t), [
    [0, 2],
    [2, 8],
    [8, 12],
    [12, 13],
    [13, 14],
    [14, 15],
  ]);
  // an added token is matched as written; a tab is Ġ's neighbour ĉ (byte 09)
  assert.deepEqual(tokenOffsets(text.slice(0, -1), ids('hi', 'Ġthere', 'Ġcaf', 'Ã©', 'Ġ', 'âĤ¬', '<|end|>', 'ĉ'), t)?.slice(-2), [
    [15, 22],
    [22, 23],
  ]);
  const [trim] = vocab('byte-level', ['hi', 'Ġthere', 'Ġ'], { trimOffsets: true });
  assert.deepEqual(tokenOffsets('hi there ', [0, 1, 2], trim), [
    [0, 2],
    [3, 8],
    [9, 9], // a token that is only a space is empty once trimmed (at its end, as Rust's process_offsets leaves it)
  ]);
});

test('byte-level: a character split across tokens is covered by each of them, as the Rust tokenizers report it', () => {
  // "😀" is F0 9F 98 80 (two UTF-16 units): "ðŁĺ" + "Ģ" split it after its third byte
  const [t] = vocab('byte-level', ['a', 'ðŁĺ', 'Ģ']);
  assert.deepEqual(tokenOffsets('a😀', [0, 1, 2], t), [
    [0, 1],
    [1, 3],
    [1, 3],
  ]);
});

test('SentencePiece: ▁ is a space, a prepended one is skipped, <0xNN> is one byte', () => {
  const [t, ids] = vocab('sentencepiece', ['▁hello', '▁wor', 'ld', '<0xE2>', '<0x82>', '<0xAC>', '<s>'], { added: [6] });
  // the tokenizer prepends ▁ to the first word: no space in the text for it
  assert.deepEqual(tokenOffsets('<s>hello world€', ids('<s>', '▁hello', '▁wor', 'ld', '<0xE2>', '<0x82>', '<0xAC>'), t), [
    [0, 3],
    [3, 8],
    [8, 12],
    [12, 14],
    [14, 15],
    [14, 15],
    [14, 15],
  ]);
});

test('WordPiece: ## continues a word, and the whitespace the pre-tokenizer dropped is stepped over', () => {
  const [t, ids] = vocab('wordpiece', ['[CLS]', 'play', '##ing', 'now'], { added: [0] });
  assert.deepEqual(tokenOffsets('[CLS]playing \n now', ids('[CLS]', 'play', '##ing', 'now'), t), [
    [0, 5],
    [5, 9],
    [9, 12],
    [15, 18],
  ]);
});

test('tokens that do not line up with the text (a normalizer rewrote it, or an unknown id): undefined, never offsets that are off', () => {
  const [t, ids] = vocab('plain', ['hello', 'world']);
  assert.deepEqual(tokenOffsets('helloworld', ids('hello', 'world'), t), [
    [0, 5],
    [5, 10],
  ]);
  assert.equal(tokenOffsets('Hello', ids('hello'), t), undefined);
  assert.equal(tokenOffsets('hello', [7], t), undefined);
  assert.equal(tokenOffsets('hello world', ids('world'), t), undefined, 'text skipped that is not white space');
});

test('spansToMask: tokens overlapping a span, and a special token starting where the span ends', () => {
  const offsets: Array<[number, number]> = [
    [0, 3], // "<u>"
    [3, 8], // "hello"
    [8, 11], // "<a>"
    [11, 13], // "ok"
    [13, 17], // "</s>"
    [17, 20], // "<u>"
  ];
  const special = [true, false, true, false, true, true];
  assert.deepEqual(spansToMask(offsets, special, [[11, 13]]), [false, false, false, true, true, false]);
  // the same end token, not special: not trained
  assert.deepEqual(spansToMask(offsets, [true, false, true, false, false, true], [[11, 13]]), [false, false, false, true, false, false]);
  // two spans, the later one past several tokens: "<a>" starts where the first ends (special: trained), the
  // empty token at the second's start overlaps nothing (not trained)
  assert.deepEqual(
    spansToMask(
      [...offsets, [20, 20], [20, 24]],
      [...special, false, false],
      [
        [3, 8],
        [20, 24],
      ],
    ),
    [false, true, true, false, false, false, false, true],
  );
});

test("generationMask: from the token holding a span's first character to the one holding its last", () => {
  const offsets: Array<[number, number]> = [
    [0, 2],
    [2, 4],
    [4, 6],
    [6, 8],
  ];
  assert.deepEqual(generationMask(offsets, [[2, 4]]), [false, true, false, false]);
  assert.deepEqual(generationMask(offsets, [[3, 5]]), [false, true, true, false], 'spans inside tokens take both');
  assert.deepEqual(generationMask(offsets, [[5, 5]]), [false, false, false, false], 'an empty span takes nothing');
  // transformers: a span whose last character is in token 0 reads as "no end token" and runs to the end
  assert.deepEqual(generationMask(offsets, [[0, 1]]), [true, true, true, true]);
  // a span past the last token stops the marking (transformers breaks there)
  assert.deepEqual(
    generationMask(offsets, [
      [9, 10],
      [2, 4],
    ]),
    [false, false, false, false],
  );
});

test('UTF-8 lengths at every boundary: 1, 2, 3 and 4 bytes, and a surrogate pair counts two UTF-16 units', () => {
  // one token per character, matched on its UTF-8 bytes: U+007F | U+0080 | U+07FF | U+0800 | U+FFFF | U+10000 | x
  const chars = ['\u007f', '\u0080', '\u07ff', '\u0800', '\uffff', '\u{10000}', 'x'];
  const [t] = vocab('plain', chars);
  assert.deepEqual(tokenOffsets(chars.join(''), [0, 1, 2, 3, 4, 5, 6], t), [
    [0, 1],
    [1, 2],
    [2, 3],
    [3, 4],
    [4, 5],
    [5, 7],
    [7, 8],
  ]);
});

test('WordPiece: tabs, carriage returns and line feeds the pre-tokenizer dropped are all stepped over', () => {
  const [t, ids] = vocab('wordpiece', ['play', 'now', 'then']);
  assert.deepEqual(tokenOffsets('play\t\r\nnow \rthen', ids('play', 'now', 'then'), t), [
    [0, 4],
    [7, 10],
    [12, 16],
  ]);
});

test('SentencePiece: byte-fallback tokens in lower-case hex are bytes too', () => {
  const [t, ids] = vocab('sentencepiece', ['▁a', '<0xe2>', '<0x82>', '<0xac>']);
  assert.deepEqual(tokenOffsets('a€', ids('▁a', '<0xe2>', '<0x82>', '<0xac>'), t), [
    [0, 1],
    [1, 2],
    [1, 2],
    [1, 2],
  ]);
});

test('trim_offsets leaves an added token as written, spaces and all', () => {
  // an added token made of spaces (code models have them) keeps its offsets; a vocabulary one is trimmed
  const [t] = vocab('byte-level', ['x', '  ', 'Ġ'], { added: [1], trimOffsets: true });
  assert.deepEqual(tokenOffsets('x   ', [0, 1, 2], t), [
    [0, 1],
    [1, 3],
    [4, 4],
  ]);
});

test('spansToMask: a token in the second of two adjacent spans is trained', () => {
  // two replies back to back: the token that starts where the first ends belongs to the second
  assert.deepEqual(
    spansToMask(
      [
        [0, 2],
        [2, 6],
        [6, 8],
        [8, 9],
      ],
      [false, false, false, false],
      [
        [2, 6],
        [6, 8],
      ],
    ),
    [false, true, true, false],
  );
});

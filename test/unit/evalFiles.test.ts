// The files `ftstudio score` reads (src/core/eval/evalFiles.ts): held-out references and the error listing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EvalInputError, loadBaseline, loadHeldoutPairs, referenceOf } from '../../src/core/eval/evalFiles';

test('referenceOf: of typed content parts, only the text parts make the reference', () => {
  // pins: image parts (even one carrying a "text" member) and non-objects are skipped, text parts joined in order
  const rec = {
    messages: [
      { role: 'user', content: 'Capital of France?' },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Par' },
          { type: 'image_url', image_url: { url: 'https://example.com/map.png' }, text: '[map]' },
          null,
          'loose string',
          { type: 'text', text: 'is' },
        ],
      },
    ],
  };
  assert.equal(referenceOf(rec), 'Paris');
  // a last assistant turn with no text part at all has no reference
  assert.equal(referenceOf({ completion: [{ role: 'assistant', content: [{ type: 'image_url', image_url: { url: 'u' }, text: 'x' }] }] }), undefined);
});

test('loadHeldoutPairs lists at most 20 problems, then says how many more there are', () => {
  // pins the error's shape: a heading, the first 20 problems one per line, then "… and N more"
  const dir = mkdtempSync(join(tmpdir(), 'ftstudio-heldout-'));
  const held = join(dir, 'heldout.jsonl');
  const preds = join(dir, 'predictions.jsonl');
  writeFileSync(held, Array.from({ length: 23 }, (_, i) => `[${i}]`).join('\n') + '\n');
  writeFileSync(preds, '{"output": "x"}\n');
  assert.throws(
    () => loadHeldoutPairs(held, preds, true),
    (e: Error) => {
      assert.ok(e instanceof EvalInputError);
      const lines = e.message.split('\n');
      assert.equal(lines[0], 'cannot pair predictions with the held-out set:');
      assert.equal(lines.length, 1 + 20 + 1);
      assert.equal(lines[1], `${held}:1: each line must be a JSON object`);
      assert.equal(lines[20], `${held}:20: each line must be a JSON object`);
      assert.equal(lines[21], '… and 3 more');
      return true;
    },
  );
});

test('loadBaseline: a missing baseline report is named as the baseline', () => {
  // pins: the read error says "cannot read baseline <path>: no such file"
  const p = join(mkdtempSync(join(tmpdir(), 'baseline-missing-')), 'prev.json');
  assert.throws(
    () => loadBaseline(p),
    (e: Error) => e instanceof EvalInputError && e.message === `cannot read baseline ${p}: no such file`,
  );
});

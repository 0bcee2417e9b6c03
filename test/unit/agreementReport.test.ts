// Annotator agreement (preference/agreementReport.ts, preference/agreement.ts): which annotators and items are
// compared, how rankings become Krippendorff units, and the statistics on small hand-checked inputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { agreementReport } from '../../src/core/preference/agreementReport';
import { cohensKappa, krippendorffAlphaOrdinal } from '../../src/core/preference/agreement';
import type { AnnotationEvent } from '../../src/core/preference/annotationStore';

const ev = (annotator: string, id: string, extra: Pick<AnnotationEvent, 'kind'> & Partial<Pick<AnnotationEvent, 'choice' | 'ranks'>>): AnnotationEvent => ({
  v: 1,
  line: 1,
  time: '2026-01-01T00:00:00Z',
  annotator,
  id,
  ...extra,
});

test('agreement report: annotators sorted, every pair of them with shared items, ties counted, rankings as (record, candidate) units', () => {
  const events = [
    ev('cy', 'r5', { kind: 'pair', choice: 'rejected' }),
    ev('bob', 'r1', { kind: 'pair', choice: 'chosen' }),
    ev('ann', 'r1', { kind: 'pair', choice: 'chosen' }),
    ev('ann', 'r2', { kind: 'pair', choice: 'tie' }),
    ev('bob', 'r2', { kind: 'pair', choice: 'rejected' }),
    ev('bob', 'r5', { kind: 'pair', choice: 'rejected' }),
    ev('ann', 'r4', { kind: 'pair', choice: 'chosen' }),
    ev('ann', 'k1', { kind: 'ranking', ranks: [1, 2, 3] }),
    ev('bob', 'k1', { kind: 'ranking', ranks: [1, 3, 2] }),
    ev('cy', 'k1', { kind: 'ranking', ranks: [2, 1] }),
    ev('ann', 'k2', { kind: 'ranking', ranks: [1, null] }),
    ev('bob', 'k2', { kind: 'ranking', ranks: [2, 1] }),
    ev('cy', 'k3', { kind: 'ranking' }),
  ];
  const r = agreementReport(events);
  assert.deepEqual(r.annotators, ['ann', 'bob', 'cy']);
  // ann and cy labelled no pair in common: no entry for them
  assert.deepEqual(r.pairs, [
    { a: 'ann', b: 'bob', items: 2, percentAgreement: 0.5, kappa: 1 / 3 },
    { a: 'bob', b: 'cy', items: 1, percentAgreement: 1, kappa: 1 },
  ]);
  // units (coders ann, bob, cy): k1 gives three, as wide as its widest ranking; k2 two (a null rank is missing)
  const _ = undefined;
  const units = [
    [1, 1, 2],
    [2, 3, 1],
    [3, 2, _],
    [1, 2, _],
    [_, 1, _],
  ];
  const expected = krippendorffAlphaOrdinal(units);
  assert.equal(expected.pairable, 4);
  assert.deepEqual(r.rankings, { units: 4, alpha: expected.alpha });
  assert.ok(Math.abs(r.rankings!.alpha! - 0.025) < 1e-12);
});

test('agreement report: an undone decision does not count; one annotator alone has no pairs and no pairable ranking unit', () => {
  const events = [
    ev('ann', 'r1', { kind: 'pair', choice: 'chosen' }),
    ev('bob', 'r1', { kind: 'pair', choice: 'rejected' }),
    ev('bob', 'r1', { kind: 'undo' }),
    ev('bob', 'r2', { kind: 'pair', choice: 'chosen' }),
  ];
  assert.deepEqual(agreementReport(events), { annotators: ['ann', 'bob'], pairs: [], rankings: null });
  assert.deepEqual(agreementReport([ev('ann', 'k', { kind: 'ranking', ranks: [1, 2] })]), {
    annotators: ['ann'],
    pairs: [],
    rankings: { units: 0, alpha: null },
  });
  assert.deepEqual(agreementReport([]), { annotators: [], pairs: [], rankings: null });
});

test('agreement report: two annotators ranking alike agree perfectly; a pair decision without a choice is no label', () => {
  const events = [
    ev('ann', 'k', { kind: 'ranking', ranks: [1, 2, 3] }),
    ev('bob', 'k', { kind: 'ranking', ranks: [1, 2, 3] }),
    ev('ann', 'p', { kind: 'pair' }),
    ev('bob', 'p', { kind: 'pair', choice: 'chosen' }),
  ];
  assert.deepEqual(agreementReport(events), { annotators: ['ann', 'bob'], pairs: [], rankings: { units: 3, alpha: 1 } });
});

test("Cohen's kappa: perfect, chance-level and opposite labelling; items only where both labelled", () => {
  const m = (...kv: [string, string][]) => new Map(kv);
  assert.deepEqual(cohensKappa(m(['a', 'x'], ['b', 'x']), m(['a', 'x'], ['b', 'x'])), { items: 2, percent: 1, kappa: 1 });
  // both annotators use one label only and agree: pe is 1, agreement is still perfect
  assert.deepEqual(cohensKappa(m(['a', 'x'], ['b', 'x'], ['c', 'x']), m(['a', 'x'], ['b', 'x'], ['c', 'x'], ['d', 'y'])), { items: 3, percent: 1, kappa: 1 });
  assert.deepEqual(cohensKappa(m(['a', 'x'], ['b', 'x']), m(['a', 'x'], ['b', 'y'])), { items: 2, percent: 0.5, kappa: 0 });
  assert.deepEqual(cohensKappa(m(['a', 'x'], ['b', 'y']), m(['a', 'y'], ['b', 'x'])), { items: 2, percent: 0, kappa: -1 });
  const k = cohensKappa(m(['a', 'x'], ['b', 'x'], ['c', 'y'], ['z', 'x']), m(['a', 'x'], ['b', 'y'], ['c', 'y'], ['q', 'x']));
  assert.equal(k.items, 3);
  assert.equal(k.percent, 2 / 3);
  // pe: (2/3)(1/3) + (1/3)(2/3) = 4/9; kappa (2/3 - 4/9) / (5/9) = 0.4
  assert.ok(Math.abs(k.kappa! - 0.4) < 1e-12, String(k.kappa));
});

test("Krippendorff's alpha (ordinal): hand-computed small cases, units with fewer than two values ignored", () => {
  // o[1][2] = o[2][1] = 2, n = 4, delta² = 4: observed 16, expected 32 -> 1 - 3 * 16 / 32
  assert.deepEqual(
    krippendorffAlphaOrdinal([
      [1, 2],
      [2, 1],
    ]),
    { alpha: -0.5, pairable: 2 },
  );
  assert.deepEqual(
    krippendorffAlphaOrdinal([
      [1, 3],
      [3, 1],
    ]),
    { alpha: -0.5, pairable: 2 },
  );
  assert.deepEqual(
    krippendorffAlphaOrdinal([
      [1, 2, 3],
      [1, 2, 3],
    ]),
    { alpha: -0.25, pairable: 2 },
  );
  assert.deepEqual(
    krippendorffAlphaOrdinal([
      [1, 2],
      [2, 3],
      [3, 1],
    ]),
    { alpha: -0.25, pairable: 3 },
  );
  assert.deepEqual(
    krippendorffAlphaOrdinal([
      [1, 1],
      [2, 2],
      [3, undefined],
    ]),
    { alpha: 1, pairable: 2 },
  );
  const r = krippendorffAlphaOrdinal([
    [1, 2],
    [3, 3],
  ]);
  assert.equal(r.pairable, 2);
  assert.ok(Math.abs(r.alpha! - 5 / 6) < 1e-12, String(r.alpha));
  const three = krippendorffAlphaOrdinal([
    [1, 1, 2],
    [3, 3, 3],
    [1, 3],
  ]);
  assert.equal(three.pairable, 3);
  assert.ok(Math.abs(three.alpha! - 0.39375) < 1e-12, String(three.alpha));
  assert.deepEqual(krippendorffAlphaOrdinal([[1], [2]]), { alpha: null, pairable: 0 });
  assert.deepEqual(krippendorffAlphaOrdinal([]), { alpha: null, pairable: 0 });
  assert.deepEqual(krippendorffAlphaOrdinal([[4, undefined, 4]]), { alpha: 1, pairable: 1 });
});

test('agreement report: skips, flags and choices on ranking events are no pair labels; ranks on pair events and empty rankings are no ranking units', () => {
  const events = [
    ev('ann', 'r1', { kind: 'pair', choice: 'skip' }),
    ev('bob', 'r1', { kind: 'pair', choice: 'skip' }),
    ev('ann', 'r2', { kind: 'pair', choice: 'flag', ranks: [1, 2] }),
    ev('bob', 'r2', { kind: 'pair', choice: 'flag', ranks: [1, 2] }),
    ev('ann', 'k1', { kind: 'ranking', choice: 'chosen' }),
    ev('bob', 'k1', { kind: 'ranking', choice: 'chosen' }),
    ev('ann', 'k2', { kind: 'ranking', ranks: [] }),
  ];
  assert.deepEqual(agreementReport(events), { annotators: ['ann', 'bob'], pairs: [], rankings: null });
});

test("Krippendorff's alpha: one value seen but no pairable unit is undefined (null), and never NaN", () => {
  assert.deepEqual(krippendorffAlphaOrdinal([[2], [2, undefined]]), { alpha: null, pairable: 0 });
  // a value that only occurs in an unpairable unit takes no part: the same alpha as without that unit
  assert.deepEqual(krippendorffAlphaOrdinal([[1, 1], [2]]), { alpha: 1, pairable: 1 });
  assert.deepEqual(krippendorffAlphaOrdinal([[1, 1]]), { alpha: 1, pairable: 1 });
  const withLone = krippendorffAlphaOrdinal([[1, 2], [2, 3], [3, 3], [9], [7, undefined]]);
  assert.deepEqual(
    withLone,
    krippendorffAlphaOrdinal([
      [1, 2],
      [2, 3],
      [3, 3],
    ]),
  );
});

// The eval engine's parts a CI user reads (src/core/eval): the JUnit report, each assertion's failure message,
// the golden / predictions / baseline / held-out readers' error messages, and finetune.json's eval block.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { goldenJunit, xmlText } from '../../src/core/eval/junit';
import { checkAssertion, type Assertion, type AssertionContext } from '../../src/core/eval/assertions';
import { compileUserSchema } from '../../src/core/checks/schemaCheck';
import { EvalInputError, loadBaseline, loadGoldenPredictions, loadGoldenSet, loadHeldoutPairs, referenceOf } from '../../src/core/eval/evalFiles';
import { evalConfigOf, refusalPatternsOf } from '../../src/core/eval/evalConfig';

const tmp = (name: string) => mkdtempSync(join(tmpdir(), `ftstudio-evalparts-${name}-`));
const dirs: string[] = [];
const dirFor = (name: string) => {
  const d = tmp(name);
  dirs.push(d);
  return d;
};
test.after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The message of the EvalInputError `f` throws. */
function inputError(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof EvalInputError, `an EvalInputError, got ${String(e)}`);
    return e.message;
  }
  assert.fail('no error thrown');
}

// ---------------------------------------------------------------- JUnit

test('goldenJunit: the exact document for a passing and a failing item, with the gate reasons as system-out', () => {
  const xml = goldenJunit(
    {
      passRate: 0.5,
      passed: 1,
      total: 2,
      items: [
        { id: 'ok', passed: true, failures: [] },
        {
          id: 'b<1>',
          passed: false,
          failures: [
            { type: 'contains', message: 'the output does not contain "Paris"' },
            { type: 'max-length', message: 'the output has 9 characters, more than 5' },
          ],
        },
      ],
      flipped: [],
    },
    'golden & co',
    ['mustPass item failed: b<1>', 'pass rate low'],
  );
  assert.equal(
    xml,
    [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<testsuites name="ftstudio score" tests="2" failures="1" errors="0">',
      '  <testsuite name="golden &amp; co" tests="2" failures="1" errors="0" skipped="0">',
      '    <testcase classname="golden &amp; co" name="ok"/>',
      '    <testcase classname="golden &amp; co" name="b&lt;1&gt;">',
      '      <failure type="contains" message="the output does not contain &quot;Paris&quot;">contains: the output does not contain &quot;Paris&quot;\nmax-length: the output has 9 characters, more than 5</failure>',
      '    </testcase>',
      '    <system-out>gate failed: mustPass item failed: b&lt;1&gt;; pass rate low</system-out>',
      '  </testsuite>',
      '</testsuites>',
      '',
    ].join('\n'),
  );
});

test('goldenJunit: no gate reasons, no system-out; every item passing, no failures', () => {
  const xml = goldenJunit({ passRate: 1, passed: 1, total: 1, items: [{ id: 'a', passed: true, failures: [] }], flipped: [] }, 's', []);
  assert.equal(
    xml,
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
      '<testsuites name="ftstudio score" tests="1" failures="0" errors="0">\n' +
      '  <testsuite name="s" tests="1" failures="0" errors="0" skipped="0">\n' +
      '    <testcase classname="s" name="a"/>\n' +
      '  </testsuite>\n' +
      '</testsuites>\n',
  );
});

test('xmlText escapes each of & < > " \' and keeps other text', () => {
  assert.equal(xmlText(`a&b<c>d"e'f`), 'a&amp;b&lt;c&gt;d&quot;e&apos;f');
  assert.equal(xmlText('\u0008\u000b\u000c\u000e\r\n\t\ufffe'), '\ufffd\ufffd\ufffd\ufffd\r\n\t\ufffd');
  assert.equal(xmlText('plain text é 😀'), 'plain text é 😀');
  assert.equal(xmlText('\udc00\ud800'), '\ufffd\ufffd');
});

// ---------------------------------------------------------------- assertions

const fakeValidate = (ok: boolean, errors: unknown): ValidateFunction => Object.assign(() => ok, { errors }) as unknown as ValidateFunction;
const ctx = (validate?: ValidateFunction): AssertionContext => ({
  isRefusal: Object.assign((s: string) => /^\s*(I can't|No\b)/.test(s), { patterns: [] }),
  schemaOf: (a) => validate ?? compileUserSchema(a.value, 'test'),
});
const check = (a: Assertion, output: string, c: AssertionContext = ctx()) => checkAssertion(a, output, c);

test('equals: whitespace around the output and the value ignored, case kept; the message quotes both', () => {
  assert.equal(check({ type: 'equals', value: 'Paris' }, '  Paris\n'), undefined);
  assert.equal(check({ type: 'equals', value: ' Paris ' }, 'Paris'), undefined);
  assert.deepEqual(check({ type: 'equals', value: 'Paris' }, 'paris'), { type: 'equals', message: 'expected "Paris", got "paris"' });
  assert.deepEqual(check({ type: 'equals', value: 42 }, '41'), { type: 'equals', message: 'expected "42", got "41"' });
  assert.equal(check({ type: 'equals', value: 42 }, '42'), undefined);
});

test('quoted text: up to 60 characters as they are, longer cut at 60 with an ellipsis', () => {
  const s60 = 'x'.repeat(60);
  const s61 = 'y'.repeat(61);
  assert.equal(check({ type: 'equals', value: 'a' }, s60)!.message, `expected "a", got "${s60}"`);
  assert.equal(check({ type: 'equals', value: 'a' }, s61)!.message, `expected "a", got "${'y'.repeat(60)}…"`);
  assert.equal(check({ type: 'contains', value: s61 }, 'z')!.message, `the output does not contain "${'y'.repeat(60)}…"`);
});

test('contains and not-contains: case-sensitive substring on the raw output', () => {
  assert.equal(check({ type: 'contains', value: 'Par' }, 'in Paris'), undefined);
  assert.deepEqual(check({ type: 'contains', value: 'par' }, 'in Paris'), { type: 'contains', message: 'the output does not contain "par"' });
  assert.equal(check({ type: 'not-contains', value: 'sorry' }, 'Sorry'), undefined);
  assert.deepEqual(check({ type: 'not-contains', value: 'Sorry' }, 'Sorry!'), { type: 'not-contains', message: 'the output contains "Sorry"' });
});

test('starts-with: after leading whitespace; the message quotes the start, cut at 30', () => {
  assert.equal(check({ type: 'starts-with', value: 'Yes' }, '\n  Yes, it is.'), undefined);
  assert.deepEqual(check({ type: 'starts-with', value: 'Yes' }, '  No. ' + 'z'.repeat(40)), {
    type: 'starts-with',
    message: `the output does not start with "Yes"; it starts "No. ${'z'.repeat(26)}…"`,
  });
  assert.equal(check({ type: 'starts-with', value: 'Yes' }, ' nope ')!.message, 'the output does not start with "Yes"; it starts "nope"');
});

test('regex: with and without flags, the message shows the pattern and flags', () => {
  assert.equal(check({ type: 'regex', value: '^\\d+$' }, '123'), undefined);
  assert.deepEqual(check({ type: 'regex', value: '^\\d+$' }, '12a'), { type: 'regex', message: 'the output does not match /^\\d+$/' });
  assert.equal(check({ type: 'regex', value: '^paris$', flags: 'i' }, 'PARIS'), undefined);
  assert.equal(check({ type: 'regex', value: '^paris$', flags: 'm' }, 'PARIS')!.message, 'the output does not match /^paris$/m');
});

test('is-json and json-schema: the parse error, the first schema error with its path, "/" for the root', () => {
  assert.equal(check({ type: 'is-json' }, '{"a": 1}'), undefined);
  const notJson = check({ type: 'is-json' }, '{a');
  assert.equal(notJson!.type, 'is-json');
  assert.match(notJson!.message, /^the output is not JSON: .+/);
  const schema: Assertion = { type: 'json-schema', value: { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] } };
  assert.equal(check(schema, '{"n": 3}'), undefined);
  assert.match(check(schema, 'nope')!.message, /^the output is not JSON: /);
  assert.equal(check(schema, '[1]')!.message, 'the output does not match the schema: / must be object');
  assert.equal(check(schema, '{"n": "x"}')!.message, 'the output does not match the schema: /n must be number');
  // a validator without errors, and an error without a message
  assert.equal(check(schema, '{}', ctx(fakeValidate(false, null)))!.message, 'the output does not match the schema: invalid');
  assert.equal(check(schema, '{}', ctx(fakeValidate(false, [{ instancePath: '/x' }])))!.message, 'the output does not match the schema: /x is invalid');
  assert.equal(check(schema, '{}', ctx(fakeValidate(true, null))), undefined);
});

test('max-length counts code points, at the limit passes, one more fails', () => {
  assert.equal(check({ type: 'max-length', value: 2 }, '😀😀'), undefined);
  assert.equal(check({ type: 'max-length', value: 3 }, 'abc'), undefined);
  assert.deepEqual(check({ type: 'max-length', value: 3 }, 'abcd'), { type: 'max-length', message: 'the output has 4 characters, more than 3' });
  assert.equal(check({ type: 'max-length', value: '2' }, '😀😀😀')!.message, 'the output has 3 characters, more than 2');
});

test('refusal and not-refusal: the message quotes the stripped output, cut at 40', () => {
  assert.equal(check({ type: 'refusal' }, "I can't help with that."), undefined);
  assert.deepEqual(check({ type: 'refusal' }, '  Sure: ' + 'w'.repeat(50)), {
    type: 'refusal',
    message: `the output is not a refusal: it starts "Sure: ${'w'.repeat(34)}…"`,
  });
  assert.equal(check({ type: 'not-refusal' }, 'Sure.'), undefined);
  assert.deepEqual(check({ type: 'not-refusal' }, ' No way. '), { type: 'not-refusal', message: 'the output reads as a refusal: "No way."' });
});

// ---------------------------------------------------------------- golden sets, predictions, baselines

const goldenLine = (o: object) => JSON.stringify({ prompt: 'p', ...o });

test('loadGoldenSet: items with their line, mustPass and tags (blank lines and a BOM skipped)', () => {
  const dir = dirFor('golden');
  const p = join(dir, 'golden.jsonl');
  writeFileSync(
    p,
    '\ufeff' +
      [
        goldenLine({ id: 'a', assert: [{ type: 'contains', value: 'x' }], mustPass: true, tags: ['geo'] }),
        '',
        goldenLine({ id: 7, assert: [{ type: 'is-json' }] }),
      ].join('\n') +
      '\n',
  );
  const set = loadGoldenSet(p);
  assert.equal(set.path, p);
  assert.deepEqual(
    set.items.map((i) => [i.id, i.line, i.mustPass, i.tags, i.assert.length]),
    [
      ['a', 1, true, ['geo'], 1],
      ['7', 3, false, [], 1],
    ],
  );
});

test('loadGoldenSet: an empty set and an invalid one are named with what to do', () => {
  const dir = dirFor('golden-bad');
  const empty = join(dir, 'empty.jsonl');
  writeFileSync(empty, '\n\n');
  assert.equal(
    inputError(() => loadGoldenSet(empty)),
    `${empty} has no golden items: write one JSON object per line (see examples/golden.jsonl)`,
  );
  const bad = join(dir, 'bad.jsonl');
  writeFileSync(bad, goldenLine({ id: 'a', assert: [{ type: 'regex', value: '(' }] }) + '\n');
  const m = inputError(() => loadGoldenSet(bad));
  const lines = m.split('\n');
  assert.equal(lines[0], `${bad} is not a valid golden set (ftstudio validate ${bad} shows the same problems):`);
  assert.match(lines[1]!, new RegExp(`^${bad.replace(/[.\\]/g, '\\$&')}:1:\\d+: invalid-regex: `));
});

test('loadGoldenSet: json-schema assertions by file (relative to the golden set, read once) or inline; unusable ones listed', () => {
  const dir = dirFor('golden-schema');
  writeFileSync(join(dir, 'answer.schema.json'), JSON.stringify({ type: 'object', required: ['n'] }));
  const p = join(dir, 'golden.jsonl');
  writeFileSync(
    p,
    [
      goldenLine({ id: 'a', assert: [{ type: 'json-schema', value: 'answer.schema.json' }] }),
      goldenLine({ id: 'b', assert: [{ type: 'json-schema', value: 'answer.schema.json' }] }),
      goldenLine({ id: 'c', assert: [{ type: 'json-schema', value: { type: 'array' } }] }),
    ].join('\n'),
  );
  const set = loadGoldenSet(p);
  const [a, b, c] = set.items.map((i) => set.schemaOf(i.assert[0]!));
  assert.equal(a, b, 'one schema file, compiled once');
  assert.equal(a!({ n: 1 }), true);
  assert.equal(a!({}), false);
  assert.equal(c!([]), true);
  assert.equal(c!({}), false);

  const missing = join(dir, 'missing.jsonl');
  writeFileSync(missing, goldenLine({ id: 'm', assert: [{ type: 'json-schema', value: 'nope.json' }] }) + '\n');
  assert.equal(
    inputError(() => loadGoldenSet(missing)),
    `${missing}: json-schema assertions that cannot be used:\n${missing}:1: item "m": cannot read schema ${join(dir, 'nope.json')}: no such file`,
  );
  const inline = join(dir, 'inline.jsonl');
  writeFileSync(inline, goldenLine({ id: 'i', assert: [{ type: 'json-schema', value: { type: 'no-such-type' } }] }) + '\n');
  assert.match(
    inputError(() => loadGoldenSet(inline)),
    // an inline schema is checked by the validator already: named with its line and column
    /^.*inline\.jsonl is not a valid golden set \(ftstudio validate .*inline\.jsonl shows the same problems\):\n.*inline\.jsonl:1:\d+: invalid-value: the schema: invalid JSON Schema: .+$/,
  );
  writeFileSync(join(dir, 'broken.json'), '{"type": ');
  const broken = join(dir, 'broken.jsonl');
  writeFileSync(broken, goldenLine({ id: 'x', assert: [{ type: 'json-schema', value: 'broken.json' }] }) + '\n');
  assert.match(
    inputError(() => loadGoldenSet(broken)),
    new RegExp(`^.*: json-schema assertions that cannot be used:\\n.*broken\\.jsonl:1: item "x": schema .*broken\\.json is not valid JSON: .+$`),
  );
});

function golden(dir: string, ids: string[]) {
  const p = join(dir, 'golden.jsonl');
  writeFileSync(p, ids.map((id) => goldenLine({ id, assert: [{ type: 'contains', value: 'x' }] })).join('\n') + '\n');
  return loadGoldenSet(p);
}

test('loadGoldenPredictions: by id, each named problem on its line, the missing ones counted', () => {
  const dir = dirFor('preds');
  const set = golden(dir, ['a', 'b', 'c']);
  const p = join(dir, 'preds.jsonl');
  writeFileSync(p, '{"id": "b", "output": "B"}\n\n{"id": "a", "output": "A"}\n{"id": "c", "output": "C"}\n');
  const got = loadGoldenPredictions(p, set);
  assert.deepEqual(
    [...got.entries()],
    [
      ['b', { line: 1, output: 'B' }],
      ['a', { line: 3, output: 'A' }],
      ['c', { line: 4, output: 'C' }],
    ],
  );
  writeFileSync(
    p,
    [
      '{"id": "a", "output": "A"}',
      '[1]',
      '{"output": "x"}',
      '{"id": "b", "output": 3}',
      '{"id": "zz", "output": "x"}',
      '{"id": "a", "output": "again"}',
      'not json',
    ].join('\n'),
  );
  const lines = inputError(() => loadGoldenPredictions(p, set)).split('\n');
  assert.deepEqual(lines.slice(0, 7), [
    `${p}: predictions that do not match ${set.path}:`,
    `${p}:2: each line must be a JSON object`,
    `${p}:3: a prediction needs "id" (the golden item's id), got undefined`,
    `${p}:4: prediction "b" needs "output" (a string), got 3`,
    `${p}:5: unknown id "zz": no golden item in ${set.path} has it`,
    `${p}:6: a second prediction for "a" (the first is on line 1): keep one`,
    lines[6]!,
  ]);
  assert.match(lines[6]!, new RegExp(`^.*preds\\.jsonl:7: invalid JSON: .+`));
  assert.equal(lines[7], `${p}: no prediction for 2 golden items: "b", "c"`);
  assert.equal(lines.length, 8);
  writeFileSync(p, '{"id": "a", "output": "A"}\n{"id": "b", "output": "B"}\n');
  assert.equal(
    inputError(() => loadGoldenPredictions(p, set)),
    `${p}: predictions that do not match ${set.path}:\n${p}: no prediction for 1 golden item: "c"`,
  );
});

test('loadBaseline: the passed flags by id; a report that is not one is named', () => {
  const dir = dirFor('baseline');
  const p = join(dir, 'prev.json');
  writeFileSync(
    p,
    JSON.stringify({
      items: [
        { id: 'a', passed: true },
        { id: 2, passed: false },
      ],
    }),
  );
  assert.deepEqual(
    [...loadBaseline(p).entries()],
    [
      ['a', true],
      ['2', false],
    ],
  );
  writeFileSync(p, '{"items": ');
  assert.match(
    inputError(() => loadBaseline(p)),
    new RegExp(`^baseline .*prev\\.json is not valid JSON: .+`),
  );
  writeFileSync(p, '{"passRate": 1}');
  assert.equal(
    inputError(() => loadBaseline(p)),
    `baseline ${p} has no "items" list: pass the output of a previous \`ftstudio score --json\``,
  );
  writeFileSync(p, 'null');
  assert.equal(
    inputError(() => loadBaseline(p)),
    `baseline ${p} has no "items" list: pass the output of a previous \`ftstudio score --json\``,
  );
  writeFileSync(
    p,
    JSON.stringify({
      items: [
        { id: 'a', passed: true },
        { id: 'b', passed: 'yes' },
      ],
    }),
  );
  assert.equal(
    inputError(() => loadBaseline(p)),
    `baseline ${p}: items[1] needs "id" and "passed" (true or false)`,
  );
  writeFileSync(p, JSON.stringify({ items: [{ passed: true }] }));
  assert.equal(
    inputError(() => loadBaseline(p)),
    `baseline ${p}: items[0] needs "id" and "passed" (true or false)`,
  );
  writeFileSync(p, JSON.stringify({ items: [null] }));
  assert.equal(
    inputError(() => loadBaseline(p)),
    `baseline ${p}: items[0] needs "id" and "passed" (true or false)`,
  );
});

// ---------------------------------------------------------------- held-out sets

test('referenceOf: completion (text or turns), messages, conversations (gpt or assistant), output; else none', () => {
  assert.equal(referenceOf({ prompt: 'p', completion: 'c' }), 'c');
  assert.equal(
    referenceOf({
      completion: [
        { role: 'assistant', content: 'first' },
        { role: 'assistant', content: 'last' },
      ],
    }),
    'last',
  );
  assert.equal(referenceOf({ completion: 3 }), undefined);
  assert.equal(
    referenceOf({
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: 'a1' },
        { role: 'user', content: 'q2' },
      ],
    }),
    'a1',
    'the last assistant turn, wherever it is',
  );
  assert.equal(referenceOf({ messages: [{ role: 'user', content: 'q' }] }), undefined);
  assert.equal(referenceOf({ messages: 'x' }), undefined);
  assert.equal(referenceOf({ messages: [null, { role: 'assistant', content: 'a' }, null] }), 'a');
  assert.equal(referenceOf({ messages: [{ role: 'assistant', content: 5 }] }), undefined);
  assert.equal(
    referenceOf({
      conversations: [
        { from: 'human', value: 'q' },
        { from: 'gpt', value: 'g' },
      ],
    }),
    'g',
  );
  assert.equal(referenceOf({ conversations: [{ from: 'assistant', value: 'as' }] }), 'as');
  assert.equal(referenceOf({ conversations: [{ role: 'assistant', content: 'wrong keys' }] }), undefined);
  assert.equal(referenceOf({ instruction: 'i', output: 'o' }), 'o');
  assert.equal(referenceOf({ output: 1 }), undefined);
  assert.equal(referenceOf({ text: 't' }), undefined);
  assert.equal(
    referenceOf({
      messages: [
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'a' },
            { type: 'text', text: 'b' },
          ],
        },
      ],
    }),
    'ab',
  );
  assert.equal(referenceOf({ messages: [{ role: 'assistant', content: [] }] }), undefined);
});

function heldout(dir: string, held: string[], preds: string[]) {
  const h = join(dir, 'held.jsonl');
  const p = join(dir, 'preds.jsonl');
  writeFileSync(h, held.join('\n') + '\n');
  writeFileSync(p, preds.join('\n') + '\n');
  return { h, p };
}
const c = (s: string) => JSON.stringify({ prompt: 'q', completion: s });
const o = (s: string, line?: number) => JSON.stringify(line === undefined ? { output: s } : { output: s, line });

test('loadHeldoutPairs: in order without "line", by line with it (a subset), references optional when not needed', () => {
  const dir = dirFor('held');
  let f = heldout(dir, [c('r1'), '', c('r3')], [o('p1'), o('p3')]);
  assert.deepEqual(loadHeldoutPairs(f.h, f.p, true), { references: ['r1', 'r3'], predictions: ['p1', 'p3'] });
  f = heldout(dir, [c('r1'), '', c('r3')], [o('p3', 3)]);
  assert.deepEqual(loadHeldoutPairs(f.h, f.p, true), { references: ['r3'], predictions: ['p3'] });
  f = heldout(dir, [JSON.stringify({ prompt: 'q' }), c('r2')], [o('a'), o('b')]);
  assert.deepEqual(loadHeldoutPairs(f.h, f.p, false), { references: ['', 'r2'], predictions: ['a', 'b'] });
  assert.equal(
    inputError(() => loadHeldoutPairs(f.h, f.p, true)),
    `cannot pair predictions with the held-out set:\n${f.h}:1: no reference: the record needs a "completion", a last assistant turn in "messages" / "conversations", or an "output"`,
  );
});

test('loadHeldoutPairs: every problem named', () => {
  const dir = dirFor('held-bad');
  let f = heldout(dir, [c('r1'), c('r2')], [o('a', 1), o('b')]);
  assert.equal(
    inputError(() => loadHeldoutPairs(f.h, f.p, true)),
    `${f.p}: 1 predictions have "line" and 1 do not: give every prediction its held-out line, or none`,
  );
  f = heldout(dir, [c('r1'), c('r2')], [JSON.stringify({ output: 1 }), o('x', 0), o('y', 1.5), JSON.stringify({ output: 'z', line: '2' })]);
  assert.equal(
    inputError(() => loadHeldoutPairs(f.h, f.p, true)),
    [
      'cannot pair predictions with the held-out set:',
      `${f.p}:1: a prediction needs "output" (a string), got 1`,
      `${f.p}:2: "line" must be the 1-based line of a held-out record, got 0`,
      `${f.p}:3: "line" must be the 1-based line of a held-out record, got 1.5`,
      `${f.p}:4: "line" must be the 1-based line of a held-out record, got "2"`,
    ].join('\n'),
  );
  f = heldout(dir, [c('r1'), '', c('r3')], [o('a', 2), o('b', 3), o('c', 3), o('d', 9)]);
  assert.equal(
    inputError(() => loadHeldoutPairs(f.h, f.p, true)),
    [
      'cannot pair predictions with the held-out set:',
      `${f.p}:1: line 2 of ${f.h} is not a held-out record`,
      `${f.p}:3: a second prediction for line 3 (the first is on line 2)`,
      `${f.p}:4: line 9 of ${f.h} is not a held-out record`,
    ].join('\n'),
  );
  f = heldout(dir, [c('r1'), c('r2'), c('r3')], [o('a')]);
  assert.equal(
    inputError(() => loadHeldoutPairs(f.h, f.p, true)),
    `cannot pair predictions with the held-out set:\n${f.p}: 1 predictions for 3 held-out records (no prediction for the records on lines 2, 3): predictions without "line" must match the records one to one, in order`,
  );
  f = heldout(dir, [c('r1')], [o('a'), o('b'), o('c')]);
  assert.equal(
    inputError(() => loadHeldoutPairs(f.h, f.p, true)),
    `cannot pair predictions with the held-out set:\n${f.p}: 3 predictions for 1 held-out records (2 predictions more than records): predictions without "line" must match the records one to one, in order`,
  );
  const many = Array.from({ length: 12 }, (_, i) => c(`r${i}`));
  f = heldout(dir, many, [o('a')]);
  assert.match(
    inputError(() => loadHeldoutPairs(f.h, f.p, true)),
    /\(no prediction for the records on lines 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, …\)/,
  );
  f = heldout(dir, many.slice(0, 11), [o('a')]);
  assert.match(
    inputError(() => loadHeldoutPairs(f.h, f.p, true)),
    /\(no prediction for the records on lines 2, 3, 4, 5, 6, 7, 8, 9, 10, 11\)/,
  );
  f = heldout(dir, [c('r1')], ['{"output": ']);
  assert.match(
    inputError(() => loadHeldoutPairs(f.h, f.p, true)),
    /preds\.jsonl:1: invalid JSON: /,
  );
});

// ---------------------------------------------------------------- finetune.json's eval block

test('evalConfigOf: none without an eval block; defaults; absolute paths kept, relative ones resolved', () => {
  assert.equal(evalConfigOf({}, '/p'), undefined);
  assert.equal(evalConfigOf({ eval: 'x' }, '/p'), undefined);
  assert.equal(evalConfigOf({ eval: null }, '/p'), undefined);
  assert.deepEqual(evalConfigOf({ eval: {} }, '/p'), {
    golden: undefined,
    heldout: undefined,
    safety: undefined,
    every: 'checkpoint',
    maxNewTokens: 256,
    stopOnRegression: { maxDropPoints: 5, mustPassFlip: true },
    maxSafetyDeltaPoints: 2,
    refusalPatterns: [],
  });
  assert.deepEqual(
    evalConfigOf(
      {
        eval: {
          golden: '/abs/g.jsonl',
          heldout: { metric: 'json_schema', maxRecords: 5, schema: 's.json' },
          safety: 'safe.jsonl',
          maxNewTokens: 64,
          stopOnRegression: { mustPassFlip: false, maxDropPoints: 0 },
          maxSafetyDeltaPoints: 0,
          refusalPatterns: ['x'],
        },
      },
      '/p',
    ),
    {
      golden: '/abs/g.jsonl',
      heldout: { metric: 'json_schema', maxRecords: 5, schema: '/p/s.json' },
      safety: '/p/safe.jsonl',
      every: 'checkpoint',
      maxNewTokens: 64,
      stopOnRegression: { maxDropPoints: 0, mustPassFlip: false },
      maxSafetyDeltaPoints: 0,
      refusalPatterns: ['x'],
    },
  );
  // an absolute path is kept as written; a held-out block without maxRecords scores 200
  assert.deepEqual(evalConfigOf({ eval: { golden: '/abs/./g.jsonl', heldout: { metric: 'token_f1' } } }, '/p')?.golden, '/abs/./g.jsonl');
  assert.deepEqual(evalConfigOf({ eval: { heldout: { metric: 'token_f1' } } }, '/p')?.heldout, { metric: 'token_f1', maxRecords: 200, schema: undefined });
});

test('refusalPatternsOf: a missing file and a config without eval add nothing, with no problem', () => {
  const dir = dirFor('refusal');
  assert.deepEqual(refusalPatternsOf(join(dir, 'absent.json')), { patterns: [] });
  const p = join(dir, 'finetune.json');
  writeFileSync(p, JSON.stringify({ model: 'm' }));
  assert.deepEqual(refusalPatternsOf(p), { patterns: [] });
  writeFileSync(p, 'null');
  assert.deepEqual(refusalPatternsOf(p), { patterns: [] });
  writeFileSync(p, JSON.stringify({ eval: { refusalPatterns: [] } }));
  assert.deepEqual(refusalPatternsOf(p), { patterns: [] });
});

// ---------------------------------------------------------------- golden scoring and the gate's words

test('runGoldenScore and goldenReportLines: FAIL lines, the count, the flips, the gate, exactly', async () => {
  const { runGoldenScore, goldenReportLines, gateFailures, pct, scoreGolden } = await import('../../src/core/eval/goldenScore');
  const dir = dirFor('golden-run');
  const g = join(dir, 'golden.jsonl');
  writeFileSync(
    g,
    [
      goldenLine({ id: 'a', assert: [{ type: 'contains', value: 'Paris' }], mustPass: true }),
      goldenLine({
        id: 'b',
        assert: [
          { type: 'contains', value: 'x' },
          { type: 'max-length', value: 3 },
        ],
      }),
      goldenLine({ id: 'c', assert: [{ type: 'refusal' }] }),
      goldenLine({ id: 'd', assert: [{ type: 'equals', value: 'ok' }] }),
    ].join('\n'),
  );
  const p = join(dir, 'preds.jsonl');
  writeFileSync(
    p,
    [
      { id: 'a', output: 'Lyon' },
      { id: 'b', output: 'yyyy' },
      { id: 'c', output: 'Nope, never' },
      { id: 'd', output: 'ok' },
    ]
      .map((x) => JSON.stringify(x))
      .join('\n'),
  );
  const base = join(dir, 'base.json');
  // b is not in the baseline: a failure, not a flip
  writeFileSync(
    base,
    JSON.stringify({
      items: [
        { id: 'a', passed: true },
        { id: 'c', passed: true },
        { id: 'd', passed: true },
      ],
    }),
  );
  const run = runGoldenScore({ golden: g, predictions: p, baseline: base, minPassRate: 0.5, refusalPatterns: ['^nope'] });
  assert.deepEqual(
    run.report.items.map((i) => [i.id, i.passed, i.failures.length]),
    [
      ['a', false, 1],
      ['b', false, 2],
      ['c', true, 0],
      ['d', true, 0],
    ],
  );
  assert.deepEqual([run.report.passRate, run.report.passed, run.report.total, run.report.flipped], [0.5, 2, 4, ['a']]);
  assert.equal(run.withBaseline, true);
  assert.deepEqual(goldenReportLines(run), [
    'FAIL a: contains: the output does not contain "Paris"',
    'FAIL b: contains: the output does not contain "x"',
    'FAIL b: max-length: the output has 4 characters, more than 3',
    '2/4 golden items passed (50.0%), 1 flipped from pass to fail',
    'gate failed: mustPass item failed: a; passed in the baseline, fail now: a',
  ]);
  // without a baseline: no flips, no flip count; the pass rate below the minimum is a reason
  const plain = runGoldenScore({ golden: g, predictions: p, minPassRate: 0.75, refusalPatterns: ['^nope'] });
  assert.equal(plain.withBaseline, false);
  assert.deepEqual(plain.report.flipped, []);
  assert.deepEqual(goldenReportLines(plain).slice(-2), [
    '2/4 golden items passed (50.0%)',
    'gate failed: pass rate 50.0% is below --min-pass-rate 75.0%; mustPass item failed: a',
  ]);
  assert.deepEqual(gateFailures(plain.set, plain.report, 0.5), ['mustPass item failed: a'], 'at the minimum is not below it');
  // two mustPass items failing, and a gate that passes
  const two = { ...plain.report, items: plain.report.items.map((i) => ({ ...i, passed: i.id === 'c' })) };
  const set2 = { ...plain.set, items: plain.set.items.map((i) => ({ ...i, mustPass: i.id !== 'c' })) };
  assert.deepEqual(gateFailures(set2, two), ['mustPass items failed: a, b, d']);
  const allPass = { ...plain.report, passRate: 1, items: plain.report.items.map((i) => ({ ...i, passed: true, failures: [] })) };
  assert.deepEqual(gateFailures(plain.set, allPass, 1), []);
  assert.equal(goldenReportLines({ ...plain, report: { ...allPass, passed: 4 }, reasons: [] }).at(-1), 'gate passed');
  assert.deepEqual([pct(0), pct(1), pct(11 / 12), pct(0.0004)], ['0.0%', '100.0%', '91.7%', '0.0%']);
  // an empty report scores 0
  assert.equal(scoreGolden({ ...plain.set, items: [] }, new Map(), { isRefusal: Object.assign(() => false, { patterns: [] }) }).passRate, 0);
});

test('the readers: exactly 20 problems listed with no "more" line; another read error given as it is; duplicate golden ids named', () => {
  const dir = dirFor('readers');
  const held = join(dir, 'held.jsonl');
  const preds = join(dir, 'preds.jsonl');
  writeFileSync(held, Array.from({ length: 20 }, () => '3').join('\n') + '\n');
  writeFileSync(preds, '');
  const lines = inputError(() => loadHeldoutPairs(held, preds, true)).split('\n');
  assert.equal(lines.length, 21);
  assert.equal(lines[20], `${held}:20: each line must be a JSON object`);
  writeFileSync(held, Array.from({ length: 21 }, () => '3').join('\n') + '\n');
  assert.equal(inputError(() => loadHeldoutPairs(held, preds, true)).split('\n')[21], '… and 1 more');
  // a path through a file: neither missing nor a directory
  const through = join(held, 'x.json');
  assert.match(
    inputError(() => loadBaseline(through)),
    new RegExp(`^cannot read baseline .*held\\.jsonl/x\\.json: ENOTDIR: .+`),
  );
  const g = join(dir, 'dup.jsonl');
  writeFileSync(g, [goldenLine({ id: 'a', assert: [{ type: 'is-json' }] }), goldenLine({ id: 'a', assert: [{ type: 'is-json' }] })].join('\n'));
  const dup = inputError(() => loadGoldenSet(g)).split('\n');
  assert.equal(dup[0], `${g} is not a valid golden set (ftstudio validate ${g} shows the same problems):`);
  assert.equal(dup.length, 2);
  assert.ok(dup[1]!.startsWith(`${g}:2:`), dup[1]);
  assert.match(dup[1]!, /^.*:2:\d+: [a-z-]+: .+/);
});

// Golden and safety sets: the validator's diagnostics, every assertion type passing and failing,
// refusal detection, and the examples.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateText } from '../../src/core/checks/datasetModel';
import { validateFile } from '../../src/core/validation/validateFile';
import { checkAssertion, type Assertion } from '../../src/core/eval/assertions';
import { ASSERTION_TYPE_IDS, type AssertionType } from '../../src/core/formats/evalSets';
import { evalSetDiagnostics } from '../../src/core/checks/evalSetChecks';
import { isRefusal, refusalDetector, RefusalPatternError } from '../../src/core/eval/refusal';
import { compileUserSchema } from '../../src/core/checks/schemaCheck';
import { codes, covered, diags, OPTS } from './helpers';

const item = (extra: object = {}) => ({ id: 'x', prompt: 'p', assert: [{ type: 'contains', value: 'a' }], ...extra });
const lines = (...recs: object[]) => recs.map((r) => JSON.stringify(r));

test('golden and safety records are recognised by their keys, and clean ones have no diagnostics', () => {
  const golden = validateText(
    lines(item(), item({ id: 'y', messages: [{ role: 'user', content: 'q' }], prompt: undefined, mustPass: true, tags: ['t'] })).join('\n'),
    OPTS,
  );
  assert.equal(golden.format, 'golden');
  assert.deepEqual(golden.diagnostics, []);
  const safety = validateText(lines({ id: 's1', prompt: 'p', expect: 'refuse' }, { id: 's2', prompt: 'q', expect: 'comply' }).join('\n'), OPTS);
  assert.equal(safety.format, 'safety');
  assert.deepEqual(safety.diagnostics, []);
});

test('a forced training format (finetune.json data.format) does not turn a golden set into training data', () => {
  const r = validateText(lines(item()).join('\n'), { ...OPTS, format: 'prompt-completion' });
  assert.equal(r.format, 'golden');
  assert.deepEqual(r.diagnostics, []);
});

test('few-records does not apply to golden sets', () => {
  assert.deepEqual(codes([item()], { minRecords: 200 }), []);
  assert.deepEqual(codes([{ text: 'a' }], { minRecords: 200 }), ['1:few-records']);
});

test('diagnostics as you type: each names the problem and covers the right text', () => {
  const cases: [object, string, string, RegExp][] = [
    [{ prompt: 'p', assert: [{ type: 'is-json' }] }, 'missing-key', '{', /needs an "id"/],
    [item({ id: '' }), 'invalid-value', '""', /non-empty string or an integer/],
    [item({ id: 1.5 }), 'invalid-value', '1.5', /non-empty string or an integer/],
    [{ id: 'x', assert: [{ type: 'is-json' }] }, 'missing-key', '{', /needs "prompt"/],
    [item({ messages: [{ role: 'user', content: 'q' }] }), 'unexpected-key', '"messages"', /keep one of them/],
    [item({ prompt: '  ' }), 'empty-content', '"  "', /empty/],
    // a prompt that is not a string: its type named, and where chat turns go instead
    [item({ prompt: 5 }), 'wrong-type', '5', /^"prompt" must be a string, but it is a number: use "messages" for chat turns\.$/],
    [
      item({
        prompt: undefined,
        messages: [
          { role: 'user', content: 'q' },
          { role: 'assistant', content: 'a' },
        ],
      }),
      'prompt-ends-with-assistant',
      '{"role":"assistant","content":"a"}',
      /ends with an assistant turn/,
    ],
    [item({ prompt: undefined, messages: [{ role: 'usr', content: 'q' }] }), 'unknown-role', '"usr"', /needs a role/],
    [item({ assert: 'contains Paris' }), 'wrong-type', '"contains Paris"', /must be a list/],
    [item({ assert: [] }), 'no-assertions', '[]', /passes whatever/],
    [item({ assert: [{ type: 'contain', value: 'a' }] }), 'unknown-assertion', '"contain"', /did you mean "contains"/],
    [item({ assert: [{ type: 'bleu', value: 'a' }] }), 'unknown-assertion', '"bleu"', /The types are equals, contains/],
    [item({ assert: [{ value: 'a' }] }), 'missing-key', '{', /needs a "type"/],
    [item({ assert: [{ type: 'contains' }] }), 'missing-key', '{', /needs a "value" \(a string\)/],
    [item({ assert: [{ type: 'contains', value: 3 }] }), 'wrong-type', '3', /must be a string/],
    [item({ assert: [{ type: 'contains', value: '' }] }), 'invalid-value', '""', /passes on every output/],
    [item({ assert: [{ type: 'regex', value: 'a[' }] }), 'invalid-regex', '"a["', /Invalid regular expression/],
    [item({ assert: [{ type: 'regex', value: 'a', flags: 'gx' }] }), 'invalid-value', '"gx"', /"flags" may hold i/],
    [item({ assert: [{ type: 'max-length', value: -1 }] }), 'invalid-value', '-1', /whole number/],
    [item({ assert: [{ type: 'max-length', value: '10' }] }), 'invalid-value', '"10"', /whole number/],
    [item({ assert: [{ type: 'json-schema', value: { type: 'nonsense' } }] }), 'invalid-value', '{"type":"nonsense"}', /invalid JSON Schema/],
    [item({ assert: [{ type: 'json-schema', value: 5 }] }), 'wrong-type', '5', /JSON Schema object or a path/],
    [item({ assert: [{ type: 'equals', value: 'a', weight: 2 }] }), 'unexpected-key', '"weight"', /Unexpected key "weight"/],
    [item({ mustPass: 'yes' }), 'wrong-type', '"yes"', /true or false/],
    [item({ tags: 'a' }), 'wrong-type', '"a"', /list of strings/],
    [item({ mustpass: true }), 'misspelt-key', '"mustpass"', /did you mean "mustPass"/],
    [{ id: 's', prompt: 'p', expect: 'refused' }, 'invalid-value', '"refused"', /"refuse" or "comply"/],
  ];
  for (const [rec, code, text, message] of cases) {
    const line = JSON.stringify(rec);
    const ds = diags([line]);
    const d = ds.find((x) => x.code === code);
    assert.ok(d, `${code} expected for ${line}, got ${JSON.stringify(ds.map((x) => x.code))}`);
    assert.equal(covered(line, d), text, `${code} range in ${line}`);
    assert.match(d.message, message);
  }
});

test('quick fixes: the nearest assertion type, the nearest key, the nearest expect value', () => {
  const line = JSON.stringify(item({ assert: [{ type: 'startswith', value: 'a' }] }));
  const d = diags([line]).find((x) => x.code === 'unknown-assertion')!;
  assert.equal(d.fix?.title, 'Change the type to "starts-with"');
  const e = d.fix!.edits[0]!;
  assert.deepEqual(JSON.parse(line.slice(0, e.start) + e.newText + line.slice(e.end)).assert[0].type, 'starts-with');
  const s = JSON.stringify({ id: 's', prompt: 'p', expect: 'comply!' });
  const f = diags([s]).find((x) => x.code === 'invalid-value')!.fix!.edits[0]!;
  assert.equal(JSON.parse(s.slice(0, f.start) + f.newText + s.slice(f.end)).expect, 'comply');
});

test('duplicate ids are reported on the repeat, pointing at the first use', () => {
  const text = lines(item({ id: 'a' }), item({ id: 'b' }), item({ id: 'a' }), item({ id: 7 }), item({ id: '7' }));
  const ds = evalSetDiagnostics(text);
  assert.deepEqual(
    ds.map((d) => [d.line + 1, d.code, covered(text[d.line]!, d)]),
    [
      [3, 'duplicate-id', '"a"'],
      [5, 'duplicate-id', '"7"'],
    ],
  );
  assert.match(ds[0]!.message, /already used on line 1/);
  assert.equal(ds[0]!.related?.[0]?.line, 0);
  assert.deepEqual(evalSetDiagnostics(lines(item({ id: 'a' }), item({ id: 'b' }))), []);
  // training data with ids is not an evaluation set
  assert.deepEqual(evalSetDiagnostics(lines({ id: 1, text: 'a' }, { id: 1, text: 'b' })), []);
});

test('the CLI validates a golden file through the byte-level scan the same way, duplicate ids included', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ftstudio-golden-'));
  const file = join(dir, 'g.jsonl');
  writeFileSync(file, lines(item({ id: 'a' }), item({ id: 'a', prompt: 'q' }), item({ id: 'b', assert: [{ type: 'regex', value: '(' }] })).join('\n') + '\n');
  const r = await validateFile(file, { maxTokens: 4096, minRecords: 200 });
  assert.equal(r.format, 'golden');
  assert.deepEqual(
    r.diagnostics.map((d) => `${d.line + 1}:${d.code}`),
    ['3:invalid-regex'],
  );
  const { main } = await import('../../src/cli/main');
  const out: string[] = [];
  const code = await main(['validate', '--json', file], { out: (s) => out.push(s), err: () => {} });
  assert.equal(code, 1);
  assert.deepEqual(
    JSON.parse(out.join('')).files[0].diagnostics.map((d: { line: number; code: string }) => `${d.line}:${d.code}`),
    ['2:duplicate-id', '3:invalid-regex'],
  );
});

test('the examples are clean, and show every assertion type', async () => {
  const root = join(__dirname, '../../examples');
  for (const f of ['golden.jsonl', 'safety.jsonl']) {
    const r = await validateFile(join(root, f), { maxTokens: 4096, minRecords: 200 });
    assert.deepEqual(r.diagnostics, [], f);
  }
  const used = new Set(
    readFileSync(join(root, 'golden.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .flatMap((l) => (JSON.parse(l).assert as { type: string }[]).map((a) => a.type)),
  );
  assert.deepEqual(
    ASSERTION_TYPE_IDS.filter((t) => !used.has(t)),
    [],
  );
});

// ---- assertions ----------------------------------------------------------------------------------

const ctx = {
  isRefusal: refusalDetector(),
  schemaOf: (a: Assertion) => compileUserSchema(a.value, 'test'),
};
const check = (type: AssertionType, output: string, value?: unknown, flags?: string) => checkAssertion({ type, value, flags }, output, ctx);

test('every assertion type passes and fails', () => {
  const cases: [AssertionType, unknown, string, string, RegExp, string?][] = [
    // type, value, passing output, failing output, failure message
    ['equals', 'Paris', '  Paris\n', 'paris', /expected "Paris", got "paris"/],
    ['contains', 'Paris', 'It is Paris.', 'It is Lyon.', /does not contain "Paris"/],
    ['not-contains', 'sk-', 'no key here', 'your key is sk-123', /contains "sk-"/],
    ['starts-with', 'Yes', '\n Yes, you can.', 'No, you cannot.', /does not start with "Yes"/],
    ['regex', '^\\d{3}-\\d{4}$', '555-1234', 'call 555-1234', /does not match/],
    ['regex', 'paris', 'PARIS', 'Lyon', /does not match \/paris\/i/, 'i'],
    ['is-json', undefined, ' {"a": [1, 2]} ', '{"a": NaN}', /not JSON/],
    ['json-schema', { type: 'object', required: ['a'] }, '{"a": 1}', '{"b": 1}', /does not match the schema: \/ must have required property 'a'/],
    ['json-schema', { type: 'object' }, '{}', 'Sure! {}', /not JSON/],
    ['max-length', 5, '😀😀😀😀😀', '😀😀😀😀😀😀', /6 characters, more than 5/],
    ['refusal', undefined, "I'm sorry, but I can't help with that.", 'Sure, here is how.', /not a refusal/],
    ['not-refusal', undefined, 'Sure, here is how.', 'I cannot help with that request.', /reads as a refusal/],
  ];
  for (const [type, value, good, bad, message, flags] of cases) {
    assert.equal(check(type, good, value, flags), undefined, `${type} should pass on ${good}`);
    const f = check(type, bad, value, flags);
    assert.ok(f, `${type} should fail on ${bad}`);
    assert.equal(f.type, type);
    assert.match(f.message, message);
  }
  assert.deepEqual([...new Set(cases.map((c) => c[0]))].sort(), [...ASSERTION_TYPE_IDS].sort());
});

test('refusal detection: common refusals, not ordinary answers; user patterns extend it', () => {
  for (const s of [
    "I'm sorry, but I can't help with that.",
    'I’m sorry — I won’t be able to do this.',
    'I cannot assist with creating malware.',
    'As an AI language model, I cannot provide that.',
    'I must decline this request.',
    "Sorry, that's against our usage policies.",
    'I am unable to share personal information.',
  ])
    assert.equal(isRefusal(s), true, s);
  for (const s of [
    'Run `kill -9 <pid>` to stop the process.',
    'Yes, deleted buckets can be restored within 30 days.',
    "If the command fails, you can't retry it for an hour.",
    '',
    `Here is the answer. ${'x'.repeat(400)} I cannot help with that.`, // past the window
  ])
    assert.equal(isRefusal(s), false, s);
  const custom = refusalDetector(['^nope\\b']);
  assert.equal(custom('Nope, not doing that'), true);
  assert.equal(isRefusal('Nope, not doing that'), false);
  assert.throws(
    () => refusalDetector(['('], 'finetune.json eval.refusalPatterns'),
    (e: Error) => e instanceof RefusalPatternError && /finetune\.json eval\.refusalPatterns: pattern 1 "\(" is not a valid regular expression/.test(e.message),
  );
});

test('schemas/golden.schema.json and safety.schema.json accept what the validator accepts and reject its structural errors', async () => {
  const root = join(__dirname, '../..');
  const golden = compileUserSchema(JSON.parse(readFileSync(join(root, 'schemas/golden.schema.json'), 'utf8')), 'golden.schema.json');
  const safety = compileUserSchema(JSON.parse(readFileSync(join(root, 'schemas/safety.schema.json'), 'utf8')), 'safety.schema.json');
  for (const [schema, f] of [
    [golden, 'golden.jsonl'],
    [safety, 'safety.jsonl'],
  ] as const) {
    for (const l of readFileSync(join(root, 'examples', f), 'utf8')
      .trim()
      .split('\n'))
      assert.equal(schema(JSON.parse(l)), true, `${f}: ${l} ${JSON.stringify(schema.errors)}`);
  }
  const bad: object[] = [
    { prompt: 'p', assert: [{ type: 'is-json' }] },
    item({ id: '' }),
    { id: 'x', assert: [{ type: 'is-json' }] },
    item({ messages: [{ role: 'user', content: 'q' }] }),
    item({ assert: 'contains Paris' }),
    item({ assert: [{ type: 'contain', value: 'a' }] }),
    item({ assert: [{ type: 'contains' }] }),
    item({ assert: [{ type: 'contains', value: 3 }] }),
    item({ assert: [{ type: 'regex', value: 'a', flags: 'gx' }] }),
    item({ assert: [{ type: 'max-length', value: -1 }] }),
    item({ assert: [{ type: 'json-schema', value: 5 }] }),
    item({ assert: [{ type: 'equals', value: 'a', weight: 2 }] }),
    item({ mustPass: 'yes' }),
    item({ tags: 'a' }),
  ];
  for (const rec of bad) {
    assert.equal(golden(rec), false, `schema accepts ${JSON.stringify(rec)}`);
    assert.ok(
      diags([JSON.stringify(rec)]).some((d) => d.severity !== 'info'),
      `validator accepts ${JSON.stringify(rec)}`,
    );
  }
  assert.equal(safety({ id: 's', prompt: 'p', expect: 'refused' }), false);
  assert.equal(safety({ id: 's', prompt: 'p', messages: [{ role: 'user', content: 'q' }], expect: 'refuse' }), false);
});

test('refusal detection equals the shared vectors (trainer/tests/test_refusal.py holds the Python twin to them)', () => {
  const v = JSON.parse(readFileSync(join(__dirname, '../fixtures/refusal-vectors.json'), 'utf8')) as {
    builtin: { text: string; refusal: boolean }[];
    extra: { patterns: string[]; cases: { text: string; refusal: boolean }[] };
  };
  for (const c of v.builtin) assert.equal(isRefusal(c.text), c.refusal, JSON.stringify(c.text.slice(0, 80)));
  const extra = refusalDetector(v.extra.patterns);
  for (const c of v.extra.cases) assert.equal(extra(c.text), c.refusal, c.text);
});

test('a missing assertion value says what kind of value each type takes; an empty prompt is named', () => {
  const missing = (type: string) => diags([item({ assert: [{ type }] })]).find((d) => d.code === 'missing-key')!.message;
  assert.match(missing('contains'), /needs a "value" \(a string\)/);
  assert.match(missing('max-length'), /needs a "value" \(a number of characters\)/);
  assert.match(missing('regex'), /needs a "value" \(a regular expression\)/);
  assert.match(missing('json-schema'), /needs a "value" \(a JSON Schema or a path to one\)/);
  const empty = diags([item({ prompt: '  ' })]).find((d) => d.code === 'empty-content')!;
  assert.equal(empty.message, '"prompt" is empty or whitespace only.');
});

test('a misspelt key of a golden item has a quick fix that renames it; max-length 0 is a valid value', () => {
  const line = JSON.stringify({ id: 'x', prompt: 'p', assert: [{ type: 'contains', value: 'a' }], mustPas: true });
  const d = diags([line]).find((x) => x.code === 'misspelt-key')!;
  assert.equal(d.fix?.title, 'Rename "mustPas" to "mustPass"');
  const e = d.fix!.edits[0]!;
  assert.deepEqual(Object.keys(JSON.parse(line.slice(0, e.start) + e.newText + line.slice(e.end))), ['id', 'prompt', 'assert', 'mustPass']);
  assert.deepEqual(
    diags([item({ assert: [{ type: 'max-length', value: 0 }] })]).map((x) => x.code),
    [],
  );
  assert.deepEqual(
    diags([item({ assert: [{ type: 'max-length', value: -1 }] })]).map((x) => x.code),
    ['invalid-value'],
  );
});

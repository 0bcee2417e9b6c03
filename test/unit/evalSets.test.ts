// Golden and safety sets: the validator's diagnostics, every assertion type passing and failing,
// refusal detection, and the examples.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateText } from '../../src/core/checks/datasetModel';
import { validateFile } from '../../src/core/validation/validateFile';
import { checkAssertion, type Assertion } from '../../src/core/eval/assertions';
import { ASSERTION_TYPE_IDS, detectEvalFormat, EVAL_FORMATS, idKey, isEvalFormat, REGEX_FLAGS, type AssertionType } from '../../src/core/formats/evalSets';
import { checkEvalRecord, evalSetDiagnostics, evalSetDiagnosticsOfFile } from '../../src/core/checks/evalSetChecks';
import { isRefusal, refusalDetector, RefusalPatternError } from '../../src/core/eval/refusal';
import { compileUserSchema, LineLocator } from '../../src/core/checks/schemaCheck';
import { CODES } from '../../src/core/checks/codes';
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
    [item({ assert: [{ type: 'bleu', value: 'a' }] }), 'unknown-assertion', '"bleu"', /^Unknown assertion type "bleu"\. The types are equals, contains/],
    // an inherited key of the type table is not a type (it passed as one)
    [item({ assert: [{ type: 'toString', value: 'a' }] }), 'unknown-assertion', '"toString"', /^Unknown assertion type "toString"\. The types are/],
    [item({ assert: [{ type: 'constructor', value: 'a' }] }), 'unknown-assertion', '"constructor"', /^Unknown assertion type "constructor"/],
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

/** Each diagnostic of one record as `code [covered text] message`, with its quick fix as `=> title: [edited] -> new`. */
function said(rec: object): string[] {
  const line = JSON.stringify(rec);
  return diags([line]).map((d) => {
    const head = `${d.code} [${line.slice(d.start, d.end)}] ${d.message}`;
    return d.fix ? `${head} => ${d.fix.title}: ${d.fix.edits.map((e) => `[${line.slice(e.start, e.end)}] -> ${e.newText}`).join(' | ')}` : head;
  });
}

test('golden items: keys, id and prompt, each message in full on its exact range', () => {
  assert.deepEqual(said(item({ mesages: [] })), [
    'misspelt-key ["mesages"] Unknown key "mesages": did you mean "messages"? => Rename "mesages" to "messages": ["mesages"] -> "messages"',
  ]);
  assert.deepEqual(said(item({ tgs: [] })), ['misspelt-key ["tgs"] Unknown key "tgs": did you mean "tags"? => Rename "tgs" to "tags": ["tgs"] -> "tags"']);
  // a misspelling of a key the item has already, and metadata keys, are left alone
  assert.deepEqual(said(item({ promt: 'x' })), []);
  assert.deepEqual(said(item({ source: 'web' })), []);
  assert.deepEqual(said({ prompt: 'p', assert: [{ type: 'is-json' }] }), [
    'missing-key [{] A golden item needs an "id" (a string or an integer): predictions and reports name items by it.',
  ]);
  for (const id of ['', ' ', 1.5, null, true])
    assert.deepEqual(said(item({ id })), [`invalid-value [${JSON.stringify(id)}] "id" must be a non-empty string or an integer, not ${JSON.stringify(id)}.`]);
  assert.deepEqual(said(item({ id: 3 })), []);
  assert.deepEqual(said({ id: 'x', assert: [{ type: 'is-json' }] }), [
    'missing-key [{] A golden item needs "prompt" (a string) or "messages" (a list of chat turns).',
  ]);
  assert.deepEqual(said(item({ messages: [{ role: 'user', content: 'q' }] })), [
    'unexpected-key ["messages"] A golden item has "prompt" and "messages": keep one of them.',
  ]);
  assert.deepEqual(said(item({ prompt: undefined, messages: 'x' })), ['wrong-type ["x"] "messages" must be a list of chat turns, but it is a string.']);
  assert.deepEqual(said(item({ prompt: undefined, messages: [] })), ['empty-content [[]] "messages" is an empty list.']);
  assert.deepEqual(
    said(
      item({
        prompt: undefined,
        messages: [5, { content: 'q' }, { role: 'usr', content: ' ' }, { role: 'user' }, { role: 'user', content: 3 }, { role: 'tool', content: 'ok' }],
      }),
    ),
    [
      'wrong-type [5] messages[0] must be an object {"role", "content"}, but it is a number.',
      'missing-key [{] messages[1] needs a role: one of system, developer, user, assistant, tool.',
      'unknown-role ["usr"] messages[2] needs a role: one of system, developer, user, assistant, tool.',
      'empty-content [" "] messages[2] needs a non-empty "content" string.',
      'empty-content [{] messages[3] needs a non-empty "content" string.',
      'empty-content [3] messages[4] needs a non-empty "content" string.',
    ],
  );
  assert.deepEqual(
    said(
      item({
        prompt: undefined,
        messages: [
          { role: 'user', content: 'q' },
          { role: 'assistant', content: 'a' },
        ],
      }),
    ),
    [
      'prompt-ends-with-assistant [{"role":"assistant","content":"a"}] "messages" ends with an assistant turn: the model would continue it. End with the user turn the model answers.',
    ],
  );
  assert.deepEqual(
    said(
      item({
        prompt: undefined,
        messages: [
          { role: 'system', content: 's' },
          { role: 'user', content: 'q' },
        ],
      }),
    ),
    [],
  );
  assert.deepEqual(said(item({ tags: 'a' })), ['wrong-type ["a"] "tags" must be a list of strings, but it is a string.']);
  assert.deepEqual(said(item({ tags: ['a', 2] })), ['wrong-type [["a",2]] "tags" must be a list of strings, but it is a list with a non-string in it.']);
  assert.deepEqual(said(item({ tags: [] })), []);
});

test('golden assertions: every malformed shape, each message in full on its exact range', () => {
  const TYPES = 'equals, contains, not-contains, starts-with, regex, is-json, json-schema, max-length, refusal, not-refusal';
  assert.deepEqual(said(item({ mustPass: 'yes' })), ['wrong-type ["yes"] "mustPass" must be true or false, but it is a string.']);
  assert.deepEqual(said({ id: 'x', prompt: 'p', mustPass: true }), [
    'missing-key [{] A golden item needs "assert": a list of {"type", "value"} checks of the output.',
  ]);
  assert.deepEqual(said(item({ assert: {} })), ['wrong-type [{}] "assert" must be a list of {"type", "value"} objects, but it is an object.']);
  assert.deepEqual(said(item({ assert: [] })), ['no-assertions [[]] "assert" is empty: the item passes whatever the model says. Add at least one check.']);
  assert.deepEqual(said(item({ assert: [5, null, [1]] })), [
    'wrong-type [5] assert[0] must be an object {"type", "value"}, but it is a number.',
    'wrong-type [null] assert[1] must be an object {"type", "value"}, but it is null.',
    'wrong-type [[1]] assert[2] must be an object {"type", "value"}, but it is a list.',
  ]);
  assert.deepEqual(said(item({ assert: [{ type: 'contains', value: 'a', weight: 2, flags: 'i' }] })), [
    'unexpected-key ["weight"] Unexpected key "weight" in assert[0]: an assertion has "type", "value" and, for regex, "flags".',
  ]);
  assert.deepEqual(said(item({ assert: [{ value: 'a' }] })), [`missing-key [{] assert[0] needs a "type": one of ${TYPES}.`]);
  assert.deepEqual(said(item({ assert: [{ type: 'contain', value: 'a' }] })), [
    `unknown-assertion ["contain"] Unknown assertion type "contain": did you mean "contains"? The types are ${TYPES}. => Change the type to "contains": ["contain"] -> "contains"`,
  ]);
  // up to three edits from a type name
  assert.match(said(item({ assert: [{ type: 'strtswth', value: 'a' }] }))[0]!, /did you mean "starts-with"\? .* => Change the type to "starts-with"/);
  assert.doesNotMatch(said(item({ assert: [{ type: 'strtwth', value: 'a' }] }))[0]!, /did you mean/);
  for (const type of ['bleu', 3]) {
    const [d, ...rest] = said(item({ assert: [{ type, value: 'a' }] }));
    assert.equal(rest.length, 0);
    assert.match(
      d!,
      new RegExp(`^unknown-assertion \\[${JSON.stringify(type)}\\] Unknown assertion type ${JSON.stringify(type)}[.:]? The types are ${TYPES}\\.$`),
    );
  }
  assert.deepEqual(
    said(
      item({
        assert: [
          { type: 'contains' },
          { type: 'max-length' },
          { type: 'regex' },
          { type: 'json-schema' },
          { type: 'is-json' },
          { type: 'refusal' },
          { type: 'not-refusal' },
        ],
      }),
    ),
    [
      'missing-key [{] A contains assertion needs a "value" (a string).',
      'missing-key [{] A max-length assertion needs a "value" (a number of characters).',
      'missing-key [{] A regex assertion needs a "value" (a regular expression).',
      'missing-key [{] A json-schema assertion needs a "value" (a JSON Schema or a path to one).',
    ],
  );
  assert.deepEqual(
    said(
      item({
        assert: [
          { type: 'contains', value: 3 },
          { type: 'contains', value: '' },
          { type: 'not-contains', value: '' },
          { type: 'equals', value: '' },
          { type: 'starts-with', value: '' },
        ],
      }),
    ),
    [
      'wrong-type [3] The value of a contains assertion must be a string, but it is a number.',
      'invalid-value [""] An empty contains value passes on every output.',
      'invalid-value [""] An empty not-contains value fails on every output.',
      'invalid-value [""] An empty starts-with value passes on every output.',
    ],
  );
  assert.deepEqual(
    said(
      item({
        assert: [
          { type: 'max-length', value: -1 },
          { type: 'max-length', value: 1.5 },
          { type: 'max-length', value: '10' },
          { type: 'max-length', value: 0 },
          { type: 'max-length', value: 2000 },
        ],
      }),
    ),
    [
      'invalid-value [-1] The value of a max-length assertion must be a whole number of characters ≥ 0, not -1.',
      'invalid-value [1.5] The value of a max-length assertion must be a whole number of characters ≥ 0, not 1.5.',
      'invalid-value ["10"] The value of a max-length assertion must be a whole number of characters ≥ 0, not "10".',
    ],
  );
  assert.deepEqual(
    said(
      item({
        assert: [
          { type: 'regex', value: 'a[' },
          { type: 'regex', value: 5 },
          { type: 'regex', value: 'a', flags: 'gx' },
          { type: 'regex', value: 'a', flags: 3 },
          { type: 'regex', value: 'a', flags: 'ims' },
          { type: 'regex', value: 'a', flags: '' },
          { type: 'regex', value: 'a', flags: [] },
        ],
      }),
    ),
    [
      'invalid-regex ["a["] Invalid regular expression: /a[/: Unterminated character class.',
      'wrong-type [5] The value of a regex assertion must be a string, but it is a number.',
      'invalid-value ["gx"] "flags" may hold i (ignore case), m (multi-line) and s (dot matches newlines), not "gx".',
      'invalid-value [3] "flags" may hold i (ignore case), m (multi-line) and s (dot matches newlines), not 3.',
      'invalid-value [[]] "flags" may hold i (ignore case), m (multi-line) and s (dot matches newlines), not [].',
    ],
  );
  assert.deepEqual(
    said(
      item({
        assert: [
          { type: 'json-schema', value: 5 },
          { type: 'json-schema', value: ' ' },
          { type: 'json-schema', value: 's.json' },
          { type: 'json-schema', value: [1] },
          { type: 'json-schema', value: null },
          { type: 'json-schema', value: { type: 'object' } },
        ],
      }),
    ),
    [
      'wrong-type [5] The value of a json-schema assertion must be a JSON Schema object or a path to one, but it is a number.',
      'invalid-value [" "] The schema path is empty: give a path relative to this file, or the schema itself.',
      'wrong-type [[1]] The value of a json-schema assertion must be a JSON Schema object or a path to one, but it is a list.',
      'wrong-type [null] The value of a json-schema assertion must be a JSON Schema object or a path to one, but it is null.',
    ],
  );
  const [bad, ...more] = said(item({ assert: [{ type: 'json-schema', value: { type: 'nonsense' } }] }));
  assert.equal(more.length, 0);
  assert.match(bad!, /^invalid-value \[\{"type":"nonsense"\}\] the schema: invalid JSON Schema: .+\.$/);
});

test('safety items: expect must be refuse or comply, the nearest offered; a missing expect named', () => {
  assert.deepEqual(said({ id: 's', prompt: 'p', expect: 'refused' }), [
    'invalid-value ["refused"] "expect" must be "refuse" or "comply", not "refused". => Change it to "refuse": ["refused"] -> "refuse"',
  ]);
  // up to two edits from refuse or comply
  assert.deepEqual(said({ id: 's', prompt: 'p', expect: 'rfse' }), [
    'invalid-value ["rfse"] "expect" must be "refuse" or "comply", not "rfse". => Change it to "refuse": ["rfse"] -> "refuse"',
  ]);
  assert.deepEqual(said({ id: 's', prompt: 'p', expect: 'xyz' }), ['invalid-value ["xyz"] "expect" must be "refuse" or "comply", not "xyz".']);
  assert.deepEqual(said({ id: 's', prompt: 'p', expect: 3 }), ['invalid-value [3] "expect" must be "refuse" or "comply", not 3.']);
  assert.deepEqual(said({ prompt: 'p', expect: 'comply' }), [
    'missing-key [{] A safety item needs an "id" (a string or an integer): predictions and reports name items by it.',
  ]);
  assert.deepEqual(said({ id: 's', expect: 'comply' }), ['missing-key [{] A safety item needs "prompt" (a string) or "messages" (a list of chat turns).']);
  // a safety item has no assertions
  assert.deepEqual(said({ id: 's', prompt: 'p', expect: 'comply', mustPas: true }), []);
  const line = JSON.stringify({ id: 's', prompt: 'p' });
  const out = checkEvalRecord({ id: 's', prompt: 'p' }, 'safety', new LineLocator(line));
  assert.deepEqual(
    out.map((d) => `${d.code} [${line.slice(d.start, d.end)}] ${d.message}`),
    ['missing-key [{] A safety item needs "expect": "refuse" or "comply".'],
  );
});

test('duplicate ids: the message names the first line, the range is the id, the related place the first record', () => {
  const text = [
    '\ufeff' + JSON.stringify(item({ id: 'a' })),
    '{broken',
    '[1]',
    'null',
    JSON.stringify({ id: 'a', text: 't' }),
    JSON.stringify(item({ id: '' })),
    JSON.stringify(item({ id: '' })),
    '\ufeff' + JSON.stringify(item({ id: 'a' })),
    JSON.stringify(item({ id: 'a' })),
  ];
  const ds = evalSetDiagnostics(text);
  assert.deepEqual(
    ds.map((d) => [d.line, covered(text[d.line]!, d), d.code, d.severity, d.message, d.related]),
    [
      [
        8,
        '"a"',
        'duplicate-id',
        CODES['duplicate-id'].severity,
        'The id "a" is already used on line 1: give every item its own id.',
        [{ line: 0, start: 0, end: 1, message: 'First use of the id' }],
      ],
    ],
  );
});

test('evalSetDiagnosticsOfFile: the lines of a file on disk', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ftstudio-golden-ids-'));
  try {
    const f = join(dir, 'golden.jsonl');
    writeFileSync(f, lines(item({ id: 1 }), item({ id: 2 }), item({ id: 1 })).join('\r\n') + '\r\n');
    const ds = await evalSetDiagnosticsOfFile(f);
    assert.deepEqual(
      ds.map((d) => [d.line, d.message]),
      [[2, 'The id "1" is already used on line 1: give every item its own id.']],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('evalSets vocabulary: formats, detection and ids', () => {
  assert.deepEqual(EVAL_FORMATS.golden.keys, ['id', 'prompt', 'messages', 'assert', 'mustPass', 'tags']);
  assert.deepEqual(EVAL_FORMATS.safety.keys, ['id', 'prompt', 'messages', 'expect', 'tags']);
  assert.equal(isEvalFormat('golden'), true);
  assert.equal(isEvalFormat('safety'), true);
  assert.equal(isEvalFormat('alpaca'), false);
  assert.equal(isEvalFormat(undefined), false);
  assert.equal(detectEvalFormat({ mustPass: true }), 'golden');
  assert.equal(detectEvalFormat({ assert: [] }), 'golden');
  assert.equal(detectEvalFormat({ expect: 'refuse' }), 'safety');
  assert.equal(detectEvalFormat({ assert: [], expect: 'refuse' }), 'golden');
  assert.equal(detectEvalFormat(Object.create({ expect: 'refuse' })), undefined);
  assert.equal(detectEvalFormat({ prompt: 'p' }), undefined);
  assert.equal(idKey('a'), 'a');
  assert.equal(idKey(' '), undefined);
  assert.equal(idKey(7), '7');
  assert.equal(idKey(7.5), undefined);
  assert.equal(idKey(null), undefined);
  assert.equal(REGEX_FLAGS.test('ims'), true);
  assert.equal(REGEX_FLAGS.test(''), true);
  assert.equal(REGEX_FLAGS.test('g'), false);
  assert.equal(REGEX_FLAGS.test('ig'), false);
  assert.equal(REGEX_FLAGS.test('gi'), false);
});

// `ftstudio score`: exit codes 0/1/2, the JSON shapes, JUnit XML, named input errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main';
import { scoreMetric } from '../../src/core/eval/taskScore';

const dir = mkdtempSync(join(tmpdir(), 'ftstudio-score-'));
const file = (name: string, recs: readonly (object | string)[]) => {
  const p = join(dir, name);
  writeFileSync(p, recs.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n');
  return p;
};

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const golden = file('golden.jsonl', [
  { id: 'capital', prompt: 'Capital of France?', assert: [{ type: 'contains', value: 'Paris' }], mustPass: true },
  { id: 'short', prompt: 'Say hi', assert: [{ type: 'max-length', value: 10 }, { type: 'not-refusal' }] },
  { id: 'json', prompt: 'JSON please', assert: [{ type: 'json-schema', value: 'answer.schema.json' }], tags: ['structured'] },
]);
writeFileSync(join(dir, 'answer.schema.json'), JSON.stringify({ type: 'object', required: ['answer'] }));
const allGood = file('good.jsonl', [
  { id: 'capital', output: 'Paris.' },
  { id: 'short', output: 'Hi!' },
  { id: 'json', output: '{"answer": 1}' },
]);
const shortFails = file('short-fails.jsonl', [
  { id: 'capital', output: 'Paris.' },
  { id: 'short', output: 'Hello there, friend!' },
  { id: 'json', output: '{"answer": 1}' },
]);
const mustFails = file('must-fails.jsonl', [
  { id: 'json', output: '{"answer": 1}' },
  { id: 'capital', output: 'Lyon.' },
  { id: 'short', output: 'Hi!' },
]);

test('golden: all pass -> exit 0 and the documented JSON shape', async () => {
  const r = await run('score', '--golden', golden, '--predictions', allGood, '--json');
  assert.equal(r.code, 0, r.err);
  const doc = JSON.parse(r.out);
  assert.deepEqual(Object.keys(doc), ['passRate', 'passed', 'total', 'items', 'flipped']);
  assert.deepEqual(doc, {
    passRate: 1,
    passed: 3,
    total: 3,
    flipped: [],
    items: [
      { id: 'capital', passed: true, failures: [] },
      { id: 'short', passed: true, failures: [] },
      { id: 'json', passed: true, failures: [] },
    ],
  });
});

test('golden: a failing item that is not mustPass passes the gate unless --min-pass-rate says otherwise', async () => {
  const r = await run('score', '--golden', golden, '--predictions', shortFails, '--json');
  assert.equal(r.code, 0);
  const doc = JSON.parse(r.out);
  assert.equal(doc.passed, 2);
  assert.equal(doc.passRate, 2 / 3);
  assert.deepEqual(doc.items[1], { id: 'short', passed: false, failures: [{ type: 'max-length', message: 'the output has 20 characters, more than 10' }] });
  assert.equal((await run('score', '--golden', golden, '--predictions', shortFails, '--min-pass-rate', '0.6')).code, 0);
  assert.equal((await run('score', '--golden', golden, '--predictions', allGood, '--min-pass-rate', '1')).code, 0);
  const strict = await run('score', '--golden', golden, '--predictions', shortFails, '--min-pass-rate', '1');
  assert.equal(strict.code, 1);
  assert.match(strict.out, /^FAIL short: max-length: the output has 20 characters/m);
  assert.match(strict.out, /gate failed: pass rate 66\.7% is below --min-pass-rate 100\.0%/);
  // the text report's last two lines, without a baseline: the count alone, then the gate
  const passing = await run('score', '--golden', golden, '--predictions', shortFails);
  assert.deepEqual(passing.out.trim().split('\n').slice(-2), ['2/3 golden items passed (66.7%)', 'gate passed']);
});

test('golden: a failing mustPass item -> exit 1, named', async () => {
  const r = await run('score', '--golden', golden, '--predictions', mustFails);
  assert.equal(r.code, 1);
  assert.match(r.out, /FAIL capital: contains: the output does not contain "Paris"/);
  assert.match(r.out, /2\/3 golden items passed \(66\.7%\)/);
  assert.match(r.out, /gate failed: mustPass item failed: capital/);
  const j = await run('score', '--golden', golden, '--predictions', mustFails, '--json');
  assert.equal(j.code, 1);
  assert.match(j.err, /gate failed: mustPass item failed: capital/);
});

test('golden: --baseline flips (passed before, fail now) -> exit 1 with the ids in "flipped"', async () => {
  const base = join(dir, 'baseline.json');
  writeFileSync(base, (await run('score', '--golden', golden, '--predictions', allGood, '--json')).out);
  const r = await run('score', '--golden', golden, '--predictions', shortFails, '--baseline', base, '--json');
  assert.equal(r.code, 1);
  assert.deepEqual(JSON.parse(r.out).flipped, ['short']);
  assert.match(r.err, /passed in the baseline, fail now: short/);
  // the other way round nothing flips: items that failed before and pass now are no regression
  const back = join(dir, 'baseline2.json');
  writeFileSync(back, (await run('score', '--golden', golden, '--predictions', shortFails, '--json')).out);
  const r2 = await run('score', '--golden', golden, '--predictions', allGood, '--baseline', back, '--json');
  assert.equal(r2.code, 0);
  assert.deepEqual(JSON.parse(r2.out).flipped, []);
});

test('golden: --junit writes one test case per item, escaped, with the failures', async () => {
  const g = file('junit-golden.jsonl', [
    { id: 'a&b <c>', prompt: 'p', assert: [{ type: 'equals', value: '"yes"' }] },
    { id: 'ok', prompt: 'p', assert: [{ type: 'is-json' }] },
  ]);
  const p = file('junit-pred.jsonl', [
    { id: 'a&b <c>', output: 'no \u0001 way' },
    { id: 'ok', output: '[]' },
  ]);
  const out = join(dir, 'report.xml');
  const r = await run('score', '--golden', g, '--predictions', p, '--junit', out);
  assert.equal(r.code, 0);
  const xml = readFileSync(out, 'utf8');
  assert.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="ftstudio score" tests="2" failures="1" errors="0">/);
  assert.equal(xml.match(/<testcase /g)?.length, 2);
  assert.match(
    xml,
    /<testcase classname="golden junit-golden\.jsonl" name="a&amp;b &lt;c&gt;">\n\s*<failure type="equals" message="expected &quot;\\&quot;yes\\&quot;&quot;, got &quot;no \\u0001 way&quot;">/,
  );
  assert.match(xml, /<testcase classname="golden junit-golden\.jsonl" name="ok"\/>/);
  assert.doesNotMatch(xml, /[\u0000-\u0008]/);
});

test('golden: input errors -> exit 2, named, never guessed', async () => {
  const cases: [string[], RegExp][] = [
    [
      [
        '--predictions',
        file('unknown.jsonl', [
          { id: 'capital', output: 'Paris' },
          { id: 'short', output: 'x' },
          { id: 'json', output: '{}' },
          { id: 'nope', output: 'x' },
        ]),
      ],
      /unknown\.jsonl:4: unknown id "nope": no golden item in .*golden\.jsonl has it/,
    ],
    [['--predictions', file('missing.jsonl', [{ id: 'capital', output: 'Paris' }])], /missing\.jsonl: no prediction for 2 golden items: "short", "json"/],
    [
      [
        '--predictions',
        file('twice.jsonl', [
          { id: 'capital', output: 'a' },
          { id: 'capital', output: 'b' },
          { id: 'short', output: 'x' },
          { id: 'json', output: '{}' },
        ]),
      ],
      /twice\.jsonl:2: a second prediction for "capital" \(the first is on line 1\)/,
    ],
    [['--predictions', file('noout.jsonl', [{ id: 'capital' }])], /noout\.jsonl:1: prediction "capital" needs "output"/],
    [['--predictions', file('badjson.jsonl', ['{"id": "capital", "output": "x",}'])], /badjson\.jsonl:1: invalid JSON/],
    [['--predictions', join(dir, 'absent.jsonl')], /cannot read predictions .*absent\.jsonl: no such file/],
    [['--predictions', allGood, '--baseline', file('badbase.json', ['{"items": 3}'])], /has no "items" list/],
  ];
  for (const [argv, msg] of cases) {
    const r = await run('score', '--golden', golden, ...argv);
    assert.equal(r.code, 2, argv.join(' '));
    assert.match(r.err, msg);
    assert.equal(r.out, '');
  }
  const badGolden = file('bad-golden.jsonl', [
    { id: 'a', prompt: 'p', assert: [{ type: 'contain', value: 'x' }] },
    { id: 'a', prompt: 'q', assert: [] },
  ]);
  const r = await run('score', '--golden', badGolden, '--predictions', allGood);
  assert.equal(r.code, 2);
  assert.match(r.err, /bad-golden\.jsonl:1:\d+: unknown-assertion: Unknown assertion type "contain": did you mean "contains"\?/);
  assert.match(r.err, /bad-golden\.jsonl:2:\d+: duplicate-id: The id "a" is already used on line 1/);
  const noSchema = file('noschema-golden.jsonl', [{ id: 'a', prompt: 'p', assert: [{ type: 'json-schema', value: 'nowhere.json' }] }]);
  const s = await run('score', '--golden', noSchema, '--predictions', file('noschema-pred.jsonl', [{ id: 'a', output: '{}' }]));
  assert.equal(s.code, 2);
  assert.match(s.err, /noschema-golden\.jsonl:1: item "a": cannot read schema .*nowhere\.json: no such file/);
});

test('usage errors -> exit 2', async () => {
  const cases: [string[], RegExp][] = [
    [['score'], /exactly one of --golden/],
    [['score', '--golden', golden, '--heldout', golden, '--predictions', allGood], /exactly one of --golden/],
    [['score', '--golden', golden], /needs --predictions/],
    [['score', '--golden', golden, '--predictions', allGood, '--min-pass-rate', '2'], /--min-pass-rate must be a number from 0 to 1/],
    [['score', '--golden', golden, '--predictions', allGood, '--metric', 'rouge_l'], /--metric is for heldout mode/],
    [
      ['score', '--heldout', golden, '--predictions', allGood, '--metric', 'bleu'],
      /--metric must be one of exact_match, token_f1, rouge_l, macro_f1, json_schema/,
    ],
    [['score', '--heldout', golden, '--predictions', allGood], /heldout mode needs --metric/],
    [['score', '--heldout', golden, '--predictions', allGood, '--metric', 'json_schema'], /needs --schema/],
    [['score', '--heldout', golden, '--predictions', allGood, '--metric', 'exact_match', '--junit', 'x.xml'], /--junit is for golden mode/],
  ];
  for (const [argv, msg] of cases) {
    const r = await run(...argv);
    assert.equal(r.code, 2, argv.join(' '));
    assert.match(r.err, msg);
  }
  assert.equal((await run('score', '--help')).code, 0);
});

test('finetune.json eval.refusalPatterns extend refusal detection', async () => {
  const g = file('refusal-golden.jsonl', [{ id: 'r', prompt: 'p', assert: [{ type: 'refusal' }] }]);
  const p = file('refusal-pred.jsonl', [{ id: 'r', output: 'Nope. Not doing that.' }]);
  assert.equal((await run('score', '--golden', g, '--predictions', p, '--min-pass-rate', '1')).code, 1);
  const project = mkdtempSync(join(tmpdir(), 'ftstudio-score-project-'));
  writeFileSync(join(project, 'finetune.json'), JSON.stringify({ eval: { refusalPatterns: ['^nope\\b'] } }));
  const cwd = process.cwd();
  process.chdir(project);
  try {
    assert.equal((await run('score', '--golden', g, '--predictions', p, '--min-pass-rate', '1')).code, 0);
    writeFileSync(join(project, 'finetune.json'), JSON.stringify({ eval: { refusalPatterns: ['(nope'] } }));
    const bad = await run('score', '--golden', g, '--predictions', p);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /finetune\.json eval\.refusalPatterns: pattern 1 "\(nope" is not a valid regular expression/);
  } finally {
    process.chdir(cwd);
  }
});

// ---- heldout mode ----------------------------------------------------------------------------------

const heldout = file('qa.heldout.jsonl', [
  { prompt: 'Capital of France?', completion: 'Paris' },
  '',
  {
    messages: [
      { role: 'user', content: 'Largest planet?' },
      { role: 'assistant', content: 'Jupiter' },
    ],
  },
  { prompt: [{ role: 'user', content: 'Colour of the sky?' }], completion: [{ role: 'assistant', content: 'Blue' }] },
  { instruction: 'Boiling point of water in C?', output: '100' },
]);

test('heldout: predictions in record order; the JSON shape; the score is the metric over the references', async () => {
  const preds = file('qa-pred.jsonl', [{ output: 'paris' }, { output: 'Saturn' }, { output: 'The blue.' }, { output: '100' }]);
  const r = await run('score', '--heldout', heldout, '--predictions', preds, '--metric', 'exact_match', '--json');
  assert.equal(r.code, 0, r.err);
  const doc = JSON.parse(r.out);
  assert.deepEqual(Object.keys(doc), ['metric', 'score', 'n', 'ci95']);
  const expected = scoreMetric('exact_match', ['Paris', 'Jupiter', 'Blue', '100'], ['paris', 'Saturn', 'The blue.', '100']);
  assert.deepEqual(doc, { metric: 'exact_match', score: 0.75, n: 4, ci95: expected.ci95 });
  const text = await run('score', '--heldout', heldout, '--predictions', preds, '--metric', 'token_f1');
  assert.match(text.out, /^token_f1 0\.7500 \(95% CI \d\.\d{4}–\d\.\d{4}, n = 4\)$/);
});

test('heldout: predictions with "line" may score a subset; json_schema and macro_f1', async () => {
  const preds = file('qa-lines.jsonl', [
    { line: 4, output: 'Blue' },
    { line: 3, output: 'Jupiter' },
  ]);
  const r = await run('score', '--heldout', heldout, '--predictions', preds, '--metric', 'exact_match', '--json');
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(JSON.parse(r.out), { metric: 'exact_match', score: 1, n: 2, ci95: [1, 1] });
  const schema = join(dir, 'num.schema.json');
  writeFileSync(schema, JSON.stringify({ type: 'number' }));
  const js = await run(
    'score',
    '--heldout',
    heldout,
    '--predictions',
    file('qa-json.jsonl', [{ output: '1' }, { output: 'x' }, { output: '2.5' }, { output: '"3"' }]),
    '--metric',
    'json_schema',
    '--schema',
    schema,
    '--json',
  );
  assert.equal(JSON.parse(js.out).score, 0.5);
  const labels = file('labels.heldout.jsonl', [
    { prompt: 'a', completion: 'pos' },
    { prompt: 'b', completion: 'neg' },
    { prompt: 'c', completion: 'neg' },
  ]);
  const mf = await run(
    'score',
    '--heldout',
    labels,
    '--predictions',
    file('labels-pred.jsonl', [{ output: 'pos\n' }, { output: 'neg' }, { output: 'pos' }]),
    '--metric',
    'macro_f1',
    '--json',
  );
  // pos: tp 1, fp 1, fn 0 -> 2/3; neg: tp 1, fp 0, fn 1 -> 2/3
  assert.ok(Math.abs(JSON.parse(mf.out).score - 2 / 3) < 1e-12);
});

test('heldout: input errors -> exit 2, named', async () => {
  const cases: [string, object[], RegExp][] = [
    ['few.jsonl', [{ output: 'a' }], /1 predictions for 4 held-out records \(no prediction for the records on lines 3, 4, 5\)/],
    ['mixed.jsonl', [{ line: 1, output: 'a' }, { output: 'b' }], /1 predictions have "line" and 1 do not/],
    ['blankline.jsonl', [{ line: 2, output: 'a' }], /line 2 of .*qa\.heldout\.jsonl is not a held-out record/],
    [
      'twice-line.jsonl',
      [
        { line: 1, output: 'a' },
        { line: 1, output: 'b' },
      ],
      /a second prediction for line 1/,
    ],
    ['badline.jsonl', [{ line: 0, output: 'a' }], /"line" must be the 1-based line/],
  ];
  for (const [name, recs, msg] of cases) {
    const r = await run('score', '--heldout', heldout, '--predictions', file(name, recs), '--metric', 'exact_match');
    assert.equal(r.code, 2, name);
    assert.match(r.err, msg);
  }
  const noRef = file('noref.heldout.jsonl', [{ prompt: 'only a prompt' }]);
  const r = await run('score', '--heldout', noRef, '--predictions', file('noref-pred.jsonl', [{ output: 'x' }]), '--metric', 'rouge_l');
  assert.equal(r.code, 2);
  assert.match(r.err, /noref\.heldout\.jsonl:1: no reference/);
});

test('a byte-order mark and CRLF line ends are read, not reported', async () => {
  const g = join(dir, 'bom-golden.jsonl');
  writeFileSync(
    g,
    '\ufeff{"id": "a", "prompt": "p", "assert": [{"type": "contains", "value": "x"}]}\r\n{"id": "a", "prompt": "q", "assert": [{"type": "is-json"}]}\r\n',
  );
  const dup = await run('score', '--golden', g, '--predictions', allGood);
  assert.equal(dup.code, 2);
  assert.match(dup.err, /bom-golden\.jsonl:2:\d+: duplicate-id/);
  writeFileSync(g, '\ufeff{"id": "a", "prompt": "p", "assert": [{"type": "contains", "value": "x"}]}\r\n');
  const p = join(dir, 'bom-pred.jsonl');
  writeFileSync(p, '\ufeff{"id": "a", "output": "x"}\r\n');
  const r = await run('score', '--golden', g, '--predictions', p, '--json');
  assert.equal(r.code, 0, r.err);
  assert.equal(JSON.parse(r.out).passed, 1);
});

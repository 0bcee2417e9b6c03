// The file report (src/core/checks/datasetModel.ts) and the dataset-wide checks it runs (datasetChecks.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DatasetModel, splitLines, validateText, withDiagnostics } from '../../src/core/checks/datasetModel';
import type { Diagnostic } from '../../src/core/checks/diagnostic';
import { OPTS } from './helpers';
import { LineTable, transferList } from '../../src/core/checks/lineTable';
import { LineFacts } from '../../src/core/checks/analyzeLine';

const mixedDiag = () =>
  validateText(
    [1, 2, 3]
      .map((i) => JSON.stringify({ prompt: `Q${i}?`, completion: `A${i}.` }))
      .concat(JSON.stringify({ text: 't' }))
      .join('\n'),
    OPTS,
  ).diagnostics[0]!;

const pc = (i: number) => JSON.stringify({ prompt: `Q${i}?`, completion: `A${i}.` });
const mixed = [pc(1), pc(2), pc(3), JSON.stringify({ text: 'plain text' })].join('\n');

test('format-mismatch names the share of the majority format as a whole percentage', () => {
  // pins the message "… but 75% of the records (3/4) are …" on the odd record, over its whole line
  const r = validateText(mixed, OPTS);
  assert.deepEqual(
    r.diagnostics.map((d) => [d.line, d.start, d.end, d.code, d.message]),
    [
      [
        3,
        0,
        21,
        'format-mismatch',
        'This record is standard language-modeling, but 75% of the records (3/4) are standard prompt-completion: convert it or move it to its own file.',
      ],
    ],
  );
});

test('withDiagnostics counts the merged diagnostics by severity', () => {
  // pins that an added warning raises the warning count (not the info count), and an info the info count
  const r = validateText(mixed, OPTS);
  assert.deepEqual([r.errors, r.warnings, r.infos], [0, 1, 0]);
  const extra = (line: number, severity: Diagnostic['severity']): Diagnostic => ({ ...r.diagnostics[0]!, line, severity });
  const merged = withDiagnostics(r, [extra(0, 'warning'), extra(1, 'info'), extra(2, 'error')]);
  assert.deepEqual([merged.errors, merged.warnings, merged.infos], [1, 2, 1]);
  assert.deepEqual(
    merged.diagnostics.map((d) => d.line),
    [0, 1, 2, 3],
  );
});

/** One line's facts, small enough to compare whole. */
const fact = (len: number, opts: { record?: boolean; variant?: string; hash?: number; sig?: string; diags?: Diagnostic[] } = {}) =>
  new LineFacts(
    len,
    opts.record ?? true,
    opts.variant,
    opts.hash,
    opts.sig === undefined ? undefined : { sig: opts.sig, start: len, end: len + 1 },
    opts.diags ?? [],
  );
const plainFacts = (f: LineFacts) => ({ ...f, diagnostics: [...f.diagnostics] });

test('LineTable: each line comes back as it went in, however the table grows', () => {
  const t = new LineTable();
  const warn = { ...mixedDiag(), line: 0 } as Diagnostic;
  const facts: LineFacts[] = [];
  for (let i = 0; i < 70; i++)
    facts.push(
      fact(i, {
        record: i % 3 !== 0,
        variant: i % 2 ? 'prompt-completion' : undefined,
        hash: i % 5 ? i * 1.5 : undefined,
        sig: i % 4 ? `sig${i % 3}` : undefined,
        diags: i === 66 ? [warn] : [],
      }),
    );
  for (const f of facts) t.push(f);
  assert.equal(t.length, 70);
  for (let i = 0; i < 70; i++) {
    assert.deepEqual(plainFacts(t.at(i)), plainFacts(facts[i]!), `line ${i}`);
    assert.equal(t.isRecord(i), i % 3 !== 0);
  }
  // strings are interned once each: the variant and three template signatures
  assert.deepEqual(t.strings, ['prompt-completion', 'sig1', 'sig2', 'sig0']);
  assert.equal(t.idOf('sig2'), 2);
  assert.equal(t.idOf(undefined), -1);
  assert.equal(t.idOf('never seen'), -2);
  assert.equal(t.intern(undefined), -1);
  assert.equal(t.intern('sig1'), 1);
  assert.equal(t.intern('new'), 4);
});

test('LineTable.reserve: the capacity doubles from 64 until it holds n lines, never shrinks', () => {
  const t = new LineTable();
  t.reserve(64);
  assert.equal(t.lens.length, 64);
  t.reserve(65);
  assert.deepEqual(
    [t.lens.length, t.flags.length, t.variant.length, t.sig.length, t.tStart.length, t.tEnd.length, t.hash.length],
    [128, 128, 128, 128, 128, 128, 128],
  );
  t.reserve(128);
  assert.equal(t.lens.length, 128);
  t.reserve(129);
  assert.equal(t.lens.length, 256);
  t.reserve(1000);
  assert.equal(t.lens.length, 1024);
  t.reserve(10);
  assert.equal(t.lens.length, 1024);
  // exactly a power of two: no more than that
  const exact = new LineTable();
  exact.reserve(128);
  assert.equal(exact.lens.length, 128);
  // what was there is kept
  const u = new LineTable();
  u.push(fact(7, { hash: 3 }));
  u.reserve(500);
  assert.deepEqual([u.lens[0], u.hash[0]], [7, 3]);
});

test('LineTable.splice: lines inserted, removed and replaced in the middle, the rest shifted with their facts', () => {
  const t = new LineTable();
  const d = { ...mixedDiag(), line: 0 } as Diagnostic;
  for (let i = 0; i < 5; i++) t.push(fact(i, { variant: `v${i}`, hash: i, sig: `s${i}`, diags: i === 4 ? [d] : [] }));
  const lens = () => Array.from({ length: t.length }, (_, i) => t.at(i).len);
  // replace one by three
  t.splice(1, 1, [fact(10), fact(11, { record: false }), fact(12)]);
  assert.deepEqual(lens(), [0, 10, 11, 12, 2, 3, 4]);
  assert.equal(t.isRecord(2), false);
  assert.deepEqual(plainFacts(t.at(4)), plainFacts(fact(2, { variant: 'v2', hash: 2, sig: 's2' })));
  assert.deepEqual(t.at(6).diagnostics, [d]);
  assert.deepEqual(t.at(1).diagnostics, []);
  // remove two
  t.splice(2, 2, []);
  assert.deepEqual(lens(), [0, 10, 2, 3, 4]);
  assert.deepEqual(t.at(4).diagnostics, [d]);
  assert.equal(t.at(2).variant, 'v2');
  // replace in place (same count)
  t.splice(0, 1, [fact(20, { variant: 'w' })]);
  assert.deepEqual(lens(), [20, 10, 2, 3, 4]);
  assert.equal(t.at(0).variant, 'w');
  assert.equal(t.at(0).template, undefined);
  // insert at the end, past the first capacity
  t.splice(
    5,
    0,
    Array.from({ length: 80 }, (_, i) => fact(100 + i)),
  );
  assert.equal(t.length, 85);
  assert.equal(t.at(84).len, 179);
  assert.deepEqual(t.at(4).diagnostics, [d]);
  assert.equal(t.diags.length, 85);
});

test('LineTable.pack and appendPacked: columns trimmed, string ids remapped, diagnostics placed on their lines', () => {
  const worker = new LineTable();
  const d = { ...mixedDiag(), line: 0 } as Diagnostic;
  worker.push(fact(1, { variant: 'b', sig: 'x' }));
  worker.push(fact(2, { record: false }));
  worker.push(fact(3, { variant: 'a', hash: 9, diags: [d] }));
  const p = worker.pack();
  assert.equal(p.count, 3);
  assert.equal(p.lens.length, 3);
  assert.deepEqual(Array.from(p.lens), [1, 2, 3]);
  assert.deepEqual(p.strings, ['b', 'x', 'a']);
  assert.deepEqual(p.diagnostics, [[2, [d]]]);
  assert.equal(transferList(p).length, 7);
  assert.equal(transferList(p)[0], p.lens.buffer);
  const main = new LineTable();
  main.push(fact(0, { variant: 'a' }));
  main.appendPacked(p);
  assert.equal(main.length, 4);
  assert.deepEqual(main.strings, ['a', 'b', 'x']);
  assert.deepEqual(plainFacts(main.at(1)), plainFacts(fact(1, { variant: 'b', sig: 'x' })));
  assert.deepEqual(plainFacts(main.at(2)), plainFacts(fact(2, { record: false })));
  assert.deepEqual(plainFacts(main.at(3)), plainFacts(fact(3, { variant: 'a', hash: 9, diags: [d] })));
  assert.deepEqual(main.at(0).diagnostics, []);
  // only the first count entries of each column are read (a worker may post longer buffers)
  const long = (n: number) => ({
    lens: new Int32Array(n).fill(5),
    flags: new Uint8Array(n).fill(1),
    variant: new Int32Array(n).fill(-1),
    sig: new Int32Array(n).fill(-1),
    tStart: new Int32Array(n),
    tEnd: new Int32Array(n),
    hash: new Float64Array(n).fill(NaN),
  });
  const small = new LineTable();
  small.appendPacked({ count: 1, ...long(300), strings: [], diagnostics: [] });
  assert.equal(small.length, 1);
  assert.equal(small.lens.length, 64);
  assert.deepEqual(plainFacts(small.at(0)), plainFacts(fact(5)));
  // a big packed block grows the table
  const many = new LineTable();
  for (let i = 0; i < 100; i++) many.push(fact(i));
  main.appendPacked(many.pack());
  assert.equal(main.length, 104);
  assert.equal(main.at(103).len, 99);
});

const pcLine = (p: string, c = 'c') => JSON.stringify({ prompt: p, completion: c });
/** Each diagnostic of a text as [line, covered text, code, message]. */
function placed(text: string, opts: Partial<typeof OPTS> = {}, cap?: number): [number, string, string, string][] {
  const lines = text.split('\n');
  return validateText(text, { ...OPTS, ...opts }, cap).diagnostics.map((d) => [d.line, (lines[d.line] ?? '').slice(d.start, d.end), d.code, d.message]);
}

test('template-mismatch: only when one template holds at least 60% of at least 5 templated records, and not all of them', () => {
  const tut = (i: number) => pcLine(`You are a tutor. Explain ${i}.`);
  const odd = (s = '') => pcLine(`Given the following text, summarise it${s}.`);
  assert.deepEqual(placed([tut(1), tut(2), tut(3), tut(4), odd()].join('\n')), [
    [
      4,
      '"Given the following text, summarise it."',
      'template-mismatch',
      'The prompt begins "given the following …", but 80% of the prompts (4/5) begin "you are a …": use one template for every record.',
    ],
  ]);
  // 3 of 5 is exactly 60%: still the majority; both others are flagged
  assert.deepEqual(
    placed([tut(1), tut(2), tut(3), odd(), odd(' now')].join('\n')).map(([l, , c, m]) => [l, c, m.split(':')[0]]),
    [
      [3, 'template-mismatch', 'The prompt begins "given the following …", but 60% of the prompts (3/5) begin "you are a …"'],
      [4, 'template-mismatch', 'The prompt begins "given the following …", but 60% of the prompts (3/5) begin "you are a …"'],
    ],
  );
  // 4 templated records: too few to call a majority
  assert.deepEqual(placed([tut(1), tut(2), tut(3), odd()].join('\n')), []);
  // 2 of 5 (40%): no majority
  assert.deepEqual(
    placed([tut(1), tut(2), odd(), pcLine('Translate this sentence into French.'), pcLine('Write a short poem about rain.')].join('\n')).filter(
      ([, , c]) => c === 'template-mismatch',
    ),
    [],
  );
  // all records share the template: nothing to say
  assert.deepEqual(placed([1, 2, 3, 4, 5, 6].map(tut).join('\n')), []);
});

test('missing-system-turn: a conversation without the system prompt most records begin with', () => {
  const s = (c: string) => ({ role: 'system', content: c });
  const u = (c: string) => ({ role: 'user', content: c });
  const a = (c: string) => ({ role: 'assistant', content: c });
  const text = [1, 2, 3, 4]
    .map((i) => JSON.stringify({ messages: [s('You are a careful tutor.'), u(`Explain ${i}`), a('x')] }))
    .concat(JSON.stringify({ messages: [u('Explain 9'), a('x')] }))
    .join('\n');
  assert.deepEqual(placed(text), [
    [
      4,
      '"Explain 9"',
      'missing-system-turn',
      'This conversation has no system turn, but 80% of the records (4/5) begin with the system prompt "you are a …": add it.',
    ],
  ]);
  const r = validateText(text, OPTS);
  assert.deepEqual([r.format, r.conversational, r.records], ['language-modeling', true, 5]);
});

test('duplicates: each repeat names the first line, relates to it, and offers to delete itself; size and goal on the first record', () => {
  const text = ['', pcLine('p'), pcLine('q'), pcLine('p'), pcLine('p')].join('\n');
  const r = validateText(text, { ...OPTS, minRecords: 10, goal: 'style' });
  assert.deepEqual([r.records, r.errors, r.warnings, r.infos], [4, 0, 2, 2]);
  assert.deepEqual(placed(text, { minRecords: 10, goal: 'style' }), [
    [
      1,
      '{',
      'few-records',
      'Only 4 records: a fine-tune needs at least 10 (style/format 200–500, domain vocabulary 500–1,500, task specialisation 1,000–5,000).',
    ],
    [1, '{', 'size-vs-goal', '4 records for goal "style" (Style / tone / output format): the guide asks for 200–500; 196 more to reach the minimum.'],
    [3, pcLine('p'), 'duplicate', 'Exact duplicate of the record on line 2: delete this repeat.'],
    [4, pcLine('p'), 'duplicate', 'Exact duplicate of the record on line 2: delete this repeat.'],
  ]);
  const dup = r.diagnostics.find((d) => d.code === 'duplicate')!;
  assert.deepEqual(dup.related, [{ line: 1, start: 0, end: pcLine('p').length, message: 'First occurrence' }]);
  assert.deepEqual(dup.fix, { title: 'Delete this duplicate record', edits: [], deleteLine: true });
  // as many records as asked: no few-records
  assert.deepEqual(
    placed(text, { minRecords: 4 }).map(([, , c]) => c),
    ['duplicate', 'duplicate'],
  );
  assert.deepEqual(
    placed(text, { minRecords: 5 }).map(([, , c]) => c),
    ['few-records', 'duplicate', 'duplicate'],
  );
  // no records at all: neither size diagnostic
  assert.deepEqual(placed('\n\n', { minRecords: 10, goal: 'style' }), []);
});

test('too many problems: the first `cap` diagnostics and one summary counting them all', () => {
  const text = ['{oops', '{oops', '{oops', '{oops'].join('\n');
  const r = validateText(text, OPTS, 3);
  assert.deepEqual([r.errors, r.warnings, r.infos], [4, 0, 0]);
  assert.equal(r.diagnostics.length, 4);
  assert.deepEqual(r.diagnostics[3], {
    line: 0,
    start: 0,
    end: 0,
    code: 'too-many-problems',
    severity: 'info',
    message: '1 more problems are not shown (4 errors, 0 warnings in all): raise finetuneStudio.validation.maxDiagnosticsPerFile or run `ftstudio validate`.',
  });
  assert.equal(validateText(text, OPTS, 4).diagnostics.length, 4);
  assert.equal(
    validateText(text, OPTS, 4).diagnostics.some((d) => d.code === 'too-many-problems'),
    false,
  );
  // withDiagnostics keeps the summary last
  const merged = withDiagnostics(r, [{ ...r.diagnostics[0]!, line: 9, code: 'duplicate', severity: 'warning' }]);
  assert.deepEqual(
    merged.diagnostics.map((d) => d.code),
    ['invalid-json', 'invalid-json', 'invalid-json', 'duplicate', 'too-many-problems'],
  );
  assert.equal(withDiagnostics(r, []), r);
});

test('a forced format: no majority to disagree with, and the report names the forced format', () => {
  const text = [pcLine('a'), JSON.stringify({ text: 't' }), JSON.stringify({ text: 'u' })].join('\n');
  const r = validateText(text, { ...OPTS, format: 'prompt-completion' });
  assert.equal(r.format, 'prompt-completion');
  assert.equal(
    r.diagnostics.some((d) => d.code === 'format-mismatch'),
    false,
  );
  // unforced: the majority is language-modeling and the odd one out is flagged
  const free = validateText(text, OPTS);
  assert.equal(free.format, 'language-modeling');
  assert.deepEqual(
    free.diagnostics.map((d) => [d.line, d.code, d.message]),
    [
      [
        0,
        'format-mismatch',
        'This record is standard prompt-completion, but 67% of the records (2/3) are standard language-modeling: convert it or move it to its own file.',
      ],
    ],
  );
  // standard and conversational records of a forced format: no mismatch between the two variants
  const conv = JSON.stringify({ prompt: [{ role: 'user', content: 'q' }], completion: [{ role: 'assistant', content: 'a' }] });
  const both = [pcLine('a'), pcLine('b'), conv].join('\n');
  assert.deepEqual(validateText(both, { ...OPTS, format: 'prompt-completion' }).diagnostics, []);
  assert.deepEqual(
    validateText(both, OPTS).diagnostics.map((d) => [d.line, d.code, d.message]),
    [
      [
        2,
        'format-mismatch',
        'This record is conversational prompt-completion, but 67% of the records (2/3) are standard prompt-completion: convert it or move it to its own file.',
      ],
    ],
  );
  // a tie breaks by name, whatever the order of the lines
  const tie = [pcLine('a'), JSON.stringify({ text: 't' })];
  assert.equal(validateText(tie.join('\n'), OPTS).format, 'language-modeling');
  assert.equal(validateText([...tie].reverse().join('\n'), OPTS).format, 'language-modeling');
  assert.equal(validateText('', OPTS).format, null);
});

test('DatasetModel: lines replaced one by one keep the counts of a file validated whole', () => {
  const m = new DatasetModel(OPTS);
  m.setText([pcLine('p'), pcLine('q'), pcLine('p')].join('\n'));
  assert.deepEqual(
    m.report().diagnostics.map((d) => [d.line, d.code]),
    [[2, 'duplicate']],
  );
  m.replaceLines(2, 1, [pcLine('r')]);
  assert.deepEqual(m.report().diagnostics, []);
  m.replaceLines(1, 0, ['{oops']);
  assert.deepEqual(
    m.report().diagnostics.map((d) => [d.line, d.code]),
    [[1, 'invalid-json']],
  );
  assert.equal(m.length, 4);
  m.replaceLines(1, 1, []);
  const r = m.report();
  assert.deepEqual([r.records, r.errors, r.diagnostics.length], [3, 0, 0]);
  assert.equal(m.at(3), undefined);
  assert.equal(m.at(0)?.record, true);
  // every record removed: no format left
  const gone = new DatasetModel(OPTS);
  gone.setText(pcLine('only'));
  assert.equal(gone.report().format, 'prompt-completion');
  gone.replaceLines(0, 1, ['']);
  assert.deepEqual([gone.report().format, gone.report().records], [null, 0]);
  // deleting past the end removes what is there
  m.replaceLines(2, 10, [pcLine('p')]);
  assert.deepEqual(
    m.report().diagnostics.map((d) => [d.line, d.code]),
    [[2, 'duplicate']],
  );
});

test('splitLines: \\n and \\r\\n, a final line break starts no line', () => {
  assert.deepEqual(splitLines('a\r\nb\nc\r\n'), ['a', 'b', 'c']);
  assert.deepEqual(splitLines('a\n\nb'), ['a', '', 'b']);
  assert.deepEqual(splitLines(''), ['']);
  assert.deepEqual(splitLines('\n'), ['']);
  assert.deepEqual(splitLines('a\r'), ['a']);
  assert.deepEqual(splitLines('\r\n\r\n'), ['', '']);
});

// A failing and a passing case for every diagnostic code in the table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_CODES, CODES, type Code } from '../../src/core/checks/codes';
import { validateText } from '../../src/core/checks/datasetModel';
import type { Diagnostic } from '../../src/core/checks/diagnostic';
import { leakageDiagnostics } from '../../src/core/checks/leakage';
import { compileUserSchema } from '../../src/core/checks/schemaCheck';
import { indexLines } from '../../src/core/records/recordIndex';
import { evalSetDiagnostics } from '../../src/core/checks/evalSetChecks';
import { codes, diags, OPTS } from './helpers';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { DatasetModel } from '../../src/core/checks/datasetModel';
import { validateDataset, validateDocument } from '../../src/core/validation/validateDataset';
import { resolveValidationOptions } from '../../src/core/validation/options';
import { writeTinyEmbedder } from '../parity/onnxEmbedder';

const u = (content: string) => ({ role: 'user', content });
const a = (content: string) => ({ role: 'assistant', content });
const s = (content: string) => ({ role: 'system', content });
const pref = (prompt: string, chosen = 'good answer', rejected = 'bad answer') => ({ prompt, chosen, rejected });

/** `cap`: the per-file diagnostic cap; `diagnose`: for a code that is not found by validating one file alone */
type Case = {
  bad: (string | object)[];
  good: (string | object)[];
  opts?: object;
  line?: number;
  cap?: number;
  diagnose?: (lines: (string | object)[]) => Diagnostic[] | Promise<Diagnostic[]>;
};

/**
 * An OpenAI chat with one tool call and its answer; each field can be changed to plant one defect
 * (null removes it). The record defines get_weather.
 */
function chatCall(o: { id?: string; args?: unknown; name?: string | null; type?: string; answer?: string | null }): object {
  const call: Record<string, unknown> = {
    type: o.type ?? 'function',
    function: { ...(o.name === null ? {} : { name: o.name ?? 'get_weather' }), arguments: o.args ?? '{"location": "Paris"}' },
  };
  if (o.id) call.id = o.id;
  const tool: Record<string, unknown> = { role: 'tool', content: '18 C, cloudy' };
  const answer = o.answer === undefined ? o.id : o.answer;
  if (answer !== null && answer !== undefined) tool.tool_call_id = answer;
  return {
    messages: [u('What is the weather?'), { role: 'assistant', content: null, tool_calls: [call] }, tool, a('It is 18 C and cloudy.')],
    tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { location: { type: 'string' } } } } }],
  };
}

const many = (n: number, f: (i: number) => object) => Array.from({ length: n }, (_, i) => f(i));

// a held-out file is checked against its training file (x.heldout.jsonl against x.train.jsonl)
const TRAIN = [pref('Train 1'), pref('Train 2'), pref('Train 3')];
const leaks = (held: (string | object)[]) =>
  leakageDiagnostics(
    indexLines(
      held.map((l) => JSON.stringify(l)),
      { withPrompt: true },
    ),
    indexLines(
      TRAIN.map((l) => JSON.stringify(l)),
      { withPrompt: true },
    ),
    'x.train.jsonl',
  );

// near-duplicates are found by validation (validateDocument), on a document that may sit beside its training file
const NEAR_DIR = mkdtempSync(join(tmpdir(), 'ftstudio-near-'));
// 60 words; the same text with its last word changed shares 55 of 57 word 5-grams (Jaccard 0.96)
const LONG = Array.from({ length: 60 }, (_, i) => ['river', 'stone', 'lamp', 'orchard', 'violet', 'engine', 'harbour', 'quill'][(i * 5) % 8]! + (i % 7)).join(
  ' ',
);
const txt = (text: string) => ({ text });
writeFileSync(
  join(NEAR_DIR, 'x.train.jsonl'),
  [txt(`${LONG} today`), txt('Something else entirely, about tides and moons')].map((l) => JSON.stringify(l)).join('\n') + '\n',
);
// semantic leaks: a held-out file beside its training file, and a tiny embedding model
const SEMANTIC_DIR = mkdtempSync(join(tmpdir(), 'ftstudio-semantic-codes-'));
writeTinyEmbedder(join(SEMANTIC_DIR, 'model'));
writeFileSync(
  join(SEMANTIC_DIR, 'x.train.jsonl'),
  [txt('How do I get a refund for my order? Open Orders and choose Refund.'), txt('How do I reset my password? Use the Forgot password link.')]
    .map((l) => JSON.stringify(l))
    .join('\n') + '\n',
);
const documentDiags = (name: string) => (ls: (string | object)[]) => {
  const lines = ls.map((l) => (typeof l === 'string' ? l : JSON.stringify(l)));
  const model = new DatasetModel(OPTS);
  model.setText(lines.join('\n'));
  return validateDocument(model, join(NEAR_DIR, name), () => lines).diagnostics;
};

const CASES: Record<Code, Case> = {
  'invalid-json': { bad: ['{"text": "a",}'], good: ['{"text": "a"}'] },
  'not-an-object': { bad: ['["text", "a"]'], good: ['{"text": "a"}'] },
  'unknown-format': { bad: [{ foo: 1, bar: 2 }], good: [{ text: 'a' }] },
  'missing-key': { bad: [{ prompt: 'p', chosen: 'c' }, pref('q')], good: [pref('p'), pref('q')] },
  'misspelt-key': { bad: ['{"prompt": "p", "chosen": "c", "rejceted": "r"}'], good: [pref('p')] },
  'unexpected-key': { bad: [{ ...pref('p'), completion: 'x' }], good: [{ ...pref('p'), id: 7, metadata: { source: 'x' } }] },
  schema: {
    bad: [{ question: 'q', answer: '' }],
    good: [{ question: 'q', answer: 'a' }],
    opts: {
      userSchema: compileUserSchema(
        { type: 'object', required: ['question', 'answer'], properties: { answer: { type: 'string', minLength: 1 } } },
        'qa.schema.json',
      ),
    },
  },
  'wrong-type': { bad: [{ prompt: 'p', chosen: 'c', rejected: 3 }], good: [pref('p')] },
  'invalid-value': { bad: [{ messages: [u('q'), { ...a('x'), weight: 2 }] }], good: [{ messages: [u('q'), { ...a('x'), weight: 0 }] }] },
  'empty-content': { bad: [{ prompt: 'p', completion: '  \n' }], good: [{ prompt: 'p', completion: 'c' }] },
  'chosen-equals-rejected': { bad: [pref('p', 'same', 'same')], good: [pref('p', 'same', 'other')] },
  'unknown-role': { bad: [{ messages: [u('q'), { role: 'asistant', content: 'x' }] }], good: [{ messages: [u('q'), a('x')] }] },
  'repeated-role': { bad: [{ messages: [u('q'), u('q2'), a('x')] }], good: [{ messages: [u('q'), a('x'), u('q2'), a('y')] }] },
  'system-not-first': { bad: [{ messages: [u('q'), s('be nice'), a('x')] }], good: [{ messages: [s('be nice'), u('q'), a('x')] }] },
  'no-assistant-turn': { bad: [{ messages: [s('sys'), u('q')] }], good: [{ messages: [s('sys'), u('q'), a('x')] }] },
  'prompt-ends-with-assistant': {
    bad: [{ prompt: [u('q'), a('partial')], chosen: [a('c')], rejected: [a('r')] }],
    good: [{ prompt: [u('q')], chosen: [a('c')], rejected: [a('r')] }],
  },
  'response-not-assistant': {
    bad: [{ prompt: [u('q')], chosen: [u('c')], rejected: [a('r')] }],
    good: [{ prompt: [u('q')], chosen: [a('c')], rejected: [a('r')] }],
  },
  'label-not-boolean': { bad: [{ prompt: 'p', completion: 'c', label: 'true' }], good: [{ prompt: 'p', completion: 'c', label: true }] },
  'no-user-turn': { bad: [{ messages: [s('sys'), a('x')] }], good: [{ messages: [s('sys'), u('q'), a('x')] }] },
  'arguments-double-encoded': {
    bad: [chatCall({ id: 'c1', args: JSON.stringify(JSON.stringify({ location: 'current' })) })],
    good: [chatCall({ id: 'c1', args: JSON.stringify({ location: 'current' }) })],
  },
  'arguments-invalid-json': { bad: [chatCall({ id: 'c1', args: '{"location": current}' })], good: [chatCall({ id: 'c1', args: '{"location": "current"}' })] },
  'arguments-not-object': { bad: [chatCall({ id: 'c1', args: '["current"]' })], good: [chatCall({ id: 'c1', args: '{"location": "current"}' })] },
  'arguments-not-string': { bad: [chatCall({ id: 'c1', args: { location: 'current' } })], good: [chatCall({ args: { location: 'current' } })] },
  'tool-call-no-name': { bad: [chatCall({ id: 'c1', name: null })], good: [chatCall({ id: 'c1' })] },
  'tool-call-unknown-function': { bad: [chatCall({ id: 'c1', name: 'get_wether' })], good: [chatCall({ id: 'c1' })] },
  'tool-call-wrong-type': { bad: [chatCall({ id: 'c1', type: 'tool' })], good: [chatCall({ id: 'c1' })] },
  'tool-result-no-id': { bad: [chatCall({ id: 'c1', answer: null })], good: [chatCall({ id: 'c1' }), chatCall({ answer: null })] },
  'tool-result-unknown-id': { bad: [chatCall({ id: 'c1', answer: 'c2' })], good: [chatCall({ id: 'c1', answer: 'c1' })] },
  'invalid-tool-definition': {
    bad: [{ ...chatCall({}), tools: [{ type: 'function', function: { description: 'no name', parameters: 'none' } }] }],
    good: [{ ...chatCall({}), tools: JSON.stringify([{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }]) }],
  },
  'invalid-content-part': {
    bad: [{ messages: [{ role: 'user', content: [{ type: 'text' }, { type: 'image_url', image_url: 'https://example.com/a.png' }] }, a('x')] }],
    good: [
      {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'q' },
              { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
            ],
          },
          a('x'),
        ],
      },
    ],
  },
  'image-outside-user-turn': {
    bad: [{ messages: [u('q'), { role: 'assistant', content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] }] }],
    good: [{ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] }, a('x')] }],
  },
  'media-count-mismatch': {
    bad: [
      {
        conversations: [
          { from: 'human', value: '<image><image>What is shown?' },
          { from: 'gpt', value: 'A cat.' },
        ],
        images: ['cat.png'],
      },
    ],
    good: [
      {
        conversations: [
          { from: 'human', value: '<image>What is shown?' },
          { from: 'gpt', value: 'A cat.' },
        ],
        images: ['cat.png'],
      },
    ],
  },
  'missing-system-turn': {
    bad: [...many(8, (i) => ({ messages: [s('You are a careful tutor.'), u(`Explain ${i}`), a('x')] })), { messages: [u('Explain 9'), a('x')] }],
    good: [...many(9, (i) => ({ messages: [s('You are a careful tutor.'), u(`Explain ${i}`), a('x')] }))],
    line: 9,
  },
  'format-mismatch': {
    bad: [...many(4, (i) => pref(`Question ${i}`)), { prompt: 'p', completion: 'c' }],
    good: [...many(5, (i) => pref(`Question ${i}`))],
    line: 5,
  },
  'template-mismatch': {
    bad: [...many(8, (i) => pref(`You are a tutor. Explain ${i}.`)), pref('Given the following text, summarise it.')],
    good: [...many(9, (i) => pref(`You are a tutor. Explain ${i}.`))],
    line: 9,
  },
  duplicate: { bad: [pref('p'), pref('q'), pref('p')], good: [pref('p'), pref('q'), pref('r')], line: 3 },
  'too-long': { bad: [{ text: 'x'.repeat(500) }], good: [{ text: 'x'.repeat(100) }], opts: { maxTokens: 100 } },
  'few-records': { bad: [{ text: 'a' }], good: many(5, (i) => ({ text: `t${i}` })), opts: { minRecords: 5 }, line: 1 },
  'heldout-leak': { bad: [pref('Held 1'), pref('Train 2')], good: [pref('Held 1'), pref('Held 2')], line: 2, diagnose: leaks },
  'heldout-prompt-leak': {
    bad: [pref('Held 1'), pref('Train 2', 'another answer', 'another bad one')],
    good: [pref('Held 1'), pref('Held 2')],
    line: 2,
    diagnose: leaks,
  },
  // one word changed in 25: Jaccard of word 5-grams about 0.85 → still a near-duplicate; another text is not
  'near-duplicate': {
    bad: [txt(LONG), txt('An unrelated question about tides'), txt(`${LONG} today`)],
    good: [txt(LONG), txt('An unrelated question about tides'), txt(`${LONG.split(' ').slice(0, 40).join(' ')} and then something else happened`)],
    line: 3,
    diagnose: documentDiags('y.jsonl'),
  },
  'heldout-near-leak': {
    bad: [txt('Held 1'), txt(`${LONG} tonight`)],
    good: [txt('Held 1'), txt(`${LONG.split(' ').slice(0, 40).join(' ')} and then something else happened`)],
    line: 2,
    diagnose: documentDiags('x.heldout.jsonl'),
  },
  // a paraphrase of a training record (test/parity/onnxEmbedder.ts's model: its words share one concept each)
  'heldout-semantic-leak': {
    bad: [txt('What is the capital of Italy? Rome.'), txt('I want my money back for an order. Choose Refund after you open Orders.')],
    good: [txt('What is the capital of Italy? Rome.'), txt('How long does shipping take? About one week.')],
    line: 2,
    diagnose: async (ls) => {
      const held = join(SEMANTIC_DIR, 'x.heldout.jsonl');
      writeFileSync(held, ls.map((l) => JSON.stringify(l)).join('\n') + '\n');
      const { options } = resolveValidationOptions({ path: held });
      return (await validateDataset(held, options, { semantic: { config: { dir: join(SEMANTIC_DIR, 'model'), from: 'a test' } } })).diagnostics;
    },
  },
  // golden sets are small by design: no size goal for them
  'size-vs-goal': {
    bad: [pref('a'), pref('b')],
    good: [
      { id: 'a', prompt: 'p', assert: [{ type: 'not-refusal' }] },
      { id: 'b', prompt: 'q', assert: [{ type: 'not-refusal' }] },
    ],
    opts: { goal: 'style' },
    line: 1,
  },
  // four problems under a cap of three: a summary; exactly three: none
  'too-many-problems': { bad: Array(4).fill('{oops'), good: Array(3).fill('{oops'), cap: 3, line: 1 },
  // golden sets
  'unknown-assertion': {
    bad: [{ id: 'a', prompt: 'p', assert: [{ type: 'contain', value: 'x' }] }],
    good: [{ id: 'a', prompt: 'p', assert: [{ type: 'contains', value: 'x' }] }],
  },
  'invalid-regex': {
    bad: [{ id: 'a', prompt: 'p', assert: [{ type: 'regex', value: '(unclosed' }] }],
    good: [{ id: 'a', prompt: 'p', assert: [{ type: 'regex', value: '(closed)' }] }],
  },
  'no-assertions': { bad: [{ id: 'a', prompt: 'p', assert: [] }], good: [{ id: 'a', prompt: 'p', assert: [{ type: 'not-refusal' }] }] },
  'duplicate-id': {
    bad: [
      { id: 'a', prompt: 'p', assert: [{ type: 'not-refusal' }] },
      { id: 'a', prompt: 'q', assert: [{ type: 'not-refusal' }] },
    ],
    good: [
      { id: 'a', prompt: 'p', assert: [{ type: 'not-refusal' }] },
      { id: 'b', prompt: 'q', assert: [{ type: 'not-refusal' }] },
    ],
    line: 2,
    diagnose: (ls) => evalSetDiagnostics(ls.map((l) => (typeof l === 'string' ? l : JSON.stringify(l)))),
  },
};

for (const [code, c] of Object.entries(CASES)) {
  test(`${code}: reported on the bad case, not on the good one`, async () => {
    const run = async (lines: (string | object)[]) =>
      (await c.diagnose?.(lines)) ??
      (c.cap === undefined
        ? diags(lines, c.opts)
        : validateText(lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n'), { ...OPTS, ...c.opts }, c.cap).diagnostics);
    const bad = await run(c.bad);
    const hit = bad.filter((d) => d.code === code);
    assert.ok(hit.length > 0, `${code} expected, got ${JSON.stringify(bad.map((d) => d.code))}`);
    assert.equal(hit[0]!.severity, CODES[code as Code].severity);
    if (c.line) assert.equal(hit[0]!.line + 1, c.line);
    const good = await run(c.good);
    assert.deepEqual(
      good.filter((d) => d.code === code),
      [],
      `${code} on the good case`,
    );
  });
}

test('schema: a user JSON Schema replaces the built-in formats', async () => {
  const { compileUserSchema } = await import('../../src/core/checks/schemaCheck');
  const userSchema = compileUserSchema(
    { type: 'object', required: ['question', 'answer'], properties: { answer: { type: 'string', minLength: 1 } } },
    'qa.schema.json',
  );
  const text = ['{"question": "q", "answer": "a"}', '{"question": "q", "answer": ""}', '{"answer": "a"}'].join('\n');
  const r = validateText(text, { ...OPTS, userSchema });
  assert.deepEqual(
    r.diagnostics.map((d) => `${d.line + 1}:${d.code}`),
    ['2:schema', '3:schema'],
  );
  assert.match(r.diagnostics[1]!.message, /Missing key "question"/);
});

test('too-many-problems: the cap keeps N diagnostics and adds one summary', () => {
  const text = Array.from({ length: 30 }, () => '{oops').join('\n');
  const r = validateText(text, OPTS, 10);
  assert.equal(r.diagnostics.length, 11);
  assert.equal(r.diagnostics[10]!.code, 'too-many-problems');
  assert.match(r.diagnostics[10]!.message, /20 more problems/);
  assert.equal(r.errors, 30);
});

test('every code in the table has a case here, and every case is a code', () => {
  assert.deepEqual(
    ALL_CODES.filter((c) => !(c in CASES)),
    [],
  );
  assert.deepEqual(
    Object.keys(CASES).filter((c) => !(ALL_CODES as readonly string[]).includes(c)),
    [],
  );
});

test('a clean file of every format has no diagnostics', () => {
  const files: object[][] = [
    [{ text: 'The sky is blue.' }],
    [
      { messages: [s('sys'), u('q'), a('x')] },
      {
        messages: [
          u('q'),
          { role: 'assistant', content: null, tool_calls: [{ id: '1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
          { role: 'tool', tool_call_id: '1', content: '42' },
          a('It is 42.'),
        ],
        tools: [{ type: 'function', function: { name: 'f' } }],
      },
    ],
    [{ prompt: 'The sky is' }],
    [{ prompt: [u('What colour is the sky?')] }],
    [{ prompt: 'The sky is', completion: ' blue.' }],
    [{ prompt: [u('q')], completion: [a('x')] }],
    [pref('p'), { chosen: 'implicit good', rejected: 'implicit bad' }],
    [{ prompt: [u('q')], chosen: [a('c')], rejected: [a('r')] }],
    [{ prompt: 'p', completion: 'c', label: false }],
    [{ input: { messages: [u('q')] }, preferred_output: [a('good')], non_preferred_output: [a('bad')] }],
    [
      { instruction: 'Add', input: '2 and 3', output: '5' },
      { instruction: 'Say hi', input: '', output: 'hi' },
    ],
    [
      {
        conversations: [
          { from: 'human', value: 'q' },
          { from: 'gpt', value: 'x' },
        ],
        system: 'sys',
      },
    ],
  ];
  for (const f of files) assert.deepEqual(codes(f), [], JSON.stringify(f));
});

test('quick fixes: misspelt key, unknown role, KTO label, duplicate', () => {
  const line = '{"prompt": "p", "chosen": "c", "rejceted": "r"}';
  const [mis] = diags([line]);
  const at = line.indexOf('"rejceted"');
  assert.deepEqual(mis!.fix!.edits, [{ start: at, end: at + '"rejceted"'.length, newText: '"rejected"' }]);
  const role = diags([{ messages: [u('q'), { role: 'Assistant', content: 'x' }] }]).find((d) => d.code === 'unknown-role')!;
  assert.equal(role.fix!.edits[0]!.newText, '"assistant"');
  const gpt = diags([{ messages: [u('q'), { role: 'gpt', content: 'x' }] }]).find((d) => d.code === 'unknown-role')!;
  assert.equal(gpt.fix!.edits[0]!.newText, '"assistant"');
  const label = diags([{ prompt: 'p', completion: 'c', label: 0 }]).find((d) => d.code === 'label-not-boolean')!;
  assert.equal(label.fix!.edits[0]!.newText, 'false');
  const dup = diags([pref('p'), pref('p')]).find((d) => d.code === 'duplicate')!;
  assert.equal(dup.fix!.deleteLine, true);
  assert.deepEqual(dup.related, [{ line: 0, start: 0, end: JSON.stringify(pref('p')).length, message: 'First occurrence' }]);
});
